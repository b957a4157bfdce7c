// The notification service of one gateway process: the address guard, the senders and the delivery worker.

import type { SubscriptionSettings } from '../api/subscriptions';
import type { Clock } from '../core/clock';
import type { DataDriver, NotificationStore } from '../drivers/types';
import type { Logger } from '../observability/logger';
import { AddressGuard } from './address-guard';
import { EmailSender, type EmailOptions } from './email';
import type { Sender } from './sender';
import { WebhookSender } from './webhook-sender';
import { DeliveryWorker, type DeliveryMetrics } from './worker';

/** Everything the service needs, as plain values (main maps the configuration onto it). */
export interface NotificationServiceOptions {
  store: DataDriver & NotificationStore;
  clock: Clock;
  log: Logger;
  metrics?: DeliveryMetrics;
  subscriberTypes: string[];
  defaultTtl: number;
  maxPerPage: number;
  requireConfirmation: boolean;
  publicUrl: string;
  denyNetworks: string[];
  allowNetworks: string[];
  webhookTimeoutMs: number;
  email: EmailOptions;
  pollIntervalMs: number;
  batchSize: number;
  leaseMs: number;
  concurrency: number;
  perSubscriberConcurrency: number;
  /** More senders (the websocket transport's push sender). */
  extraSenders?: Sender[];
}

export class NotificationService {
  readonly guard: AddressGuard;
  readonly worker: DeliveryWorker;
  /** What the subscription operations need. */
  readonly settings: SubscriptionSettings;
  private readonly email: EmailSender;
  private readonly senders: Sender[];

  constructor(options: NotificationServiceOptions) {
    this.guard = new AddressGuard({ deny: options.denyNetworks, allow: options.allowNetworks, selfPorts: [] });
    this.email = new EmailSender(options.email);
    this.senders = [
      new WebhookSender(this.guard, options.webhookTimeoutMs),
      this.email,
      ...(options.extraSenders ?? []),
    ];
    this.worker = new DeliveryWorker({
      store: options.store,
      senders: this.senders,
      clock: options.clock,
      log: options.log,
      metrics: options.metrics,
      pollIntervalMs: options.pollIntervalMs,
      batchSize: options.batchSize,
      leaseMs: options.leaseMs,
      concurrency: options.concurrency,
      perSubscriberConcurrency: options.perSubscriberConcurrency,
    });
    this.settings = {
      subscriberTypes: options.subscriberTypes,
      defaultTtl: options.defaultTtl,
      maxPerPage: options.maxPerPage,
      requireConfirmation: options.requireConfirmation,
      publicUrl: options.publicUrl,
      checkSubscriber: (url) => this.guard.checkUrl(url),
    };
  }

  /** Adds a sender once its transport exists (the websocket server starts after the operations). */
  addSender(sender: Sender): void {
    this.senders.push(sender);
  }

  start(): void {
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    this.email.close();
  }
}
