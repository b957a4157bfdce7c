// The outbox's deliveries: recording one outside a post, leasing due ones, settling them, the failed lists.
//
// A take never leases one delivery to two takers: it scans the due index for candidates, then one updateMany
// re-checks per document, atomically in the server, that each is still due (d <= now) while it moves d to the
// lease's end and stamps the take's own token; it reads back exactly the documents carrying that token. A taker
// that lost candidates to another scans again (bounded rounds), so concurrent takers drain the due set together.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAILED_KEPT_PER_SUBSCRIPTION } from '../../core/notifications';
import type { DeliveryOutcome, FailedDelivery, PendingDelivery, QueueScope } from '../../core/types';
import { deliveryDoc, toDelivery, toFailedDelivery } from './outbox-records';
import { INDEX, type MongoCollections } from './schema';
import type { OutboxContext } from './subscriptions';

/** Scan rounds one take may use: bounds its round trips whatever the contention. */
const TAKE_ROUNDS = 8;

/** Random pause after losing candidates in round `round`: up to 2 ms, growing to at most 50 ms. */
function pauseAfterLoss(round: number): Promise<void> {
  return sleep(Math.random() * Math.min(2 * 2 ** round, 50));
}

/** Records one delivery made outside a post (a confirmation request), due now: one insert. */
export async function enqueueDelivery(
  ctx: OutboxContext,
  delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>,
): Promise<string> {
  const now = ctx.clock();
  const doc = deliveryDoc(
    delivery.scope,
    {
      s: delivery.subscriptionId,
      u: delivery.subscriber,
      o: JSON.stringify(delivery.options),
      k: delivery.kind,
      y: JSON.stringify(delivery.payload),
    },
    now,
    now,
  );
  await ctx.col.deliveries.insertOne(doc);
  return doc._id;
}

/**
 * Leases up to `limit` due deliveries of every queue of the store, oldest due first (then in recording order),
 * until now + leaseMs. Uncontended: one candidate scan, one conditional updateMany, one read back.
 */
export async function takeDeliveries(ctx: OutboxContext, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
  if (limit <= 0) return [];
  const now = ctx.clock();
  const token = randomUUID();
  const scanned: string[] = [];
  let taken = 0;
  for (let round = 0; round < TAKE_ROUNDS && taken < limit; round++) {
    const want = limit - taken;
    const candidates = await ctx.col.deliveries
      .find({ d: { $lte: now } }, { projection: { _id: 1 } })
      .sort({ d: 1, _id: 1 })
      .hint(INDEX.due)
      .limit(want)
      .toArray();
    if (candidates.length === 0) break;
    const ids = candidates.map((c) => c._id);
    const leased = await ctx.col.deliveries.updateMany(
      { _id: { $in: ids }, d: { $lte: now } },
      { $set: { d: now + leaseMs, l: token } },
    );
    scanned.push(...ids);
    taken += leased.modifiedCount;
    // Fewer candidates than wanted: nothing else is due.
    if (candidates.length < want) break;
    if (leased.modifiedCount < ids.length) await pauseAfterLoss(round);
  }
  if (taken === 0) return [];
  const docs = await ctx.col.deliveries.find({ _id: { $in: scanned }, l: token }).toArray();
  const position = new Map(scanned.map((id, i) => [id, i]));
  docs.sort((a, b) => (position.get(a._id) ?? 0) - (position.get(b._id) ?? 0));
  return docs.map(toDelivery);
}

/**
 * Settles a taken delivery of this queue. delivered: one conditional delete. retry: one conditional update.
 * failed: it moves to its subscription's failed list (newest kept, at most FAILED_KEPT_PER_SUBSCRIPTION) — see
 * recordFailure; when the subscription is gone or expired nobody can list it, so it just goes.
 */
export async function settleDelivery(
  ctx: OutboxContext,
  scope: QueueScope,
  id: string,
  outcome: DeliveryOutcome,
): Promise<void> {
  const inQueue = { _id: id, p: scope.project, q: scope.queue };
  if (outcome.kind === 'delivered') {
    await ctx.col.deliveries.deleteOne(inQueue);
  } else if (outcome.kind === 'retry') {
    await ctx.col.deliveries.updateOne(inQueue, { $inc: { a: 1 }, $set: { d: outcome.dueAt, r: outcome.error } });
  } else {
    await recordFailure(ctx, inQueue, outcome.error);
  }
}

/**
 * Moves a delivery to the failed list, in one transaction where available. Without one, each step is safe on its
 * own: the conditional delete decides which settler moves it; the subscription's failure counter ($inc, only
 * while it is live) numbers the entry and proves the subscription is there; the cap is one delete below that
 * number; and a last look at the subscription after the insert removes the entry if an unsubscribe passed in
 * between. An unsubscribe deletes the subscription before its failed list, so either it deletes the entry or
 * this last look sees the subscription gone: no entry outlives its subscription.
 */
async function recordFailure(
  ctx: OutboxContext,
  inQueue: { _id: string; p: string; q: string },
  error: string,
): Promise<void> {
  const { col } = ctx;
  await ctx.atomic.run(async (session) => {
    const now = ctx.clock();
    const doc = await col.deliveries.findOne(inQueue, { session });
    if (!doc) return;
    if ((await col.deliveries.deleteOne(inQueue, { session })).deletedCount === 0) return;
    const sub = await col.subscriptions.findOneAndUpdate(
      { _id: doc.s, p: doc.p, q: doc.q, e: { $gt: now } },
      { $inc: { fs: 1 } },
      { returnDocument: 'after', projection: { fs: 1 }, session },
    );
    if (!sub) return;
    const n = sub.fs ?? 1;
    const { l: _lease, ...fields } = doc;
    await col.failedDeliveries.insertOne({ ...fields, a: doc.a + 1, r: error, F: now, n }, { session });
    await col.failedDeliveries.deleteMany({ s: doc.s, n: { $lte: n - FAILED_KEPT_PER_SUBSCRIPTION } }, { session });
    if (session) return;
    if ((await col.subscriptions.countDocuments({ _id: doc.s, e: { $gt: now } }, { limit: 1 })) === 0) {
      await col.failedDeliveries.deleteOne({ _id: doc._id });
    }
  });
}

/** The failed deliveries of a subscription of this queue, newest first (the (s, n) index). */
export async function listFailedDeliveries(
  col: MongoCollections,
  scope: QueueScope,
  subscriptionId: string,
  limit: number,
): Promise<FailedDelivery[]> {
  if (limit <= 0) return [];
  const docs = await col.failedDeliveries
    .find({ s: subscriptionId, p: scope.project, q: scope.queue })
    .sort({ n: -1 })
    .hint(INDEX.failedNewest)
    .limit(limit)
    .toArray();
  return docs.map(toFailedDelivery);
}
