// HTTP routes of messages: /v2/queues/{name}/messages and /messages/{id}.

import type { Express } from 'express';
import type { Operations } from '../../../api/operations';
import { BadRequest } from '../../../core/errors';
import { queueHref, V2 } from '../../../core/hrefs';
import { requireJsonBody } from '../body';
import { boolParam, intParam, listParam, queryString, stringParam } from '../params';
import { sendEmpty, sendJson } from '../respond';
import { contextOf, param, route } from './table';

export function messageRoutes(app: Express, ops: Operations): void {
  const { limits } = ops.deps;
  const tooLarge = () => new BadRequest(`Message collection size is too large. Max size ${limits.maxMessagesPostSize}`);

  route(app, `${V2}/queues/:queue_name/messages`, {
    post: async (req, res) => {
      const queue = param(req, 'queue_name');
      const body = await requireJsonBody(req, limits.maxMessagesPostSize, tooLarge);
      const ids = await ops.messages.post(contextOf(res), queue, body.document, body.bytes);
      const base = `${queueHref(queue)}/messages`;
      res.setHeader('Location', `${base}?ids=${ids.join(',')}`);
      sendJson(res, 201, { resources: ids.map((id) => `${base}/${id}`) });
    },
    get: async (req, res) => {
      const queue = param(req, 'queue_name');
      const ctx = contextOf(res);
      const ids = listParam(req, 'ids');
      if (ids !== undefined) {
        sendJson(res, 200, { messages: await ops.messages.getMany(ctx, queue, ids) });
        return;
      }
      const params = {
        marker: stringParam(req, 'marker'),
        limit: intParam(req, 'limit'),
        echo: boolParam(req, 'echo'),
        includeClaimed: boolParam(req, 'include_claimed'),
        includeDelayed: boolParam(req, 'include_delayed'),
      };
      const result = await ops.messages.list(ctx, queue, params);
      const links = [];
      if (result.messages.length > 0) {
        const next = queryString({
          marker: result.marker,
          limit: params.limit,
          echo: params.echo,
          include_claimed: params.includeClaimed,
          include_delayed: params.includeDelayed,
        });
        links.push({ rel: 'next', href: `${queueHref(queue)}/messages${next}` });
      }
      sendJson(res, 200, { messages: result.messages, links });
    },
    delete: async (req, res) => {
      const popped = await ops.messages.deleteMany(
        contextOf(res),
        param(req, 'queue_name'),
        listParam(req, 'ids'),
        intParam(req, 'pop'),
      );
      if (popped === null) sendEmpty(res, 204);
      else sendJson(res, 200, { messages: popped });
    },
  });

  route(app, `${V2}/queues/:queue_name/messages/:message_id`, {
    get: async (req, res) => {
      sendJson(res, 200, await ops.messages.get(contextOf(res), param(req, 'queue_name'), param(req, 'message_id')));
    },
    delete: async (req, res) => {
      const claimId = stringParam(req, 'claim_id');
      await ops.messages.delete(contextOf(res), param(req, 'queue_name'), param(req, 'message_id'), claimId);
      sendEmpty(res, 204);
    },
  });
}
