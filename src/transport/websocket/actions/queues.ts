// Queue actions: queue_list, queue_create, queue_delete, queue_get, queue_get_stats, queue_purge.

import { action, field, jsonBytes, queueName, type WebsocketAction } from './types';

/** The queue actions by name. */
export const queueActions: Record<string, WebsocketAction> = {
  queue_list: {
    bodyRequired: false,
    fields: { marker: 'string', limit: 'integer', detailed: 'boolean' },
    required: [],
    run: async ({ ops, ctx, body }) => {
      const result = await ops.queues.list(ctx, {
        marker: field<string>(body, 'marker'),
        limit: field<number>(body, 'limit'),
        detailed: field<boolean>(body, 'detailed'),
      });
      // Zaqar's websocket listing names each queue (with its metadata when detailed); no hrefs or links.
      const queues = result.queues.map((q) =>
        q.metadata === undefined ? { name: q.name } : { name: q.name, metadata: q.metadata },
      );
      return { status: 200, body: { queues } };
    },
  },

  queue_create: action({ queue_name: 'string' }, ['queue_name'], async ({ ops, ctx, body }) => {
    const name = queueName(body);
    const metadata = field<unknown>(body, 'metadata');
    const { created } = await ops.queues.create(ctx, name, metadata, jsonBytes(metadata));
    return { status: created ? 201 : 204, body: `Queue ${name} created.` };
  }),

  queue_delete: action({ queue_name: 'string' }, ['queue_name'], async ({ ops, ctx, body }) => {
    const name = queueName(body);
    await ops.queues.delete(ctx, name);
    return { status: 204, body: `Queue ${name} removed.` };
  }),

  queue_get: action({ queue_name: 'string' }, ['queue_name'], async ({ ops, ctx, body }) => ({
    status: 200,
    body: await ops.queues.get(ctx, queueName(body)),
  })),

  queue_get_stats: action({ queue_name: 'string' }, ['queue_name'], async ({ ops, ctx, body }) => ({
    status: 200,
    body: await ops.queues.stats(ctx, queueName(body)),
  })),

  queue_purge: action({ queue_name: 'string', resource_types: 'array' }, ['queue_name'], async ({ ops, ctx, body }) => {
    const types = field<unknown>(body, 'resource_types');
    await ops.queues.purge(ctx, queueName(body), types === undefined ? undefined : { resource_types: types });
    return { status: 204, body: {} };
  }),
};
