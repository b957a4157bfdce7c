// Input validation against the configured limits, raising BadRequest with Zaqar's wording.

import { BadRequest, BadRequestBody } from './errors';
import { DEFAULT_MESSAGES_PER_CLAIM, DEFAULT_MESSAGES_PER_PAGE, DEFAULT_QUEUES_PER_PAGE, type Limits } from './limits';
import type { ClaimOptions, JsonObject, JsonValue, NewMessage, QueueMetadata } from './types';

const QUEUE_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const PROJECT_ID_MAX_LENGTH = 256;
const UUID_HEX = /^[0-9a-f]{32}$/i;
const PURGEABLE = ['messages', 'subscriptions'];
const BACKOFF_FUNCTIONS = ['linear', 'arithmetic', 'exponential', 'geometric'];
/** Zaqar's retry-policy constants (common/consts.py). */
const MINIMUM_DELAY = 10;
const MAXIMUM_DELAY = 3600;
const LINEAR_INTERVAL = 5;

/** Whether a JSON value is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value is a whole number. */
function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** The project id from X-Project-ID: required, non-empty, at most 256 characters. */
export function validateProjectId(value: string | undefined): string {
  if (value === undefined) throw new BadRequest('The header X-PROJECT-ID was missing', 'Project-Id Missing');
  if (value === '') {
    throw new BadRequest(
      'X-PROJECT-ID cannot be an empty string. Specify the right header X-PROJECT-ID and retry.',
      'Empty project header not allowed',
    );
  }
  if (value.length > PROJECT_ID_MAX_LENGTH) {
    throw new BadRequest(`Project ids may not be more than ${PROJECT_ID_MAX_LENGTH} characters long.`);
  }
  return value;
}

/** The Client-ID header: a UUID (strict) or a string of bounded length (off). */
export function validateClientId(value: string | undefined, limits: Limits): string {
  if (value === undefined || value === '') {
    throw new BadRequest('The Client-ID header is required.', 'Missing header value');
  }
  if (limits.clientIdUuidSafe === 'strict') {
    // Python's uuid.UUID accepts braces, a urn:uuid: prefix and any hyphens around 32 hex digits.
    const hex = value
      .replace(/^urn:/i, '')
      .replace(/^uuid:/i, '')
      .replace(/^\{|\}$/g, '')
      .replace(/-/g, '');
    if (!UUID_HEX.test(hex)) throw new BadRequest('Malformed hexadecimal UUID.', 'Wrong UUID value');
  } else if (value.length < limits.minClientIdLength || value.length > limits.maxClientIdLength) {
    throw new BadRequest(
      `Length of client id must be at least ${limits.minClientIdLength} and no greater than ${limits.maxClientIdLength}.`,
    );
  }
  return value;
}

/** A queue name: 1 to 64 of ASCII letters, digits, underscore, period and dash. */
export function validateQueueName(name: string): string {
  if (!QUEUE_NAME.test(name)) {
    throw new BadRequest(
      'The format of the submitted queue name or project id is not valid: queue names are 1 to 64 ASCII ' +
        'letters, digits, underscores, periods and dashes.',
      'Invalid queue identification',
    );
  }
  return name;
}

/** A page size within [1, max], or the default. */
function pageLimit(limit: number | undefined, max: number, def: number, what: string): number {
  if (limit === undefined) return Math.min(def, max);
  if (!(limit > 0 && limit <= max))
    throw new BadRequest(`${what} must be at least 1 and may not be greater than ${max}.`);
  return limit;
}

/** Limit of a queue listing. */
export function validateQueueListLimit(limit: number | undefined, limits: Limits): number {
  return pageLimit(limit, limits.maxQueuesPerPage, DEFAULT_QUEUES_PER_PAGE, 'Limit');
}

/** Limit of a message listing. */
export function validateMessageListLimit(limit: number | undefined, limits: Limits): number {
  return pageLimit(limit, limits.maxMessagesPerPage, DEFAULT_MESSAGES_PER_PAGE, 'Limit');
}

/** Ids of a get-by-ids: 1 to max_messages_per_page. */
export function validateMessageIds(ids: string[], limits: Limits): string[] {
  const clean = ids.filter((id) => id !== '');
  if (clean.length === 0 || clean.length > limits.maxMessagesPerPage) {
    throw new BadRequest(
      `ids parameter should have at least 1 and not greater than ${limits.maxMessagesPerPage} values.`,
    );
  }
  return clean;
}

/** Parameters of a bulk delete: exactly one of ids and pop. */
export function validateMessageDeletion(
  ids: string[] | undefined,
  pop: number | undefined,
  limits: Limits,
): { ids: string[] } | { pop: number } {
  if (pop !== undefined && ids !== undefined) {
    throw new BadRequest('pop and id params cannot be present together in the delete request.');
  }
  if (pop === undefined && ids === undefined) {
    throw new BadRequest(
      'The request should have either "ids" or "pop" parameter in the request, to be able to delete.',
    );
  }
  if (pop !== undefined) {
    if (!(pop > 0 && pop <= limits.maxMessagesPerClaimOrPop)) {
      throw new BadRequest(
        `Pop value must be at least 1 and may not be greater than ${limits.maxMessagesPerClaimOrPop}.`,
      );
    }
    return { pop };
  }
  return { ids: validateMessageIds(ids as string[], limits) };
}

/** A listing marker: the decimal position of the last message seen. */
export function validateMessageMarker(marker: string | undefined): number | undefined {
  if (marker === undefined || marker === '') return undefined;
  if (!/^\d{1,15}$/.test(marker)) throw new BadRequest(`Invalid marker: ${marker.slice(0, 64)}`);
  return Number(marker);
}

/** Reads a typed field of a JSON object, with a default when missing (Zaqar's sanitize). */
function checkedField<T>(
  doc: JsonObject,
  name: string,
  check: (v: unknown) => v is T,
  typeName: string,
  def: T | undefined,
): T {
  if (!Object.hasOwn(doc, name)) {
    if (def === undefined) throw new BadRequestBody(`Missing "${name}" field.`);
    return def;
  }
  const value = doc[name];
  if (!check(value)) throw new BadRequestBody(`The value of the "${name}" field must be a ${typeName}.`);
  return value;
}

/** Size of a request body against the post limit of the queue and of the configuration. */
export function validateMessagePostSize(bytes: number, queueMax: unknown, limits: Limits): void {
  if (isInt(queueMax) && queueMax > 0) {
    const max = Math.min(queueMax, limits.maxMessagesPostSize);
    if (bytes > max) {
      throw new BadRequest(
        `Message collection size is too large. The max size for current queue is ${max}. It is calculated by ` +
          `max size = min(max_messages_post_size_config: ${limits.maxMessagesPostSize}, ` +
          `max_messages_post_size_queue: ${queueMax}).`,
      );
    }
  }
  if (bytes > limits.maxMessagesPostSize) {
    throw new BadRequest(`Message collection size is too large. Max size ${limits.maxMessagesPostSize}`);
  }
}

/**
 * The messages of a post body `{"messages": [...]}`, with TTL and delay resolved: the message's own,
 * else the queue's `_default_message_ttl` / `_default_message_delay`, else the configured default.
 */
export function validateMessagePost(document: unknown, queueMeta: QueueMetadata, limits: Limits): NewMessage[] {
  if (!isJsonObject(document)) throw new BadRequestBody('Document type not supported.');
  if (!Object.hasOwn(document, 'messages')) throw new BadRequest('No messages were found in the request body.');
  const list = document.messages;
  if (!Array.isArray(list)) throw new BadRequestBody('Document type not supported.');
  if (list.length === 0) throw new BadRequest('No messages to enqueu.');
  const queueTtl = queueMeta._default_message_ttl;
  const queueDelay = queueMeta._default_message_delay;
  const defTtl = isInt(queueTtl) && queueTtl > 0 ? queueTtl : limits.defaultMessageTtl;
  const defDelay = isInt(queueDelay) && queueDelay > 0 ? queueDelay : limits.defaultMessageDelay;
  const out: NewMessage[] = [];
  for (const raw of list) {
    if (!isJsonObject(raw)) throw new BadRequestBody('Document type not supported.');
    const ttl = checkedField(raw, 'ttl', isInt, 'int', defTtl);
    const body = checkedField(raw, 'body', (v): v is JsonValue => v !== undefined, '*', undefined);
    const delay = checkedField(raw, 'delay', isInt, 'int', defDelay);
    if (!(ttl >= limits.minMessageTtl && ttl <= limits.maxMessageTtl)) {
      throw new BadRequest(
        `The TTL for a message may not exceed ${limits.maxMessageTtl} seconds, and must be at least ` +
          `${limits.minMessageTtl} seconds long.`,
      );
    }
    if (!(delay >= 0 && delay <= limits.maxMessageDelay)) {
      throw new BadRequest(
        `The Delay TTL for a message may not exceed ${limits.maxMessageDelay} seconds,and must be at least 0 seconds long.`,
      );
    }
    out.push({ ttl, delay, body });
  }
  return out;
}

/** A claim's TTL and grace from a create or update body (missing fields take the defaults). */
export function validateClaimBody(document: unknown, limits: Limits): { ttl: number; grace: number } {
  const doc = document === undefined ? {} : document;
  if (!isJsonObject(doc)) throw new BadRequestBody('Document type not supported.');
  const ttl = checkedField(doc, 'ttl', isInt, 'int', limits.defaultClaimTtl);
  const grace = checkedField(doc, 'grace', isInt, 'int', limits.defaultClaimGrace);
  if (!(ttl >= limits.minClaimTtl && ttl <= limits.maxClaimTtl)) {
    throw new BadRequest(
      `The TTL for a claim may not exceed ${limits.maxClaimTtl} seconds, and must be at least ` +
        `${limits.minClaimTtl} seconds long.`,
    );
  }
  if (!(grace >= limits.minClaimGrace && grace <= limits.maxClaimGrace)) {
    throw new BadRequest(
      `The grace for a claim may not exceed ${limits.maxClaimGrace} seconds, and must be at least ` +
        `${limits.minClaimGrace} seconds long.`,
    );
  }
  return { ttl, grace };
}

/** A claim create: body plus the limit query parameter. */
export function validateClaimCreation(document: unknown, limit: number | undefined, limits: Limits): ClaimOptions {
  const { ttl, grace } = validateClaimBody(document, limits);
  const max = limits.maxMessagesPerClaimOrPop;
  if (limit !== undefined && !(limit > 0 && limit <= max)) {
    throw new BadRequest(`Limit must be at least 1 and may not be greater than ${max}.`);
  }
  return { ttl, grace, limit: limit ?? Math.min(DEFAULT_MESSAGES_PER_CLAIM, max) };
}

/** The reserved (`_`-prefixed) attributes of queue metadata. */
export function validateQueueMetadata(metadata: QueueMetadata, limits: Limits): void {
  const intOrNull = (key: string): number | undefined => {
    const v = metadata[key];
    if (v === undefined || v === null) return undefined;
    if (!isInt(v)) throw new BadRequest(`${key} must be integer.`);
    return v;
  };
  const ttl = intOrNull('_default_message_ttl');
  if (ttl !== undefined && !(ttl >= limits.minMessageTtl && ttl <= limits.maxMessageTtl)) {
    throw new BadRequest(
      `_default_message_ttl can not exceed ${limits.maxMessageTtl} seconds, and must be at least ` +
        `${limits.minMessageTtl} seconds long.`,
    );
  }
  const postSize = intOrNull('_max_messages_post_size');
  if (postSize !== undefined && !(postSize > 0 && postSize <= limits.maxMessagesPostSize)) {
    throw new BadRequest(
      `_max_messages_post_size can not exceed ${limits.maxMessagesPostSize},  and must be at least greater than 0.`,
    );
  }
  const claimCount = intOrNull('_max_claim_count');
  if (claimCount !== undefined && claimCount < 1) throw new BadRequest('_max_claim_count must be at least 1.');
  const dlqTtl = intOrNull('_dead_letter_queue_messages_ttl');
  if (dlqTtl !== undefined && !(dlqTtl >= limits.minMessageTtl && dlqTtl <= limits.maxMessageTtl)) {
    throw new BadRequest(
      `The TTL for a message may not exceed ${limits.maxMessageTtl} seconds, and must be at least ` +
        `${limits.minMessageTtl} seconds long.`,
    );
  }
  const dlq = metadata._dead_letter_queue;
  if (dlq !== undefined && dlq !== null) {
    if (typeof dlq !== 'string' || !QUEUE_NAME.test(dlq)) {
      throw new BadRequest('_dead_letter_queue must be a valid queue name.');
    }
  }
  const delay = intOrNull('_default_message_delay');
  if (delay !== undefined && !(delay >= 0 && delay <= limits.maxMessageDelay)) {
    throw new BadRequest(
      `The TTL can not exceed ${limits.maxMessageDelay} seconds, and must be at least 0 seconds long.`,
    );
  }
  const flavor = metadata._flavor;
  if (flavor !== undefined && flavor !== null && typeof flavor !== 'string') {
    throw new BadRequest('_flavor must be a string.');
  }
  validateRetryPolicy(metadata._retry_policy);
}

/** A `_retry_policy` object, as Zaqar checks it. */
export function validateRetryPolicy(policy: JsonValue | undefined): void {
  if (policy === undefined || policy === null) return;
  if (!isJsonObject(policy)) throw new BadRequest('retry_policy must be a dict.');
  for (const key of ['retries_with_no_delay', 'minimum_delay_retries', 'minimum_delay', 'maximum_delay']) {
    const v = policy[key];
    if (v !== undefined && v !== null && !isInt(v)) throw new BadRequest(`Retry policy: ${key} must be a integer.`);
  }
  const maxRetries = policy.maximum_delay_retries;
  if (maxRetries !== undefined && maxRetries !== null && !isInt(maxRetries)) {
    throw new BadRequest('Retry policy: maximum_delay_retries must be a integer.');
  }
  const fn = policy.retry_backoff_function;
  if (fn !== undefined && fn !== null) {
    if (typeof fn !== 'string') throw new BadRequest('retry_backoff_function must be a string.');
    if (!BACKOFF_FUNCTIONS.includes(fn)) throw new BadRequest('invalid retry_backoff_function.');
  }
  const ignore = policy.ignore_subscription_override;
  if (ignore !== undefined && ignore !== null && typeof ignore !== 'boolean') {
    throw new BadRequest('ignore_subscription_override must be a boolean.');
  }
  const min = isInt(policy.minimum_delay) ? policy.minimum_delay : MINIMUM_DELAY;
  const max = isInt(policy.maximum_delay) ? policy.maximum_delay : MAXIMUM_DELAY;
  if (max < min) throw new BadRequest('minimum_delay must less than maximum_delay.');
  if (max - min < 2 * LINEAR_INTERVAL) throw new BadRequest('invalid minimum_delay and maximum_delay.');
}

/** A purge body: `{"resource_types": [...]}` naming messages and/or subscriptions. */
export function validatePurge(document: unknown): string[] {
  if (document === undefined) return [...PURGEABLE];
  if (!isJsonObject(document)) throw new BadRequestBody('Document type not supported.');
  if (!Object.hasOwn(document, 'resource_types')) throw new BadRequest('Post body must contain key "resource_types".');
  const types = document.resource_types;
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string' && PURGEABLE.includes(t))) {
    throw new BadRequest(`Resource types must be a sub set of {'messages', 'subscriptions'}.`);
  }
  return types as string[];
}

const SHARE_KEYS = ['methods', 'expires', 'paths'];
const SHARE_PATHS = ['messages', 'subscriptions', 'claims'];

/** A share body: optional `paths` (of messages, subscriptions, claims), `methods` and `expires`. */
export function validateShare(document: unknown): { paths?: string[]; methods?: string[]; expires?: string } {
  const doc = document === undefined ? {} : document;
  if (!isJsonObject(doc)) throw new BadRequestBody('Document type not supported.');
  const unknown = Object.keys(doc).filter((k) => !SHARE_KEYS.includes(k));
  if (unknown.length > 0) throw new BadRequest(`Unknown keys: {${unknown.map((k) => `'${k}'`).join(', ')}}`);
  const list = (key: string): string[] | undefined => {
    const v = doc[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw new BadRequest(`\`${key}\` should be a list`);
    return v as string[];
  };
  const paths = list('paths');
  const bad = (paths ?? []).filter((p) => !SHARE_PATHS.includes(p));
  if (bad.length > 0) throw new BadRequest(`Invalid paths: {${bad.map((p) => `'${p}'`).join(', ')}}`);
  const expires = doc.expires;
  if (expires !== undefined && typeof expires !== 'string') {
    throw new BadRequest('`expires` should be date format, for example 2016-01-01T00:00:00');
  }
  return { paths: paths && paths.length > 0 ? paths : undefined, methods: list('methods'), expires };
}
