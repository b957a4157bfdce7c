// Validation of subscription bodies as Zaqar checks them: subscriber type, TTL, options, retry policy.

import { BadRequest, BadRequestBody } from './errors';
import type { JsonObject } from './types';
import { isJsonObject, validateRetryPolicy } from './validation';

/** Zaqar's shortest subscription TTL, in seconds. */
export const MIN_SUBSCRIPTION_TTL = 60;
/** Longest TTL accepted (about 100 years): Zaqar refuses what overflows a date. */
const MAX_SUBSCRIPTION_TTL = 100 * 365 * 86400;

/** The fields a subscription body may set, checked. */
export interface SubscriptionDocument {
  subscriber?: string;
  ttl?: number;
  options?: JsonObject;
}

/** Checks a POST (subscriber required) or PATCH body against the accepted subscriber schemes. */
export function validateSubscription(
  document: unknown,
  mode: 'create' | 'patch' | 'patch-or-empty',
  subscriberTypes: string[],
): SubscriptionDocument {
  if (mode === 'patch-or-empty' && isJsonObject(document) && Object.keys(document).length === 0) return {};
  if (document === undefined || (isJsonObject(document) && Object.keys(document).length === 0)) {
    if (mode === 'create') throw new BadRequest('Missing parameter subscriber in body.');
    throw new BadRequest('No subscription to create.');
  }
  if (!isJsonObject(document)) throw new BadRequestBody('Subscriptions must be a dict.');
  if (mode === 'create' && !Object.hasOwn(document, 'subscriber')) {
    throw new BadRequest('Missing parameter subscriber in body.');
  }
  const out: SubscriptionDocument = {};
  if (Object.hasOwn(document, 'subscriber')) {
    const subscriber = document.subscriber;
    let scheme = '';
    if (typeof subscriber === 'string') {
      try {
        scheme = new URL(subscriber).protocol.replace(/:$/, '');
      } catch {
        scheme = '';
      }
    }
    if (typeof subscriber !== 'string' || !subscriberTypes.includes(scheme)) {
      throw new BadRequest(
        `The subscriber type of subscription must be supported in the list [${subscriberTypes
          .map((t) => `'${t}'`)
          .join(', ')}].`,
      );
    }
    out.subscriber = subscriber;
  }
  if (Object.hasOwn(document, 'options') && document.options !== null) {
    if (!isJsonObject(document.options)) throw new BadRequest('Options must be a dict.');
    validateRetryPolicy(document.options._retry_policy);
    out.options = document.options;
  }
  if (Object.hasOwn(document, 'ttl') && document.ttl !== null) {
    const ttl = document.ttl;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl)) throw new BadRequest('TTL must be an integer.');
    if (ttl < MIN_SUBSCRIPTION_TTL) {
      throw new BadRequest(`The TTL for a subscription must be at least ${MIN_SUBSCRIPTION_TTL} seconds long.`);
    }
    if (ttl > MAX_SUBSCRIPTION_TTL) {
      throw new BadRequest('The TTL seconds for a subscription plus current time must be less than 9999-12-31.');
    }
    out.ttl = ttl;
  }
  return out;
}

/** A confirm body: `{"confirmed": true|false}`. */
export function validateConfirmation(document: unknown): boolean {
  const confirmed = isJsonObject(document) ? document.confirmed : undefined;
  if (typeof confirmed !== 'boolean') throw new BadRequest("The 'confirmed' should be boolean.");
  return confirmed;
}
