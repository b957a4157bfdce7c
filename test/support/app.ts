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
import { NotificationService, type NotificationServiceOptions } from '../../src/notify/service';
import { createHttpApp } from '../../src/transport/http/app';

/** Options of a test app. */
export interface TestAppOptions {
  limits?: Partial<Limits>;
  adminMode?: boolean;
  /** Key of pre-signed URLs (empty: off). */
  signedUrlKey?: string;
  /** CORS origins. */
  corsOrigins?: string[];
  /** Notification settings over the defaults (the worker never polls by itself: tests call tick). */
  notification?: Partial<NotificationServiceOptions>;
  /** Serve the v2 routes without express (the default), or through express alone (false). */
  fastPath?: boolean;
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
  const notifier = new NotificationService({
    store: driver,
    clock,
    log: pino({ level: 'silent' }),
    subscriberTypes: ['http', 'https', 'mailto'],
    defaultTtl: 3600,
    maxPerPage: 20,
    requireConfirmation: false,
    publicUrl: '',
    denyNetworks: ['169.254.0.0/16', 'fe80::/10'],
    allowNetworks: [],
    webhookTimeoutMs: 2000,
    email: {
      host: '127.0.0.1',
      port: 25,
      secure: false,
      user: '',
      password: '',
      sender: 'qgate <qgate@example.com>',
      externalConfirmationUrl: 'https://confirm.example/confirm',
      timeoutMs: 2000,
    },
    pollIntervalMs: 0,
    batchSize: 100,
    leaseMs: 30_000,
    concurrency: 16,
    perSubscriberConcurrency: 4,
    ...options.notification,
  });
  const operations = createOperations({
    driver,
    limits: { ...zaqarLimits, ...options.limits },
    clock,
    catalog,
    signedUrlKey: options.signedUrlKey,
    subscriptions: notifier.settings,
  });
  const app = createHttpApp({
    operations,
    logger: pino({ level: 'silent' }),
    metrics,
    adminMode: options.adminMode ?? false,
    signedUrlKey: options.signedUrlKey,
    corsOrigins: options.corsOrigins,
    accessLog: false,
    fastPath: options.fastPath,
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
    notifier,
    /** One delivery round: take what is due, deliver it, settle it. */
    async deliver() {
      await notifier.worker.tick();
      await notifier.worker.drain();
    },
    close: async () => {
      await notifier.stop();
      await driver.close();
    },
  };
}

/** A fresh Client-ID. */
export function newClientId(): string {
  return randomUUID();
}
