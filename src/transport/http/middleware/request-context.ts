// Per-request set-up: request id (echoed as X-OpenStack-Request-Id), request logger, access log and metrics.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../../observability/logger';
import type { Metrics } from '../../../observability/metrics';
import type { RouteResponse } from '../routes/table';

/** What the request-context middleware leaves in res.locals. */
export interface RequestLocals {
  requestId: string;
  log: Logger;
}

/** The parts of a request this middleware reads: express's, or the fast dispatcher's. */
export interface ContextRequest extends IncomingMessage {
  originalUrl: string;
  /** The route that served the request (its template labels the metrics), once one did. */
  route?: { path: unknown };
}

/**
 * Assigns a request id and a child logger, and records the request when it finishes. The child logger
 * is made on first use: most requests log nothing but the access line, and none at all without it.
 */
export function requestContext(logger: Logger, metrics: Metrics, accessLog: boolean) {
  return (req: ContextRequest, res: RouteResponse, next: () => void): void => {
    const start = performance.now();
    const requestId = `req-${randomUUID()}`;
    const locals = res.locals;
    let log: Logger | undefined;
    locals.requestId = requestId;
    Object.defineProperty(locals, 'log', {
      configurable: true,
      enumerable: true,
      get: () => {
        log ??= logger.child({ reqId: requestId });
        return log;
      },
    });
    res.setHeader('X-OpenStack-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = (performance.now() - start) / 1e3;
      const route = req.route?.path ?? 'unmatched';
      const labels = { method: req.method ?? '', route: String(route), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      if (accessLog) {
        (locals.log as Logger).info(
          { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 },
          'request',
        );
      }
    });
    next();
  };
}
