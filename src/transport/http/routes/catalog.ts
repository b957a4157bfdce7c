// HTTP routes of the admin catalog: /v2/pools and /v2/flavors (admin only).

import type { Express } from 'express';
import type { Operations } from '../../../api/operations';
import { BadRequestBody } from '../../../core/errors';
import { V2 } from '../../../core/hrefs';
import { readJsonBody, requireJsonBody } from '../body';
import { boolParam, intParam, queryString, stringParam } from '../params';
import { sendEmpty, sendJson } from '../respond';
import { contextOf, param, type RouteRequest, route } from './table';

/** Largest pool or flavor document accepted, in bytes. */
const ADMIN_BODY = 64 * 1024;
const tooLarge = () => new BadRequestBody(`Request body is too large. Max size ${ADMIN_BODY}`);

/** The paging parameters of an admin listing. */
function pageParams(req: RouteRequest) {
  return { marker: stringParam(req, 'marker'), limit: intParam(req, 'limit'), detailed: boolParam(req, 'detailed') };
}

/** links.next of an admin listing: present whenever the page had entries. */
function nextLinks(path: string, count: number, params: ReturnType<typeof pageParams>, marker?: string) {
  if (count === 0) return [];
  const query = queryString({ marker, limit: params.limit, detailed: params.detailed });
  return [{ rel: 'next', href: `${path}${query}` }];
}

export function catalogRoutes(app: Express, ops: Operations): void {
  route(app, `${V2}/pools`, {
    get: async (req, res) => {
      const params = pageParams(req);
      const { pools, marker } = await ops.pools.list(contextOf(res), params);
      sendJson(res, 200, { pools, links: nextLinks(`${V2}/pools`, pools.length, params, marker) });
    },
  });

  route(app, `${V2}/pools/:pool_name`, {
    get: async (req, res) => {
      const detailed = boolParam(req, 'detailed') === true;
      sendJson(res, 200, await ops.pools.get(contextOf(res), param(req, 'pool_name'), detailed));
    },
    put: async (req, res) => {
      const name = param(req, 'pool_name');
      const body = await requireJsonBody(req, ADMIN_BODY, tooLarge);
      await ops.pools.create(contextOf(res), name, body.document);
      res.setHeader('Location', `${V2}/pools/${name}`);
      sendEmpty(res, 201);
    },
    patch: async (req, res) => {
      const body = await readJsonBody(req, ADMIN_BODY, tooLarge);
      sendJson(res, 200, await ops.pools.update(contextOf(res), param(req, 'pool_name'), body.document ?? {}));
    },
    delete: async (req, res) => {
      await ops.pools.delete(contextOf(res), param(req, 'pool_name'));
      sendEmpty(res, 204);
    },
  });

  route(app, `${V2}/flavors`, {
    get: async (req, res) => {
      const params = pageParams(req);
      const { flavors, marker } = await ops.flavors.list(contextOf(res), params);
      sendJson(res, 200, { flavors, links: nextLinks(`${V2}/flavors`, flavors.length, params, marker) });
    },
  });

  route(app, `${V2}/flavors/:flavor_name`, {
    get: async (req, res) => {
      sendJson(res, 200, await ops.flavors.get(contextOf(res), param(req, 'flavor_name')));
    },
    put: async (req, res) => {
      const name = param(req, 'flavor_name');
      const body = await requireJsonBody(req, ADMIN_BODY, tooLarge);
      await ops.flavors.create(contextOf(res), name, body.document);
      res.setHeader('Location', `${V2}/flavors/${name}`);
      sendEmpty(res, 201);
    },
    patch: async (req, res) => {
      const body = await readJsonBody(req, ADMIN_BODY, tooLarge);
      sendJson(res, 200, await ops.flavors.update(contextOf(res), param(req, 'flavor_name'), body.document ?? {}));
    },
    delete: async (req, res) => {
      await ops.flavors.delete(contextOf(res), param(req, 'flavor_name'));
      sendEmpty(res, 204);
    },
  });
}
