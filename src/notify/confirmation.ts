// The subscription confirmation flow's documents, as Zaqar builds them: a signed confirm URL and bodies.

import { createSignedUrl } from '../auth/signed-url';
import type { JsonObject, QueueScope } from '../core/types';

/** Builds the confirmation (or unsubscribe) document of a subscription. */
export function confirmationPayload(options: {
  key: string;
  scope: QueueScope;
  subscriptionId: string;
  /** When the signature stops working (the subscription's expiry). */
  expires: number;
  now: number;
  unsubscribed: boolean;
  /** Public base URL of the API ("" when unknown). */
  publicUrl: string;
}): JsonObject {
  const path = `/v2/queues/${options.scope.queue}/subscriptions/${options.subscriptionId}/confirm`;
  const signed = createSignedUrl(options.key, {
    paths: [path],
    methods: ['PUT'],
    project: options.scope.project,
    expires: new Date(options.expires).toISOString().slice(0, 19),
    now: options.now,
  });
  const doc: JsonObject = {};
  if (options.publicUrl) doc.WSGISubscribeURL = new URL(path, options.publicUrl).toString();
  return {
    ...doc,
    Message_Type: options.unsubscribed ? 'UnsubscribeConfirmation' : 'SubscriptionConfirmation',
    Message: options.unsubscribed
      ? `You have unsubscribed successfully to the queue: ${options.scope.queue}, you can resubscribe it by using confirmed=True.`
      : `You have chosen to subscribe to the queue: ${options.scope.queue}`,
    'URL-Signature': signed.signature,
    'URL-Methods': signed.methods[0],
    'URL-Paths': signed.paths[0],
    'X-Project-ID': signed.project,
    'URL-Expires': signed.expires,
    SubscribeBody: { confirmed: true },
    UnsubscribeBody: { confirmed: false },
  };
}
