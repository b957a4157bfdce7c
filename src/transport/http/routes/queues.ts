// HTTP routes of queues: /v2/queues, /v2/queues/{name}, its stats and purge.

import type { Express } from 'express';
import type { Operations } from '../../../api/operations';
import { BadRequest, BadRequestBody, UnsupportedMediaType } from '../../../core/errors';
import { queueHref, V2 } from '../../../core/hrefs';
import type { JsonValue } from '../../../core/types';
import { readJsonBody } from '../body';
import { boolParam, intParam, queryString, stringParam } from '../params';
import { sendEmpty, sendJson } from '../respond';
import { contextOf, param, type RouteRequest, route } from './table';

const PATCH_TYPE = 'application/openstack-messaging-v2.0-json-patch';
const LIST_PARAMS = new Set(['marker', 'limit', 'detailed', 'name', 'with_count']);
const SMALL_BODY = 64 * 1024;

/** Extra query parameters of a queue listing filter on metadata; integers compare as numbers. */
function metadataFilter(req: RouteRequest): Record<string, JsonValue> | undefined {
  const entries = Object.entries(req.query)
    .filter(([key, value]) => !LIST_PARAMS.has(key) && typeof value === 'string')
    .map(([key, value]): [string, JsonValue] => [
      key,
      /^-?\d{1,15}$/.test(value as string) ? Number(value) : (value as string),
    ]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export function queueRoutes(app: Express, ops: Operations): void {
  const { limits } = ops.deps;
  const metadataTooLarge = () => new BadRequest(`Queue metadata is too large. Max size: ${limits.maxQueueMetadata}`);

  route(app, `${V2}/queues`, {
    get: async (req, res) => {
      const params = {
        marker: stringParam(req, 'marker'),
        limit: intParam(req, 'limit'),
        detailed: boolParam(req, 'detailed'),
        name: stringParam(req, 'name'),
        withCount: boolParam(req, 'with_count'),
        filter: metadataFilter(req),
      };
      const result = await ops.queues.list(contextOf(res), params);
      const body: Record<string, unknown> = { queues: result.queues, links: [] };
      if (result.queues.length > 0) {
        const next = queryString({
          marker: result.marker,
          limit: params.limit,
          detailed: params.detailed,
          name: params.name,
          with_count: params.withCount,
        });
        body.links = [{ rel: 'next', href: `${V2}/queues${next}` }];
      }
      if (result.count) body.count = result.count;
      sendJson(res, 200, body);
    },
  });

  route(app, `${V2}/queues/:queue_name`, {
    get: async (req, res) => {
      sendJson(res, 200, await ops.queues.get(contextOf(res), param(req, 'queue_name')));
    },
    put: async (req, res) => {
      const name = param(req, 'queue_name');
      const body = await readJsonBody(req, limits.maxQueueMetadata, metadataTooLarge);
      const { created } = await ops.queues.create(contextOf(res), name, body.document, body.bytes);
      res.setHeader('Location', queueHref(name));
      sendEmpty(res, created ? 201 : 204);
    },
    patch: async (req, res) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== PATCH_TYPE) {
        throw new UnsupportedMediaType(`Accepted media type for PATCH: {'Accept-Patch': '${PATCH_TYPE}'}.`, {
          'Accept-Patch': PATCH_TYPE,
        });
      }
      const body = await readJsonBody(
        req,
        limits.maxQueueMetadata,
        () => new BadRequestBody(`Queue metadata is too large. Max size: ${limits.maxQueueMetadata}`),
      );
      sendJson(res, 200, await ops.queues.update(contextOf(res), param(req, 'queue_name'), body.document, body.bytes));
    },
    delete: async (req, res) => {
      await ops.queues.delete(contextOf(res), param(req, 'queue_name'));
      sendEmpty(res, 204);
    },
  });

  route(app, `${V2}/queues/:queue_name/stats`, {
    get: async (req, res) => {
      sendJson(res, 200, await ops.queues.stats(contextOf(res), param(req, 'queue_name')));
    },
  });

  route(app, `${V2}/queues/:queue_name/share`, {
    post: async (req, res) => {
      const body = await readJsonBody(
        req,
        SMALL_BODY,
        () => new BadRequest(`Request body is too large. Max size ${SMALL_BODY}`),
      );
      sendJson(res, 200, await ops.queues.share(contextOf(res), param(req, 'queue_name'), body.document));
    },
  });

  route(app, `${V2}/queues/:queue_name/purge`, {
    post: async (req, res) => {
      const body = await readJsonBody(
        req,
        SMALL_BODY,
        () => new BadRequest(`Request body is too large. Max size ${SMALL_BODY}`),
      );
      await ops.queues.purge(contextOf(res), param(req, 'queue_name'), body.document);
      sendEmpty(res, 204);
    },
  });
}
