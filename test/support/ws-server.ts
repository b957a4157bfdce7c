// An in-process websocket server on 127.0.0.1 and a free port, over the memory store, with the HTTP app beside it.

import { randomUUID } from 'node:crypto';
import pino from 'pino';
import supertest from 'supertest';
import { createOperations } from '../../src/api/operations';
import { type Limits, zaqarLimits } from '../../src/core/limits';
import { MemoryDriver } from '../../src/drivers/memory/driver';
import type { DataDriver } from '../../src/drivers/types';
import { createMetrics } from '../../src/observability/metrics';
import { createHttpApp } from '../../src/transport/http/app';
import type { WebsocketAuthenticator } from '../../src/transport/websocket/auth';
import type { WebsocketSettings } from '../../src/transport/websocket/options';
import { startWebsocketServer } from '../../src/transport/websocket/server';
import type { WebsocketSubscriptions } from '../../src/transport/websocket/subscriptions';

/** Options of a test websocket server. */
export interface TestWsServerOptions {
  settings?: Partial<WebsocketSettings>;
  limits?: Partial<Limits>;
  authenticator?: WebsocketAuthenticator;
  subscriptions?: WebsocketSubscriptions;
  /** Wraps the memory store the operations use (e.g. to hold a call until the test releases it). */
  wrapDriver?: (driver: MemoryDriver) => DataDriver;
}

/** Generous defaults: tests that prove a limit lower it. Keepalive and idle timeout are off unless asked for. */
const DEFAULT_SETTINGS: WebsocketSettings = {
  host: '127.0.0.1',
  port: 0,
  maxFrameBytes: 1024 * 1024,
  idleTimeoutMs: 0,
  pingIntervalMs: 0,
  maxConnections: 1000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingRequests: 32,
};

/** Starts a websocket server (and an HTTP app over the same operations, for comparisons). */
export async function startTestWsServer(options: TestWsServerOptions = {}) {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const driver = new MemoryDriver({ clock, gcIntervalMs: 0 });
  const metrics = createMetrics();
  const operations = createOperations({
    driver: options.wrapDriver ? options.wrapDriver(driver) : driver,
    limits: { ...zaqarLimits, ...options.limits },
    clock,
  });
  const logger = pino({ level: 'silent' });
  const server = await startWebsocketServer({
    operations,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    logger,
    metrics,
    adminMode: false,
    accessLog: false,
    authenticator: options.authenticator,
    subscriptions: options.subscriptions,
  });
  const http = supertest(createHttpApp({ operations, logger, metrics, adminMode: false, accessLog: false }));
  return {
    server,
    url: server.url,
    driver,
    metrics,
    operations,
    http,
    /** A fresh project, so tests sharing a server do not see each other's queues. */
    project: () => `p-${randomUUID().slice(0, 8)}`,
    /** Moves the clock forward. */
    advance(seconds: number) {
      now += seconds * 1000;
    },
    /** The value of a metric series (0 when absent). */
    async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
      const found = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
      const match = found.find((v) =>
        Object.entries(labels).every(([k, value]) => String((v.labels as Record<string, unknown>)[k]) === value),
      );
      return match?.value ?? 0;
    },
    async close() {
      await server.close();
      await driver.close();
    },
  };
}

/** A started test server. */
export type TestWsServer = Awaited<ReturnType<typeof startTestWsServer>>;
