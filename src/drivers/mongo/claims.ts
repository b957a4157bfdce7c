// Claims and pops: taking free messages for a claim id, renewing and releasing claims, reading a claim back.

import type { ClientSession } from 'mongodb';
import type { Clock } from '../../core/clock';
import { newClaimId } from '../../core/ids';
import { deadLetterPolicy } from '../../core/queue-metadata';
import { claimNotFound } from '../../core/store-errors';
import type { ClaimOptions, ClaimRecord, QueueScope, StoredMessage } from '../../core/types';
import type { AtomicRunner } from './atomic';
import { type ClaimDoc, type MessageDoc, queueKey, toClaim, toMessage, toMetadata, ttlDate } from './records';
import { INDEX, type MongoCollections } from './schema';
import { extendForClaim, takeFreeMessages } from './take';

/** What the claim operations work with. */
export interface ClaimContext {
  col: MongoCollections;
  atomic: AtomicRunner;
  clock: Clock;
}

/** How long a pop holds messages between taking and deleting them, should the gateway die in between. */
const POP_HOLD_MS = 60_000;

/** The live messages a claim holds, in marker order (one indexed query on (p, q, c, k)). */
function claimedMessages(
  col: MongoCollections,
  scope: QueueScope,
  claimId: string,
  now: number,
  session?: ClientSession,
): Promise<MessageDoc[]> {
  return col.messages
    .find({ p: scope.project, q: scope.queue, c: claimId, ce: { $gt: now }, e: { $gt: now } }, { session })
    .sort({ k: 1 })
    .hint(INDEX.claimMarker)
    .toArray();
}

/**
 * Claims up to `limit` of the oldest free messages (dead-lettering those claimed too often), extends their
 * lives to the claim's end plus grace, records the claim, and returns exactly what carries its id.
 */
export function createClaim(ctx: ClaimContext, scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null> {
  return ctx.atomic.run(async (session) => {
    const now = ctx.clock();
    const queue = await ctx.col.queues.findOne({ _id: queueKey(scope), live: true }, { session });
    if (!queue) return null;
    const policy = deadLetterPolicy(toMetadata(queue));
    const claim = { id: newClaimId(), ttl: options.ttl, grace: options.grace, expires: now + options.ttl * 1000 };
    const taker = { id: claim.id, holdUntil: claim.expires, countsAsClaim: true };
    const taken = await takeFreeMessages(ctx.col, scope, taker, options.limit, now, policy, session);
    if (taken === 0) return null;
    await extendForClaim(ctx.col, scope, claim, now, session);
    const doc: ClaimDoc = {
      _id: claim.id,
      p: scope.project,
      q: scope.queue,
      t: claim.ttl,
      g: claim.grace,
      u: now,
      e: claim.expires,
      x: ttlDate(claim.expires, now),
    };
    await ctx.col.claims.insertOne(doc, { session });
    return toClaim(doc, await claimedMessages(ctx.col, scope, claim.id, now, session), now);
  });
}

/** A live claim with its live messages; NotFound if missing or expired. */
export async function getClaim(ctx: ClaimContext, scope: QueueScope, claimId: string): Promise<ClaimRecord> {
  const now = ctx.clock();
  const doc = await ctx.col.claims.findOne({ _id: claimId, p: scope.project, q: scope.queue, e: { $gt: now } });
  if (!doc) throw claimNotFound(scope, claimId);
  return toClaim(doc, await claimedMessages(ctx.col, scope, claimId, now), now);
}

/** Renews a live claim from now (conditional on it being live) and carries the new end to its messages. */
export function updateClaim(
  ctx: ClaimContext,
  scope: QueueScope,
  claimId: string,
  ttl: number,
  grace: number,
): Promise<void> {
  return ctx.atomic.run(async (session) => {
    const now = ctx.clock();
    const expires = now + ttl * 1000;
    const renewed = await ctx.col.claims.updateOne(
      { _id: claimId, p: scope.project, q: scope.queue, e: { $gt: now } },
      { $set: { t: ttl, g: grace, u: now, e: expires, x: ttlDate(expires, now) } },
      { session },
    );
    if (renewed.matchedCount === 0) throw claimNotFound(scope, claimId);
    await ctx.col.messages.updateMany(
      { p: scope.project, q: scope.queue, c: claimId, e: { $gt: now } },
      { $set: { ce: expires } },
      { session },
    );
    await extendForClaim(ctx.col, scope, { id: claimId, ttl, grace, expires }, now, session);
  });
}

/** Releases a claim: its messages (only those it still holds) become free with their TTL unchanged. */
export function deleteClaim(ctx: ClaimContext, scope: QueueScope, claimId: string): Promise<void> {
  return ctx.atomic.run(async (session) => {
    await ctx.col.messages.updateMany(
      { p: scope.project, q: scope.queue, c: claimId },
      { $set: { c: null, ce: 0 } },
      { session },
    );
    await ctx.col.claims.deleteOne({ _id: claimId, p: scope.project, q: scope.queue }, { session });
  });
}

/** Removes and returns up to `limit` of the oldest free messages: taken for a private id, read back, deleted. */
export function popMessages(ctx: ClaimContext, scope: QueueScope, limit: number): Promise<StoredMessage[]> {
  return ctx.atomic.run(async (session) => {
    const now = ctx.clock();
    const taker = { id: `pop:${newClaimId()}`, holdUntil: now + POP_HOLD_MS, countsAsClaim: false };
    const taken = await takeFreeMessages(ctx.col, scope, taker, limit, now, undefined, session);
    if (taken === 0) return [];
    const held = { p: scope.project, q: scope.queue, c: taker.id };
    const docs = await ctx.col.messages.find(held, { session }).sort({ k: 1 }).toArray();
    await ctx.col.messages.deleteMany(held, { session });
    // They were free when taken: return them as such.
    return docs.map((d) => toMessage({ ...d, c: null, ce: 0 }, now));
  });
}
