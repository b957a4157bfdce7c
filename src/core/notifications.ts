// The documents pushed to subscribers, in Zaqar's shapes (shared by every driver's outbox).

import type { JsonObject, StoredMessage } from './types';

/** Most failed deliveries a store keeps per subscription (the oldest go first). */
export const FAILED_KEPT_PER_SUBSCRIPTION = 100;

/** The notification document of one posted message: what a webhook receives as its body. */
export function notificationPayload(queue: string, m: Pick<StoredMessage, 'body' | 'ttl'>): JsonObject {
  return { body: m.body, ttl: m.ttl, queue_name: queue, Message_Type: 'Notification' };
}
