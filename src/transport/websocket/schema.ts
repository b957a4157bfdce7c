// Checks a request against Zaqar's request schema for its action (zaqar/api/v1*/request.py), before any operation runs.

import { isJsonObject } from '../../core/validation';
import type { FieldType, WebsocketAction } from './actions/types';

/** Headers Zaqar's schema types as strings when present. */
const STRING_HEADERS = ['User-Agent', 'Date', 'Accept', 'Client-ID', 'X-Project-ID', 'X-Auth-Token'];

const TYPE_NAMES: Record<FieldType, string> = {
  string: 'a string',
  integer: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  strings: 'an array of strings',
  object: 'an object',
};

/**
 * Why a request does not fit its action's schema, or undefined when it does. Presence of the
 * Client-ID and X-Project-ID headers is left to the core validators, so that their messages and
 * rules are the HTTP API's.
 */
export function schemaViolation(payload: Record<string, unknown>, action: WebsocketAction): string | undefined {
  if (!Object.hasOwn(payload, 'headers')) return 'The request has no "headers" object.';
  const headers = payload.headers;
  if (!isJsonObject(headers)) return '"headers" must be an object.';
  for (const name of STRING_HEADERS) {
    if (Object.hasOwn(headers, name) && typeof headers[name] !== 'string')
      return `The ${name} header must be a string.`;
  }
  if (!Object.hasOwn(payload, 'body')) return action.bodyRequired ? 'The request has no "body" object.' : undefined;
  const body = payload.body;
  if (!isJsonObject(body)) return '"body" must be an object.';
  for (const name of action.required) {
    if (!Object.hasOwn(body, name)) return `The body has no "${name}" field.`;
  }
  for (const [name, type] of Object.entries(action.fields)) {
    if (Object.hasOwn(body, name) && !hasType(body[name], type)) {
      return `The "${name}" field must be ${TYPE_NAMES[type]}.`;
    }
  }
  return undefined;
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object':
      return isJsonObject(value);
  }
}
