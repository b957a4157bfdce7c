// Subscription actions: subscription_list/create/get/delete; they answer 501 until qgate has subscriptions.

import type { JsonObject } from '../../../core/types';
import { type SubscriptionRequest, subscriptionsUnavailable, type WebsocketSubscriptions } from '../subscriptions';
import { action, field, jsonBytes, queueName, type WebsocketAction } from './types';

function backendOf(subscriptions: WebsocketSubscriptions | undefined): WebsocketSubscriptions {
  if (!subscriptions) throw subscriptionsUnavailable();
  return subscriptions;
}

const SUBSCRIPTION_FIELDS = { queue_name: 'string', subscription_id: 'string' } as const;

/** The subscription actions by name. */
export const subscriptionActions: Record<string, WebsocketAction> = {
  subscription_list: action(
    { queue_name: 'string', marker: 'string', limit: 'integer' },
    ['queue_name'],
    async ({ ctx, body, subscriptions }) => {
      const list = await backendOf(subscriptions).list(ctx, queueName(body), {
        marker: field<string>(body, 'marker'),
        limit: field<number>(body, 'limit'),
      });
      return { status: 200, body: { subscriptions: list } };
    },
  ),

  subscription_create: action(
    { queue_name: 'string', subscriber: 'string', ttl: 'integer', options: 'object' },
    ['queue_name'],
    async ({ ctx, body, encoding, session, subscriptions }) => {
      const backend = backendOf(subscriptions);
      const queue = queueName(body);
      const request: SubscriptionRequest = {};
      const subscriber = field<string>(body, 'subscriber');
      // Zaqar: an empty subscriber, like a missing one, means this websocket session.
      if (subscriber) request.subscriber = subscriber;
      if (Object.hasOwn(body, 'ttl')) request.ttl = body.ttl as number;
      if (Object.hasOwn(body, 'options')) request.options = body.options as JsonObject;
      const id = await backend.create(ctx, queue, request, jsonBytes(request), session);
      if (id === null) return { status: 409, body: `Subscription ${queue} not created.` };
      if (!request.subscriber) session.subscriptions.add(id, ctx, queue, encoding);
      return { status: 201, body: { subscription_id: id, message: `Subscription ${queue} created.` } };
    },
  ),

  subscription_get: action(
    SUBSCRIPTION_FIELDS,
    ['queue_name', 'subscription_id'],
    async ({ ctx, body, subscriptions }) => ({
      status: 200,
      body: await backendOf(subscriptions).get(ctx, queueName(body), body.subscription_id as string),
    }),
  ),

  subscription_delete: action(
    SUBSCRIPTION_FIELDS,
    ['queue_name', 'subscription_id'],
    async ({ ctx, body, session, subscriptions }) => {
      const id = body.subscription_id as string;
      await backendOf(subscriptions).delete(ctx, queueName(body), id);
      session.subscriptions.remove(id);
      return { status: 204, body: `Subscription ${id} removed.` };
    },
  ),
};
