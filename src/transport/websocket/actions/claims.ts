// Claim actions: claim_create, claim_get, claim_update, claim_delete.

import type { JsonObject } from '../../../core/types';
import { socketMessage } from './format';
import { action, field, queueName, type WebsocketAction } from './types';

/** The claim's TTL and grace as the operations take them (missing ones get the defaults there). */
function claimDocument(body: JsonObject): JsonObject {
  const doc: JsonObject = {};
  if (Object.hasOwn(body, 'ttl')) doc.ttl = body.ttl;
  if (Object.hasOwn(body, 'grace')) doc.grace = body.grace;
  return doc;
}

const CLAIM_FIELDS = { queue_name: 'string', claim_id: 'string' } as const;

/** The claim actions by name. */
export const claimActions: Record<string, WebsocketAction> = {
  claim_create: action(
    { queue_name: 'string', limit: 'integer', ttl: 'integer', grace: 'integer' },
    ['queue_name'],
    async ({ ops, ctx, body }) => {
      const claim = await ops.claims.create(ctx, queueName(body), claimDocument(body), field<number>(body, 'limit'));
      if (!claim) return { status: 204, body: { claim_id: null } };
      return {
        status: 201,
        body: { claim_id: claim.id, messages: claim.messages.map((m) => socketMessage(m, claim.id)) },
      };
    },
  ),

  claim_get: action(CLAIM_FIELDS, ['queue_name', 'claim_id'], async ({ ops, ctx, body }) => {
    const id = body.claim_id as string;
    const claim = await ops.claims.get(ctx, queueName(body), id);
    return {
      status: 200,
      body: { age: claim.age, ttl: claim.ttl, messages: claim.messages.map((m) => socketMessage(m, id)) },
    };
  }),

  claim_update: action(
    { ...CLAIM_FIELDS, ttl: 'integer', grace: 'integer' },
    ['queue_name', 'claim_id'],
    async ({ ops, ctx, body }) => {
      const id = body.claim_id as string;
      await ops.claims.update(ctx, queueName(body), id, claimDocument(body));
      return { status: 204, body: `Claim ${id} updated.` };
    },
  ),

  claim_delete: action(CLAIM_FIELDS, ['queue_name', 'claim_id'], async ({ ops, ctx, body }) => {
    const id = body.claim_id as string;
    await ops.claims.delete(ctx, queueName(body), id);
    return { status: 204, body: `Claim ${id} deleted.` };
  }),
};
