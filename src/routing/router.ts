// The Router: a DataDriver that sends each call to the driver of the pool owning the queue.
//
// A queue not in the catalog is answered as a store answers for a missing queue (an empty, never
// written memory store gives exactly those answers), so the layers above never know pooling is on.

import { Conflict, ServiceUnavailable } from '../core/errors';
import { deadLetterPolicy } from '../core/queue-metadata';
import type {
  ClaimOptions,
  ClaimRecord,
  DeliveryOutcome,
  FailedDelivery,
  NewSubscription,
  PendingDelivery,
  SubscriptionPatch,
  SubscriptionRecord,
  ListMessagesOptions,
  MessagePage,
  NewMessage,
  QueueMetadata,
  QueueScope,
  QueueStats,
  QueueSummary,
  StoreHealth,
  StoredMessage,
} from '../core/types';
import { MemoryDriver } from '../drivers/memory/driver';
import {
  type DataDriver,
  type ListQueuesOptions,
  type ListSubscriptionsOptions,
  type NotificationStore,
  supportsNotifications,
} from '../drivers/types';
import type { PoolCatalog, RoutedQueue } from '../catalog/catalog';
import type { PoolCallMetrics } from './pool-metrics';
import { mergeQueuePages } from './merge';

/** The flavor a queue's metadata asks for (null: the default group). */
function flavorOf(metadata: QueueMetadata): string | null {
  return typeof metadata._flavor === 'string' && metadata._flavor !== '' ? metadata._flavor : null;
}

/**
 * A pool's store failure as tenants see it: "pool X is unreachable", never the store's address (the
 * driver's own description stays on the error's `cause`, which the error middleware logs).
 */
function poolError(pool: string, err: unknown): unknown {
  if (!(err instanceof ServiceUnavailable)) return err;
  const wrapped = new ServiceUnavailable(`Pool ${pool} is unreachable.`);
  (wrapped as Error).cause = err.description;
  return wrapped;
}

export class Router implements DataDriver, NotificationStore {
  readonly kind = 'router';
  /** Answers every call on an unregistered queue. */
  private readonly nowhere = new MemoryDriver({ gcIntervalMs: 0 });

  constructor(
    readonly catalog: PoolCatalog,
    private readonly metrics?: PoolCallMetrics,
  ) {}

  async createQueue(scope: QueueScope, metadata: QueueMetadata): Promise<boolean> {
    const existing = await this.catalog.lookup(scope);
    if (existing) return this.call(existing, 'createQueue', (d) => d.createQueue(scope, metadata));
    const routed = await this.catalog.register(scope, flavorOf(metadata));
    try {
      await this.placeDeadLetterQueue(scope, routed.pool, metadata);
      return await this.call(routed, 'createQueue', (d) => d.createQueue(scope, metadata));
    } catch (err) {
      // Refused or failed: the queue must not stay registered without existing.
      await this.catalog.deregister(scope);
      throw err;
    }
  }

  async queueExists(scope: QueueScope): Promise<boolean> {
    return this.read(scope, 'queueExists', (d) => d.queueExists(scope));
  }

  async getQueueMetadata(scope: QueueScope): Promise<QueueMetadata> {
    return this.read(scope, 'getQueueMetadata', (d) => d.getQueueMetadata(scope));
  }

  async setQueueMetadata(scope: QueueScope, metadata: QueueMetadata): Promise<void> {
    const routed = await this.catalog.lookup(scope);
    if (!routed) return this.nowhere.setQueueMetadata(scope, metadata);
    const was = routed.flavor;
    const next = flavorOf(metadata);
    if (was !== next) {
      throw new Conflict(
        `Queue ${scope.queue} was created with flavor ${was ?? '(none)'} and lives in pool ${routed.pool}; ` +
          `changing _flavor to ${next ?? '(none)'} would strand its messages. Create a new queue with that flavor instead.`,
      );
    }
    await this.placeDeadLetterQueue(scope, routed.pool, metadata);
    await this.call(routed, 'setQueueMetadata', (d) => d.setQueueMetadata(scope, metadata));
  }

  async deleteQueue(scope: QueueScope): Promise<void> {
    const routed = await this.catalog.lookup(scope);
    if (!routed) return;
    await this.call(routed, 'deleteQueue', (d) => d.deleteQueue(scope));
    await this.catalog.deregister(scope);
  }

  /** Asks every pool for a page after the marker and merges them by name: one marker across pools. */
  async listQueues(project: string, options: ListQueuesOptions): Promise<QueueSummary[]> {
    const pools = await this.catalog.allDrivers();
    const pages = await Promise.all(
      pools.map(({ pool, driver }) =>
        this.call({ pool: pool.name, driver }, 'listQueues', (d) => d.listQueues(project, options)),
      ),
    );
    return mergeQueuePages(pages, options.limit);
  }

  async countQueues(project: string): Promise<number> {
    return this.catalog.store.countPlacements(project);
  }

  async queueStats(scope: QueueScope): Promise<QueueStats> {
    return this.read(scope, 'queueStats', (d) => d.queueStats(scope));
  }

  async postMessages(scope: QueueScope, messages: NewMessage[], clientId: string): Promise<string[]> {
    const routed = (await this.catalog.lookup(scope)) ?? (await this.catalog.register(scope, null));
    return this.call(routed, 'postMessages', (d) => d.postMessages(scope, messages, clientId));
  }

  async listMessages(scope: QueueScope, options: ListMessagesOptions): Promise<MessagePage> {
    return this.read(scope, 'listMessages', (d) => d.listMessages(scope, options));
  }

  async getMessage(scope: QueueScope, id: string): Promise<StoredMessage> {
    return this.read(scope, 'getMessage', (d) => d.getMessage(scope, id));
  }

  async getMessages(scope: QueueScope, ids: string[]): Promise<StoredMessage[]> {
    return this.read(scope, 'getMessages', (d) => d.getMessages(scope, ids));
  }

  async deleteMessage(scope: QueueScope, id: string, claimId?: string): Promise<void> {
    return this.read(scope, 'deleteMessage', (d) => d.deleteMessage(scope, id, claimId));
  }

  async deleteMessages(scope: QueueScope, ids: string[]): Promise<void> {
    return this.read(scope, 'deleteMessages', (d) => d.deleteMessages(scope, ids));
  }

  async popMessages(scope: QueueScope, limit: number): Promise<StoredMessage[]> {
    return this.read(scope, 'popMessages', (d) => d.popMessages(scope, limit));
  }

  async purgeMessages(scope: QueueScope): Promise<void> {
    return this.read(scope, 'purgeMessages', (d) => d.purgeMessages(scope));
  }

  async createClaim(scope: QueueScope, options: ClaimOptions): Promise<ClaimRecord | null> {
    return this.read(scope, 'createClaim', (d) => d.createClaim(scope, options));
  }

  async getClaim(scope: QueueScope, claimId: string): Promise<ClaimRecord> {
    return this.read(scope, 'getClaim', (d) => d.getClaim(scope, claimId));
  }

  async updateClaim(scope: QueueScope, claimId: string, ttl: number, grace: number): Promise<void> {
    return this.read(scope, 'updateClaim', (d) => d.updateClaim(scope, claimId, ttl, grace));
  }

  async deleteClaim(scope: QueueScope, claimId: string): Promise<void> {
    return this.read(scope, 'deleteClaim', (d) => d.deleteClaim(scope, claimId));
  }

  async createSubscription(scope: QueueScope, sub: NewSubscription): Promise<{ id: string; created: boolean }> {
    return this.notify(scope, 'createSubscription', (d) => d.createSubscription(scope, sub));
  }

  async getSubscription(scope: QueueScope, id: string): Promise<SubscriptionRecord> {
    return this.notify(scope, 'getSubscription', (d) => d.getSubscription(scope, id));
  }

  async listSubscriptions(scope: QueueScope, options: ListSubscriptionsOptions): Promise<SubscriptionRecord[]> {
    return this.notify(scope, 'listSubscriptions', (d) => d.listSubscriptions(scope, options));
  }

  async updateSubscription(scope: QueueScope, id: string, patch: SubscriptionPatch): Promise<void> {
    return this.notify(scope, 'updateSubscription', (d) => d.updateSubscription(scope, id, patch));
  }

  async deleteSubscription(scope: QueueScope, id: string): Promise<void> {
    return this.notify(scope, 'deleteSubscription', (d) => d.deleteSubscription(scope, id));
  }

  async purgeSubscriptions(scope: QueueScope): Promise<void> {
    return this.notify(scope, 'purgeSubscriptions', (d) => d.purgeSubscriptions(scope));
  }

  async enqueueDelivery(delivery: Omit<PendingDelivery, 'id' | 'attempts' | 'created' | 'dueAt'>): Promise<string> {
    return this.notify(delivery.scope, 'enqueueDelivery', (d) => d.enqueueDelivery(delivery));
  }

  /** Leases up to `limit` due deliveries from each pool that keeps them. */
  async takeDeliveries(limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    const pools = (await this.catalog.allDrivers()).filter(({ driver }) => supportsNotifications(driver));
    const taken = await Promise.all(
      pools.map(({ pool, driver }) =>
        this.call({ pool: pool.name, driver }, 'takeDeliveries', (d) =>
          supportsNotifications(d) ? d.takeDeliveries(limit, leaseMs) : Promise.resolve([]),
        ).catch(() => [] as PendingDelivery[]),
      ),
    );
    return taken.flat();
  }

  async settleDelivery(scope: QueueScope, id: string, outcome: DeliveryOutcome): Promise<void> {
    return this.notify(scope, 'settleDelivery', (d) => d.settleDelivery(scope, id, outcome));
  }

  async listFailedDeliveries(scope: QueueScope, subscriptionId: string, limit: number): Promise<FailedDelivery[]> {
    return this.notify(scope, 'listFailedDeliveries', (d) => d.listFailedDeliveries(scope, subscriptionId, limit));
  }

  /** Reachable only when every pool is (Zaqar's pooled ping); latency is the slowest pool's. */
  async health(): Promise<StoreHealth> {
    const report = await this.healthByPool();
    const all = Object.values(report);
    return {
      reachable: all.every((h) => h.reachable),
      latencyMs: Math.max(0, ...all.map((h) => h.latencyMs)),
      kind: this.kind,
    };
  }

  /** Each pool's health probe, by pool name. Never throws. */
  async healthByPool(): Promise<Record<string, StoreHealth>> {
    let pools: Awaited<ReturnType<PoolCatalog['allDrivers']>>;
    try {
      pools = await this.catalog.allDrivers();
    } catch {
      return { catalog: { reachable: false, latencyMs: 0, kind: this.catalog.store.kind } };
    }
    const probes = await Promise.all(pools.map(async ({ pool, driver }) => [pool.name, await driver.health()]));
    return Object.fromEntries(probes);
  }

  async close(): Promise<void> {
    await this.catalog.close();
    await this.nowhere.close();
  }

  /** Calls the owning pool's driver, or the empty store when the queue is not registered. */
  private async read<T>(scope: QueueScope, op: string, fn: (d: DataDriver) => Promise<T>): Promise<T> {
    const routed = await this.catalog.lookup(scope);
    return routed ? this.call(routed, op, fn) : fn(this.nowhere);
  }

  /** A NotificationStore call on the owning pool; 503 when that pool's store keeps no subscriptions. */
  private async notify<T>(
    scope: QueueScope,
    op: string,
    fn: (d: DataDriver & NotificationStore) => Promise<T>,
  ): Promise<T> {
    return this.read(scope, op, (d) => {
      if (!supportsNotifications(d)) {
        throw new ServiceUnavailable(`The ${d.kind} store of this queue keeps no subscriptions yet.`);
      }
      return fn(d);
    });
  }

  /** One call on a pool's driver, counted and timed by pool. */
  private async call<T>(
    routed: Pick<RoutedQueue, 'pool' | 'driver'>,
    op: string,
    fn: (d: DataDriver) => Promise<T>,
  ): Promise<T> {
    if (!this.metrics) {
      try {
        return await fn(routed.driver);
      } catch (err) {
        throw poolError(routed.pool, err);
      }
    }
    const start = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await fn(routed.driver);
    } catch (err) {
      outcome = err instanceof ServiceUnavailable ? 'unavailable' : 'error';
      throw poolError(routed.pool, err);
    } finally {
      this.metrics.record(routed.pool, op, outcome, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }

  /** A dead-letter queue must live in its source queue's pool: the store moves messages itself. */
  private async placeDeadLetterQueue(scope: QueueScope, pool: string, metadata: QueueMetadata): Promise<void> {
    const policy = deadLetterPolicy(metadata);
    if (!policy || policy.queue === scope.queue) return;
    const dlq = { project: scope.project, queue: policy.queue };
    const placement = (await this.catalog.placementOf(dlq)) ?? (await this.catalog.registerOn(dlq, pool, null));
    if (placement.pool !== pool) {
      throw new Conflict(
        `Dead letter queue ${policy.queue} lives in pool ${placement.pool}, but queue ${scope.queue} lives in ` +
          `pool ${pool}; a dead letter queue must be in the same pool as its source queue.`,
      );
    }
  }
}
