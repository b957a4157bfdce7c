// The documents of the MongoDB outbox (subscriptions, deliveries, failed deliveries) and how they read back.

import { ObjectId } from 'mongodb';
import type { FailedDelivery, JsonObject, PendingDelivery, QueueScope, SubscriptionRecord } from '../../core/types';

/** One subscription of one queue; (p, q, u) is unique, so a queue has one document per subscriber. */
export interface SubscriptionDoc {
  /** The subscription id (a UUID). */
  _id: string;
  p: string;
  q: string;
  /** Subscriber URI. */
  u: string;
  /** TTL in seconds, as last set. */
  t: number;
  /** Created at (epoch ms, the driver's clock). */
  c: number;
  /** Expires at (epoch ms): every read filters on e > now; an expired one is never changed again, only removed. */
  e: number;
  /** Options as JSON text. */
  o: string;
  /** Confirmed: only confirmed subscriptions get notifications. */
  f: boolean;
  /** How many of its deliveries have failed: the sequence that orders (and caps) its failed list. */
  fs?: number;
}

/** One pending delivery (the outbox), or one that failed for good (then in failed_deliveries, with F and n). */
export interface DeliveryDoc {
  /** An ObjectId's hex text: within one process ids sort in recording order, the tie-break of equal due times. */
  _id: string;
  p: string;
  q: string;
  /** Subscription id. */
  s: string;
  /** Subscriber URI, as it was when recorded. */
  u: string;
  /** The subscription's options as JSON text, as they were when recorded. */
  o: string;
  k: PendingDelivery['kind'];
  /** Payload as JSON text (the message body reaches the subscriber exactly as posted). */
  y: string;
  /** Failed attempts so far. */
  a: number;
  /** Recorded at (epoch ms). */
  c: number;
  /** Due at (epoch ms): a take leases it by moving this forward; PARKED_DUE while its post is in flight. */
  d: number;
  /** The id of the message it notifies of (notifications only): how the sweep settles a post that stalled. */
  m?: string;
  /** Lease token of the take that last leased it (read back by the taker). */
  l?: string;
  /** Last error. */
  r?: string;
  /** Detached by a deletion of its queue: still made, and a purge of the queue's name leaves it. */
  dq?: true;
}

/** A delivery that exhausted its retries: the delivery's fields, when it failed and its place in the list. */
export interface FailedDeliveryDoc extends Omit<DeliveryDoc, 'l'> {
  /** Failed at (epoch ms). */
  F: number;
  /** The subscription's failure sequence number (newest is highest). */
  n: number;
}

/**
 * The due time of a delivery whose post has not finished yet (standalone servers only, see fan-out.ts): later
 * than any real time, so no take sees it until the post (or the sweep) makes it due.
 */
export const PARKED_DUE = 8.64e15;

/** A new delivery id. */
export function newDeliveryId(): string {
  return new ObjectId().toHexString();
}

/** A subscription document as the interface returns it. */
export function toSubscription(doc: SubscriptionDoc): SubscriptionRecord {
  return {
    id: doc._id,
    subscriber: doc.u,
    ttl: doc.t,
    created: doc.c,
    expires: doc.e,
    options: JSON.parse(doc.o) as JsonObject,
    confirmed: doc.f,
  };
}

/** A delivery document as the interface returns it. */
export function toDelivery(doc: Omit<DeliveryDoc, 'l'>): PendingDelivery {
  const delivery: PendingDelivery = {
    id: doc._id,
    scope: { project: doc.p, queue: doc.q },
    subscriptionId: doc.s,
    subscriber: doc.u,
    options: JSON.parse(doc.o) as JsonObject,
    kind: doc.k,
    payload: JSON.parse(doc.y) as JsonObject,
    attempts: doc.a,
    created: doc.c,
    dueAt: doc.d,
  };
  if (doc.r !== undefined) delivery.lastError = doc.r;
  return delivery;
}

/** A failed delivery document as the interface returns it. */
export function toFailedDelivery(doc: FailedDeliveryDoc): FailedDelivery {
  return { ...toDelivery(doc), failedAt: doc.F };
}

/**
 * The notification document of one message as JSON text, spliced from the body's own stored JSON: the same text
 * as JSON.stringify(notificationPayload(queue, m)), without serialising the body a second time.
 */
export function notificationJson(queue: string, bodyJson: string, ttl: number): string {
  return `{"body":${bodyJson},"ttl":${ttl},"queue_name":${JSON.stringify(queue)},"Message_Type":"Notification"}`;
}

/** A new delivery document, due `due`. */
export function deliveryDoc(
  scope: QueueScope,
  delivery: Pick<DeliveryDoc, 's' | 'u' | 'o' | 'k' | 'y' | 'm'>,
  now: number,
  due: number,
): DeliveryDoc {
  const doc: DeliveryDoc = {
    _id: newDeliveryId(),
    p: scope.project,
    q: scope.queue,
    ...delivery,
    a: 0,
    c: now,
    d: due,
  };
  if (doc.m === undefined) delete doc.m;
  return doc;
}
