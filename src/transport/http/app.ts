// The express application: middleware order and the v2 routes.

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
import { v2Guard } from './middleware/v2-headers';
import { catalogRoutes } from './routes/catalog';
import { claimRoutes } from './routes/claims';
import { messageRoutes } from './routes/messages';
import { queueRoutes } from './routes/queues';
import { subscriptionRoutes } from './routes/subscriptions';
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
}

/** Builds the express app serving the Zaqar v2 API. */
export function createHttpApp(options: HttpAppOptions): Express {
  const { operations, logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(requestContext(logger, metrics, options.accessLog));
  openRoutes(app, metrics);
  if (options.corsOrigins && options.corsOrigins.length > 0) app.use(cors(options.corsOrigins));
  app.use(
    `${V2}/`,
    v2Guard({
      limits: operations.deps.limits,
      auth: options.auth ?? new NoAuth(options.adminMode ?? false),
      signedUrlKey: options.signedUrlKey ?? '',
      clock: operations.deps.clock,
    }),
  );
  healthRoutes(app, operations);
  queueRoutes(app, operations);
  messageRoutes(app, operations);
  claimRoutes(app, operations);
  subscriptionRoutes(app, operations);
  catalogRoutes(app, operations);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
