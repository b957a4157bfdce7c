// Taking free messages for a claim or a pop: a bounded candidate scan and one conditional update per round.
//
// Why it never hands a message to two takers: the update that takes candidates re-checks, per document and
// atomically in the server, that each is still free (c: null, live, visible) and stamps the taker's id; the
// caller then reads back exactly the documents carrying that id. A taker that lost some candidates to another
// scans again for the rest after a short random pause, so takers that collided do not collide again in step. The scan itself starts at the first free message: claims that have ended are
// first turned back into c: null (a range over the claimed-only index), so the candidate scan walks the
// (p, q, c: null, k) index in marker order and never steps over messages held by live claims. (It does step
// over unclaimed messages still delayed, at most the delay limit's worth, and expired ones the TTL monitor has
// not removed yet.)

import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientSession, FindCursor } from 'mongodb';
import type { DeadLetterPolicy } from '../../core/queue-metadata';
import type { QueueScope } from '../../core/types';
import { type MessageDoc, queueKey, ttlDate } from './records';
import { INDEX, type MongoCollections } from './schema';

/** Scan rounds one take may use: bounds its round trips whatever the queue length or contention. */
export const MAX_TAKE_ROUNDS = 24;

/** Random pause after losing candidates in round `round`: up to 2 ms, growing to at most 100 ms. */
function pauseAfterLoss(round: number): Promise<void> {
  return sleep(Math.random() * Math.min(2 * 1.5 ** round, 100));
}

/** Who takes messages, until when, and whether it counts as a claim (raising each message's claim count). */
export interface Taker {
  /** Stamped into c: a claim id, or a private pop id. */
  id: string;
  /** Stamped into ce. */
  holdUntil: number;
  /** Whether each taken message's claim count goes up (claims) or not (pops). */
  countsAsClaim: boolean;
}

/** The filter of messages that are free to take at `now` (after ended claims were released). */
function freeFilter(scope: QueueScope, now: number) {
  return { p: scope.project, q: scope.queue, c: null, e: { $gt: now }, v: { $lte: now } };
}

/**
 * The candidate scan: free messages in marker order, read from the (p, q, c: null, k) index so it starts at
 * the first free message however many claimed ones come before it.
 */
export function freeCandidates(
  col: MongoCollections,
  scope: QueueScope,
  now: number,
  limit: number,
  session?: ClientSession,
): FindCursor<Pick<MessageDoc, '_id' | 'n' | 't'>> {
  return col.messages
    .find(freeFilter(scope, now), { session, projection: { _id: 1, n: 1, t: 1 } })
    .sort({ k: 1 })
    .hint(INDEX.claimMarker)
    .limit(limit);
}

/** Frees the messages of claims that have ended, so the candidate scan (c: null) sees them in marker order. */
export async function releaseEndedClaims(
  col: MongoCollections,
  scope: QueueScope,
  now: number,
  session?: ClientSession,
): Promise<void> {
  await col.messages.updateMany(
    { p: scope.project, q: scope.queue, ce: { $gt: 0, $lte: now } },
    { $set: { c: null, ce: 0 } },
    { session },
  );
}

/**
 * Takes up to `limit` of the oldest free messages for `taker`; returns how many it took (read them back by
 * taker id). With a dead-letter policy, a candidate already claimed maxClaimCount times moves to the
 * dead-letter queue instead of being taken.
 */
export async function takeFreeMessages(
  col: MongoCollections,
  scope: QueueScope,
  taker: Taker,
  limit: number,
  now: number,
  policy: DeadLetterPolicy | undefined,
  session?: ClientSession,
): Promise<number> {
  await releaseEndedClaims(col, scope, now, session);
  let taken = 0;
  for (let round = 0; round < MAX_TAKE_ROUNDS && taken < limit; round++) {
    const want = limit - taken;
    const candidates = await freeCandidates(col, scope, now, want, session).toArray();
    if (candidates.length === 0) break;
    const poison = policy ? candidates.filter((m) => m.n >= policy.maxClaimCount) : [];
    const good = candidates.filter((m) => !poison.includes(m)).map((m) => m._id);
    if (poison.length > 0 && policy) await moveToDeadLetter(col, scope, poison, policy, now, session);
    let lost = false;
    if (good.length > 0) {
      const result = await col.messages.updateMany(
        { ...freeFilter(scope, now), _id: { $in: good } },
        { $set: { c: taker.id, ce: taker.holdUntil }, $inc: { n: taker.countsAsClaim ? 1 : 0 } },
        { session },
      );
      taken += result.modifiedCount;
      lost = result.modifiedCount < good.length;
    }
    // Fewer candidates than wanted: the queue has no more free messages.
    if (candidates.length < want) break;
    if (lost) await pauseAfterLoss(round);
  }
  return taken;
}

/**
 * Moves messages to the dead-letter queue (same project), keeping id, body, producer and creation time: one
 * counter bump on the dead-letter queue (creating it) for all of them, then one conditional update each in a
 * single bulk write, applied only while the message is still free in its source queue.
 */
async function moveToDeadLetter(
  col: MongoCollections,
  scope: QueueScope,
  messages: Pick<MessageDoc, '_id' | 't'>[],
  policy: DeadLetterPolicy,
  now: number,
  session?: ClientSession,
): Promise<void> {
  const target = { project: scope.project, queue: policy.queue };
  const bumped = await col.queues.findOneAndUpdate(
    { _id: queueKey(target) },
    { $inc: { c: messages.length }, $set: { live: true }, $setOnInsert: { p: target.project, n: target.queue } },
    { upsert: true, returnDocument: 'after', session },
  );
  const first = (bumped?.c ?? messages.length) - messages.length + 1;
  await col.messages.bulkWrite(
    messages.map((m, i) => {
      const ttl = policy.ttl ?? m.t;
      const expires = now + ttl * 1000;
      return {
        updateOne: {
          filter: { ...freeFilter(scope, now), _id: m._id },
          update: {
            $set: { q: target.queue, k: first + i, t: ttl, e: expires, x: ttlDate(expires, now), v: now, n: 0 },
          },
        },
      };
    }),
    { ordered: false, session },
  );
}

/** Makes every message a claim took live at least until the claim ends plus grace (Zaqar's rule). */
export async function extendForClaim(
  col: MongoCollections,
  scope: QueueScope,
  claim: { id: string; ttl: number; grace: number; expires: number },
  now: number,
  session?: ClientSession,
): Promise<void> {
  const until = claim.expires + claim.grace * 1000;
  await col.messages.updateMany(
    { p: scope.project, q: scope.queue, c: claim.id, e: { $gt: now, $lt: until } },
    { $set: { e: until, t: claim.ttl + claim.grace, x: ttlDate(until, now) } },
    { session },
  );
}
