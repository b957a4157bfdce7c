// The delivery worker: every gateway process polls the stores' outboxes, leases due deliveries, makes
// them with bounded concurrency, and settles each (delivered, retried per the retry policy, or failed).

import type { Clock } from '../core/clock';
import type { DeliveryOutcome, PendingDelivery } from '../core/types';
import type { DataDriver, NotificationStore } from '../drivers/types';
import type { Logger } from '../observability/logger';
import { nextRetryDelay, resolveRetryPolicy } from './retry-policy';
import type { DeliveryResult, Sender } from './sender';

/** Where the worker reports what it does (observability/notify-metrics implements it). */
export interface DeliveryMetrics {
  attempted(kind: string): void;
  settled(kind: string, outcome: 'delivered' | 'retry' | 'failed', lagSeconds: number): void;
}

/** Settings of the worker. */
export interface DeliveryWorkerOptions {
  store: DataDriver & NotificationStore;
  senders: Sender[];
  clock: Clock;
  log: Logger;
  pollIntervalMs: number;
  batchSize: number;
  leaseMs: number;
  /** Most deliveries in flight in this process. */
  concurrency: number;
  /** Most deliveries in flight to one subscriber in this process. */
  perSubscriberConcurrency: number;
  metrics?: DeliveryMetrics;
}

export class DeliveryWorker {
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private readonly bySubscriber = new Map<string, number>();
  /** Deliveries taken but waiting for their subscriber's slot, by subscriber. */
  private readonly waiting = new Map<string, Array<{ delivery: PendingDelivery; since: number }>>();
  private waitingCount = 0;
  private readonly running = new Set<Promise<void>>();
  private polling?: Promise<number>;
  private stopped = false;

  constructor(private readonly options: DeliveryWorkerOptions) {}

  /** Polls every pollIntervalMs until stopped (0: never). */
  start(): void {
    if (this.options.pollIntervalMs <= 0) return;
    const loop = () => {
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.options.pollIntervalMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops polling and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    await Promise.all([...this.running]);
  }

  /** One poll: takes what fits in the free slots and starts delivering it; resolves how many it took. */
  async tick(): Promise<number> {
    if (this.polling) return 0;
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Waits for every delivery started so far (tests use it between ticks). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Deliveries in flight and waiting for a slot in this process. */
  get load(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waitingCount };
  }

  private async poll(): Promise<number> {
    const free = this.options.concurrency - this.inFlight - this.waitingCount;
    if (free <= 0) return 0;
    let taken: PendingDelivery[];
    try {
      taken = await this.options.store.takeDeliveries(Math.min(free, this.options.batchSize), this.options.leaseMs);
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'notification outbox unreachable; will retry');
      return 0;
    }
    const now = Date.now();
    for (const delivery of taken) {
      const queue = this.waiting.get(delivery.subscriber) ?? [];
      queue.push({ delivery, since: now });
      this.waiting.set(delivery.subscriber, queue);
      this.waitingCount++;
    }
    for (const subscriber of new Set(taken.map((d) => d.subscriber))) this.pump(subscriber);
    return taken.length;
  }

  /** Starts a subscriber's waiting deliveries while it has free slots (its own share, and the process's). */
  private pump(subscriber: string): void {
    const queue = this.waiting.get(subscriber);
    while (
      queue &&
      queue.length > 0 &&
      (this.bySubscriber.get(subscriber) ?? 0) < this.options.perSubscriberConcurrency
    ) {
      const { delivery, since } = queue.shift() as { delivery: PendingDelivery; since: number };
      this.waitingCount--;
      // Waited through half its lease behind a slow subscriber: left for a later take, never sent twice at once.
      if (Date.now() - since > this.options.leaseMs / 2) continue;
      this.begin(delivery);
    }
    if (queue && queue.length === 0) this.waiting.delete(subscriber);
  }

  private begin(delivery: PendingDelivery): void {
    this.bySubscriber.set(delivery.subscriber, (this.bySubscriber.get(delivery.subscriber) ?? 0) + 1);
    this.inFlight++;
    const run = this.deliver(delivery).finally(() => {
      this.inFlight--;
      const left = (this.bySubscriber.get(delivery.subscriber) ?? 1) - 1;
      if (left > 0) this.bySubscriber.set(delivery.subscriber, left);
      else this.bySubscriber.delete(delivery.subscriber);
      this.running.delete(run);
      this.pump(delivery.subscriber);
    });
    this.running.add(run);
  }

  private async deliver(delivery: PendingDelivery): Promise<void> {
    const { store, clock, metrics, log } = this.options;
    let url: URL | undefined;
    try {
      url = new URL(delivery.subscriber);
    } catch {
      url = undefined;
    }
    const sender = url && this.options.senders.find((s) => s.schemes.includes((url as URL).protocol));
    const kind = sender?.kind ?? 'unknown';
    metrics?.attempted(kind);
    let result: DeliveryResult;
    if (!url || !sender)
      result = { outcome: 'failed', error: `no sender for subscriber ${delivery.subscriber.slice(0, 64)}` };
    else {
      try {
        result = await sender.deliver(delivery, url);
      } catch (err) {
        result = { outcome: 'retry', error: (err as Error).message };
      }
    }
    const outcome = await this.outcomeOf(delivery, result);
    metrics?.settled(
      kind,
      outcome.kind === 'delivered' ? 'delivered' : outcome.kind,
      (clock() - delivery.created) / 1000,
    );
    try {
      await store.settleDelivery(delivery.scope, delivery.id, outcome);
    } catch (err) {
      // Left leased: it is due again after the lease, so nothing is lost (it may be sent twice).
      log.warn({ err: (err as Error).message, delivery: delivery.id }, 'could not settle a delivery');
    }
    if (outcome.kind === 'failed') {
      log.info(
        { delivery: delivery.id, subscription: delivery.subscriptionId, error: outcome.error },
        'delivery failed',
      );
    }
  }

  /** A retry becomes a reschedule per the retry policy, or a failure once the policy is exhausted. */
  private async outcomeOf(delivery: PendingDelivery, result: DeliveryResult): Promise<DeliveryOutcome> {
    if (result.outcome === 'delivered') return { kind: 'delivered' };
    if (result.outcome === 'failed') return { kind: 'failed', error: result.error };
    let queueMeta = {};
    try {
      queueMeta = await this.options.store.getQueueMetadata(delivery.scope);
    } catch {
      // A deleted queue has no policy of its own; the subscription's or Zaqar's defaults apply.
    }
    const failures = delivery.attempts + 1;
    const delay = nextRetryDelay(resolveRetryPolicy(delivery.options, queueMeta), failures);
    if (delay === undefined) return { kind: 'failed', error: `${result.error} (gave up after ${failures} attempts)` };
    return { kind: 'retry', dueAt: this.options.clock() + delay * 1000, error: result.error };
  }
}
