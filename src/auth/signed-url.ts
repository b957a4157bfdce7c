// Pre-signed URLs: HMAC-SHA256 signatures over paths, methods, project and expiry, as Zaqar computes them.
//
// The signed text is `paths\nmethods\nproject\nexpires` with a literal backslash-n between the fields
// (Zaqar builds it from a raw Python string), paths and methods sorted and comma-joined, and expires
// formatted YYYY-MM-DDTHH:MM:SS in UTC. Verification recomputes it and compares in constant time.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequest, Forbidden } from '../core/errors';
import { validateProjectId } from '../core/validation';
import type { AuthRequest, Identity } from './identity';

/** A signature and what it covers, as POST .../share returns it. */
export interface SignedUrl {
  paths: string[];
  methods: string[];
  project: string;
  expires: string;
  signature: string;
}

const SEPARATOR = '\\n';
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

/** Parses an expiry as Zaqar accepts it: an ISO-8601 date-time (naive means UTC), never a bare number. */
export function parseExpires(value: string): Date {
  if (/^\s*-?\d+\s*$/.test(value)) {
    throw new BadRequest(
      `\`expires\` should be date format, for example 2016-01-01T00:00:00, not integer value: ${value.trim()}`,
    );
  }
  const naive = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
  const date = new Date(naive ? `${value}Z` : value);
  if (Number.isNaN(date.getTime())) throw new BadRequest(`Invalid \`expires\` date: ${value.slice(0, 64)}`);
  return date;
}

/** YYYY-MM-DDTHH:MM:SS in UTC. */
function formatExpires(date: Date): string {
  return date.toISOString().slice(0, 19);
}

function hmac(key: string, paths: string[], methods: string[], project: string, expires: string): string {
  const body = [paths.join(','), methods.join(','), project, expires].join(SEPARATOR);
  return createHmac('sha256', key).update(body, 'utf8').digest('hex');
}

/** Signs paths and methods for a project until `expires` (default: a day from now). */
export function createSignedUrl(
  key: string,
  options: { paths: string[]; methods?: string[]; project: string; expires?: string; now: number },
): SignedUrl {
  const methods = [...(options.methods ?? ['GET'])].sort();
  const paths = [...options.paths].sort();
  for (const m of methods) {
    if (!METHODS.includes(m)) throw new BadRequest(`Invalid method: ${String(m).slice(0, 16)}`);
  }
  const expiresAt = options.expires === undefined ? new Date(options.now + 86_400_000) : parseExpires(options.expires);
  if (expiresAt.getTime() <= options.now) throw new BadRequest('`expires` is lower than the current time');
  const expires = formatExpires(expiresAt);
  return {
    paths,
    methods,
    project: options.project,
    expires,
    signature: hmac(key, paths, methods, options.project, expires),
  };
}

/** Whether a request path is one of the signed paths or below one. */
function pathAllowed(path: string, paths: string[]): boolean {
  return paths.some((p) => p !== '' && (path === p || path.startsWith(`${p}/`)));
}

/**
 * The identity a pre-signed request carries. Any URL-Signature header — empty included — means the
 * request stands or falls by its signature: a bad, expired or tampered one is 403, never a fall-through
 * to another strategy (Zaqar 15.0.0 let an empty one through).
 */
export function verifySignedRequest(key: string, request: AuthRequest, now: number): Identity {
  const deny = (why: string) => new Forbidden(`Pre-signed URL refused: ${why}.`);
  if (!key) throw deny('this gateway has no signed_url.secret_key');
  const signature = request.header('URL-Signature') ?? '';
  const expires = request.header('URL-Expires') ?? '';
  const methods = (request.header('URL-Methods') ?? '').split(',').filter(Boolean);
  const paths = (request.header('URL-Paths') ?? '').split(',').filter(Boolean);
  if (!/^[0-9a-f]{64}$/.test(signature)) throw deny('the signature is missing or malformed');
  const projectId = validateProjectId(request.header('X-Project-ID'));
  if (methods.length === 0 || paths.length === 0 || !expires)
    throw deny('URL-Methods, URL-Paths and URL-Expires are required');
  let expiresAt: Date;
  try {
    expiresAt = parseExpires(expires);
  } catch {
    throw deny('URL-Expires is not a date');
  }
  const expected = hmac(key, [...paths].sort(), [...methods].sort(), projectId, formatExpires(expiresAt));
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'))) {
    throw deny('the signature does not match');
  }
  if (expiresAt.getTime() <= now) throw deny('it has expired');
  if (!methods.includes(request.method)) throw deny(`${request.method} is not a signed method`);
  if (!pathAllowed(request.path, paths)) throw deny('this path is not signed');
  return { projectId, roles: [], via: 'signed-url', signed: { methods, paths } };
}
