// Subscriptions of a queue: one document per subscriber (unique (p, q, u)); an expired one is replaced, not revived.
//
// The unique index is the arbiter, so no step reads then writes: a create is one insert, and only when the
// subscriber's document exists does it look at it (live: that one is the answer; expired: it is removed with its
// failed list, conditionally on still being expired, and the insert is tried again). A change of subscriber is one
// conditional update that the index refuses when the new subscriber is taken. An expired subscription is never
// changed again (every change is conditional on e > now), so removing one races with nothing but its removal.
// Live subscriptions are deleted before their failed lists (unsubscribe, purge, queue deletion); see deliveries.ts.

import type { ClientSession, Collection } from 'mongodb';
import { newMessageId } from '../../core/ids';
import { subscriptionExists, subscriptionNotFound } from '../../core/store-errors';
import type { NewSubscription, QueueScope, SubscriptionPatch, SubscriptionRecord } from '../../core/types';
import type { ListSubscriptionsOptions } from '../types';
import type { ClaimContext } from './claims';
import { isDuplicateKey } from './errors';
import { type SubscriptionDoc, toSubscription } from './outbox-records';
import { type QueueDoc, queueKey } from './records';
import { INDEX, type MongoCollections } from './schema';

/** What the outbox operations work with: the same parts as a claim's (collections, transactions, clock). */
export type OutboxContext = ClaimContext;

/** How often a create or a change of subscriber retries after removing an expired holder of the subscriber. */
const ATTEMPTS = 4;

/** Marks the queue as having had subscriptions (a tombstone if it does not exist), so its posts look them up. */
async function markSubscribed(queues: Collection<QueueDoc>, scope: QueueScope): Promise<void> {
  const mark = () =>
    queues.updateOne(
      { _id: queueKey(scope) },
      { $set: { sb: true }, $setOnInsert: { p: scope.project, n: scope.queue, c: 0, live: false } },
      { upsert: true },
    );
  try {
    await mark();
  } catch (err) {
    // A concurrent upsert of the same queue won the insert: the document exists now, so this one updates it.
    if (!isDuplicateKey(err)) throw err;
    await mark();
  }
}

/**
 * Removes an expired subscription and its failed list (pending deliveries stay: they were recorded while it lived).
 * The list goes first: an expired subscription takes no new failures (recordFailure needs it live), and a crash in
 * between leaves the subscription for the next create or the sweep to remove.
 */
async function dropExpired(col: MongoCollections, id: string, now: number): Promise<void> {
  await col.failedDeliveries.deleteMany({ s: id });
  await col.subscriptions.deleteOne({ _id: id, e: { $lte: now } });
}

/** Stores a subscription unless a live one of the queue has its subscriber (then that one's id, created: false). */
export async function createSubscription(
  ctx: OutboxContext,
  scope: QueueScope,
  sub: NewSubscription,
): Promise<{ id: string; created: boolean }> {
  const now = ctx.clock();
  // Before the document exists, so no post can see the subscription without looking it up.
  await markSubscribed(ctx.col.queues, scope);
  const doc: SubscriptionDoc = {
    _id: newMessageId(),
    p: scope.project,
    q: scope.queue,
    u: sub.subscriber,
    t: sub.ttl,
    c: now,
    e: now + sub.ttl * 1000,
    o: JSON.stringify(sub.options),
    f: sub.confirmed,
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      await ctx.col.subscriptions.insertOne(doc);
      return { id: doc._id, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const holder = await ctx.col.subscriptions.findOne(
      { p: scope.project, q: scope.queue, u: sub.subscriber },
      { projection: { _id: 1, e: 1 } },
    );
    if (holder && holder.e > now) return { id: holder._id, created: false };
    if (holder) await dropExpired(ctx.col, holder._id, now);
  }
  // Others kept storing and expiring this subscriber faster than this call could: theirs holds.
  throw subscriptionExists();
}

/** A live subscription; NotFound if missing, expired or in another queue. */
export async function getSubscription(ctx: OutboxContext, scope: QueueScope, id: string): Promise<SubscriptionRecord> {
  const doc = await ctx.col.subscriptions.findOne({
    _id: id,
    p: scope.project,
    q: scope.queue,
    e: { $gt: ctx.clock() },
  });
  if (!doc) throw subscriptionNotFound(id);
  return toSubscription(doc);
}

/** Live subscriptions of the queue sorted by id after the marker (the (p, q, _id) index). */
export async function listSubscriptions(
  ctx: OutboxContext,
  scope: QueueScope,
  options: ListSubscriptionsOptions,
): Promise<SubscriptionRecord[]> {
  const filter = {
    p: scope.project,
    q: scope.queue,
    e: { $gt: ctx.clock() },
    ...(options.marker === undefined ? {} : { _id: { $gt: options.marker } }),
  };
  const docs = await ctx.col.subscriptions
    .find(filter)
    .sort({ _id: 1 })
    .hint(INDEX.subscriptionId)
    .limit(options.limit)
    .toArray();
  return docs.map(toSubscription);
}

/** The live, confirmed subscriptions a post notifies, by id. */
export function notifiedSubscriptions(
  ctx: OutboxContext,
  scope: QueueScope,
  now: number,
): Promise<Pick<SubscriptionDoc, '_id' | 'u' | 'o'>[]> {
  return ctx.col.subscriptions
    .find({ p: scope.project, q: scope.queue, e: { $gt: now }, f: true }, { projection: { _id: 1, u: 1, o: 1 } })
    .sort({ _id: 1 })
    .hint(INDEX.subscriptionId)
    .toArray();
}

/** Changes a live subscription in one conditional update; NotFound if missing, Conflict if the subscriber is taken. */
export async function updateSubscription(
  ctx: OutboxContext,
  scope: QueueScope,
  id: string,
  patch: SubscriptionPatch,
): Promise<void> {
  const now = ctx.clock();
  const live = { _id: id, p: scope.project, q: scope.queue, e: { $gt: now } };
  const set: Partial<SubscriptionDoc> = {};
  if (patch.subscriber !== undefined) set.u = patch.subscriber;
  if (patch.options !== undefined) set.o = JSON.stringify(patch.options);
  if (patch.confirmed !== undefined) set.f = patch.confirmed;
  if (patch.ttl !== undefined) {
    set.t = patch.ttl;
    set.e = now + patch.ttl * 1000;
  }
  if (Object.keys(set).length === 0) {
    if ((await ctx.col.subscriptions.countDocuments(live, { limit: 1 })) === 0) throw subscriptionNotFound(id);
    return;
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const result = await ctx.col.subscriptions.updateOne(live, { $set: set });
      if (result.matchedCount === 0) throw subscriptionNotFound(id);
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // The unique (p, q, u) index refused the new subscriber: another subscription of the queue has it.
    const holder = await ctx.col.subscriptions.findOne(
      { p: scope.project, q: scope.queue, u: patch.subscriber },
      { projection: { _id: 1, e: 1 } },
    );
    if (holder && holder.e > now) throw subscriptionExists();
    if (holder) await dropExpired(ctx.col, holder._id, now);
  }
  throw subscriptionExists();
}

/**
 * Deletes a subscription of this queue with its pending and failed deliveries in this queue (one transaction where
 * available). The subscription goes first, so a failure being recorded meanwhile either is deleted here or sees it
 * gone (see recordFailure in deliveries.ts). The later steps run whether or not its document is still there, as in
 * the memory store: the deliveries of an expired (swept or replaced) subscription, or of one whose queue was
 * deleted, go too; and an unsubscribe repeated after a crash in between removes what the first one left.
 */
export function deleteSubscription(ctx: OutboxContext, scope: QueueScope, id: string): Promise<void> {
  return ctx.atomic.run(async (session) => {
    const inQueue = { p: scope.project, q: scope.queue };
    await ctx.col.subscriptions.deleteOne({ _id: id, ...inQueue }, { session });
    await ctx.col.deliveries.deleteMany({ ...inQueue, s: id }, { session });
    await ctx.col.failedDeliveries.deleteMany({ s: id, ...inQueue }, { session });
  });
}

/** The ids of every subscription document of the queue, live or expired. */
async function subscriptionIds(col: MongoCollections, scope: QueueScope, session?: ClientSession) {
  const docs = await col.subscriptions
    .find({ p: scope.project, q: scope.queue }, { projection: { _id: 1 }, session })
    .hint(INDEX.subscriptionId)
    .toArray();
  return docs.map((d) => d._id);
}

/**
 * Deletes every subscription of the queue with their pending and failed deliveries: those recorded since the queue
 * was last deleted (a deletion detaches what it leaves, dq), whether or not their subscription's document is left.
 */
export function purgeSubscriptions(ctx: OutboxContext, scope: QueueScope): Promise<void> {
  return ctx.atomic.run(async (session) => {
    const inQueue = { p: scope.project, q: scope.queue };
    const ids = await subscriptionIds(ctx.col, scope, session);
    if (ids.length > 0) await ctx.col.subscriptions.deleteMany({ ...inQueue, _id: { $in: ids } }, { session });
    await ctx.col.deliveries.deleteMany({ ...inQueue, dq: { $exists: false } }, { session });
    if (ids.length > 0) await ctx.col.failedDeliveries.deleteMany({ s: { $in: ids } }, { session });
  });
}

/**
 * Forgets a deleted queue's subscriptions and failed lists. Deliveries already recorded are still made: they are
 * detached (dq), so a later purge of the queue's name leaves them (an unsubscribe naming their id still removes them).
 */
export async function forgetSubscriptions(col: MongoCollections, scope: QueueScope): Promise<void> {
  const inQueue = { p: scope.project, q: scope.queue };
  const ids = await subscriptionIds(col, scope);
  if (ids.length > 0) {
    await col.subscriptions.deleteMany({ ...inQueue, _id: { $in: ids } });
    await col.failedDeliveries.deleteMany({ s: { $in: ids } });
  }
  await col.deliveries.updateMany({ ...inQueue, dq: { $exists: false } }, { $set: { dq: true } });
}

/** Removes up to `limit` expired subscriptions with their failed lists (the sweep); returns how many went. */
export async function sweepExpiredSubscriptions(col: MongoCollections, now: number, limit: number): Promise<number> {
  const expired = await col.subscriptions
    .find({ e: { $lte: now } }, { projection: { _id: 1 } })
    .hint(INDEX.subscriptionEnds)
    .limit(limit)
    .toArray();
  if (expired.length === 0) return 0;
  const ids = expired.map((d) => d._id);
  await col.failedDeliveries.deleteMany({ s: { $in: ids } });
  await col.subscriptions.deleteMany({ _id: { $in: ids }, e: { $lte: now } });
  return ids.length;
}
