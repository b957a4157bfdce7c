// Deleting one message, with or without its claim: one conditional deleteOne, and a read only to explain a refusal.

import type { Collection } from 'mongodb';
import type { Clock } from '../../core/clock';
import { messageClaimedByOther, messageNotClaimed } from '../../core/store-errors';
import type { QueueScope } from '../../core/types';
import type { MessageDoc } from './records';

/** A refusal can be outdated by the time it is explained (the claim ended meanwhile): try again, a few times. */
const ATTEMPTS = 4;

/**
 * Deletes the message if the claim rule allows it at this instant: without claimId only while no live claim
 * holds it, with claimId only while exactly that live claim does. The rule is the delete's own filter, so no
 * other change can slip between the check and the delete. A missing or expired message is not an error.
 */
export async function deleteOneMessage(
  messages: Collection<MessageDoc>,
  scope: QueueScope,
  id: string,
  claimId: string | undefined,
  clock: Clock,
): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const now = clock();
    const target = { _id: id, p: scope.project, q: scope.queue, e: { $gt: now } };
    const rule =
      claimId === undefined ? { $or: [{ c: null }, { ce: { $lte: now } }] } : { c: claimId, ce: { $gt: now } };
    const deleted = await messages.deleteOne({ ...target, ...rule });
    if (deleted.deletedCount === 1) return;
    const doc = await messages.findOne(target, { projection: { c: 1, ce: 1 } });
    if (!doc) return;
    const holder = doc.c !== null && doc.ce > now ? doc.c : null;
    if (claimId === undefined) {
      if (holder !== null) throw messageClaimedByOther();
    } else if (holder === null) {
      throw messageNotClaimed();
    } else if (holder !== claimId) {
      throw messageClaimedByOther();
    }
    // The state changed between the delete and the read (a claim began or ended): apply the rule again.
  }
  throw messageClaimedByOther();
}
