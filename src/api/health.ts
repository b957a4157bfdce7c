// Health operations: ping and the detailed health report.

import type { ApiDeps } from './deps';

/** Zaqar's health document, one entry per store. */
export interface HealthReport {
  storage_reachable: boolean;
  /** Per-pool detail: reachability, kind and probe latency. */
  pools: Record<string, { storage_reachable: boolean; kind: string; latency_ms: number }>;
}

export class HealthOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** Whether the store answers. */
  async ping(): Promise<boolean> {
    return (await this.deps.driver.health()).reachable;
  }

  /** The health document. */
  async health(): Promise<HealthReport> {
    const h = await this.deps.driver.health();
    return {
      storage_reachable: h.reachable,
      pools: { default: { storage_reachable: h.reachable, kind: h.kind, latency_ms: h.latencyMs } },
    };
  }
}
