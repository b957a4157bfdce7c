// The Redis management store: pools, flavors and queue placements kept in one Redis deployment.
//
// Keys (all under the prefix qgate:catalog:):
//   pools                 HASH pool name → PoolRecord JSON
//   flavors               HASH flavor name → FlavorRecord JSON
//   placements:<project>  HASH queue name → Placement JSON
//   pool-queues           HASH pool name → number of queues placed on it
// Registering and removing a placement also moves the pool's count, in one Lua script. The catalog is
// small and written rarely; it belongs on a standalone or Sentinel deployment (its keys span slots).

import { Redis } from 'ioredis';
import { ServiceUnavailable } from '../core/errors';
import type { CatalogPage, CatalogStore, FlavorRecord, Placement, PoolRecord } from './types';

const PREFIX = 'qgate:catalog:';
const POOLS = `${PREFIX}pools`;
const FLAVORS = `${PREFIX}flavors`;
const POOL_QUEUES = `${PREFIX}pool-queues`;
const placementsKey = (project: string) => `${PREFIX}placements:${project}`;

/** KEYS: placements, pool-queues. ARGV: queue, placement JSON, pool. Returns the placement that holds. */
const INSERT_PLACEMENT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
return ARGV[2]`;

/** KEYS: placements, pool-queues. ARGV: queue. */
const DELETE_PLACEMENT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], cjson.decode(existing).pool, -1)
return 1`;

type Scripted = Redis & {
  insertPlacement(placements: string, poolQueues: string, queue: string, json: string, pool: string): Promise<string>;
  deletePlacement(placements: string, poolQueues: string, queue: string): Promise<number>;
};

function sortedPage<T extends { name: string }>(records: T[], { marker, limit }: CatalogPage): T[] {
  return records
    .filter((r) => marker === undefined || r.name > marker)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}

export class RedisCatalogStore implements CatalogStore {
  readonly kind = 'redis';
  private readonly redis: Scripted;

  constructor(uri: string, options: { timeoutMs: number }) {
    const url = new URL(uri);
    this.redis = new Redis(uri, {
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      commandTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      tls: url.protocol === 'rediss:' ? {} : undefined,
    }) as Scripted;
    this.redis.on('error', () => {
      // Reported per call as 503; ioredis keeps reconnecting.
    });
    this.redis.defineCommand('insertPlacement', { numberOfKeys: 2, lua: INSERT_PLACEMENT });
    this.redis.defineCommand('deletePlacement', { numberOfKeys: 2, lua: DELETE_PLACEMENT });
  }

  async getPool(name: string): Promise<PoolRecord | undefined> {
    const json = await this.run(() => this.redis.hget(POOLS, name));
    return json ? (JSON.parse(json) as PoolRecord) : undefined;
  }

  async listPools(page: CatalogPage): Promise<PoolRecord[]> {
    return sortedPage(await this.allPools(), page);
  }

  async allPools(): Promise<PoolRecord[]> {
    const all = await this.run(() => this.redis.hvals(POOLS));
    return sortedPage(
      all.map((j) => JSON.parse(j) as PoolRecord),
      { limit: Number.MAX_SAFE_INTEGER },
    );
  }

  async putPool(pool: PoolRecord): Promise<void> {
    await this.run(() => this.redis.hset(POOLS, pool.name, JSON.stringify(pool)));
  }

  async deletePool(name: string): Promise<void> {
    await this.run(() => this.redis.hdel(POOLS, name));
  }

  async getFlavor(name: string): Promise<FlavorRecord | undefined> {
    const json = await this.run(() => this.redis.hget(FLAVORS, name));
    return json ? (JSON.parse(json) as FlavorRecord) : undefined;
  }

  async listFlavors(page: CatalogPage): Promise<FlavorRecord[]> {
    const all = await this.run(() => this.redis.hvals(FLAVORS));
    return sortedPage(
      all.map((j) => JSON.parse(j) as FlavorRecord),
      page,
    );
  }

  async putFlavor(flavor: FlavorRecord): Promise<void> {
    await this.run(() => this.redis.hset(FLAVORS, flavor.name, JSON.stringify(flavor)));
  }

  async deleteFlavor(name: string): Promise<void> {
    await this.run(() => this.redis.hdel(FLAVORS, name));
  }

  async getPlacement(project: string, queue: string): Promise<Placement | undefined> {
    const json = await this.run(() => this.redis.hget(placementsKey(project), queue));
    return json ? (JSON.parse(json) as Placement) : undefined;
  }

  async insertPlacement(project: string, queue: string, placement: Placement): Promise<Placement> {
    const json = await this.run(() =>
      this.redis.insertPlacement(placementsKey(project), POOL_QUEUES, queue, JSON.stringify(placement), placement.pool),
    );
    return JSON.parse(json) as Placement;
  }

  async deletePlacement(project: string, queue: string): Promise<void> {
    await this.run(() => this.redis.deletePlacement(placementsKey(project), POOL_QUEUES, queue));
  }

  async countPlacements(project: string): Promise<number> {
    return this.run(() => this.redis.hlen(placementsKey(project)));
  }

  async countQueuesInPool(pool: string): Promise<number> {
    return Number((await this.run(() => this.redis.hget(POOL_QUEUES, pool))) ?? 0);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** One store call; a Redis that cannot be reached is a 503 naming the management store. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch {
      // The description names no address (ioredis errors do): error bodies never reveal where stores live.
      throw new ServiceUnavailable("The catalog's management store is unreachable.");
    }
  }
}
