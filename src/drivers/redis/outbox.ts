// The Redis store's subscriptions and delivery outbox (the NotificationStore half of the Redis driver).
//
// Subscriptions live in their queue's keys (its hash tag, so its slot); deliveries too, plus one store-wide due
// index (qg:deliveries:due) that takeDeliveries leases from. The post's own script records the deliveries of
// its messages (lib_outbox.lua fanOut), so this class never has to: see the key layout in driver.ts.

import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { newMessageId } from '../../core/ids';
import { FAILED_KEPT_PER_SUBSCRIPTION } from '../../core/notifications';
import { subscriptionExists, subscriptionNotFound } from '../../core/store-errors';
import type {
  DeliveryOutcome,
  FailedDelivery,
  NewSubscription,
  PendingDelivery,
  QueueScope,
  SubscriptionPatch,
  SubscriptionRecord,
} from '../../core/types';
import type { ListSubscriptionsOptions, NotificationStore } from '../types';
import type { RedisCalls } from './calls';
import { DELIVERY_DUE_KEY, keyList, queueBase, queueKeys } from './keys';
import { fieldsOf, toFailedDelivery, toSubscription, toTakenDeliveries } from './outbox-records';

const keysOf = (scope: QueueScope) => keyList(queueKeys(scope));

/** Subscriptions and deliveries of one Redis store; every change is one script. */
export class RedisOutbox implements NotificationStore {
  constructor(
    private readonly calls: RedisCalls,
    private readonly clock: Clock,
  ) {}

  async createSubscription(scope: QueueScope, sub: NewSubscription): Promise<{ id: string; created: boolean }> {
    const args = [
      this.clock(),
      newMessageId(),
      sub.subscriber,
      sub.ttl,
      JSON.stringify(sub.options),
      flag(sub.confirmed),
    ];
    const [id, created] = (await this.calls.write('createSubscription', keysOf(scope), args)) as [string, number];
    return { id: String(id), created: created === 1 };
  }

  async getSubscription(scope: QueueScope, id: string): Promise<SubscriptionRecord> {
    const fields = await this.calls.io(this.calls.client.hgetall(subscriptionKey(scope, id)));
    if (fields.e === undefined || Number(fields.e) <= this.clock()) throw subscriptionNotFound(id);
    return toSubscription(id, fields);
  }

  async listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): Promise<SubscriptionRecord[]> {
    const args = [this.clock(), options.marker ?? '', options.limit];
    const rows = (await this.calls.read('listSubscriptions', keysOf(scope), args)) as unknown[][];
    return rows.map(([id, ...flat]) => toSubscription(String(id), fieldsOf(flat)));
  }

  async updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): Promise<void> {
    const args = [
      this.clock(),
      id,
      patch.subscriber ?? '',
      patch.ttl ?? '',
      patch.options === undefined ? '' : JSON.stringify(patch.options),
      patch.confirmed === undefined ? '' : flag(patch.confirmed),
    ];
    const outcome = await this.calls.write('updateSubscription', keysOf(scope), args);
    if (outcome === 0) throw subscriptionNotFound(id);
    if (outcome === 1) throw subscriptionExists();
  }

  async deleteSubscription(scope: QueueScope, id: string): Promise<void> {
    await this.calls.write('deleteSubscriptions', keysOf(scope), ['ids', id]);
  }

  async purgeSubscriptions(scope: QueueScope): Promise<void> {
    await this.calls.write('deleteSubscriptions', keysOf(scope), ['all']);
  }

  async enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): Promise<string> {
    const { scope } = delivery;
    const args = [
      this.clock(),
      randomUUID(),
      scope.project,
      scope.queue,
      delivery.subscriptionId,
      delivery.subscriber,
      JSON.stringify(delivery.options),
      delivery.kind,
      JSON.stringify(delivery.payload),
    ];
    return String(await this.calls.write('enqueueDelivery', keysOf(scope), args));
  }

  async takeDeliveries(limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    if (limit <= 0) return [];
    const reply = await this.calls.write('takeDeliveries', [DELIVERY_DUE_KEY], [this.clock(), limit, leaseMs]);
    return toTakenDeliveries(reply);
  }

  async settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): Promise<void> {
    const args = [
      this.clock(),
      id,
      outcome.kind,
      outcome.kind === 'retry' ? outcome.dueAt : '',
      outcome.kind === 'delivered' ? '' : outcome.error,
      FAILED_KEPT_PER_SUBSCRIPTION,
    ];
    await this.calls.write('settleDelivery', keysOf(scope), args);
  }

  async listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): Promise<FailedDelivery[]> {
    if (limit <= 0) return [];
    const key = `${queueBase(scope)}:sf:${subscriptionId}`;
    const entries = await this.calls.io(this.calls.client.lrange(key, 0, limit - 1));
    return entries.map(toFailedDelivery);
  }
}

function flag(value: boolean): number {
  return value ? 1 : 0;
}

function subscriptionKey(scope: QueueScope, id: string): string {
  return `${queueBase(scope)}:s:${id}`;
}
