// HTTP routes outside the data plane: versions, the v2 home document, ping, health and /metrics.

import type { Express } from 'express';
import type { Operations } from '../../../api/operations';
import { V2 } from '../../../core/hrefs';
import type { Metrics } from '../../../observability/metrics';
import { homeDocument, VERSIONS } from '../home-document';
import { sendEmpty, sendJson } from '../respond';
import { contextOf, openRoute, route } from './table';

/** Routes served without the v2 header checks. */
export function openRoutes(app: Express, metrics: Metrics): void {
  const home = JSON.stringify(homeDocument(), null, 4);
  openRoute(app, '/', { get: (_req, res) => sendJson(res, 300, VERSIONS) });
  for (const path of [V2, `${V2}/`]) {
    openRoute(app, path, {
      get: (_req, res) => {
        res.status(200).type('application/json-home').setHeader('Cache-Control', 'max-age=86400');
        res.send(home);
      },
    });
  }
  openRoute(app, '/metrics', {
    get: async (_req, res) => {
      res
        .status(200)
        .type(metrics.registry.contentType)
        .send(await metrics.exposition());
    },
  });
}

/** Ping and health: behind the v2 header checks, as in Zaqar. */
export function healthRoutes(app: Express, ops: Operations): void {
  route(app, `${V2}/ping`, {
    get: async (_req, res) => sendEmpty(res, (await ops.health.ping(contextOf(res))) ? 204 : 503),
    head: (_req, res) => sendEmpty(res, 204),
  });
  route(app, `${V2}/health`, {
    get: async (_req, res) => sendJson(res, 200, await ops.health.health(contextOf(res))),
  });
}
