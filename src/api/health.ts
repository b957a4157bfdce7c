// Health operations: ping and the detailed health report, one entry per pool.

import type { StoreHealth } from '../core/types';
import { authorize, type RequestContext } from './context';
import type { ApiDeps } from './deps';

/** Zaqar's health document, with per-pool detail. */
export interface HealthReport {
  storage_reachable: boolean;
  /** Per-pool detail: reachability, kind and probe latency. */
  pools: Record<string, { storage_reachable: boolean; kind: string; latency_ms: number }>;
}

/** A data plane that can report each pool's health (the Router). */
interface PoolHealthSource {
  healthByPool(): Promise<Record<string, StoreHealth>>;
}

function hasPools(driver: unknown): driver is PoolHealthSource {
  return typeof (driver as Partial<PoolHealthSource>).healthByPool === 'function';
}

export class HealthOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** Whether the store (every pool) answers. */
  async ping(ctx: RequestContext): Promise<boolean> {
    authorize(this.deps, ctx, 'ping:get');
    return (await this.deps.driver.health()).reachable;
  }

  /** The health document. */
  async health(ctx: RequestContext): Promise<HealthReport> {
    authorize(this.deps, ctx, 'health:get');
    const { driver } = this.deps;
    const byPool = hasPools(driver) ? await driver.healthByPool() : { default: await driver.health() };
    const pools: HealthReport['pools'] = {};
    for (const [name, h] of Object.entries(byPool)) {
      pools[name] = { storage_reachable: h.reachable, kind: h.kind, latency_ms: h.latencyMs };
    }
    return { storage_reachable: Object.values(byPool).every((h) => h.reachable), pools };
  }
}
