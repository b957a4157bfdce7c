// The catalog service: which pool owns each queue, the pools' drivers, and weighted placement of new queues.
//
// Staleness across gateway processes: placements never change once made, so a cached placement is
// always right until its queue is deleted; another process sees a deletion after at most `cacheTtlMs`.
// A pool's URI is re-read from the management store at most every `cacheTtlMs`, so a pool re-pointed
// on one process is followed by every other process within that bound. Absent placements are never cached.

import { LRUCache } from 'lru-cache';
import { BadRequest, ServiceUnavailable } from '../core/errors';
import type { QueueScope } from '../core/types';
import type { DataDriver } from '../drivers/types';
import { selectWeighted } from './select';
import type { CatalogStore, Placement, PoolRecord } from './types';

/** Creates the driver of a pool URI (drivers/factory.createDriver with the store options bound). */
export type PoolDriverFactory = (uri: string) => Promise<DataDriver>;

/** Options of the catalog service. */
export interface PoolCatalogOptions {
  store: CatalogStore;
  driverFactory: PoolDriverFactory;
  /** Most placements kept in the lookup cache. */
  cacheSize: number;
  /** How long a cached placement or pool URI is trusted, in ms. */
  cacheTtlMs: number;
  /** Random source for weighted choice (tests make it deterministic). */
  random?: () => number;
  /** Called on every placement lookup with whether the cache answered. */
  onCacheLookup?: (hit: boolean) => void;
}

/** A pool's live driver. */
interface PoolHandle {
  uri: string;
  driver: DataDriver;
  checkedAt: number;
}

/** A queue's owning pool and its driver. */
export interface RoutedQueue {
  pool: string;
  /** The flavor the queue was placed with (null: the default group). */
  flavor: string | null;
  driver: DataDriver;
}

const key = (scope: QueueScope) => `${scope.project}\n${scope.queue}`;

export class PoolCatalog {
  readonly store: CatalogStore;
  private readonly factory: PoolDriverFactory;
  private readonly cache: LRUCache<string, Placement>;
  private readonly ttl: number;
  private readonly random: () => number;
  private readonly onCacheLookup?: (hit: boolean) => void;
  private readonly handles = new Map<string, PoolHandle>();
  /** In-flight driver creations, so concurrent first calls share one connection. */
  private readonly opening = new Map<string, Promise<PoolHandle>>();

  constructor(options: PoolCatalogOptions) {
    this.store = options.store;
    this.factory = options.driverFactory;
    this.ttl = options.cacheTtlMs;
    this.cache = new LRUCache({ max: Math.max(1, options.cacheSize), ttl: Math.max(1, options.cacheTtlMs) });
    this.random = options.random ?? Math.random;
    this.onCacheLookup = options.onCacheLookup;
  }

  /** The pool that owns the queue, or undefined when the queue is not registered. */
  async lookup(scope: QueueScope): Promise<RoutedQueue | undefined> {
    const placement = await this.placementOf(scope);
    if (!placement) return undefined;
    return { ...placement, driver: await this.driverOf(placement.pool) };
  }

  /** The queue's placement (cached), or undefined. */
  async placementOf(scope: QueueScope): Promise<Placement | undefined> {
    const cached = this.cache.get(key(scope));
    this.onCacheLookup?.(cached !== undefined);
    if (cached) return cached;
    const placement = await this.store.getPlacement(scope.project, scope.queue);
    if (placement) this.cache.set(key(scope), placement);
    return placement;
  }

  /**
   * Places a new queue: weighted choice among the pools of its flavor (or of no flavor). If another
   * process registered it first, its placement wins. BadRequest for an unknown flavor, 503 when no pool
   * takes new queues.
   */
  async register(scope: QueueScope, flavor: string | null): Promise<RoutedQueue> {
    const existing = await this.placementOf(scope);
    if (existing) return { ...existing, driver: await this.driverOf(existing.pool) };
    if (flavor !== null && !(await this.store.getFlavor(flavor))) {
      throw new BadRequest(`Flavor ${flavor} does not exist.`);
    }
    const candidates = (await this.store.allPools()).filter((p) => p.flavor === flavor);
    const chosen = selectWeighted(candidates, this.random);
    if (!chosen) {
      throw new ServiceUnavailable(
        flavor === null
          ? 'No pool without a flavor takes new queues (add one, or give the pools weight).'
          : `No pool of flavor ${flavor} takes new queues.`,
      );
    }
    const placement = await this.store.insertPlacement(scope.project, scope.queue, { pool: chosen.name, flavor });
    this.cache.set(key(scope), placement);
    return { ...placement, driver: await this.driverOf(placement.pool) };
  }

  /** Places a queue on a given pool (dead-letter queues follow their source queue). */
  async registerOn(scope: QueueScope, pool: string, flavor: string | null): Promise<Placement> {
    const placement = await this.store.insertPlacement(scope.project, scope.queue, { pool, flavor });
    this.cache.set(key(scope), placement);
    return placement;
  }

  /** Forgets the queue's placement. */
  async deregister(scope: QueueScope): Promise<void> {
    await this.store.deletePlacement(scope.project, scope.queue);
    this.cache.delete(key(scope));
  }

  /** The live driver of a pool, created on first use and replaced when the pool's URI changed. */
  async driverOf(pool: string): Promise<DataDriver> {
    const handle = this.handles.get(pool);
    if (handle && Date.now() - handle.checkedAt < this.ttl) return handle.driver;
    const pending = this.opening.get(pool);
    if (pending) return (await pending).driver;
    const opening = this.refresh(pool, handle).finally(() => this.opening.delete(pool));
    this.opening.set(pool, opening);
    return (await opening).driver;
  }

  /** Every pool with its driver, sorted by name. */
  async allDrivers(): Promise<Array<{ pool: PoolRecord; driver: DataDriver }>> {
    const pools = await this.store.allPools();
    return Promise.all(pools.map(async (pool) => ({ pool, driver: await this.driverOf(pool.name) })));
  }

  /** Makes `driver` the live driver of a pool record just written (it was opened to check the URI). */
  adoptDriver(pool: PoolRecord, driver: DataDriver): void {
    const old = this.handles.get(pool.name);
    this.handles.set(pool.name, { uri: pool.uri, driver, checkedAt: Date.now() });
    if (old && old.driver !== driver) void old.driver.close();
  }

  /** Closes and forgets a deleted pool's driver. */
  async dropDriver(pool: string): Promise<void> {
    const old = this.handles.get(pool);
    this.handles.delete(pool);
    if (old) await old.driver.close();
  }

  /** Opens a driver for a URI (used to check a pool before accepting it). */
  openDriver(uri: string): Promise<DataDriver> {
    return this.factory(uri);
  }

  /** Closes every pool driver and the management store. */
  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.driver.close()));
    await this.store.close();
  }

  private async refresh(pool: string, handle: PoolHandle | undefined): Promise<PoolHandle> {
    const record = await this.store.getPool(pool);
    if (!record) {
      if (handle) return handle;
      throw new ServiceUnavailable(`Pool ${pool} is not in the catalog.`);
    }
    if (handle && handle.uri === record.uri) {
      handle.checkedAt = Date.now();
      return handle;
    }
    const driver = await this.factory(record.uri);
    const next = { uri: record.uri, driver, checkedAt: Date.now() };
    this.handles.set(pool, next);
    if (handle) void handle.driver.close();
    return next;
  }
}
