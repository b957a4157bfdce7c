// An in-process gateway for supertest: the Router over one memory pool, a controllable clock, silent logs.

import { randomUUID } from 'node:crypto';
import pino from 'pino';
import supertest from 'supertest';
import { createOperations } from '../../src/api/operations';
import { type Limits, zaqarLimits } from '../../src/core/limits';
import { PoolCatalog } from '../../src/catalog/catalog';
import { MemoryCatalogStore } from '../../src/catalog/memory-store';
import { createDriver } from '../../src/drivers/factory';
import { Router } from '../../src/routing/router';
import { createMetrics } from '../../src/observability/metrics';
import { createHttpApp } from '../../src/transport/http/app';

/** Options of a test app. */
export interface TestAppOptions {
  limits?: Partial<Limits>;
  adminMode?: boolean;
  /** Key of pre-signed URLs (empty: off). */
  signedUrlKey?: string;
  /** CORS origins. */
  corsOrigins?: string[];
}

/** Builds an app whose clock only moves when the test advances it. */
export function testApp(options: TestAppOptions = {}) {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const catalog = new PoolCatalog({
    store: new MemoryCatalogStore(),
    driverFactory: (uri) => createDriver(uri, { clock, timeoutMs: 1000, gcIntervalMs: 0 }),
    cacheSize: 1000,
    cacheTtlMs: 60_000,
  });
  void catalog.store.putPool({ name: 'default', uri: 'memory:', weight: 100, flavor: null, options: {} });
  const driver = new Router(catalog);
  const metrics = createMetrics();
  const operations = createOperations({
    driver,
    limits: { ...zaqarLimits, ...options.limits },
    clock,
    catalog,
    signedUrlKey: options.signedUrlKey,
  });
  const app = createHttpApp({
    operations,
    logger: pino({ level: 'silent' }),
    metrics,
    adminMode: options.adminMode ?? false,
    signedUrlKey: options.signedUrlKey,
    corsOrigins: options.corsOrigins,
    accessLog: false,
  });
  const agent = supertest(app);
  const project = `p-${randomUUID().slice(0, 8)}`;
  const clientId = randomUUID();
  /** A request with valid v2 headers (override them per call). */
  const call = (
    method: 'get' | 'put' | 'post' | 'patch' | 'delete' | 'head',
    path: string,
    headers: Record<string, string> = {},
  ) => agent[method](path).set({ 'Client-ID': clientId, 'X-Project-ID': project, ...headers });
  return {
    app,
    agent,
    driver,
    catalog,
    metrics,
    project,
    clientId,
    call,
    /** Moves the clock forward. */
    advance(seconds: number) {
      now += seconds * 1000;
    },
    close: () => driver.close(),
  };
}

/** A fresh Client-ID. */
export function newClientId(): string {
  return randomUUID();
}
