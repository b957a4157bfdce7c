// Zaqar's websocket reply envelope: {"request": {...}, "body": ..., "headers": {"status": N}}, and its error bodies.

import type { QgateError } from '../../core/errors';

/** The request as a reply echoes it (Zaqar's Request.get_request). */
export interface RequestEcho {
  action: unknown;
  body: unknown;
  headers: unknown;
  api: 'v2';
}

/** One reply frame. */
export interface ZaqarReply {
  request: RequestEcho;
  body: unknown;
  headers: { status: number };
}

/** Zaqar's error body: `error` is what zaqarclient shows; `exception` the detail; `title` as over HTTP. */
export interface ErrorBody {
  error: string;
  exception?: string;
  title?: string;
}

/**
 * The echo of a request payload, as Zaqar builds it: a missing action is null, a missing body {},
 * missing (or empty) headers {}. Without a payload (an undecodable frame) every field is empty.
 */
export function requestEcho(payload?: Record<string, unknown>): RequestEcho {
  if (!payload) return { action: null, body: {}, headers: {}, api: 'v2' };
  const headers = Object.hasOwn(payload, 'headers') ? payload.headers : undefined;
  return {
    action: Object.hasOwn(payload, 'action') ? payload.action : null,
    body: Object.hasOwn(payload, 'body') ? payload.body : {},
    headers: isEmpty(headers) ? {} : headers,
    api: 'v2',
  };
}

/** A reply with a status and a body. */
export function reply(request: RequestEcho, status: number, body: unknown): ZaqarReply {
  return { request, body: body === undefined ? null : body, headers: { status } };
}

/** A protocol-level error reply: `{"error": …}` as Zaqar's handler sends for undecodable or invalid requests. */
export function protocolError(request: RequestEcho, status: number, error: string, detail?: string): ZaqarReply {
  const body: ErrorBody = detail === undefined ? { error } : { error, exception: detail };
  return reply(request, status, body);
}

/** An operation's typed error as a reply, with the status the HTTP API uses for it. */
export function errorReply(request: RequestEcho, err: QgateError): ZaqarReply {
  const body: ErrorBody = { error: err.description, exception: err.description, title: err.title };
  return reply(request, err.status, body);
}

/** The reply to an error nobody expected; the details go to the log under the request id. */
export function internalErrorReply(request: RequestEcho, requestId: string): ZaqarReply {
  const description = `The request failed unexpectedly; it has been logged under request id ${requestId}.`;
  return reply(request, 500, { error: 'Unexpected error.', exception: description, title: 'Internal server error' });
}

/** Python's falsiness, which Zaqar's `headers or {}` relies on. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}
