// The checks Zaqar runs before every /v2 call: media types, Client-ID, then who is calling; builds the context.

import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '../../../api/context';
import { type Authenticator, type AuthRequest, isAdminIdentity } from '../../../auth/identity';
import { verifySignedRequest } from '../../../auth/signed-url';
import { BadRequest, NotAcceptable } from '../../../core/errors';
import type { Limits } from '../../../core/limits';
import { validateClientId } from '../../../core/validation';

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

/** Validates the v2 headers and stores the RequestContext in res.locals.ctx. */
export function v2Guard(options: V2GuardOptions) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
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
    if (req.headers.accept && !req.accepts('application/json')) throw new NotAcceptable();
    const clientId = validateClientId(req.get('Client-ID'), options.limits);
    const request: AuthRequest = {
      header: (name) => req.get(name),
      method: req.method,
      path: new URL(req.originalUrl, 'http://qgate').pathname,
    };
    // Any URL-Signature header, even an empty one, means the signature decides (never a fall-through).
    const identity =
      req.get('URL-Signature') !== undefined
        ? verifySignedRequest(options.signedUrlKey, request, options.clock())
        : await options.auth.authenticate(request);
    const ctx: RequestContext = {
      projectId: identity.projectId,
      clientId,
      requestId: res.locals.requestId,
      roles: identity.roles,
      isAdmin: isAdminIdentity(identity),
      log: res.locals.log,
    };
    res.locals.ctx = ctx;
    next();
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
