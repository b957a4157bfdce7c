// Prometheus metrics: one registry per process with HTTP and websocket traffic and process metrics.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The metrics a gateway process exports on GET /metrics. */
export interface Metrics {
  registry: Registry;
  /** Requests by method, route template and status code. */
  httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Request latency by method, route template and status code. */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Open websocket connections. */
  wsConnections: Gauge;
  /** Websocket request frames received, by action ("invalid" when unusable) and encoding (json, msgpack). */
  wsFramesIn: Counter<'action' | 'encoding'>;
  /** Websocket frames sent, by action ("none" when the request named none usable; "push" for pushes) and status. */
  wsFramesOut: Counter<'action' | 'status'>;
  /** Websocket errors: error responses and dropped or refused connections, by kind. */
  wsErrors: Counter<'kind'>;
  /**
   * The text GET /metrics serves: this registry's, or in a cluster worker every worker's aggregated
   * (cluster/metrics.ts replaces it), so a scrape sees the whole gateway whichever worker answers.
   */
  exposition: () => Promise<string>;
}

/** Creates a registry with the HTTP and websocket metrics and Node process metrics. */
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
  const wsConnections = new Gauge({
    name: 'qgate_ws_connections',
    help: 'Open websocket connections.',
    registers: [registry],
  });
  const wsFramesIn = new Counter({
    name: 'qgate_ws_frames_in_total',
    help: 'Websocket request frames received, by action and encoding.',
    labelNames: ['action', 'encoding'] as const,
    registers: [registry],
  });
  const wsFramesOut = new Counter({
    name: 'qgate_ws_frames_out_total',
    help: 'Websocket frames sent, by action and status.',
    labelNames: ['action', 'status'] as const,
    registers: [registry],
  });
  const wsErrors = new Counter({
    name: 'qgate_ws_errors_total',
    help: 'Websocket errors (error responses, dropped and refused connections), by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return {
    registry,
    httpRequests,
    httpDuration,
    wsConnections,
    wsFramesIn,
    wsFramesOut,
    wsErrors,
    exposition: () => registry.metrics(),
  };
}
