// The documents the MongoDB driver stores (queues, messages, claims) and how they read back as domain records.

import type { ClaimRecord, JsonValue, QueueMetadata, QueueScope, StoredMessage } from '../../core/types';

/** A queue, or the tombstone of a deleted one (live false) that keeps its marker counter. */
export interface QueueDoc {
  /** queueKey(project, name). */
  _id: string;
  p: string;
  n: string;
  /** The last marker handed out; bumped atomically with $inc, never reset. */
  c: number;
  /** Whether the queue exists (false: a tombstone left by deleteQueue). */
  live: boolean;
  /** Metadata as JSON text; absent means {} (a queue created by a post, or revived from a tombstone). */
  m?: string;
  /**
   * Set (before the first subscription document is written, and never unset) once the queue has had a
   * subscription: a post looks subscriptions up only then, so posts to queues that never had one stay two round trips.
   */
  sb?: true;
}

/** One message of one queue. */
export interface MessageDoc {
  /** The message id (a UUID, unique across queues so a dead-letter move keeps it). */
  _id: string;
  p: string;
  q: string;
  /** Marker: monotonic within (p, q), unique with it. */
  k: number;
  /** TTL in seconds (raised when a claim outlives it). */
  t: number;
  /** Stored at (epoch ms, the driver's clock). */
  s: number;
  /** Expires at (epoch ms, the driver's clock): every read filters on e > now. */
  e: number;
  /** Visible at (epoch ms): delayed until then. */
  v: number;
  /** Body as JSON text. */
  b: string;
  /** Producer's Client-ID. */
  pr: string;
  /** Claim id holding it, or null; a claim whose ce has passed holds nothing. */
  c: string | null;
  /** When the holding claim expires (epoch ms), 0 when free. */
  ce: number;
  /** How many times it has been claimed. */
  n: number;
  /** Removal date for the TTL index (real time; see ttlDate). */
  x: Date;
}

/** One claim; its messages are those whose c is its id. */
export interface ClaimDoc {
  _id: string;
  p: string;
  q: string;
  /** TTL and grace in seconds, as last set. */
  t: number;
  g: number;
  /** Created or last renewed (epoch ms). */
  u: number;
  /** Expires (epoch ms). */
  e: number;
  /** Removal date for the TTL index. */
  x: Date;
}

/** The _id of a queue document: unambiguous for any project id and queue name. */
export function queueKey(scope: QueueScope): string {
  return JSON.stringify([scope.project, scope.queue]);
}

/** Queue metadata from its document. */
export function toMetadata(doc: Pick<QueueDoc, 'm'>): QueueMetadata {
  return doc.m === undefined ? {} : (JSON.parse(doc.m) as QueueMetadata);
}

/**
 * The date the TTL index removes a document at: `expires` on the driver's clock, moved onto the real clock.
 * With the system clock the two agree; with a controllable test clock a document is removed once its remaining
 * lifetime has passed in real time, so a test that moves its clock forward never sees the TTL monitor race it.
 */
export function ttlDate(expires: number, now: number): Date {
  return new Date(Date.now() + Math.max(0, expires - now));
}

/** A message document as the interface returns it; an expired claim reads as none. */
export function toMessage(doc: MessageDoc, now: number): StoredMessage {
  const claimed = doc.c !== null && doc.ce > now;
  return {
    id: doc._id,
    marker: doc.k,
    ttl: doc.t,
    created: doc.s,
    expires: doc.e,
    visibleAt: doc.v,
    body: JSON.parse(doc.b) as JsonValue,
    clientId: doc.pr,
    claimId: claimed ? doc.c : null,
    claimExpires: claimed ? doc.ce : 0,
    claimCount: doc.n,
  };
}

/** A claim document and its messages as the interface returns them. */
export function toClaim(doc: ClaimDoc, messages: MessageDoc[], now: number): ClaimRecord {
  return {
    id: doc._id,
    ttl: doc.t,
    grace: doc.g,
    updated: doc.u,
    expires: doc.e,
    messages: messages.map((m) => toMessage(m, now)),
  };
}
