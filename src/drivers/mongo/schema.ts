// The collections of a MongoDB pool and their indexes, created at start (createIndexes is idempotent).

import type { Collection, Db, IndexDescription } from 'mongodb';
import type { DeliveryDoc, FailedDeliveryDoc, SubscriptionDoc } from './outbox-records';
import type { ClaimDoc, MessageDoc, QueueDoc } from './records';

/** The collections of one pool's database. */
export interface MongoCollections {
  queues: Collection<QueueDoc>;
  messages: Collection<MessageDoc>;
  claims: Collection<ClaimDoc>;
  subscriptions: Collection<SubscriptionDoc>;
  deliveries: Collection<DeliveryDoc>;
  failedDeliveries: Collection<FailedDeliveryDoc>;
}

/** Collection names (one database per pool, named by the URI). */
export const COLLECTION_NAMES = {
  queues: 'queues',
  messages: 'messages',
  claims: 'claims',
  subscriptions: 'subscriptions',
  deliveries: 'deliveries',
  failedDeliveries: 'failed_deliveries',
} as const;

/** The collections of `db`. */
export function collectionsOf(db: Db): MongoCollections {
  return {
    queues: db.collection<QueueDoc>(COLLECTION_NAMES.queues),
    messages: db.collection<MessageDoc>(COLLECTION_NAMES.messages),
    claims: db.collection<ClaimDoc>(COLLECTION_NAMES.claims),
    subscriptions: db.collection<SubscriptionDoc>(COLLECTION_NAMES.subscriptions),
    deliveries: db.collection<DeliveryDoc>(COLLECTION_NAMES.deliveries),
    failedDeliveries: db.collection<FailedDeliveryDoc>(COLLECTION_NAMES.failedDeliveries),
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
  /** Unique (p, q, u) of subscriptions: one document per subscriber of a queue (an expired one is replaced). */
  subscriber: 'scope_subscriber',
  /** (p, q, _id) of subscriptions: a queue's subscriptions by id (listing, a post's look-up). */
  subscriptionId: 'scope_id',
  /** (e) of subscriptions: the sweep's expired subscriptions. */
  subscriptionEnds: 'expires',
  /** (d, _id) of deliveries: the store-wide due index takes lease from, oldest due first, then recording order. */
  due: 'due',
  /** (p, q, s) of deliveries: a subscription's pending deliveries (unsubscribing). */
  deliveryScope: 'scope_subscription',
  /** (s, n) of failed deliveries: a subscription's failed list, newest first, and its cap. */
  failedNewest: 'subscription_newest',
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

const SUBSCRIPTION_INDEXES: IndexDescription[] = [
  { key: { p: 1, q: 1, u: 1 }, name: INDEX.subscriber, unique: true },
  { key: { p: 1, q: 1, _id: 1 }, name: INDEX.subscriptionId },
  { key: { e: 1 }, name: INDEX.subscriptionEnds },
];

const DELIVERY_INDEXES: IndexDescription[] = [
  { key: { d: 1, _id: 1 }, name: INDEX.due },
  { key: { p: 1, q: 1, s: 1 }, name: INDEX.deliveryScope },
];

const FAILED_INDEXES: IndexDescription[] = [{ key: { s: 1, n: -1 }, name: INDEX.failedNewest }];

/** Creates every index (a no-op for those that exist with the same definition). */
export async function ensureIndexes(collections: MongoCollections): Promise<void> {
  await collections.messages.createIndexes(MESSAGE_INDEXES);
  await collections.claims.createIndexes(CLAIM_INDEXES);
  await collections.queues.createIndexes(QUEUE_INDEXES);
  await collections.subscriptions.createIndexes(SUBSCRIPTION_INDEXES);
  await collections.deliveries.createIndexes(DELIVERY_INDEXES);
  await collections.failedDeliveries.createIndexes(FAILED_INDEXES);
}
