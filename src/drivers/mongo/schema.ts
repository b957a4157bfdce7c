// The collections of a MongoDB pool and their indexes, created at start (createIndexes is idempotent).

import type { Collection, Db, IndexDescription } from 'mongodb';
import type { ClaimDoc, MessageDoc, QueueDoc } from './records';

/** The three collections of one pool's database. */
export interface MongoCollections {
  queues: Collection<QueueDoc>;
  messages: Collection<MessageDoc>;
  claims: Collection<ClaimDoc>;
}

/** Collection names (one database per pool, named by the URI). */
export const COLLECTION_NAMES = { queues: 'queues', messages: 'messages', claims: 'claims' } as const;

/** The collections of `db`. */
export function collectionsOf(db: Db): MongoCollections {
  return {
    queues: db.collection<QueueDoc>(COLLECTION_NAMES.queues),
    messages: db.collection<MessageDoc>(COLLECTION_NAMES.messages),
    claims: db.collection<ClaimDoc>(COLLECTION_NAMES.claims),
  };
}

/** Index names the queries hint or tests look for. */
export const INDEX = {
  /** Unique (p, q, k): listing order, and no marker is ever stored twice in a queue. */
  scopeMarker: 'scope_marker',
  /** (p, q, c, k): the claim candidate scan (c: null, in marker order) and a claim's messages (c: id). */
  claimMarker: 'scope_claim_marker',
  /** (p, q, ce) over claimed messages only: finding claims that have ended, without reading live ones. */
  claimEnds: 'scope_claim_ends',
  /** TTL on x: the eventual removal of expired messages or claims. */
  ttl: 'ttl',
  /** (p, live, n): a project's queues by name. */
  projectName: 'project_name',
  /** (p, q) of claims: purge and queue deletion. */
  claimScope: 'scope',
} as const;

const MESSAGE_INDEXES: IndexDescription[] = [
  { key: { p: 1, q: 1, k: 1 }, name: INDEX.scopeMarker, unique: true },
  { key: { p: 1, q: 1, c: 1, k: 1 }, name: INDEX.claimMarker },
  { key: { p: 1, q: 1, ce: 1 }, name: INDEX.claimEnds, partialFilterExpression: { ce: { $gt: 0 } } },
  { key: { x: 1 }, name: INDEX.ttl, expireAfterSeconds: 0 },
];

const CLAIM_INDEXES: IndexDescription[] = [
  { key: { p: 1, q: 1 }, name: INDEX.claimScope },
  { key: { x: 1 }, name: INDEX.ttl, expireAfterSeconds: 0 },
];

const QUEUE_INDEXES: IndexDescription[] = [{ key: { p: 1, live: 1, n: 1 }, name: INDEX.projectName }];

/** Creates every index (a no-op for those that exist with the same definition). */
export async function ensureIndexes(collections: MongoCollections): Promise<void> {
  await collections.messages.createIndexes(MESSAGE_INDEXES);
  await collections.claims.createIndexes(CLAIM_INDEXES);
  await collections.queues.createIndexes(QUEUE_INDEXES);
}
