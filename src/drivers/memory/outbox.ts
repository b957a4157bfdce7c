// The memory store's subscriptions and delivery outbox (the NotificationStore half of the memory driver).

import type { Clock } from '../../core/clock';
import { newMessageId } from '../../core/ids';
import { FAILED_KEPT_PER_SUBSCRIPTION, notificationPayload } from '../../core/notifications';
import { subscriptionExists, subscriptionNotFound } from '../../core/store-errors';
import type {
  DeliveryOutcome,
  FailedDelivery,
  NewSubscription,
  PendingDelivery,
  QueueScope,
  StoredMessage,
  SubscriptionPatch,
  SubscriptionRecord,
} from '../../core/types';
import type { ListSubscriptionsOptions } from '../types';

const scopeKey = (scope: QueueScope) => `${scope.project}\n${scope.queue}`;

export class MemoryOutbox {
  /** queue key → subscription id → record. */
  private readonly subscriptions = new Map<string, Map<string, SubscriptionRecord>>();
  private readonly pending = new Map<string, PendingDelivery>();
  /** subscription id → failed deliveries, oldest first. */
  private readonly failed = new Map<string, FailedDelivery[]>();

  constructor(private readonly clock: Clock) {}

  createSubscription(scope: QueueScope, sub: NewSubscription): { id: string; created: boolean } {
    const now = this.clock();
    const subs = this.subsOf(scope, true);
    for (const existing of subs.values()) {
      if (existing.expires > now && existing.subscriber === sub.subscriber) return { id: existing.id, created: false };
    }
    const id = newMessageId();
    subs.set(id, { id, ...structuredClone(sub), created: now, expires: now + sub.ttl * 1000 });
    return { id, created: true };
  }

  getSubscription(scope: QueueScope, id: string): SubscriptionRecord {
    return structuredClone(this.live(scope, id));
  }

  listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): SubscriptionRecord[] {
    const now = this.clock();
    return [...this.subsOf(scope, false).values()]
      .filter((s) => s.expires > now && (options.marker === undefined || s.id > options.marker))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, options.limit)
      .map((s) => structuredClone(s));
  }

  updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): void {
    const sub = this.live(scope, id);
    const now = this.clock();
    if (patch.subscriber !== undefined && patch.subscriber !== sub.subscriber) {
      for (const other of this.subsOf(scope, false).values()) {
        if (other.id !== id && other.expires > now && other.subscriber === patch.subscriber) throw subscriptionExists();
      }
      sub.subscriber = patch.subscriber;
    }
    if (patch.options !== undefined) sub.options = structuredClone(patch.options);
    if (patch.confirmed !== undefined) sub.confirmed = patch.confirmed;
    if (patch.ttl !== undefined) {
      sub.ttl = patch.ttl;
      sub.expires = now + patch.ttl * 1000;
    }
  }

  deleteSubscription(scope: QueueScope, id: string): void {
    // Within the named queue only: an id from another queue or project changes nothing there.
    this.subsOf(scope, false).delete(id);
    const key = scopeKey(scope);
    for (const [did, d] of this.pending)
      if (d.subscriptionId === id && scopeKey(d.scope) === key) this.pending.delete(did);
    const failed = this.failed.get(id)?.filter((f) => scopeKey(f.scope) !== key);
    if (failed && failed.length > 0) this.failed.set(id, failed);
    else this.failed.delete(id);
  }

  /** Forgets a deleted queue's subscriptions; deliveries already recorded are still made. */
  forgetSubscriptions(scope: QueueScope): void {
    this.subscriptions.delete(scopeKey(scope));
  }

  purgeSubscriptions(scope: QueueScope): void {
    for (const id of [...this.subsOf(scope, false).keys()]) this.deleteSubscription(scope, id);
    this.subscriptions.delete(scopeKey(scope));
  }

  /** Records one delivery per (message, confirmed live subscription): called inside the post's atomic step. */
  fanOut(scope: QueueScope, messages: StoredMessage[]): void {
    const subs = this.subscriptions.get(scopeKey(scope));
    if (!subs || subs.size === 0) return;
    const now = this.clock();
    for (const sub of subs.values()) {
      if (sub.expires <= now || !sub.confirmed) continue;
      for (const m of messages) {
        this.add({
          scope: { ...scope },
          subscriptionId: sub.id,
          subscriber: sub.subscriber,
          options: structuredClone(sub.options),
          kind: 'notification',
          payload: notificationPayload(scope.queue, m),
        });
      }
    }
  }

  enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): string {
    return this.add(structuredClone(delivery));
  }

  takeDeliveries(limit: number, leaseMs: number): PendingDelivery[] {
    const now = this.clock();
    const due = [...this.pending.values()].filter((d) => d.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    return due.slice(0, limit).map((d) => {
      d.dueAt = now + leaseMs;
      return structuredClone(d);
    });
  }

  settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): void {
    const d = this.pending.get(id);
    if (!d || scopeKey(d.scope) !== scopeKey(scope)) return;
    if (outcome.kind === 'delivered') {
      this.pending.delete(id);
    } else if (outcome.kind === 'retry') {
      d.attempts++;
      d.dueAt = outcome.dueAt;
      d.lastError = outcome.error;
    } else {
      this.pending.delete(id);
      const list = this.failed.get(d.subscriptionId) ?? [];
      list.push({ ...d, attempts: d.attempts + 1, lastError: outcome.error, failedAt: this.clock() });
      if (list.length > FAILED_KEPT_PER_SUBSCRIPTION) list.shift();
      this.failed.set(d.subscriptionId, list);
    }
  }

  listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): FailedDelivery[] {
    return [...(this.failed.get(subscriptionId) ?? [])]
      .filter((f) => scopeKey(f.scope) === scopeKey(scope))
      .reverse()
      .slice(0, limit)
      .map((f) => structuredClone(f));
  }

  private add(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): string {
    const now = this.clock();
    const id = newMessageId();
    this.pending.set(id, { ...delivery, id, attempts: 0, created: now, dueAt: now });
    return id;
  }

  private subsOf(scope: QueueScope, create: boolean): Map<string, SubscriptionRecord> {
    const key = scopeKey(scope);
    let subs = this.subscriptions.get(key);
    if (!subs) {
      subs = new Map();
      if (create) this.subscriptions.set(key, subs);
    }
    return subs;
  }

  private live(scope: QueueScope, id: string): SubscriptionRecord {
    const sub = this.subscriptions.get(scopeKey(scope))?.get(id);
    if (!sub || sub.expires <= this.clock()) throw subscriptionNotFound(id);
    return sub;
  }
}
