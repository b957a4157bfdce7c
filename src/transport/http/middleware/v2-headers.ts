// The checks Zaqar runs before every /v2 call: media types, Client-ID and X-Project-ID; builds the context.

import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '../../../api/context';
import { BadRequest, NotAcceptable } from '../../../core/errors';
import type { Limits } from '../../../core/limits';
import { validateClientId, validateProjectId } from '../../../core/validation';

/** Options of the v2 guard. */
export interface V2GuardOptions {
  limits: Limits;
  /** Whether noauth callers are admins (config admin_mode). */
  adminMode: boolean;
}

/** Validates the v2 headers and stores the RequestContext in res.locals.ctx. */
export function v2Guard(options: V2GuardOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
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
    const projectId = validateProjectId(req.get('X-Project-ID'));
    const ctx: RequestContext = {
      projectId,
      clientId,
      requestId: res.locals.requestId,
      roles: [],
      isAdmin: options.adminMode,
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
