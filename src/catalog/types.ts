// Catalog records (pools, flavors, queue placements) and the management store that keeps them.

import type { JsonObject } from '../core/types';

/** A pool: one store deployment that owns the queues placed on it. */
export interface PoolRecord {
  name: string;
  /** Store URI (memory:, redis://…). */
  uri: string;
  /** Relative share of new queues; 0 takes none. */
  weight: number;
  /** The flavor the pool belongs to, or null for the default group. */
  flavor: string | null;
  /** Driver options (opaque to the catalog). */
  options: JsonObject;
}

/** A flavor: a named group of pools a tenant can ask for with `_flavor`. */
export interface FlavorRecord {
  name: string;
  /** Operator-supplied capabilities document (Zaqar keeps it; the computed list is shown on reads). */
  capabilities: JsonObject;
}

/** Where one queue lives. */
export interface Placement {
  pool: string;
  /** The flavor the queue was created with (null: default group). */
  flavor: string | null;
}

/** A page request over catalog records sorted by name. */
export interface CatalogPage {
  marker?: string;
  limit: number;
}

/**
 * The management store: pools, flavors and the (project, queue) → pool map. Memory for the embedded
 * default, Redis in production. Every method is one atomic step in the store.
 */
export interface CatalogStore {
  /** Store kind, e.g. "memory", "redis". */
  readonly kind: string;

  getPool(name: string): Promise<PoolRecord | undefined>;
  /** Pools sorted by name after the marker. */
  listPools(page: CatalogPage): Promise<PoolRecord[]>;
  /** Every pool (for weighted choice and fan-out listings). */
  allPools(): Promise<PoolRecord[]>;
  /** Creates or replaces a pool. */
  putPool(pool: PoolRecord): Promise<void>;
  deletePool(name: string): Promise<void>;

  getFlavor(name: string): Promise<FlavorRecord | undefined>;
  listFlavors(page: CatalogPage): Promise<FlavorRecord[]>;
  putFlavor(flavor: FlavorRecord): Promise<void>;
  deleteFlavor(name: string): Promise<void>;

  /** The queue's placement, if registered. */
  getPlacement(project: string, queue: string): Promise<Placement | undefined>;
  /** Registers the placement unless one exists; resolves with the placement that holds afterwards. */
  insertPlacement(project: string, queue: string, placement: Placement): Promise<Placement>;
  deletePlacement(project: string, queue: string): Promise<void>;
  /** How many queues the project has registered. */
  countPlacements(project: string): Promise<number>;
  /** How many queues a pool owns (any project). */
  countQueuesInPool(pool: string): Promise<number>;

  close(): Promise<void>;
}
