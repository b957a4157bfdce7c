// Posting, reading, listing and counting messages: a post is one counter bump and one insertMany; reads filter on now.

import type { Collection } from 'mongodb';
import { newMessageId } from '../../core/ids';
import { messageNotFound } from '../../core/store-errors';
import type {
  ListMessagesOptions,
  MessagePage,
  NewMessage,
  QueueScope,
  QueueStats,
  StoredMessage,
} from '../../core/types';
import { storeWithDeliveries } from './fan-out';
import { type MessageDoc, queueKey, toMessage, ttlDate } from './records';
import { INDEX } from './schema';
import type { OutboxContext } from './subscriptions';

/**
 * Stores a batch in order: one findOneAndUpdate $inc reserves its markers on the queue's counter (creating or
 * reviving the queue), then one ordered insertMany writes the messages. Markers lost to a failed insert leave a
 * gap, never a repeat. When the queue has had subscriptions (its sb flag, returned by the same bump), the
 * messages are stored with their deliveries instead (fan-out.ts).
 */
export async function postMessages(
  ctx: OutboxContext,
  scope: QueueScope,
  messages: NewMessage[],
  clientId: string,
  now: number,
): Promise<string[]> {
  const { col } = ctx;
  const bumped = await col.queues.findOneAndUpdate(
    { _id: queueKey(scope) },
    { $inc: { c: messages.length }, $set: { live: true }, $setOnInsert: { p: scope.project, n: scope.queue } },
    { upsert: true, returnDocument: 'after', projection: { c: 1, sb: 1 } },
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
  if (docs.length === 0) return [];
  if (bumped?.sb) await storeWithDeliveries(ctx, scope, docs, now);
  else await col.messages.insertMany(docs, { ordered: true });
  return docs.map((d) => d._id);
}

/** One live message; NotFound if missing, expired, or in another queue. */
export async function getMessage(
  messages: Collection<MessageDoc>,
  scope: QueueScope,
  id: string,
  now: number,
): Promise<StoredMessage> {
  const doc = await messages.findOne({ _id: id, p: scope.project, q: scope.queue, e: { $gt: now } });
  if (!doc) throw messageNotFound(scope, id);
  return toMessage(doc, now);
}

/** The live messages among `ids`, in the order of `ids` (one query). */
export async function getMessages(
  messages: Collection<MessageDoc>,
  scope: QueueScope,
  ids: string[],
  now: number,
): Promise<StoredMessage[]> {
  const docs = await messages.find({ _id: { $in: ids }, p: scope.project, q: scope.queue, e: { $gt: now } }).toArray();
  const byId = new Map(docs.map((d) => [d._id, d]));
  return ids.flatMap((id) => {
    const doc = byId.get(id);
    return doc ? [toMessage(doc, now)] : [];
  });
}

/** A page of live messages in marker order (the unique (p, q, k) index), filtered as the options say. */
export async function listMessages(
  messages: Collection<MessageDoc>,
  scope: QueueScope,
  options: ListMessagesOptions,
  now: number,
): Promise<MessagePage> {
  const filter: Record<string, unknown> = { p: scope.project, q: scope.queue, e: { $gt: now } };
  if (options.marker !== undefined) filter.k = { $gt: options.marker };
  if (!options.echo) filter.pr = { $ne: options.clientId };
  if (!options.includeClaimed) filter.$or = [{ c: null }, { ce: { $lte: now } }];
  if (!options.includeDelayed) filter.v = { $lte: now };
  const docs = await messages.find(filter).sort({ k: 1 }).hint(INDEX.scopeMarker).limit(options.limit).toArray();
  const out = docs.map((d) => toMessage(d, now));
  return { messages: out, nextMarker: out.length > 0 ? out[out.length - 1].marker : undefined };
}

/** Live, claimed and free counts, and the oldest and newest live messages by creation (then marker). */
export async function queueStats(
  messages: Collection<MessageDoc>,
  scope: QueueScope,
  now: number,
): Promise<QueueStats> {
  const live = { p: scope.project, q: scope.queue, e: { $gt: now } };
  const [total, claimed, oldest, newest] = await Promise.all([
    messages.countDocuments(live),
    messages.countDocuments({ ...live, c: { $ne: null }, ce: { $gt: now } }),
    messages.find(live).sort({ s: 1, k: 1 }).limit(1).next(),
    messages.find(live).sort({ s: -1, k: -1 }).limit(1).next(),
  ]);
  const stats: QueueStats = { claimed, free: total - claimed, total };
  if (oldest) stats.oldest = toMessage(oldest, now);
  if (newest) stats.newest = toMessage(newest, now);
  return stats;
}
