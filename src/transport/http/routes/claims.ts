// HTTP routes of claims: /v2/queues/{name}/claims and /claims/{id}.

import type { Express } from 'express';
import type { Operations } from '../../../api/operations';
import { BadRequest } from '../../../core/errors';
import { V2 } from '../../../core/hrefs';
import { readJsonBody, requireJsonBody } from '../body';
import { intParam } from '../params';
import { sendEmpty, sendJson } from '../respond';
import { contextOf, param, route } from './table';

const CLAIM_BODY_LIMIT = 16 * 1024;

export function claimRoutes(app: Express, ops: Operations): void {
  const tooLarge = () => new BadRequest(`Request body is too large. Max size ${CLAIM_BODY_LIMIT}`);

  route(app, `${V2}/queues/:queue_name/claims`, {
    post: async (req, res) => {
      const limit = intParam(req, 'limit');
      const body = await readJsonBody(req, CLAIM_BODY_LIMIT, tooLarge);
      const claim = await ops.claims.create(contextOf(res), param(req, 'queue_name'), body.document, limit);
      if (!claim) {
        sendEmpty(res, 204);
        return;
      }
      res.setHeader('Location', claim.href);
      sendJson(res, 201, { messages: claim.messages });
    },
  });

  route(app, `${V2}/queues/:queue_name/claims/:claim_id`, {
    get: async (req, res) => {
      sendJson(res, 200, await ops.claims.get(contextOf(res), param(req, 'queue_name'), param(req, 'claim_id')));
    },
    patch: async (req, res) => {
      const body = await requireJsonBody(req, CLAIM_BODY_LIMIT, tooLarge);
      await ops.claims.update(contextOf(res), param(req, 'queue_name'), param(req, 'claim_id'), body.document);
      sendEmpty(res, 204);
    },
    delete: async (req, res) => {
      await ops.claims.delete(contextOf(res), param(req, 'queue_name'), param(req, 'claim_id'));
      sendEmpty(res, 204);
    },
  });
}
