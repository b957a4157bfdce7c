// The embedded in-process store: the reference DataDriver every other driver is compared against.
//
// Each method runs as one synchronous block between awaits, so it is atomic as the interface asks.
// A queue keeps its messages in a Map in insertion order, which is marker order (markers only grow),
// so "the oldest free messages" is a walk from the front. Expired messages and claims are invisible
// to every read at once and are collected by a background sweep (gcIntervalMs) so memory stays bounded.

import { type Clock, systemClock } from '../../core/clock';
import { newClaimId, newMessageId } from '../../core/ids';
import { deadLetterPolicy } from '../../core/queue-metadata';
import { matchesQueueFilter } from '../../core/queue-filter';
import {
  claimNotFound,
  messageClaimedByOther,
  messageNotClaimed,
  messageNotFound,
  queueNotFound,
} from '../../core/store-errors';
import type {
  ClaimOptions,
  ClaimRecord,
  DeliveryOutcome,
  FailedDelivery,
  NewSubscription,
  PendingDelivery,
  SubscriptionPatch,
  SubscriptionRecord,
  ListMessagesOptions,
  MessagePage,
  NewMessage,
  QueueMetadata,
  QueueScope,
  QueueStats,
  QueueSummary,
  StoreHealth,
  StoredMessage,
} from '../../core/types';
import type { DataDriver, ListQueuesOptions, ListSubscriptionsOptions, NotificationStore } from '../types';
import { MemoryOutbox } from './outbox';

/** Options of the memory driver. */
export interface MemoryDriverOptions {
  /** The clock expiry is read against (tests pass a controllable one). */
  clock?: Clock;
  /** Background sweep interval in ms; 0 disables it (tests collect nothing behind their back). */
  gcIntervalMs?: number;
}

/** A message as the memory store keeps it (mutable; copied out on every read). */
interface MessageRecord {
  id: string;
  marker: number;
  ttl: number;
  created: number;
  expires: number;
  visibleAt: number;
  body: StoredMessage['body'];
  clientId: string;
  claimId: string | null;
  claimExpires: number;
  claimCount: number;
}

/** A claim: its timing and the ids of the messages it holds. */
interface ClaimState {
  id: string;
  ttl: number;
  grace: number;
  updated: number;
  expires: number;
  messageIds: Set<string>;
}

/** One queue with its messages and claims. */
interface QueueState {
  metadata: QueueMetadata;
  messages: Map<string, MessageRecord>;
  claims: Map<string, ClaimState>;
  nextMarker: number;
}

export class MemoryDriver implements DataDriver, NotificationStore {
  readonly kind = 'memory';
  private readonly clock: Clock;
  /** project → queue name → queue. */
  private readonly projects = new Map<string, Map<string, QueueState>>();
  private readonly timer?: NodeJS.Timeout;
  private readonly outbox: MemoryOutbox;

  constructor(options: MemoryDriverOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.outbox = new MemoryOutbox(this.clock);
    const interval = options.gcIntervalMs ?? 5000;
    if (interval > 0) {
      this.timer = setInterval(() => this.collectGarbage(), interval);
      this.timer.unref();
    }
  }

  async createQueue(scope: QueueScope, metadata: QueueMetadata): Promise<boolean> {
    if (this.find(scope)) return false;
    this.insertQueue(scope, structuredClone(metadata));
    return true;
  }

  async queueExists(scope: QueueScope): Promise<boolean> {
    return this.find(scope) !== undefined;
  }

  async getQueueMetadata(scope: QueueScope): Promise<QueueMetadata> {
    return structuredClone(this.require(scope).metadata);
  }

  async setQueueMetadata(scope: QueueScope, metadata: QueueMetadata): Promise<void> {
    this.require(scope).metadata = structuredClone(metadata);
  }

  async deleteQueue(scope: QueueScope): Promise<void> {
    this.outbox.forgetSubscriptions(scope);
    const queues = this.projects.get(scope.project);
    if (!queues) return;
    queues.delete(scope.queue);
    if (queues.size === 0) this.projects.delete(scope.project);
  }

  async listQueues(project: string, options: ListQueuesOptions): Promise<QueueSummary[]> {
    const queues = this.projects.get(project);
    if (!queues) return [];
    const names = [...queues.keys()].sort();
    const out: QueueSummary[] = [];
    for (const name of names) {
      if (out.length >= options.limit) break;
      if (options.marker !== undefined && name <= options.marker) continue;
      const queue = queues.get(name) as QueueState;
      if (!matchesQueueFilter(name, queue.metadata, options)) continue;
      out.push(options.detailed ? { name, metadata: structuredClone(queue.metadata) } : { name });
    }
    return out;
  }

  async countQueues(project: string): Promise<number> {
    return this.projects.get(project)?.size ?? 0;
  }

  async queueStats(scope: QueueScope): Promise<QueueStats> {
    const queue = this.find(scope);
    const stats: QueueStats = { claimed: 0, free: 0, total: 0 };
    if (!queue) return stats;
    const now = this.clock();
    let oldest: MessageRecord | undefined;
    let newest: MessageRecord | undefined;
    for (const m of queue.messages.values()) {
      if (m.expires <= now) continue;
      stats.total++;
      if (isClaimed(m, now)) stats.claimed++;
      if (!oldest || m.created < oldest.created) oldest = m;
      if (!newest || m.created >= newest.created) newest = m;
    }
    stats.free = stats.total - stats.claimed;
    if (oldest) stats.oldest = snapshot(oldest, now);
    if (newest) stats.newest = snapshot(newest, now);
    return stats;
  }

  async postMessages(scope: QueueScope, messages: NewMessage[], clientId: string): Promise<string[]> {
    const queue = this.find(scope) ?? this.insertQueue(scope, {});
    const now = this.clock();
    const stored = messages.map((m) => this.append(queue, m, clientId, now, newMessageId()));
    this.outbox.fanOut(scope, stored);
    return stored.map((m) => m.id);
  }

  async listMessages(scope: QueueScope, options: ListMessagesOptions): Promise<MessagePage> {
    const queue = this.find(scope);
    if (!queue) return { messages: [] };
    const now = this.clock();
    const out: StoredMessage[] = [];
    for (const m of queue.messages.values()) {
      if (out.length >= options.limit) break;
      if (options.marker !== undefined && m.marker <= options.marker) continue;
      if (m.expires <= now) continue;
      if (!options.echo && m.clientId === options.clientId) continue;
      if (!options.includeClaimed && isClaimed(m, now)) continue;
      if (!options.includeDelayed && m.visibleAt > now) continue;
      out.push(snapshot(m, now));
    }
    return { messages: out, nextMarker: out.length > 0 ? out[out.length - 1].marker : undefined };
  }

  async getMessage(scope: QueueScope, id: string): Promise<StoredMessage> {
    const m = this.find(scope)?.messages.get(id);
    const now = this.clock();
    if (!m || m.expires <= now) {
      throw messageNotFound(scope, id);
    }
    return snapshot(m, now);
  }

  async getMessages(scope: QueueScope, ids: string[]): Promise<StoredMessage[]> {
    const queue = this.find(scope);
    if (!queue) return [];
    const now = this.clock();
    const out: StoredMessage[] = [];
    for (const id of ids) {
      const m = queue.messages.get(id);
      if (m && m.expires > now) out.push(snapshot(m, now));
    }
    return out;
  }

  async deleteMessage(scope: QueueScope, id: string, claimId?: string): Promise<void> {
    const queue = this.find(scope);
    const m = queue?.messages.get(id);
    const now = this.clock();
    if (!queue || !m || m.expires <= now) return;
    const claimed = isClaimed(m, now);
    if (claimId === undefined) {
      if (claimed) throw messageClaimedByOther();
    } else if (!claimed) {
      throw messageNotClaimed();
    } else if (m.claimId !== claimId) {
      throw messageClaimedByOther();
    }
    this.remove(queue, m);
  }

  async deleteMessages(scope: QueueScope, ids: string[]): Promise<void> {
    const queue = this.find(scope);
    if (!queue) return;
    for (const id of ids) {
      const m = queue.messages.get(id);
      if (m) this.remove(queue, m);
    }
  }

  async popMessages(scope: QueueScope, limit: number): Promise<StoredMessage[]> {
    const queue = this.find(scope);
    if (!queue) return [];
    const now = this.clock();
    const out: StoredMessage[] = [];
    for (const m of queue.messages.values()) {
      if (out.length >= limit) break;
      if (!isFree(m, now)) continue;
      out.push(snapshot(m, now));
      this.remove(queue, m);
    }
    return out;
  }

  async purgeMessages(scope: QueueScope): Promise<void> {
    const queue = this.find(scope);
    if (!queue) return;
    queue.messages.clear();
    queue.claims.clear();
  }

  async createClaim(scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null> {
    const queue = this.find(scope);
    if (!queue) return null;
    const now = this.clock();
    const deadLetter = deadLetterPolicy(queue.metadata);
    const claim: ClaimState = {
      id: newClaimId(),
      ttl: options.ttl,
      grace: options.grace,
      updated: now,
      expires: now + options.ttl * 1000,
      messageIds: new Set(),
    };
    const taken: MessageRecord[] = [];
    for (const m of queue.messages.values()) {
      if (taken.length >= options.limit) break;
      if (!isFree(m, now)) continue;
      if (deadLetter && m.claimCount >= deadLetter.maxClaimCount) {
        this.moveToDeadLetter(scope, queue, m, deadLetter.queue, deadLetter.ttl, now);
        continue;
      }
      m.claimId = claim.id;
      m.claimExpires = claim.expires;
      m.claimCount++;
      extendForClaim(m, claim);
      claim.messageIds.add(m.id);
      taken.push(m);
    }
    if (taken.length === 0) return null;
    queue.claims.set(claim.id, claim);
    return claimRecord(claim, taken, now);
  }

  async getClaim(scope: QueueScope, claimId: string): Promise<ClaimRecord> {
    const now = this.clock();
    const { queue, claim } = this.liveClaim(scope, claimId, now);
    return claimRecord(claim, this.claimMessages(queue, claim, now), now);
  }

  async updateClaim(scope: QueueScope, claimId: string, ttl: number, grace: number): Promise<void> {
    const now = this.clock();
    const { queue, claim } = this.liveClaim(scope, claimId, now);
    claim.ttl = ttl;
    claim.grace = grace;
    claim.updated = now;
    claim.expires = now + ttl * 1000;
    for (const m of this.claimMessages(queue, claim, now)) {
      m.claimExpires = claim.expires;
      extendForClaim(m, claim);
    }
  }

  async deleteClaim(scope: QueueScope, claimId: string): Promise<void> {
    const queue = this.find(scope);
    const claim = queue?.claims.get(claimId);
    if (!queue || !claim) return;
    for (const id of claim.messageIds) {
      const m = queue.messages.get(id);
      if (m && m.claimId === claimId) {
        m.claimId = null;
        m.claimExpires = 0;
      }
    }
    queue.claims.delete(claimId);
  }

  async createSubscription(scope: QueueScope, sub: NewSubscription): Promise<{ id: string; created: boolean }> {
    return this.outbox.createSubscription(scope, sub);
  }

  async getSubscription(scope: QueueScope, id: string): Promise<SubscriptionRecord> {
    return this.outbox.getSubscription(scope, id);
  }

  async listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): Promise<SubscriptionRecord[]> {
    return this.outbox.listSubscriptions(scope, options);
  }

  async updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): Promise<void> {
    this.outbox.updateSubscription(scope, id, patch);
  }

  async deleteSubscription(scope: QueueScope, id: string): Promise<void> {
    this.outbox.deleteSubscription(scope, id);
  }

  async purgeSubscriptions(scope: QueueScope): Promise<void> {
    this.outbox.purgeSubscriptions(scope);
  }

  async enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): Promise<string> {
    return this.outbox.enqueueDelivery(delivery);
  }

  async takeDeliveries(limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    return this.outbox.takeDeliveries(limit, leaseMs);
  }

  async settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): Promise<void> {
    this.outbox.settleDelivery(scope, id, outcome);
  }

  async listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): Promise<FailedDelivery[]> {
    return this.outbox.listFailedDeliveries(scope, subscriptionId, limit);
  }

  async health(): Promise<StoreHealth> {
    return { reachable: true, latencyMs: 0, kind: this.kind };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }

  /** Removes expired messages and claims from every queue; returns how many messages went. */
  collectGarbage(): number {
    const now = this.clock();
    let removed = 0;
    for (const queues of this.projects.values()) {
      for (const queue of queues.values()) {
        for (const m of queue.messages.values()) {
          if (m.expires <= now) {
            this.remove(queue, m);
            removed++;
          }
        }
        for (const claim of queue.claims.values()) {
          if (claim.expires <= now) this.dropClaim(queue, claim);
        }
      }
    }
    return removed;
  }

  private find(scope: QueueScope): QueueState | undefined {
    return this.projects.get(scope.project)?.get(scope.queue);
  }

  private require(scope: QueueScope): QueueState {
    const queue = this.find(scope);
    if (!queue) throw queueNotFound(scope);
    return queue;
  }

  private insertQueue(scope: QueueScope, metadata: QueueMetadata): QueueState {
    let queues = this.projects.get(scope.project);
    if (!queues) {
      queues = new Map();
      this.projects.set(scope.project, queues);
    }
    const queue: QueueState = { metadata, messages: new Map(), claims: new Map(), nextMarker: 1 };
    queues.set(scope.queue, queue);
    return queue;
  }

  private append(queue: QueueState, m: NewMessage, clientId: string, now: number, id: string): MessageRecord {
    const record: MessageRecord = {
      id,
      marker: queue.nextMarker++,
      ttl: m.ttl,
      created: now,
      expires: now + m.ttl * 1000,
      visibleAt: now + m.delay * 1000,
      body: m.body,
      clientId,
      claimId: null,
      claimExpires: 0,
      claimCount: 0,
    };
    queue.messages.set(id, record);
    return record;
  }

  /** Deletes a message and takes it out of the claim that holds it. */
  private remove(queue: QueueState, m: MessageRecord): void {
    queue.messages.delete(m.id);
    if (m.claimId) queue.claims.get(m.claimId)?.messageIds.delete(m.id);
  }

  /** Forgets an expired claim; its messages are free again (their claimId is cleared). */
  private dropClaim(queue: QueueState, claim: ClaimState): void {
    for (const id of claim.messageIds) {
      const m = queue.messages.get(id);
      if (m && m.claimId === claim.id) {
        m.claimId = null;
        m.claimExpires = 0;
      }
    }
    queue.claims.delete(claim.id);
  }

  private liveClaim(scope: QueueScope, claimId: string, now: number): { queue: QueueState; claim: ClaimState } {
    const queue = this.find(scope);
    const claim = queue?.claims.get(claimId);
    if (!queue || !claim || claim.expires <= now) throw claimNotFound(scope, claimId);
    return { queue, claim };
  }

  /** The live messages a claim still holds, in marker order. */
  private claimMessages(queue: QueueState, claim: ClaimState, now: number): MessageRecord[] {
    const out: MessageRecord[] = [];
    for (const id of claim.messageIds) {
      const m = queue.messages.get(id);
      if (m && m.claimId === claim.id && m.expires > now) out.push(m);
    }
    return out.sort((a, b) => a.marker - b.marker);
  }

  /** Moves a message that was claimed too often to the dead-letter queue, keeping its id and body. */
  private moveToDeadLetter(
    scope: QueueScope,
    queue: QueueState,
    m: MessageRecord,
    target: string,
    ttl: number | undefined,
    now: number,
  ): void {
    this.remove(queue, m);
    const dlqScope = { project: scope.project, queue: target };
    const dlq = this.find(dlqScope) ?? this.insertQueue(dlqScope, {});
    const seconds = ttl ?? m.ttl;
    const moved = this.append(dlq, { ttl: seconds, delay: 0, body: m.body }, m.clientId, now, m.id);
    moved.created = m.created;
  }
}

/** Whether a message is held by a live claim. */
function isClaimed(m: MessageRecord, now: number): boolean {
  return m.claimId !== null && m.claimExpires > now;
}

/** Whether a message can be claimed or popped: live, not delayed, not claimed. */
function isFree(m: MessageRecord, now: number): boolean {
  return m.expires > now && m.visibleAt <= now && !isClaimed(m, now);
}

/** A claimed message lives at least until its claim ends plus grace (Zaqar's rule: ttl = claim ttl + grace). */
function extendForClaim(m: MessageRecord, claim: ClaimState): void {
  const until = claim.expires + claim.grace * 1000;
  if (m.expires < until) {
    m.expires = until;
    m.ttl = claim.ttl + claim.grace;
  }
}

/** A copy of a record as the interface returns it; an expired claim reads as none. */
function snapshot(m: MessageRecord, now: number): StoredMessage {
  const claimed = isClaimed(m, now);
  return {
    id: m.id,
    marker: m.marker,
    ttl: m.ttl,
    created: m.created,
    expires: m.expires,
    visibleAt: m.visibleAt,
    body: m.body,
    clientId: m.clientId,
    claimId: claimed ? m.claimId : null,
    claimExpires: claimed ? m.claimExpires : 0,
    claimCount: m.claimCount,
  };
}

function claimRecord(claim: ClaimState, messages: MessageRecord[], now: number): ClaimRecord {
  return {
    id: claim.id,
    ttl: claim.ttl,
    grace: claim.grace,
    updated: claim.updated,
    expires: claim.expires,
    messages: messages.map((m) => snapshot(m, now)),
  };
}
