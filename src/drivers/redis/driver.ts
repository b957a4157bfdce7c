// The Redis DataDriver: every change is one Lua script, every key of a queue shares one hash tag.
//
// Key layout (B = `qg:{<project>/<queue>}`, both parts percent-encoded; see keys.ts):
//   B:q            hash   meta (metadata JSON), seq (last marker given), dlb/dli/dlm/dlt (dead-letter policy:
//                         the DLQ's key base and index member, _max_claim_count, moved-message TTL)
//   B:msgs         zset   id → marker: every stored message (the listing order)
//   B:m:<id>       hash   k marker, t ttl, c created, e expires, v visible at, b body JSON, p producer,
//                         l claim id ('' = none), x claim expires, n claim count
//   B:avail        zset   id → marker: messages free to claim or pop (visible and not claimed)
//   B:delayed      zset   id → visible at: messages not yet visible
//   B:exp          zset   id → expires: every stored message (live counts, expiry sweep)
//   B:claimed      zset   id → claim expires: messages held by a claim (claimed counts, ending claims)
//   B:claims       zset   claim id → expires
//   B:c:<cid>      hash   t ttl, g grace, u updated, e expires
//   B:cm:<cid>     zset   id → marker: the messages of one claim
//   B:subs         zset   subscription id, all scored 0 (ZRANGEBYLEX lists them by id)
//   B:subexp       zset   subscription id → expires (live checks, fan-out, expiry sweep)
//   B:subr         hash   subscriber → id of its live subscription (one live subscription per subscriber)
//   B:s:<sid>      hash   u subscriber, t ttl, c created, e expires, o options JSON, f confirmed (1/0)
//   B:sd:<sid>     set    ids of the subscription's pending deliveries (dropped with the subscription)
//   B:sf:<sid>     list   its failed deliveries, newest first, at most FAILED_KEPT_PER_SUBSCRIPTION (JSON arrays)
//   B:d:<did>      hash   P project, Q queue, s subscription id, u subscriber, o options JSON, k kind, y payload JSON,
//                         a failed attempts, c created, r last error
//   qg:queues      zset   `<project>/<queue>` members, all scored 0 (ZRANGEBYLEX lists a project's queues)
//   qg:deliveries:due  zset    `<did> <B>` → due at: every pending delivery of the store (takes lease from it)
//   qg:deliveries:seq  string  last delivery sequence number; <did> = 16-digit sequence + '-' + nonce, so it
//                              sorts by creation and due-time ties are taken oldest first
//
// Every key of a queue sits in one Redis Cluster slot. Three things cross slots: the queue index qg:queues,
// which create/post/delete scripts update in the same script; the delivery keys qg:deliveries:*, which post,
// enqueue, settle and subscription deletes update in the same script and the take script leases from (reading
// the deliveries of every queue); and the dead-letter move, which writes the DLQ's keys (derived from dlb) in the
// claim script. All are fine on a standalone or Sentinel-managed Redis (the deployments this driver connects
// to); a Redis Cluster mode would have to make them separate idempotent steps.
//
// Notifications: the post script records one delivery per (message, live confirmed subscription) with the
// messages, so a 201 implies the pushes are recorded; payloads are spliced from the bodies' own JSON text. A
// deleted queue forgets its subscriptions but keeps the deliveries already recorded (outbox.ts).
//
// Claims never hand out a claimed or delayed message whatever order claims end in: a claim takes only from
// B:avail, after moving every message whose claim has ended (B:claimed scores ≤ now) and every due delayed
// message (B:delayed) into it; nothing relies on claims ending in the order they were made. Releasing a claim
// puts its messages back into B:avail without touching e/t, so their TTL goes on as before.
//
// Expiry: the caller's clock (`now`, passed into every script) decides everything; Redis's own clock is never
// read. Expired data leaves through a bounded background sweep (sweeper.ts) and, on every post, a bounded
// clean-up of the queue's own expired messages, so a queue that is written but never read stays bounded.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../../core/clock';
import { newClaimId, newMessageId } from '../../core/ids';
import { deadLetterPolicy } from '../../core/queue-metadata';
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
  ListMessagesOptions,
  MessagePage,
  NewMessage,
  NewSubscription,
  PendingDelivery,
  QueueMetadata,
  QueueScope,
  QueueStats,
  QueueSummary,
  StoreHealth,
  StoredMessage,
  SubscriptionPatch,
  SubscriptionRecord,
} from '../../core/types';
import type { DataDriver, ListQueuesOptions, ListSubscriptionsOptions, NotificationStore } from '../types';
import { RedisCalls } from './calls';
import { createClient, waitUntilReady } from './connection';
import { indexMember, keyList, queueBase, queueKeys } from './keys';
import { RedisOutbox } from './outbox';
import { countIndexedQueues, listIndexedQueues } from './queue-index';
import { toClaim, toMessage, toMessages, toMetadata } from './records';
import { type ScriptName, ScriptRunner } from './scripts';
import { RedisSweeper } from './sweeper';
import { parseRedisUri, type RedisTarget } from './uri';

/** Options of the Redis driver. */
export interface RedisDriverOptions {
  /** The clock every expiry decision reads (tests pass a controllable one). */
  clock?: Clock;
  /** How long one call may take before it fails with 503 (ServiceUnavailable). */
  timeoutMs: number;
  /** Background expiry sweep interval in ms; 0 disables it. */
  gcIntervalMs: number;
}

/** Connects to the Redis a URI names; a bad URI is a BadRequest. Resolves even while Redis is down. */
export async function connectRedisDriver(uri: string, options: RedisDriverOptions): Promise<RedisDriver> {
  const target = parseRedisUri(uri);
  const { client } = createClient(target, options.timeoutMs);
  let scripts: ScriptRunner;
  try {
    scripts = await ScriptRunner.define(client);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  await waitUntilReady(client, options.timeoutMs);
  return new RedisDriver(client, scripts, target, options);
}

export class RedisDriver implements DataDriver, NotificationStore {
  readonly kind = 'redis';
  private readonly clock: Clock;
  private readonly sweeper: RedisSweeper;
  private readonly calls: RedisCalls;
  private readonly outbox: RedisOutbox;

  constructor(
    /** The ioredis client (exposed for tests and tooling). */
    readonly client: Redis,
    scripts: ScriptRunner,
    target: RedisTarget,
    options: RedisDriverOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.calls = new RedisCalls(client, scripts, target, options.timeoutMs);
    this.outbox = new RedisOutbox(this.calls, this.clock);
    this.sweeper = new RedisSweeper(client, scripts, this.clock);
    this.sweeper.start(options.gcIntervalMs);
  }

  async createQueue(scope: QueueScope, metadata: QueueMetadata): Promise<boolean> {
    const args = [indexMember(scope), JSON.stringify(metadata), ...this.deadLetterFields(scope, metadata)];
    return (await this.write('createQueue', scope, args)) === 1;
  }

  async queueExists(scope: QueueScope): Promise<boolean> {
    return (await this.io(this.client.exists(queueKeys(scope).queue))) === 1;
  }

  async getQueueMetadata(scope: QueueScope): Promise<QueueMetadata> {
    const raw = await this.io(this.client.hget(queueKeys(scope).queue, 'meta'));
    if (raw === null) throw queueNotFound(scope);
    return toMetadata(raw);
  }

  async setQueueMetadata(scope: QueueScope, metadata: QueueMetadata): Promise<void> {
    const args = [JSON.stringify(metadata), ...this.deadLetterFields(scope, metadata)];
    if ((await this.write('setMetadata', scope, args)) === 0) throw queueNotFound(scope);
  }

  async deleteQueue(scope: QueueScope): Promise<void> {
    await this.write('deleteQueue', scope, [indexMember(scope), 'queue']);
  }

  async listQueues(project: string, options: ListQueuesOptions): Promise<QueueSummary[]> {
    return this.io(listIndexedQueues(this.client, project, options));
  }

  async countQueues(project: string): Promise<number> {
    return this.io(countIndexedQueues(this.client, project));
  }

  async queueStats(scope: QueueScope): Promise<QueueStats> {
    const [claimed, total, oldest, newest] = (await this.read('queueStats', scope, [this.clock()])) as [
      number,
      number,
      unknown[],
      unknown[],
    ];
    const stats: QueueStats = { claimed, free: total - claimed, total };
    if (oldest.length > 0) stats.oldest = toMessage(oldest);
    if (newest.length > 0) stats.newest = toMessage(newest);
    return stats;
  }

  async postMessages(scope: QueueScope, messages: NewMessage[], clientId: string): Promise<string[]> {
    const ids = messages.map(() => newMessageId());
    // The nonce makes the ids of the deliveries this post records unique (see lib_outbox.lua).
    const args: (string | number)[] = [this.clock(), clientId, indexMember(scope), scope.project, scope.queue];
    args.push(randomUUID());
    messages.forEach((m, i) => {
      args.push(ids[i], m.ttl, m.delay, JSON.stringify(m.body));
    });
    await this.write('postMessages', scope, args);
    return ids;
  }

  async listMessages(scope: QueueScope, options: ListMessagesOptions): Promise<MessagePage> {
    const flag = (b: boolean) => (b ? 1 : 0);
    const args = [
      this.clock(),
      options.marker === undefined ? '' : options.marker,
      options.limit,
      flag(options.echo),
      flag(options.includeClaimed),
      flag(options.includeDelayed),
      options.clientId,
    ];
    const messages = toMessages(await this.read('listMessages', scope, args));
    if (messages.length === 0) return { messages };
    return { messages, nextMarker: messages[messages.length - 1].marker };
  }

  async getMessage(scope: QueueScope, id: string): Promise<StoredMessage> {
    const [message] = await this.getMessages(scope, [id]);
    if (!message) throw messageNotFound(scope, id);
    return message;
  }

  async getMessages(scope: QueueScope, ids: string[]): Promise<StoredMessage[]> {
    if (ids.length === 0) return [];
    return toMessages(await this.read('getMessages', scope, [this.clock(), ...ids]));
  }

  async deleteMessage(scope: QueueScope, id: string, claimId?: string): Promise<void> {
    const outcome = await this.write('deleteMessage', scope, [this.clock(), id, claimId ?? '']);
    if (outcome === 1) throw messageClaimedByOther();
    if (outcome === 2) throw messageNotClaimed();
  }

  async deleteMessages(scope: QueueScope, ids: string[]): Promise<void> {
    if (ids.length > 0) await this.write('deleteMessages', scope, ids);
  }

  async popMessages(scope: QueueScope, limit: number): Promise<StoredMessage[]> {
    return toMessages(await this.write('popMessages', scope, [this.clock(), limit]));
  }

  async purgeMessages(scope: QueueScope): Promise<void> {
    await this.write('deleteQueue', scope, [indexMember(scope), 'messages']);
  }

  async createClaim(scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null> {
    const id = newClaimId();
    const now = this.clock();
    const args = [now, id, options.ttl, options.grace, options.limit];
    const reply = (await this.write('createClaim', scope, args)) as [number, unknown] | [];
    if (reply.length === 0) return null;
    const [expires, messages] = reply;
    return { id, ttl: options.ttl, grace: options.grace, updated: now, expires, messages: toMessages(messages) };
  }

  async getClaim(scope: QueueScope, claimId: string): Promise<ClaimRecord> {
    const claim = toClaim(claimId, await this.read('getClaim', scope, [this.clock(), claimId]));
    if (!claim) throw claimNotFound(scope, claimId);
    return claim;
  }

  async updateClaim(scope: QueueScope, claimId: string, ttl: number, grace: number): Promise<void> {
    const updated = await this.write('updateClaim', scope, [this.clock(), claimId, ttl, grace]);
    if (updated === 0) throw claimNotFound(scope, claimId);
  }

  async deleteClaim(scope: QueueScope, claimId: string): Promise<void> {
    await this.write('deleteClaim', scope, [this.clock(), claimId]);
  }

  createSubscription(scope: QueueScope, sub: NewSubscription): Promise<{ id: string; created: boolean }> {
    return this.outbox.createSubscription(scope, sub);
  }

  getSubscription(scope: QueueScope, id: string): Promise<SubscriptionRecord> {
    return this.outbox.getSubscription(scope, id);
  }

  listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): Promise<SubscriptionRecord[]> {
    return this.outbox.listSubscriptions(scope, options);
  }

  updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): Promise<void> {
    return this.outbox.updateSubscription(scope, id, patch);
  }

  deleteSubscription(scope: QueueScope, id: string): Promise<void> {
    return this.outbox.deleteSubscription(scope, id);
  }

  purgeSubscriptions(scope: QueueScope): Promise<void> {
    return this.outbox.purgeSubscriptions(scope);
  }

  enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): Promise<string> {
    return this.outbox.enqueueDelivery(delivery);
  }

  takeDeliveries(limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    return this.outbox.takeDeliveries(limit, leaseMs);
  }

  settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): Promise<void> {
    return this.outbox.settleDelivery(scope, id, outcome);
  }

  listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): Promise<FailedDelivery[]> {
    return this.outbox.listFailedDeliveries(scope, subscriptionId, limit);
  }

  async health(): Promise<StoreHealth> {
    const started = performance.now();
    let reachable = false;
    if (this.client.status === 'ready') {
      try {
        reachable = (await this.client.ping()) === 'PONG';
      } catch {
        reachable = false;
      }
    }
    return { reachable, latencyMs: Math.round((performance.now() - started) * 100) / 100, kind: this.kind };
  }

  async close(): Promise<void> {
    this.sweeper.stop();
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
      } catch {
        // Redis went away meanwhile: the disconnect below is all there is to do
      }
    }
    // Also after QUIT: disconnect() is what stops Sentinel mode's failover-detector connections.
    this.client.disconnect();
  }

  /** Sweeps every queue once now (the background sweep does the same a slice at a time); returns messages removed. */
  collectGarbage(): Promise<number> {
    return this.io(this.sweeper.sweepAll());
  }

  /** The dead-letter fields the scripts read (dlb, dli, dlm, dlt), all '' when the metadata sets no policy. */
  private deadLetterFields(scope: QueueScope, metadata: QueueMetadata): (string | number)[] {
    const policy = deadLetterPolicy(metadata);
    if (!policy) return ['', '', '', ''];
    const dlq = { project: scope.project, queue: policy.queue };
    return [queueBase(dlq), indexMember(dlq), policy.maxClaimCount, policy.ttl ?? 0];
  }

  /** A read-only script on the queue's keys: one round trip. */
  private read(name: ScriptName, scope: QueueScope, args: (string | number)[]): Promise<unknown> {
    return this.calls.read(name, keyList(queueKeys(scope)), args);
  }

  /** A writing script on the queue's keys (WAITed for replicas when the URI asks). */
  private write(name: ScriptName, scope: QueueScope, args: (string | number)[]): Promise<unknown> {
    return this.calls.write(name, keyList(queueKeys(scope)), args);
  }

  /** Awaits a client call, turning connection failures into ServiceUnavailable. */
  private io<T>(call: Promise<T>): Promise<T> {
    return this.calls.io(call);
  }
}
