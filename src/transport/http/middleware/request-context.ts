// Per-request set-up: request id (echoed as X-OpenStack-Request-Id), request logger, access log and metrics.

import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../../observability/logger';
import type { Metrics } from '../../../observability/metrics';

/** What the request-context middleware leaves in res.locals. */
export interface RequestLocals {
  requestId: string;
  log: Logger;
}

/** Assigns a request id and a child logger, and records the request when it finishes. */
export function requestContext(logger: Logger, metrics: Metrics, accessLog: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    const requestId = `req-${randomUUID()}`;
    const log = logger.child({ reqId: requestId });
    res.locals.requestId = requestId;
    res.locals.log = log;
    res.setHeader('X-OpenStack-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = req.route?.path ?? 'unmatched';
      const labels = { method: req.method, route: String(route), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      if (accessLog) {
        log.info(
          { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 },
          'request',
        );
      }
    });
    next();
  };
}
