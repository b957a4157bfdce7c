// Prometheus metrics: one registry per process with HTTP request counts, latency and process metrics.

import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The metrics a gateway process exports on GET /metrics. */
export interface Metrics {
  registry: Registry;
  /** Requests by method, route template and status code. */
  httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Request latency by method, route template and status code. */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** Creates a registry with the HTTP metrics and Node process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'qgate_' });
  const httpRequests = new Counter({
    name: 'qgate_http_requests_total',
    help: 'HTTP requests handled, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'qgate_http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration };
}
