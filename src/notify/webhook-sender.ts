// The http(s) Sender: webhook calls through the address guard with a timeout.

import type { PendingDelivery } from '../core/types';
import type { AddressGuard } from './address-guard';
import type { DeliveryResult, Sender } from './sender';
import { sendWebhook } from './webhook';

export class WebhookSender implements Sender {
  readonly schemes = ['http:', 'https:'];
  readonly kind = 'webhook';

  constructor(
    private readonly guard: AddressGuard,
    private readonly timeoutMs: number,
  ) {}

  deliver(delivery: PendingDelivery, url: URL): Promise<DeliveryResult> {
    return sendWebhook(url, delivery.payload, delivery.options, this.guard, this.timeoutMs);
  }
}
