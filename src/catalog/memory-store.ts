// The in-process management store: the catalog of the embedded default (nothing survives a restart).

import type { CatalogPage, CatalogStore, FlavorRecord, Placement, PoolRecord } from './types';

/** Sorted page of records by name after the marker. */
function page<T extends { name: string }>(records: Iterable<T>, { marker, limit }: CatalogPage): T[] {
  return [...records]
    .filter((r) => marker === undefined || r.name > marker)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit)
    .map((r) => structuredClone(r));
}

export class MemoryCatalogStore implements CatalogStore {
  readonly kind = 'memory';
  private readonly pools = new Map<string, PoolRecord>();
  private readonly flavors = new Map<string, FlavorRecord>();
  /** project → queue → placement. */
  private readonly placements = new Map<string, Map<string, Placement>>();
  private readonly poolQueues = new Map<string, number>();

  async getPool(name: string): Promise<PoolRecord | undefined> {
    const pool = this.pools.get(name);
    return pool && structuredClone(pool);
  }

  async listPools(p: CatalogPage): Promise<PoolRecord[]> {
    return page(this.pools.values(), p);
  }

  async allPools(): Promise<PoolRecord[]> {
    return page(this.pools.values(), { limit: Number.MAX_SAFE_INTEGER });
  }

  async putPool(pool: PoolRecord): Promise<void> {
    this.pools.set(pool.name, structuredClone(pool));
  }

  async deletePool(name: string): Promise<void> {
    this.pools.delete(name);
  }

  async getFlavor(name: string): Promise<FlavorRecord | undefined> {
    const flavor = this.flavors.get(name);
    return flavor && structuredClone(flavor);
  }

  async listFlavors(p: CatalogPage): Promise<FlavorRecord[]> {
    return page(this.flavors.values(), p);
  }

  async putFlavor(flavor: FlavorRecord): Promise<void> {
    this.flavors.set(flavor.name, structuredClone(flavor));
  }

  async deleteFlavor(name: string): Promise<void> {
    this.flavors.delete(name);
  }

  async getPlacement(project: string, queue: string): Promise<Placement | undefined> {
    const placement = this.placements.get(project)?.get(queue);
    return placement && { ...placement };
  }

  async insertPlacement(project: string, queue: string, placement: Placement): Promise<Placement> {
    let queues = this.placements.get(project);
    if (!queues) {
      queues = new Map();
      this.placements.set(project, queues);
    }
    const existing = queues.get(queue);
    if (existing) return { ...existing };
    queues.set(queue, { ...placement });
    this.poolQueues.set(placement.pool, (this.poolQueues.get(placement.pool) ?? 0) + 1);
    return { ...placement };
  }

  async deletePlacement(project: string, queue: string): Promise<void> {
    const queues = this.placements.get(project);
    const existing = queues?.get(queue);
    if (!queues || !existing) return;
    queues.delete(queue);
    if (queues.size === 0) this.placements.delete(project);
    this.poolQueues.set(existing.pool, (this.poolQueues.get(existing.pool) ?? 1) - 1);
  }

  async countPlacements(project: string): Promise<number> {
    return this.placements.get(project)?.size ?? 0;
  }

  async countQueuesInPool(pool: string): Promise<number> {
    return this.poolQueues.get(pool) ?? 0;
  }

  async close(): Promise<void> {}
}
