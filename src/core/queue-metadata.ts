// Queue metadata rules: JSON-patch updates as Zaqar accepts them, and the reserved defaults shown on reads.

import { BadRequestBody, Conflict } from './errors';
import type { Limits } from './limits';
import { isJsonObject } from './validation';
import type { JsonValue, QueueMetadata } from './types';

const OPERATIONS = ['add', 'remove', 'replace'];

/** Reserved attributes a read shows with their effective value when the queue sets none (Zaqar's list). */
export function reservedDefaults(limits: Limits): QueueMetadata {
  return {
    _max_messages_post_size: limits.maxMessagesPostSize,
    _default_message_ttl: limits.defaultMessageTtl,
    _default_message_delay: limits.defaultMessageDelay,
    _dead_letter_queue: null,
    _dead_letter_queue_messages_ttl: null,
    _max_claim_count: null,
  };
}

/** The metadata as a read returns it: stored values, with reserved defaults filled where unset or falsy. */
export function withReservedDefaults(metadata: QueueMetadata, limits: Limits): QueueMetadata {
  const entries = new Map<string, JsonValue>(Object.entries(metadata));
  for (const [key, value] of Object.entries(reservedDefaults(limits))) {
    if (!entries.get(key)) entries.set(key, value);
  }
  return Object.fromEntries(entries);
}

/** One validated change of a queue PATCH. */
export interface MetadataChange {
  op: 'add' | 'remove' | 'replace';
  /** The metadata key the change applies to. */
  key: string;
  value?: JsonValue;
}

/** Parses a JSON-pointer the way Zaqar accepts it: /metadata/key, with ~0 and ~1 escapes. */
function decodePointer(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new BadRequestBody(`Pointer \`${pointer}\` does not start with "/".`);
  if (/\/\s*?\//.test(pointer.slice(1))) throw new BadRequestBody(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith('/')) throw new BadRequestBody(`Pointer \`${pointer}\` end with "/".`);
  if (/~[^01]/.test(pointer) || pointer.endsWith('~')) {
    throw new BadRequestBody(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  }
  return pointer
    .replace(/^\/+/, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~').trim());
}

/** Validates a PATCH body (an array of operations) into changes. */
export function parseMetadataPatch(document: unknown): MetadataChange[] {
  if (!Array.isArray(document)) throw new BadRequestBody('Request body must be a JSON array of operation objects.');
  return document.map((raw): MetadataChange => {
    if (!isJsonObject(raw)) throw new BadRequestBody('Operations must be JSON objects.');
    const op = raw.op;
    if (op === undefined) {
      throw new BadRequestBody(
        `Unable to find \`op\` in JSON Schema change. It must be one of the following: ${OPERATIONS.join(', ')}.`,
      );
    }
    if (typeof op !== 'string' || !OPERATIONS.includes(op)) {
      throw new BadRequestBody(
        `Invalid operation: \`${String(op)}\`. It must be one of the following: ${OPERATIONS.join(', ')}.`,
      );
    }
    if (!Object.hasOwn(raw, 'path')) throw new BadRequestBody("Unable to find 'path' in JSON Schema change");
    if (typeof raw.path !== 'string') throw new BadRequestBody('The path of a change must be a string.');
    const path = decodePointer(raw.path);
    if (path.length !== 2) {
      throw new BadRequestBody(`Invalid JSON pointer for this resource: '/${path.join('/')}, e.g /metadata/key'`);
    }
    if (path[0].toLowerCase() !== 'metadata') {
      throw new BadRequestBody('The root of path must be metadata, e.g /metadata/key.');
    }
    if (op === 'remove') return { op, key: path[1] };
    if (!Object.hasOwn(raw, 'value')) throw new BadRequestBody(`Operation "${op}" requires a member named "value".`);
    return { op: op as 'add' | 'replace', key: path[1], value: raw.value };
  });
}

/** Applies changes to metadata, returning new metadata; replacing or removing what is not there is a 409. */
export function applyMetadataPatch(metadata: QueueMetadata, changes: MetadataChange[], limits: Limits): QueueMetadata {
  const reserved = reservedDefaults(limits);
  const entries = new Map<string, JsonValue>(Object.entries(metadata));
  for (const change of changes) {
    if (change.op === 'add') {
      entries.set(change.key, change.value as JsonValue);
    } else if (change.op === 'replace') {
      if (!entries.has(change.key) && !Object.hasOwn(reserved, change.key)) {
        throw new Conflict(`Can't replace non-existent object ${change.key}.`);
      }
      entries.set(change.key, change.value as JsonValue);
    } else if (entries.has(change.key)) {
      entries.delete(change.key);
    } else if (!Object.hasOwn(reserved, change.key)) {
      throw new Conflict(`Can't remove non-existent object ${change.key}.`);
    }
  }
  return Object.fromEntries(entries);
}

/** Where and when a queue dead-letters messages: set only when both `_max_claim_count` and `_dead_letter_queue` are. */
export interface DeadLetterPolicy {
  /** A message already claimed this many times moves instead of being claimed again. */
  maxClaimCount: number;
  /** The dead-letter queue, in the same project and store. */
  queue: string;
  /** TTL (seconds) of a moved message; undefined keeps its own. */
  ttl?: number;
}

/** The queue's dead-letter policy, or undefined when it has none. */
export function deadLetterPolicy(metadata: QueueMetadata): DeadLetterPolicy | undefined {
  const count = metadata._max_claim_count;
  const queue = metadata._dead_letter_queue;
  if (typeof count !== 'number' || count < 1 || typeof queue !== 'string' || queue === '') return undefined;
  const ttl = metadata._dead_letter_queue_messages_ttl;
  return { maxClaimCount: count, queue, ttl: typeof ttl === 'number' && ttl > 0 ? ttl : undefined };
}
