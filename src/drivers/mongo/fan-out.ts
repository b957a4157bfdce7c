// A post to a queue with subscriptions: its messages and one delivery per (message, live confirmed subscription).
//
// The durability rule: a 201 implies the deliveries are recorded. Where the deployment has transactions (replica
// set, sharded cluster), the messages and the deliveries are inserted in one transaction: both or neither. The
// counter bump before it stays outside (a single atomic step; keeping it out means concurrent posts to one queue
// never conflict on its document), so an aborted post leaves a gap in the markers, never a repeat.
//
// A standalone server has no transactions, so the order carries it:
//   1. the deliveries are inserted parked (d = PARKED_DUE: no take sees them), each naming its message (m);
//   2. the messages are inserted;
//   3. one updateMany makes the parked deliveries due; then the post is acknowledged.
// A post that stops between 1 and 3 (a crash, an outage) was never acknowledged, and leaves parked deliveries.
// The sweep (settleStalledPosts, in the driver's collectGarbage) settles those older than the stall time: due if
// their message is stored (stopped between 2 and 3: the notifications are late, not lost), deleted if not (stopped
// between 1 and 2: nothing was stored to notify of). What stays open: a message of such an unacknowledged post that
// is consumed before the sweep looks is indistinguishable from one never stored, so its notification is dropped.
// A post slower than the stall time finds some of its deliveries settled by the sweep (step 3 makes fewer due than
// it parked): it puts back those the sweep deleted, now due, since its messages are stored by then.

import type { QueueScope } from '../../core/types';
import { type DeliveryDoc, deliveryDoc, notificationJson, PARKED_DUE } from './outbox-records';
import type { MessageDoc } from './records';
import { INDEX, type MongoCollections } from './schema';
import { notifiedSubscriptions, type OutboxContext } from './subscriptions';

/**
 * Stores a batch of a queue that has had subscriptions: one look-up of its live confirmed subscriptions, then the
 * messages alone (none) or with their deliveries as the header says. Round trips: look-up, two inserts, and the
 * commit (transactions) or the updateMany that makes the deliveries due (standalone).
 */
export async function storeWithDeliveries(
  ctx: OutboxContext,
  scope: QueueScope,
  messages: MessageDoc[],
  now: number,
): Promise<void> {
  const { col } = ctx;
  const subs = await notifiedSubscriptions(ctx, scope, now);
  if (subs.length === 0) {
    await col.messages.insertMany(messages, { ordered: true });
    return;
  }
  const deliveries = subs.flatMap((sub) =>
    messages.map((m) =>
      deliveryDoc(
        scope,
        { s: sub._id, u: sub.u, o: sub.o, k: 'notification', y: notificationJson(scope.queue, m.b, m.t), m: m._id },
        now,
        now,
      ),
    ),
  );
  if (ctx.atomic.transactions) {
    await ctx.atomic.run(async (session) => {
      await col.messages.insertMany(messages, { ordered: true, session });
      await col.deliveries.insertMany(deliveries, { ordered: true, session });
    });
    return;
  }
  await col.deliveries.insertMany(
    deliveries.map((d) => ({ ...d, d: PARKED_DUE })),
    { ordered: true },
  );
  await col.messages.insertMany(messages, { ordered: true });
  const ids = deliveries.map((d) => d._id);
  const due = await col.deliveries.updateMany({ _id: { $in: ids }, d: PARKED_DUE }, { $set: { d: now } });
  if (due.modifiedCount < ids.length) await restoreSwept(col, deliveries);
}

/** Puts back, due, the deliveries of a slow post that the sweep deleted while its messages were not stored yet. */
async function restoreSwept(col: MongoCollections, deliveries: DeliveryDoc[]): Promise<void> {
  const kept = await col.deliveries
    .find({ _id: { $in: deliveries.map((d) => d._id) } }, { projection: { _id: 1 } })
    .toArray();
  const present = new Set(kept.map((d) => d._id));
  const missing = deliveries.filter((d) => !present.has(d._id));
  if (missing.length > 0) await col.deliveries.insertMany(missing, { ordered: true });
}

/**
 * The sweep's half of a standalone post: up to `limit` deliveries parked longer than `stallMs` (their post
 * stopped) become due when their message is stored, and are deleted when it is not. Both steps are conditional on
 * the delivery still being parked, so a post finishing meanwhile wins. Returns how many were settled.
 */
export async function settleStalledPosts(
  col: MongoCollections,
  now: number,
  stallMs: number,
  limit: number,
): Promise<number> {
  const stalled = await col.deliveries
    .find({ d: PARKED_DUE, c: { $lte: now - stallMs } }, { projection: { _id: 1, m: 1 } })
    .hint(INDEX.due)
    .limit(limit)
    .toArray();
  if (stalled.length === 0) return 0;
  const messageIds = [...new Set(stalled.flatMap((d) => (d.m === undefined ? [] : [d.m])))];
  const stored = await col.messages.find({ _id: { $in: messageIds } }, { projection: { _id: 1 } }).toArray();
  const exists = new Set(stored.map((m) => m._id));
  const made = stalled.filter((d) => d.m !== undefined && exists.has(d.m)).map((d) => d._id);
  const dropped = stalled.filter((d) => !(d.m !== undefined && exists.has(d.m))).map((d) => d._id);
  if (made.length > 0) await col.deliveries.updateMany({ _id: { $in: made }, d: PARKED_DUE }, { $set: { d: now } });
  if (dropped.length > 0) await col.deliveries.deleteMany({ _id: { $in: dropped }, d: PARKED_DUE });
  return stalled.length;
}
