// The MongoDB driver's background sweep: what the TTL monitor removes, expired subscriptions, stopped posts.

import { settleStalledPosts } from './fan-out';
import type { MongoCollections } from './schema';
import { sweepExpiredSubscriptions } from './subscriptions';

/** Most expired subscriptions, and most deliveries of stopped posts, one sweep settles. */
const SWEEP_BATCH = 1000;

/**
 * Removes messages and claims whose TTL date has passed (the TTL index's rule, for when its monitor lags),
 * expired subscriptions with their failed lists (their recorded deliveries are still made), and settles the
 * deliveries of standalone posts parked longer than `stallMs` (fan-out.ts). Every step is conditional, so
 * gateways sweeping one store at once only repeat each other. Returns how many messages it removed.
 */
export async function sweep(col: MongoCollections, now: number, stallMs: number): Promise<number> {
  const due = { x: { $lte: new Date() } };
  const [messages] = await Promise.all([col.messages.deleteMany(due), col.claims.deleteMany(due)]);
  await sweepExpiredSubscriptions(col, now, SWEEP_BATCH);
  await settleStalledPosts(col, now, stallMs, SWEEP_BATCH);
  return messages.deletedCount;
}
