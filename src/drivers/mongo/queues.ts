// Queue documents: create, read and replace metadata, tombstone on delete, list a project's queues by name.

import type { Collection } from 'mongodb';
import { matchesQueueFilter } from '../../core/queue-filter';
import { queueNotFound } from '../../core/store-errors';
import { isDuplicateKey } from './errors';
import type { QueueMetadata, QueueScope, QueueSummary } from '../../core/types';
import type { ListQueuesOptions } from '../types';
import { type QueueDoc, queueKey, toMetadata } from './records';
import { INDEX, type MongoCollections } from './schema';

/** Creates the queue unless it is live; true if this call created (or revived) it. One conditional upsert. */
export async function createQueue(
  queues: Collection<QueueDoc>,
  scope: QueueScope,
  metadata: QueueMetadata,
): Promise<boolean> {
  const create = () =>
    queues.updateOne(
      { _id: queueKey(scope), live: { $ne: true } },
      { $set: { live: true, m: JSON.stringify(metadata) }, $setOnInsert: { p: scope.project, n: scope.queue, c: 0 } },
      { upsert: true },
    );
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await create();
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // The filter missed and the upsert ran into the _id: the queue is live, or a concurrent upsert (a post, or
      // a subscription's tombstone) inserted it just now. Once more: a tombstone then matches and is revived.
      if (attempt > 0) return false;
    }
  }
}

/** The live queue's document (with the projected fields), or null. */
export function findQueue(
  queues: Collection<QueueDoc>,
  scope: QueueScope,
  projection: Record<string, 1>,
): Promise<QueueDoc | null> {
  return queues.findOne({ _id: queueKey(scope), live: true }, { projection });
}

/** Replaces the metadata of a live queue; NotFound otherwise. */
export async function setQueueMetadata(
  queues: Collection<QueueDoc>,
  scope: QueueScope,
  metadata: QueueMetadata,
): Promise<void> {
  const result = await queues.updateOne(
    { _id: queueKey(scope), live: true },
    { $set: { m: JSON.stringify(metadata) } },
  );
  if (result.matchedCount === 0) throw queueNotFound(scope);
}

/**
 * Deletes a queue: one conditional update turns it into a tombstone (keeping its counter), then its messages up
 * to the counter it had and its claims up to now go. A post that revives the queue meanwhile gets markers above
 * that counter, so the messages it was acknowledged for are kept.
 */
export async function deleteQueue(col: MongoCollections, scope: QueueScope, now: number): Promise<void> {
  const tombstone = await col.queues.findOneAndUpdate(
    { _id: queueKey(scope), live: true },
    { $set: { live: false }, $unset: { m: '' } },
    { returnDocument: 'after', projection: { c: 1 } },
  );
  if (!tombstone) return;
  await col.messages.deleteMany({ p: scope.project, q: scope.queue, k: { $lte: tombstone.c } });
  await col.claims.deleteMany({ p: scope.project, q: scope.queue, u: { $lte: now } });
}

/** A project's live queues sorted by name after the marker; filters are applied as the memory driver does. */
export async function listQueues(
  queues: Collection<QueueDoc>,
  project: string,
  options: ListQueuesOptions,
): Promise<QueueSummary[]> {
  const filter = { p: project, live: true, ...(options.marker === undefined ? {} : { n: { $gt: options.marker } }) };
  const filtered = options.name !== undefined || options.metadataFilter !== undefined;
  // Filters may drop queues, so read ahead in bigger batches; without filters, read exactly a page.
  const cursor = queues
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
}
