// The one place errors become responses: typed errors in Zaqar's shape, anything else a logged 500.

import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { NotFound, QgateError } from '../../../core/errors';
import type { Logger } from '../../../observability/logger';
import { sendJson } from '../respond';
import type { RouteResponse } from '../routes/table';

/** 404 for any path no route matched. */
export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFound(`The resource ${req.path} could not be found.`));
}

/** Renders errors as {"title", "description"}; never leaks stacks or store addresses. */
export function errorHandler(logger: Logger) {
  return (
    err: unknown,
    req: IncomingMessage & { originalUrl: string },
    res: RouteResponse,
    _next?: NextFunction,
  ): void => {
    const log = (res.locals.log as Logger | undefined) ?? logger;
    if (res.headersSent) {
      log.error({ err }, 'error after response started');
      res.destroy();
      return;
    }
    if (err instanceof QgateError) {
      if (err.status >= 500) {
        log.warn({ status: err.status, description: err.description, cause: (err as Error).cause }, err.title);
      }
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      sendJson(res, err.status, { title: err.title, description: err.description });
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, 'unexpected error');
    sendJson(res, 500, {
      title: 'Internal server error',
      description: `The request failed unexpectedly; it has been logged under request id ${res.locals.requestId}.`,
    });
  };
}
