// The express application: middleware order and the v2 routes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { Operations } from '../../api/operations';
import type { Authenticator } from '../../auth/identity';
import { NoAuth } from '../../auth/noauth';
import { V2 } from '../../core/hrefs';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { cors } from './middleware/cors';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { requestContext } from './middleware/request-context';
import { fastDispatcher } from './fast-path';
import { v2Checks, v2Guard } from './middleware/v2-headers';
import { catalogRoutes } from './routes/catalog';
import { claimRoutes } from './routes/claims';
import { messageRoutes } from './routes/messages';
import { queueRoutes } from './routes/queues';
import { subscriptionRoutes } from './routes/subscriptions';
import { routesOf } from './routes/table';
import { healthRoutes, openRoutes } from './routes/system';

/** What the HTTP transport needs. */
export interface HttpAppOptions {
  operations: Operations;
  logger: Logger;
  metrics: Metrics;
  /** Whether noauth callers are admins (used when no `auth` is given). */
  adminMode?: boolean;
  /** The auth strategy; default noauth with `adminMode`. */
  auth?: Authenticator;
  /** Key of pre-signed URLs; empty disables them. */
  signedUrlKey?: string;
  /** Origins allowed to call from browsers ("*": any); empty: none. */
  corsOrigins?: string[];
  /** Log one line per request. */
  accessLog: boolean;
  /** Serve the v2 routes without express (fast-path.ts); default true. Off, express serves everything. */
  fastPath?: boolean;
}

/** Builds the express app serving the Zaqar v2 API. */
export function createHttpApp(options: HttpAppOptions): Express {
  const { operations, logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  const context = requestContext(logger, metrics, options.accessLog);
  const corsHeaders = options.corsOrigins && options.corsOrigins.length > 0 ? cors(options.corsOrigins) : undefined;
  const guard = {
    limits: operations.deps.limits,
    auth: options.auth ?? new NoAuth(options.adminMode ?? false),
    signedUrlKey: options.signedUrlKey ?? '',
    clock: operations.deps.clock,
  };
  const errors = errorHandler(logger);
  app.use(context);
  openRoutes(app, metrics);
  if (corsHeaders) app.use(corsHeaders);
  app.use(`${V2}/`, v2Guard(guard));
  // The data plane's busiest paths first: express tries every earlier route's pattern on each request.
  // No two route patterns here match the same path, so the order changes nothing else.
  messageRoutes(app, operations);
  claimRoutes(app, operations);
  healthRoutes(app, operations);
  queueRoutes(app, operations);
  subscriptionRoutes(app, operations);
  catalogRoutes(app, operations);
  app.use(notFoundHandler);
  app.use(errors);
  if (options.fastPath ?? true) {
    const dispatch = fastDispatcher(routesOf(app), `${V2}/`, {
      requestContext: context,
      cors: corsHeaders,
      v2Checks: v2Checks(guard),
      errorHandler: errors,
    });
    // express's app function calls app.handle(req, res, next): the v2 routes are taken before it.
    type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
    const withHandle = app as unknown as { handle: Handle };
    const handle = withHandle.handle.bind(app);
    withHandle.handle = (req, res, next) => {
      if (!dispatch(req, res)) handle(req, res, next);
    };
  }
  return app;
}
