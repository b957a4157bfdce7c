// HTTP routes of subscriptions: /v2/queues/{name}/subscriptions, /{id}, /{id}/confirm, /{id}/failures.

import type { Express } from 'express';
import type { Operations } from '../../../api/operations';
import { BadRequest } from '../../../core/errors';
import { queueHref } from '../../../core/hrefs';
import { readJsonBody } from '../body';
import { intParam, queryString, stringParam } from '../params';
import { sendEmpty, sendJson } from '../respond';
import { contextOf, param, route } from './table';

const BODY_LIMIT = 64 * 1024;
const tooLarge = () => new BadRequest(`Request body is too large. Max size ${BODY_LIMIT}`);

export function subscriptionRoutes(app: Express, ops: Operations): void {
  const base = `${queueHref(':queue_name')}/subscriptions`;

  route(app, base, {
    post: async (req, res) => {
      const queue = param(req, 'queue_name');
      const body = await readJsonBody(req, BODY_LIMIT, tooLarge);
      const id = await ops.subscriptions.create(contextOf(res), queue, body.document);
      res.setHeader('Location', `${queueHref(queue)}/subscriptions`);
      sendJson(res, 201, { subscription_id: id });
    },
    get: async (req, res) => {
      const queue = param(req, 'queue_name');
      const params = { marker: stringParam(req, 'marker'), limit: intParam(req, 'limit') };
      const { subscriptions, marker } = await ops.subscriptions.list(contextOf(res), queue, params);
      const links =
        subscriptions.length > 0
          ? [{ rel: 'next', href: `${queueHref(queue)}/subscriptions${queryString({ marker, limit: params.limit })}` }]
          : [];
      sendJson(res, 200, { subscriptions, links });
    },
  });

  route(app, `${base}/:subscription_id`, {
    get: async (req, res) => {
      const sub = await ops.subscriptions.get(contextOf(res), param(req, 'queue_name'), param(req, 'subscription_id'));
      sendJson(res, 200, sub);
    },
    patch: async (req, res) => {
      const body = await readJsonBody(req, BODY_LIMIT, tooLarge);
      await ops.subscriptions.update(
        contextOf(res),
        param(req, 'queue_name'),
        param(req, 'subscription_id'),
        body.document,
      );
      sendEmpty(res, 204);
    },
    delete: async (req, res) => {
      await ops.subscriptions.delete(contextOf(res), param(req, 'queue_name'), param(req, 'subscription_id'));
      sendEmpty(res, 204);
    },
  });

  route(app, `${base}/:subscription_id/confirm`, {
    put: async (req, res) => {
      const body = await readJsonBody(req, BODY_LIMIT, tooLarge);
      await ops.subscriptions.confirm(
        contextOf(res),
        param(req, 'queue_name'),
        param(req, 'subscription_id'),
        body.document,
      );
      sendEmpty(res, 204);
    },
  });

  route(app, `${base}/:subscription_id/failures`, {
    get: async (req, res) => {
      const failures = await ops.subscriptions.failures(
        contextOf(res),
        param(req, 'queue_name'),
        param(req, 'subscription_id'),
      );
      sendJson(res, 200, {
        failures: failures.map((f) => ({
          id: f.id,
          kind: f.kind,
          payload: f.payload,
          attempts: f.attempts,
          error: f.lastError ?? '',
          created: new Date(f.created).toISOString(),
          failed: new Date(f.failedAt).toISOString(),
        })),
      });
    },
  });
}
