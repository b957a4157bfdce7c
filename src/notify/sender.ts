// What delivering one document to one subscriber can end in, and the senders by subscriber kind.

import type { PendingDelivery } from '../core/types';

/** The end of one attempt: delivered, worth retrying, or never going to work. */
export type DeliveryResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; error: string }
  | { outcome: 'failed'; error: string };

/** Delivers one pending delivery (webhook, email, websocket push). */
export interface Sender {
  /** Subscriber URI schemes it handles, e.g. ["http:", "https:"]. */
  readonly schemes: string[];
  /** Metrics label, e.g. "webhook". */
  readonly kind: string;
  deliver(delivery: PendingDelivery, url: URL): Promise<DeliveryResult>;
}
