// The Redis key layout: names of every key of a queue (all under one hash tag) and of the store-wide ones.
//
// A queue's keys all start with `qg:{<project>/<queue>}` (both parts percent-encoded, so a project id can hold
// no `{`, `}`, `/` or `:` of its own), so Redis Cluster puts the whole queue in one slot. The Lua scripts get
// the fixed keys below as KEYS, in this order, and derive per-message, per-claim, per-subscription and
// per-delivery keys from the same base.

import type { QueueScope } from '../../core/types';

/** Prefix of every key qgate writes. */
export const KEY_PREFIX = 'qg:';

/** Cross-slot: a sorted set (all scores 0) of `<project>/<queue>` members, by name. */
export const QUEUE_INDEX_KEY = `${KEY_PREFIX}queues`;

/**
 * Cross-slot: the store-wide due index of pending deliveries, a sorted set of `<delivery id> <queue base>`
 * members scored by when each is next due (takeDeliveries reads it across every queue).
 */
export const DELIVERY_DUE_KEY = `${KEY_PREFIX}deliveries:due`;

/** Cross-slot: the last delivery sequence number; ids start with it, so due-index ties sort oldest first. */
export const DELIVERY_SEQ_KEY = `${KEY_PREFIX}deliveries:seq`;

/** The fixed keys of one queue, in the order the scripts receive them as KEYS[1..11]. */
export interface QueueKeys {
  /** Hash: meta (JSON), seq (last marker), dead-letter fields dlb/dli/dlm/dlt. Exists iff the queue does. */
  queue: string;
  /** Sorted set: every stored message id, scored by marker. */
  messages: string;
  /** Sorted set: ids free to claim or pop (visible, not claimed), scored by marker. */
  available: string;
  /** Sorted set: ids still delayed, scored by when they become visible. */
  delayed: string;
  /** Sorted set: every stored message id, scored by when it expires. */
  expiry: string;
  /** Sorted set: ids held by a claim, scored by when that claim expires. */
  claimed: string;
  /** Sorted set: claim ids, scored by when they expire. */
  claims: string;
  /** Sorted set: every stored message id, scored by when it was created (stats: oldest and newest). */
  created: string;
  /** The queue index (not in the queue's slot). */
  index: string;
  /** The store-wide due index of deliveries (not in the queue's slot). */
  due: string;
  /** The store-wide delivery sequence (not in the queue's slot). */
  deliverySeq: string;
}

/** The index member of a queue: `<project>/<queue>`, percent-encoded parts. */
export function indexMember(scope: QueueScope): string {
  return `${encodeURIComponent(scope.project)}/${encodeURIComponent(scope.queue)}`;
}

/** The index members of one project lie in [`<project>/`, `<project>0`): '0' is the byte after '/'. */
export function projectRange(project: string): { prefix: string; end: string } {
  const encoded = encodeURIComponent(project);
  return { prefix: `${encoded}/`, end: `${encoded}0` };
}

/** The queue name of an index member of a known project. */
export function queueOfMember(member: string, prefix: string): string {
  return decodeURIComponent(member.slice(prefix.length));
}

/** The key base (`qg:{p/q}`) of an index member; every key of that queue starts with it. */
export function baseOfMember(member: string): string {
  return `${KEY_PREFIX}{${member}}`;
}

/** The key base of a queue. */
export function queueBase(scope: QueueScope): string {
  return baseOfMember(indexMember(scope));
}

/** The fixed keys of the queue whose base is given. */
export function keysOfBase(base: string): QueueKeys {
  return {
    queue: `${base}:q`,
    messages: `${base}:msgs`,
    available: `${base}:avail`,
    delayed: `${base}:delayed`,
    expiry: `${base}:exp`,
    claimed: `${base}:claimed`,
    claims: `${base}:claims`,
    created: `${base}:created`,
    index: QUEUE_INDEX_KEY,
    due: DELIVERY_DUE_KEY,
    deliverySeq: DELIVERY_SEQ_KEY,
  };
}

/** The fixed keys of a queue. */
export function queueKeys(scope: QueueScope): QueueKeys {
  return keysOfBase(queueBase(scope));
}

/** The keys as the KEYS array of a script call. */
export function keyList(keys: QueueKeys): string[] {
  const { queue, messages, available, delayed, expiry, claimed, claims, created, index, due, deliverySeq } = keys;
  return [queue, messages, available, delayed, expiry, claimed, claims, created, index, due, deliverySeq];
}
