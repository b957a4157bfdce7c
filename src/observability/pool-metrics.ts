// Prometheus metrics of pools and the catalog: per-pool calls, errors and latency; cache hits and misses.

import { Counter, Histogram, type Registry } from 'prom-client';
import type { PoolCallMetrics } from '../routing/pool-metrics';

/** The pool and catalog metrics of one registry. */
export interface PoolMetrics extends PoolCallMetrics {
  /** Counts a placement lookup answered (hit) or not (miss) by the cache. */
  cacheLookup(hit: boolean): void;
}

/** Registers the pool and catalog metrics on a registry. */
export function createPoolMetrics(registry: Registry): PoolMetrics {
  const calls = new Counter({
    name: 'qgate_pool_requests_total',
    help: 'Store calls by pool, operation and outcome (ok, error, unavailable).',
    labelNames: ['pool', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'qgate_pool_request_duration_seconds',
    help: 'Store call latency in seconds, by pool.',
    labelNames: ['pool'] as const,
    buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    registers: [registry],
  });
  const cache = new Counter({
    name: 'qgate_catalog_cache_lookups_total',
    help: 'Queue placement lookups, by whether the catalog cache answered (hit) or the store did (miss).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  return {
    record(pool, operation, outcome, seconds) {
      calls.inc({ pool, operation, outcome });
      duration.observe({ pool }, seconds);
    },
    cacheLookup(hit) {
      cache.inc({ result: hit ? 'hit' : 'miss' });
    },
  };
}
