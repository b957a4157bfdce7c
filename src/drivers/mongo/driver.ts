// The MongoDB DataDriver on the official driver: a replica set or sharded cluster (or a standalone) as a pool.
//
// Data model (one database per pool, named by the URI's path, default "qgate"):
//   queues    {_id: JSON [project, name], p, n, c: last marker, live, m?: metadata JSON}
//             One document per queue name ever used. c is the per-queue marker counter, bumped atomically by
//             findOneAndUpdate $inc (upserting the queue, so a post creates it). deleteQueue leaves a tombstone
//             (live: false, no m) that keeps c: markers never repeat, and a post racing a delete can never
//             collide with its own messages' markers. Index (p, live, n) lists a project's queues.
//   messages  {_id: message id, p, q, k: marker, t: ttl s, s: stored at, e: expires, v: visible at, b: body JSON,
//              pr: producer Client-ID, c: claim id | null, ce: claim expires (0 free), n: claim count, x: TTL date}
//             Scoped by (p, q) in every query. Unique index (p, q, k); (p, q, c, k) for the claim candidate scan
//             and a claim's messages; (p, q, ce) over claimed messages for finding ended claims; TTL on x.
//   claims    {_id: claim id, p, q, t: ttl s, g: grace s, u: updated, e: expires, x: TTL date}
//             A claim's messages are those with c = its id. Index (p, q); TTL on x.
//   (subscriptions will get their own collection when the notification work lands.)
// Bodies and metadata are stored as JSON text, so any JSON round-trips exactly ($-prefixed or dotted keys too).
//
// Time: every read and every condition filters with now from the driver's clock (e > now, ce > now, v <= now);
// the server's clock is never asked. The TTL indexes only remove what reads stopped showing (the TTL monitor
// runs every 60 s), and a background sweep (gcIntervalMs) removes the same where a monitor lags.
//
// Atomicity: single steps are single conditional operations (a post: one counter bump + one insertMany; a delete
// under claim: one conditional deleteOne). Multi-step changes (claim, pop, renew, release, dead-letter moves,
// purge, queue deletion) run in one transaction when the deployment supports them (replica set, sharded), and
// are built from conditional updates keyed on the claim id that are safe on their own otherwise (take.ts).

import type { ClientSession, MongoClient } from 'mongodb';
import { type Clock, systemClock } from '../../core/clock';
import { newClaimId, newMessageId } from '../../core/ids';
import { matchesQueueFilter } from '../../core/queue-filter';
import { deadLetterPolicy } from '../../core/queue-metadata';
import { claimNotFound, messageNotFound, queueNotFound } from '../../core/store-errors';
import type {
  ClaimOptions,
  ClaimRecord,
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
import type { DataDriver, ListQueuesOptions } from '../types';
import { AtomicRunner } from './atomic';
import { deleteOneMessage } from './delete-message';
import { translateMongoError } from './errors';
import { type MessageDoc, queueKey, toClaim, toMessage, toMetadata, ttlDate } from './records';
import { collectionsOf, INDEX, type MongoCollections } from './schema';
import { extendForClaim, takeFreeMessages } from './take';
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

/** How long a pop holds messages between taking and deleting them, should the gateway die in between. */
const POP_HOLD_MS = 60_000;

export class MongoDriver implements DataDriver {
  readonly kind = 'mongodb';
  private readonly clock: Clock;
  private readonly col: MongoCollections;
  private readonly atomic: AtomicRunner;
  private readonly timer?: NodeJS.Timeout;
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
    return this.io(async () => {
      try {
        const result = await this.col.queues.updateOne(
          { _id: queueKey(scope), live: { $ne: true } },
          {
            $set: { live: true, m: JSON.stringify(metadata) },
            $setOnInsert: { p: scope.project, n: scope.queue, c: 0 },
          },
          { upsert: true },
        );
        return result.modifiedCount + result.upsertedCount === 1;
      } catch (err) {
        // The queue is live: the filter missed it and the upsert hit its _id.
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
    });
  }

  async queueExists(scope: QueueScope): Promise<boolean> {
    return this.io(async () => (await this.findQueue(scope, { _id: 1 })) !== null);
  }

  async getQueueMetadata(scope: QueueScope): Promise<QueueMetadata> {
    return this.io(async () => {
      const doc = await this.findQueue(scope, { m: 1 });
      if (!doc) throw queueNotFound(scope);
      return toMetadata(doc);
    });
  }

  async setQueueMetadata(scope: QueueScope, metadata: QueueMetadata): Promise<void> {
    await this.io(async () => {
      const result = await this.col.queues.updateOne(
        { _id: queueKey(scope), live: true },
        { $set: { m: JSON.stringify(metadata) } },
      );
      if (result.matchedCount === 0) throw queueNotFound(scope);
    });
  }

  async deleteQueue(scope: QueueScope): Promise<void> {
    await this.io(() =>
      this.atomic.run(async (session) => {
        const result = await this.col.queues.updateOne(
          { _id: queueKey(scope), live: true },
          { $set: { live: false }, $unset: { m: '' } },
          { session },
        );
        if (result.matchedCount === 0) return;
        await this.removeContents(scope, session);
      }),
    );
  }

  async listQueues(project: string, options: ListQueuesOptions): Promise<QueueSummary[]> {
    return this.io(async () => {
      const filter = {
        p: project,
        live: true,
        ...(options.marker === undefined ? {} : { n: { $gt: options.marker } }),
      };
      const filtered = options.name !== undefined || options.metadataFilter !== undefined;
      const cursor = this.col.queues
        .find(filter, { projection: { n: 1, m: 1 } })
        .sort({ n: 1 })
        .hint(INDEX.projectName)
        .batchSize(filtered ? Math.max(options.limit, 100) : options.limit);
      if (!filtered) cursor.limit(options.limit);
      const out: QueueSummary[] = [];
      try {
        for await (const doc of cursor) {
          if (out.length >= options.limit) break;
          const metadata = toMetadata(doc);
          if (!matchesQueueFilter(doc.n, metadata, options)) continue;
          out.push(options.detailed ? { name: doc.n, metadata } : { name: doc.n });
        }
      } finally {
        await cursor.close();
      }
      return out;
    });
  }

  async countQueues(project: string): Promise<number> {
    return this.io(() => this.col.queues.countDocuments({ p: project, live: true }));
  }

  async queueStats(scope: QueueScope): Promise<QueueStats> {
    return this.io(async () => {
      const now = this.clock();
      const live = { p: scope.project, q: scope.queue, e: { $gt: now } };
      const [total, claimed, oldest, newest] = await Promise.all([
        this.col.messages.countDocuments(live),
        this.col.messages.countDocuments({ ...live, c: { $ne: null }, ce: { $gt: now } }),
        this.col.messages.find(live).sort({ s: 1, k: 1 }).limit(1).next(),
        this.col.messages.find(live).sort({ s: -1, k: -1 }).limit(1).next(),
      ]);
      const stats: QueueStats = { claimed, free: total - claimed, total };
      if (oldest) stats.oldest = toMessage(oldest, now);
      if (newest) stats.newest = toMessage(newest, now);
      return stats;
    });
  }

  async postMessages(scope: QueueScope, messages: NewMessage[], clientId: string): Promise<string[]> {
    return this.io(async () => {
      const now = this.clock();
      const bumped = await this.col.queues.findOneAndUpdate(
        { _id: queueKey(scope) },
        { $inc: { c: messages.length }, $set: { live: true }, $setOnInsert: { p: scope.project, n: scope.queue } },
        { upsert: true, returnDocument: 'after', projection: { c: 1 } },
      );
      const first = (bumped?.c ?? messages.length) - messages.length + 1;
      const docs: MessageDoc[] = messages.map((m, i) => {
        const expires = now + m.ttl * 1000;
        return {
          _id: newMessageId(),
          p: scope.project,
          q: scope.queue,
          k: first + i,
          t: m.ttl,
          s: now,
          e: expires,
          v: now + m.delay * 1000,
          b: JSON.stringify(m.body),
          pr: clientId,
          c: null,
          ce: 0,
          n: 0,
          x: ttlDate(expires, now),
        };
      });
      if (docs.length > 0) await this.col.messages.insertMany(docs, { ordered: true });
      return docs.map((d) => d._id);
    });
  }

  async listMessages(scope: QueueScope, options: ListMessagesOptions): Promise<MessagePage> {
    return this.io(async () => {
      const now = this.clock();
      const filter: Record<string, unknown> = { p: scope.project, q: scope.queue, e: { $gt: now } };
      if (options.marker !== undefined) filter.k = { $gt: options.marker };
      if (!options.echo) filter.pr = { $ne: options.clientId };
      if (!options.includeClaimed) filter.$or = [{ c: null }, { ce: { $lte: now } }];
      if (!options.includeDelayed) filter.v = { $lte: now };
      const docs = await this.col.messages
        .find(filter)
        .sort({ k: 1 })
        .hint(INDEX.scopeMarker)
        .limit(options.limit)
        .toArray();
      const out = docs.map((d) => toMessage(d, now));
      return { messages: out, nextMarker: out.length > 0 ? out[out.length - 1].marker : undefined };
    });
  }

  async getMessage(scope: QueueScope, id: string): Promise<StoredMessage> {
    return this.io(async () => {
      const now = this.clock();
      const doc = await this.col.messages.findOne({ _id: id, p: scope.project, q: scope.queue, e: { $gt: now } });
      if (!doc) throw messageNotFound(scope, id);
      return toMessage(doc, now);
    });
  }

  async getMessages(scope: QueueScope, ids: string[]): Promise<StoredMessage[]> {
    if (ids.length === 0) return [];
    return this.io(async () => {
      const now = this.clock();
      const docs = await this.col.messages
        .find({ _id: { $in: ids }, p: scope.project, q: scope.queue, e: { $gt: now } })
        .toArray();
      const byId = new Map(docs.map((d) => [d._id, d]));
      return ids.flatMap((id) => {
        const doc = byId.get(id);
        return doc ? [toMessage(doc, now)] : [];
      });
    });
  }

  async deleteMessage(scope: QueueScope, id: string, claimId?: string): Promise<void> {
    await this.io(() => deleteOneMessage(this.col.messages, scope, id, claimId, this.clock));
  }

  async deleteMessages(scope: QueueScope, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.io(() => this.col.messages.deleteMany({ _id: { $in: ids }, p: scope.project, q: scope.queue }));
  }

  async popMessages(scope: QueueScope, limit: number): Promise<StoredMessage[]> {
    return this.io(() =>
      this.atomic.run(async (session) => {
        const now = this.clock();
        const taker = { id: `pop:${newClaimId()}`, holdUntil: now + POP_HOLD_MS, countsAsClaim: false };
        const taken = await takeFreeMessages(this.col, scope, taker, limit, now, undefined, session);
        if (taken === 0) return [];
        const held = { p: scope.project, q: scope.queue, c: taker.id };
        const docs = await this.col.messages.find(held, { session }).sort({ k: 1 }).toArray();
        await this.col.messages.deleteMany(held, { session });
        // They were free when taken: return them as such.
        return docs.map((d) => toMessage({ ...d, c: null, ce: 0 }, now));
      }),
    );
  }

  async purgeMessages(scope: QueueScope): Promise<void> {
    await this.io(() => this.atomic.run((session) => this.removeContents(scope, session)));
  }

  async createClaim(scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null> {
    return this.io(() =>
      this.atomic.run(async (session) => {
        const now = this.clock();
        const queue = await this.col.queues.findOne({ _id: queueKey(scope), live: true }, { session });
        if (!queue) return null;
        const policy = deadLetterPolicy(toMetadata(queue));
        const claim = { id: newClaimId(), ttl: options.ttl, grace: options.grace, expires: now + options.ttl * 1000 };
        const taker = { id: claim.id, holdUntil: claim.expires, countsAsClaim: true };
        const taken = await takeFreeMessages(this.col, scope, taker, options.limit, now, policy, session);
        if (taken === 0) return null;
        await extendForClaim(this.col, scope, claim, now, session);
        const doc = {
          _id: claim.id,
          p: scope.project,
          q: scope.queue,
          t: claim.ttl,
          g: claim.grace,
          u: now,
          e: claim.expires,
          x: ttlDate(claim.expires, now),
        };
        await this.col.claims.insertOne(doc, { session });
        return toClaim(doc, await this.claimedMessages(scope, claim.id, now, session), now);
      }),
    );
  }

  async getClaim(scope: QueueScope, claimId: string): Promise<ClaimRecord> {
    return this.io(async () => {
      const now = this.clock();
      const doc = await this.col.claims.findOne({ _id: claimId, p: scope.project, q: scope.queue, e: { $gt: now } });
      if (!doc) throw claimNotFound(scope, claimId);
      return toClaim(doc, await this.claimedMessages(scope, claimId, now), now);
    });
  }

  async updateClaim(scope: QueueScope, claimId: string, ttl: number, grace: number): Promise<void> {
    await this.io(() =>
      this.atomic.run(async (session) => {
        const now = this.clock();
        const expires = now + ttl * 1000;
        const renewed = await this.col.claims.updateOne(
          { _id: claimId, p: scope.project, q: scope.queue, e: { $gt: now } },
          { $set: { t: ttl, g: grace, u: now, e: expires, x: ttlDate(expires, now) } },
          { session },
        );
        if (renewed.matchedCount === 0) throw claimNotFound(scope, claimId);
        await this.col.messages.updateMany(
          { p: scope.project, q: scope.queue, c: claimId, e: { $gt: now } },
          { $set: { ce: expires } },
          { session },
        );
        await extendForClaim(this.col, scope, { id: claimId, ttl, grace, expires }, now, session);
      }),
    );
  }

  async deleteClaim(scope: QueueScope, claimId: string): Promise<void> {
    await this.io(() =>
      this.atomic.run(async (session) => {
        await this.col.messages.updateMany(
          { p: scope.project, q: scope.queue, c: claimId },
          { $set: { c: null, ce: 0 } },
          { session },
        );
        await this.col.claims.deleteOne({ _id: claimId, p: scope.project, q: scope.queue }, { session });
      }),
    );
  }

  async health(): Promise<StoreHealth> {
    const started = performance.now();
    let reachable = false;
    try {
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

  /** Removes messages and claims whose TTL date has passed (what the TTL monitor does); returns messages removed. */
  async collectGarbage(): Promise<number> {
    return this.io(async () => {
      const due = { x: { $lte: new Date() } };
      const [messages] = await Promise.all([this.col.messages.deleteMany(due), this.col.claims.deleteMany(due)]);
      return messages.deletedCount;
    });
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

  private findQueue(scope: QueueScope, projection: Record<string, 1>) {
    return this.col.queues.findOne({ _id: queueKey(scope), live: true }, { projection });
  }

  /** Deletes every message and claim of a queue. */
  private async removeContents(scope: QueueScope, session?: ClientSession): Promise<void> {
    const inQueue = { p: scope.project, q: scope.queue };
    await this.col.messages.deleteMany(inQueue, { session });
    await this.col.claims.deleteMany(inQueue, { session });
  }

  /** The live messages a claim holds, in marker order. */
  private claimedMessages(scope: QueueScope, claimId: string, now: number, session?: ClientSession) {
    return this.col.messages
      .find({ p: scope.project, q: scope.queue, c: claimId, ce: { $gt: now }, e: { $gt: now } }, { session })
      .sort({ k: 1 })
      .hint(INDEX.claimMarker)
      .toArray();
  }
}
