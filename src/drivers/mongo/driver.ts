// The MongoDB DataDriver on the official driver: a replica set or sharded cluster (or a standalone) as a pool.
//
// Data model (one database per pool, named by the URI's path, default "qgate"):
//   queues    {_id: JSON [project, name], p, n, c: last marker, live, m?: metadata JSON, sb?: had subscriptions}
//             One document per queue name ever used. c is the per-queue marker counter, bumped atomically by
//             findOneAndUpdate $inc (upserting the queue, so a post creates it). deleteQueue leaves a tombstone
//             (live: false, no m) that keeps c: markers never repeat, and a post racing a delete can never
//             collide with its own messages' markers. sb is set before a queue's first subscription is written and
//             never unset; the post's bump returns it, so only such queues pay a subscription look-up. Index
//             (p, live, n) lists a project's queues.
//   messages  {_id: message id, p, q, k: marker, t: ttl s, s: stored at, e: expires, v: visible at, b: body JSON,
//              pr: producer Client-ID, c: claim id | null, ce: claim expires (0 free), n: claim count, x: TTL date}
//             Scoped by (p, q) in every query. Unique index (p, q, k); (p, q, c, k) for the claim candidate scan
//             and a claim's messages; (p, q, ce) over claimed messages for finding ended claims; TTL on x.
//   claims    {_id: claim id, p, q, t: ttl s, g: grace s, u: updated, e: expires, x: TTL date}
//             A claim's messages are those with c = its id. Index (p, q); TTL on x.
//   subscriptions  {_id: subscription id, p, q, u: subscriber, t: ttl s, c: created, e: expires, o: options JSON,
//             f: confirmed, fs?: failures so far}. Unique (p, q, u): one document per subscriber of a queue, an
//             expired one replaced conditionally (subscriptions.ts); (p, q, _id) lists them; (e) for the sweep.
//   deliveries     {_id: ObjectId hex, p, q, s: subscription id, u, o, k: kind, y: payload JSON, a: attempts,
//             c: created, d: due at, m?: message id, l?: lease token, r?: last error, dq?: its queue was deleted}.
//             The outbox: (d, _id) is the store-wide due index takes lease from (deliveries.ts); (p, q, s) a
//             subscription's deliveries. A standalone post parks them first (fan-out.ts).
//   failed_deliveries  a delivery's fields plus F: failed at, n: its subscription's failure number. (s, n) lists
//             them newest first and caps each subscription's list at FAILED_KEPT_PER_SUBSCRIPTION.
// Bodies, metadata, options and payloads are stored as JSON text, so any JSON round-trips exactly ($-prefixed or
// dotted keys too).
//
// Time: every read and every condition filters with now from the driver's clock (e > now, ce > now, v <= now);
// the server's clock is never asked. The TTL indexes only remove what reads stopped showing (the TTL monitor
// runs every 60 s), and a background sweep (gcIntervalMs) removes the same where a monitor lags, removes expired
// subscriptions (their recorded deliveries are still made) and settles deliveries of posts that stopped midway.
//
// Atomicity: single steps are single conditional operations (a post: one counter bump + one insertMany; a delete
// under claim: one conditional deleteOne; a take of deliveries: one conditional updateMany). Multi-step changes
// (claim, pop, renew, release, dead-letter moves, a post with deliveries, unsubscribing, a failed delivery) run in
// one transaction when the deployment supports them (replica set, sharded), and are built from conditional steps
// that are safe on their own otherwise (take.ts, fan-out.ts).

import type { MongoClient } from 'mongodb';
import { type Clock, systemClock } from '../../core/clock';
import { queueNotFound } from '../../core/store-errors';
import type {
  ClaimOptions,
  ClaimRecord,
  DeliveryOutcome,
  FailedDelivery,
  ListMessagesOptions,
  MessagePage,
  NewMessage,
  QueueMetadata,
  QueueScope,
  QueueStats,
  NewSubscription,
  PendingDelivery,
  QueueSummary,
  StoreHealth,
  StoredMessage,
  SubscriptionPatch,
  SubscriptionRecord,
} from '../../core/types';
import type { DataDriver, ListQueuesOptions, ListSubscriptionsOptions, NotificationStore } from '../types';
import { AtomicRunner } from './atomic';
import { type ClaimContext, createClaim, deleteClaim, getClaim, popMessages, updateClaim } from './claims';
import { deleteOneMessage } from './delete-message';
import { enqueueDelivery, listFailedDeliveries, settleDelivery, takeDeliveries } from './deliveries';
import { translateMongoError } from './errors';
import { createQueue, deleteQueue, findQueue, listQueues, setQueueMetadata } from './queues';
import { getMessage, getMessages, listMessages, postMessages, queueStats } from './messages';
import { toMetadata } from './records';
import { collectionsOf, type MongoCollections } from './schema';
import {
  createSubscription,
  deleteSubscription,
  forgetSubscriptions,
  getSubscription,
  listSubscriptions,
  purgeSubscriptions,
  updateSubscription,
} from './subscriptions';
import { sweep } from './sweep';
import type { MongoTarget } from './uri';

/** Options of the MongoDB driver. */
export interface MongoDriverOptions {
  /** The clock every expiry decision reads (tests pass a controllable one). */
  clock?: Clock;
  /** How long a call may wait for an unreachable deployment before it fails with 503. */
  timeoutMs: number;
  /** Background sweep interval in ms; 0 disables it (the TTL indexes still remove expired data). */
  gcIntervalMs: number;
}

/** The MongoDB DataDriver and NotificationStore: one pool's database, laid out as the data model above says. */
export class MongoDriver implements DataDriver, NotificationStore {
  readonly kind = 'mongodb';
  private readonly clock: Clock;
  private readonly col: MongoCollections;
  private readonly atomic: AtomicRunner;
  private readonly claimContext: ClaimContext;
  private readonly timer?: NodeJS.Timeout;
  /** How long a standalone post may take between parking its deliveries and making them due (fan-out.ts). */
  private readonly stallMs: number;
  private preparing?: Promise<void>;
  private prepared = false;

  constructor(
    /** The official client (exposed for tests and tooling). */
    readonly client: MongoClient,
    private readonly target: MongoTarget,
    options: MongoDriverOptions,
    /** Readies the deployment: asks its topology (transactions?) and creates the indexes. */
    private readonly prepare: (driver: MongoDriver) => Promise<void>,
  ) {
    this.clock = options.clock ?? systemClock;
    this.col = collectionsOf(client.db(target.database));
    this.atomic = new AtomicRunner(client, target.label, Math.max(options.timeoutMs, 1000) * 5);
    this.claimContext = { col: this.col, atomic: this.atomic, clock: this.clock };
    // Each of a post's steps gives up within the socket timeout (5 × timeoutMs, at least 10 s): well inside this.
    this.stallMs = Math.max(60_000, options.timeoutMs * 20);
    if (options.gcIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.collectGarbage().catch(() => undefined);
      }, options.gcIntervalMs);
      this.timer.unref();
    }
  }

  /** The database of the pool. */
  get database(): string {
    return this.target.database;
  }

  /** The pool's collections (for tests and tooling). */
  get collections(): MongoCollections {
    return this.col;
  }

  /** Whether multi-step changes run in transactions. */
  get transactions(): boolean {
    return this.atomic.transactions;
  }

  set transactions(on: boolean) {
    this.atomic.transactions = on;
  }

  async createQueue(scope: QueueScope, metadata: QueueMetadata): Promise<boolean> {
    return this.io(() => createQueue(this.col.queues, scope, metadata));
  }

  async queueExists(scope: QueueScope): Promise<boolean> {
    return this.io(async () => (await findQueue(this.col.queues, scope, { _id: 1 })) !== null);
  }

  async getQueueMetadata(scope: QueueScope): Promise<QueueMetadata> {
    return this.io(async () => {
      const doc = await findQueue(this.col.queues, scope, { m: 1 });
      if (!doc) throw queueNotFound(scope);
      return toMetadata(doc);
    });
  }

  async setQueueMetadata(scope: QueueScope, metadata: QueueMetadata): Promise<void> {
    await this.io(() => setQueueMetadata(this.col.queues, scope, metadata));
  }

  async deleteQueue(scope: QueueScope): Promise<void> {
    await this.io(async () => {
      await deleteQueue(this.col, scope, this.clock());
      await forgetSubscriptions(this.col, scope);
    });
  }

  async listQueues(project: string, options: ListQueuesOptions): Promise<QueueSummary[]> {
    return this.io(() => listQueues(this.col.queues, project, options));
  }

  async countQueues(project: string): Promise<number> {
    return this.io(() => this.col.queues.countDocuments({ p: project, live: true }));
  }

  async queueStats(scope: QueueScope): Promise<QueueStats> {
    return this.io(() => queueStats(this.col.messages, scope, this.clock()));
  }

  async postMessages(scope: QueueScope, messages: NewMessage[], clientId: string): Promise<string[]> {
    return this.io(() => postMessages(this.claimContext, scope, messages, clientId, this.clock()));
  }

  async listMessages(scope: QueueScope, options: ListMessagesOptions): Promise<MessagePage> {
    return this.io(() => listMessages(this.col.messages, scope, options, this.clock()));
  }

  async getMessage(scope: QueueScope, id: string): Promise<StoredMessage> {
    return this.io(() => getMessage(this.col.messages, scope, id, this.clock()));
  }

  async getMessages(scope: QueueScope, ids: string[]): Promise<StoredMessage[]> {
    if (ids.length === 0) return [];
    return this.io(() => getMessages(this.col.messages, scope, ids, this.clock()));
  }

  async deleteMessage(scope: QueueScope, id: string, claimId?: string): Promise<void> {
    await this.io(() => deleteOneMessage(this.col.messages, scope, id, claimId, this.clock));
  }

  async deleteMessages(scope: QueueScope, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.io(() => this.col.messages.deleteMany({ _id: { $in: ids }, p: scope.project, q: scope.queue }));
  }

  async popMessages(scope: QueueScope, limit: number): Promise<StoredMessage[]> {
    return this.io(() => popMessages(this.claimContext, scope, limit));
  }

  async purgeMessages(scope: QueueScope): Promise<void> {
    await this.io(async () => {
      const inQueue = { p: scope.project, q: scope.queue };
      await this.col.messages.deleteMany(inQueue);
      await this.col.claims.deleteMany(inQueue);
    });
  }

  async createClaim(scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null> {
    return this.io(() => createClaim(this.claimContext, scope, options));
  }

  async getClaim(scope: QueueScope, claimId: string): Promise<ClaimRecord> {
    return this.io(() => getClaim(this.claimContext, scope, claimId));
  }

  async updateClaim(scope: QueueScope, claimId: string, ttl: number, grace: number): Promise<void> {
    await this.io(() => updateClaim(this.claimContext, scope, claimId, ttl, grace));
  }

  async deleteClaim(scope: QueueScope, claimId: string): Promise<void> {
    await this.io(() => deleteClaim(this.claimContext, scope, claimId));
  }

  async createSubscription(scope: QueueScope, sub: NewSubscription): Promise<{ id: string; created: boolean }> {
    return this.io(() => createSubscription(this.claimContext, scope, sub));
  }

  async getSubscription(scope: QueueScope, id: string): Promise<SubscriptionRecord> {
    return this.io(() => getSubscription(this.claimContext, scope, id));
  }

  async listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): Promise<SubscriptionRecord[]> {
    return this.io(() => listSubscriptions(this.claimContext, scope, options));
  }

  async updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): Promise<void> {
    await this.io(() => updateSubscription(this.claimContext, scope, id, patch));
  }

  async deleteSubscription(scope: QueueScope, id: string): Promise<void> {
    await this.io(() => deleteSubscription(this.claimContext, scope, id));
  }

  async purgeSubscriptions(scope: QueueScope): Promise<void> {
    await this.io(() => purgeSubscriptions(this.claimContext, scope));
  }

  async enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): Promise<string> {
    return this.io(() => enqueueDelivery(this.claimContext, delivery));
  }

  async takeDeliveries(limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    return this.io(() => takeDeliveries(this.claimContext, limit, leaseMs));
  }

  async settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): Promise<void> {
    await this.io(() => settleDelivery(this.claimContext, scope, id, outcome));
  }

  async listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): Promise<FailedDelivery[]> {
    return this.io(() => listFailedDeliveries(this.col, scope, subscriptionId, limit));
  }

  async health(): Promise<StoreHealth> {
    const started = performance.now();
    let reachable = false;
    try {
      await this.ready();
      reachable = (await this.client.db(this.target.database).command({ ping: 1 })).ok === 1;
    } catch {
      reachable = false;
    }
    return { reachable, latencyMs: Math.round((performance.now() - started) * 100) / 100, kind: this.kind };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.close().catch(() => undefined);
  }

  /** The background sweep (sweep.ts); returns how many messages it removed. */
  async collectGarbage(): Promise<number> {
    return this.io(() => sweep(this.col, this.clock(), this.stallMs));
  }

  /** Readies the deployment once (again after a failure), then runs `call`; store failures become 503. */
  private async io<T>(call: () => Promise<T>): Promise<T> {
    try {
      if (!this.prepared) await this.ready();
      return await call();
    } catch (err) {
      throw translateMongoError(err, this.target.label);
    }
  }

  /** Resolves once the topology is known and the indexes exist; a failed attempt is retried by the next call. */
  ready(): Promise<void> {
    if (this.prepared) return Promise.resolve();
    if (!this.preparing) {
      this.preparing = this.prepare(this).then(
        () => {
          this.prepared = true;
        },
        (err) => {
          this.preparing = undefined;
          throw err;
        },
      );
    }
    return this.preparing;
  }
}
