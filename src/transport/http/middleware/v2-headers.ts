// The checks Zaqar runs before every /v2 call: media types, Client-ID, then who is calling; builds the context.

import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '../../../api/context';
import { type Authenticator, type AuthRequest, isAdminIdentity } from '../../../auth/identity';
import { verifySignedRequest } from '../../../auth/signed-url';
import { BadRequest, NotAcceptable } from '../../../core/errors';
import type { Limits } from '../../../core/limits';
import { validateClientId } from '../../../core/validation';
import type { RouteResponse } from '../routes/table';

/** Accept headers that plainly accept JSON, answered without content negotiation (the common case). */
const ACCEPTS_JSON = new Set(['application/json', '*/*', 'application/*', 'application/json, */*']);

/** Whether the request's Accept header is absent or one that plainly accepts JSON. */
export function plainlyAcceptsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return !accept || ACCEPTS_JSON.has(accept);
}

/** Options of the v2 guard. */
export interface V2GuardOptions {
  limits: Limits;
  /** The auth strategy (noauth or keystone). */
  auth: Authenticator;
  /** Key of pre-signed URLs; empty: a request carrying URL-Signature is refused. */
  signedUrlKey: string;
  /** The clock signature expiry is read against. */
  clock: () => number;
}

/** A request the guard reads: node's, with express's originalUrl. */
export interface GuardedRequest extends IncomingMessage {
  originalUrl: string;
}

/**
 * The guard's checks for one request, leaving the RequestContext in res.locals.ctx. `acceptsJson` is
 * asked only when the Accept header is not a plain one (express's content negotiation).
 */
export function v2Checks(options: V2GuardOptions) {
  return async (
    req: GuardedRequest,
    res: RouteResponse,
    acceptsJson: (req: GuardedRequest) => boolean,
  ): Promise<void> => {
    const contentType = req.headers['content-type'];
    if (
      contentType &&
      contentType.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded' &&
      hasBody(req)
    ) {
      throw new BadRequest(
        'Endpoint does not accept `application/x-www-form-urlencoded` content; currently supported media type is ' +
          '`application/json`; specify proper client-side media type with the "Content-Type" header.',
        'Invalid Content-Type',
      );
    }
    if (!plainlyAcceptsJson(req) && !acceptsJson(req)) throw new NotAcceptable();
    const headers = req.headers;
    const header = (name: string) => headers[name.toLowerCase()] as string | undefined;
    const clientId = validateClientId(header('Client-ID'), options.limits);
    const request: AuthRequest = {
      header,
      method: req.method ?? '',
      // Only keystone's and signed URLs' checks read the path: parse it when they do.
      get path() {
        return new URL(req.originalUrl, 'http://qgate').pathname;
      },
    };
    // Any URL-Signature header, even an empty one, means the signature decides (never a fall-through).
    const identity =
      headers['url-signature'] !== undefined
        ? verifySignedRequest(options.signedUrlKey, request, options.clock())
        : await options.auth.authenticate(request);
    const locals = res.locals;
    const ctx: RequestContext = {
      projectId: identity.projectId,
      clientId,
      requestId: locals.requestId as string,
      roles: identity.roles,
      isAdmin: isAdminIdentity(identity),
      // The request logger is made on first use (request-context.ts).
      get log() {
        return locals.log as RequestContext['log'];
      },
    };
    locals.ctx = ctx;
  };
}

/** Validates the v2 headers and stores the RequestContext in res.locals.ctx (express middleware). */
export function v2Guard(options: V2GuardOptions) {
  const checks = v2Checks(options);
  const negotiate = (req: GuardedRequest) => (req as Request).accepts('application/json') !== false;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    await checks(req, res, negotiate);
    next();
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
