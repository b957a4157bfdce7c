// Message actions: message_list, message_get, message_get_many, message_post, message_delete, message_delete_many.

import { socketMessage } from './format';
import { action, field, jsonBytes, queueName, type WebsocketAction } from './types';

/** The message actions by name. */
export const messageActions: Record<string, WebsocketAction> = {
  message_list: action(
    {
      queue_name: 'string',
      marker: 'string',
      limit: 'integer',
      echo: 'boolean',
      include_claimed: 'boolean',
      include_delayed: 'boolean',
    },
    ['queue_name'],
    async ({ ops, ctx, body }) => {
      const result = await ops.messages.list(ctx, queueName(body), {
        marker: field<string>(body, 'marker'),
        limit: field<number>(body, 'limit'),
        echo: field<boolean>(body, 'echo'),
        includeClaimed: field<boolean>(body, 'include_claimed'),
        includeDelayed: field<boolean>(body, 'include_delayed'),
      });
      return { status: 200, body: { messages: result.messages.map((m) => socketMessage(m)) } };
    },
  ),

  message_get: action(
    { queue_name: 'string', message_id: 'string' },
    ['queue_name', 'message_id'],
    async ({ ops, ctx, body }) => {
      const message = await ops.messages.get(ctx, queueName(body), body.message_id as string);
      // Zaqar puts the one message under "messages".
      return { status: 200, body: { messages: socketMessage(message) } };
    },
  ),

  message_get_many: action(
    { queue_name: 'string', message_ids: 'strings' },
    ['queue_name', 'message_ids'],
    async ({ ops, ctx, body }) => {
      const messages = await ops.messages.getMany(ctx, queueName(body), body.message_ids as string[]);
      return { status: 200, body: { messages: messages.map((m) => socketMessage(m)) } };
    },
  ),

  message_post: action(
    { queue_name: 'string', messages: 'array' },
    ['queue_name', 'messages'],
    async ({ ops, ctx, body }) => {
      // The operation takes the document an HTTP client posts; its size is measured the same way.
      const document = { messages: body.messages };
      const ids = await ops.messages.post(ctx, queueName(body), document, jsonBytes(document));
      return { status: 201, body: { message_ids: ids } };
    },
  ),

  message_delete: action(
    { queue_name: 'string', message_id: 'string', claim_id: 'string' },
    ['queue_name', 'message_id'],
    async ({ ops, ctx, body }) => {
      await ops.messages.delete(ctx, queueName(body), body.message_id as string, field<string>(body, 'claim_id'));
      return { status: 204, body: {} };
    },
  ),

  message_delete_many: action(
    { queue_name: 'string', message_ids: 'strings', claim_ids: 'strings', pop: 'integer' },
    ['queue_name'],
    async ({ ops, ctx, body }) => {
      const popped = await ops.messages.deleteMany(
        ctx,
        queueName(body),
        field<string[]>(body, 'message_ids'),
        field<number>(body, 'pop'),
      );
      if (popped === null) return { status: 204, body: {} };
      return { status: 200, body: { messages: popped } };
    },
  ),
};
