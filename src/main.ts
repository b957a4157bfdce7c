// Process entry: config → store → operations → HTTP and websocket transports; graceful stop on SIGINT/SIGTERM.

import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { type MetadataPeers, QueueMetadataCache } from './api/metadata-cache';
import { createOperations } from './api/operations';
import type { Authenticator } from './auth/identity';
import { KeystoneAuth } from './auth/keystone';
import { NoAuth } from './auth/noauth';
import type { Policy } from './auth/policy';
import { loadPolicy } from './auth/policy-file';
import { limitsFromConfig } from './config/limits';
import { ConfigError, loadConfig } from './config/load';
import type { QgateConfig } from './config/schema';
import { systemClock } from './core/clock';
import { createDriver, isEmbeddedUri } from './drivers/factory';
import type { DataDriver } from './drivers/types';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { createDeliveryMetrics } from './observability/notify-metrics';
import { createPoolMetrics } from './observability/pool-metrics';
import { NotificationService } from './notify/service';
import { Router } from './routing/router';
import { createHttpApp } from './transport/http/app';
import { websocketAuthenticator } from './transport/websocket/auth';
import { OperationSubscriptions, WebsocketPushSender } from './transport/websocket/subscription-backend';
import { websocketSettingsFromConfig } from './transport/websocket/options';
import { startWebsocketServer, type WebsocketServer } from './transport/websocket/server';
import { openCatalog } from './catalog/bootstrap';
import { workerExposition } from './cluster/metrics';
import { ClusterMetadataPeers } from './cluster/peers';
import { planWorkers, READY_MESSAGE, runPrimary } from './cluster/supervisor';

/** A running gateway. */
export interface Gateway {
  server: Server;
  driver: DataDriver;
  /** The base URL it listens on, e.g. http://127.0.0.1:8888 */
  url: string;
  /** Where the websocket API listens, e.g. ws://127.0.0.1:9000; undefined when websocket.port is 0. */
  wsUrl?: string;
  /** Stops accepting, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

/** How one gateway process takes part in a cluster (all optional: a lone process needs none). */
export interface GatewayOptions {
  /** Log the start-up lines (where it listens, catalog changes, websocket, noauth warning); default true. */
  announce?: boolean;
  /** How many workers share the port, shown in the first log line when more than one. */
  workers?: number;
  /** The other workers' metadata caches, told of this one's queue changes. */
  metadataPeers?: MetadataPeers;
  /** In a cluster worker: what GET /metrics serves instead of this process's registry alone. */
  exposition?: (registry: Registry) => () => Promise<string>;
}

/** The auth strategy the configuration names; keystone needs its URL and service credentials. */
function authenticatorFromConfig(config: QgateConfig): Authenticator {
  if (config.auth_strategy !== 'keystone') return new NoAuth(config.admin_mode);
  const k = config.keystone;
  for (const [option, value] of Object.entries({
    url: k.url,
    username: k.username,
    password: k.password,
    project: k.project,
  })) {
    if (!value) throw new ConfigError(`keystone.${option}: required when auth_strategy is keystone`);
  }
  return new KeystoneAuth({
    url: k.url,
    username: k.username,
    password: k.password,
    project: k.project,
    userDomain: k.user_domain,
    projectDomain: k.project_domain,
    cacheSeconds: k.token_cache_seconds,
    cacheSize: k.token_cache_size,
    timeoutMs: k.timeout_ms,
  });
}

/** Starts a gateway for a configuration. */
export async function startGateway(
  config: QgateConfig,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const announce = options.announce ?? true;
  const auth = authenticatorFromConfig(config);
  const metrics = createMetrics();
  if (options.exposition) metrics.exposition = options.exposition(metrics.registry);
  const poolMetrics = createPoolMetrics(metrics.registry);
  const storeOptions = { timeoutMs: config.store.timeout_ms, gcIntervalMs: config.store.gc_interval_ms };
  let opened: Awaited<ReturnType<typeof openCatalog>>;
  try {
    opened = await openCatalog({
      storeUri: config.store.uri,
      managementUri: config.catalog.management_store_uri,
      catalogFile: config.catalog.file,
      cacheSize: config.catalog.cache_size,
      cacheTtlMs: config.catalog.cache_ttl_ms,
      timeoutMs: config.store.timeout_ms,
      driverFactory: (uri) => createDriver(uri, storeOptions),
      onCacheLookup: (hit) => poolMetrics.cacheLookup(hit),
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const driver = new Router(opened.catalog, poolMetrics);
  let policy: Policy;
  try {
    policy = await loadPolicy(config.policy.file);
  } catch (err) {
    await driver.close();
    throw new ConfigError(`policy.file: ${(err as Error).message}`);
  }
  const n = config.notification;
  if (n.require_confirmation && !config.signed_url.secret_key) {
    await driver.close();
    throw new ConfigError('notification.require_confirmation: needs signed_url.secret_key to sign confirm URLs');
  }
  const list = (text: string) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  let notifier: NotificationService;
  try {
    notifier = new NotificationService({
      store: driver,
      clock: systemClock,
      log: logger,
      metrics: createDeliveryMetrics(metrics.registry),
      subscriberTypes: list(n.subscriber_types),
      defaultTtl: n.default_subscription_ttl,
      maxPerPage: n.max_subscriptions_per_page,
      requireConfirmation: n.require_confirmation,
      publicUrl: n.public_url,
      denyNetworks: list(n.deny_networks),
      allowNetworks: list(n.allow_networks),
      webhookTimeoutMs: n.webhook_timeout_ms,
      email: { ...n.smtp, externalConfirmationUrl: n.external_confirmation_url, timeoutMs: n.webhook_timeout_ms },
      pollIntervalMs: n.poll_interval_ms,
      batchSize: n.batch_size,
      leaseMs: n.lease_ms,
      concurrency: n.concurrency,
      perSubscriberConcurrency: n.per_subscriber_concurrency,
    });
  } catch (err) {
    await driver.close();
    throw new ConfigError(`notification: ${(err as Error).message}`);
  }
  const operations = createOperations({
    driver,
    limits: limitsFromConfig(config),
    clock: systemClock,
    catalog: opened.catalog,
    policy,
    signedUrlKey: config.signed_url.secret_key,
    subscriptions: notifier.settings,
    metadataCache: new QueueMetadataCache({
      ttlMs: config.store.metadata_cache_ms,
      maxEntries: config.catalog.cache_size,
      peers: options.metadataPeers,
    }),
  });
  const app = createHttpApp({
    operations,
    logger,
    metrics,
    auth,
    signedUrlKey: config.signed_url.secret_key,
    corsOrigins: config.cors.allowed_origins
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    accessLog: config.log.access,
  });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const wsSettings = websocketSettingsFromConfig(config);
  let websocket: WebsocketServer | undefined;
  // Websocket subscribers are sessions of this process; its push sender delivers to them.
  const processId = randomUUID();
  notifier.addSender(new WebsocketPushSender(processId, () => websocket?.sessions));
  if (wsSettings) {
    try {
      websocket = await startWebsocketServer({
        operations,
        settings: wsSettings,
        logger,
        metrics,
        adminMode: config.admin_mode,
        authenticator: websocketAuthenticator(auth),
        subscriptions: new OperationSubscriptions(operations.subscriptions, processId),
        accessLog: config.log.access,
      });
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await driver.close();
      throw err;
    }
  }
  const { address, port } = server.address() as AddressInfo;
  notifier.guard.addSelfPort(port);
  if (websocket) notifier.guard.addSelfPort(Number(new URL(websocket.url).port));
  notifier.start();
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  const pools = await opened.catalog.store.allPools();
  const store =
    pools.length === 1 && isEmbeddedUri(pools[0].uri)
      ? 'the embedded store (memory: in-process, nothing is kept across a restart)'
      : `${pools.length} pool(s): ${pools.map((p) => `${p.name} (${p.uri.split(':')[0]})`).join(', ')}`;
  const workers = options.workers ?? 1;
  if (announce) {
    logger.info(
      { url, pools: pools.map((p) => p.name), authStrategy: config.auth_strategy, workers },
      `qgate listening on ${url} with ${store}${workers > 1 ? ` (${workers} worker processes)` : ''}`,
    );
    for (const change of opened.changes) logger.info({ change }, `catalog: ${change}`);
    if (websocket) logger.info({ wsUrl: websocket.url }, `qgate websocket API listening on ${websocket.url}`);
    else logger.info('qgate websocket API disabled (websocket.port is 0)');
    if (config.auth_strategy === 'noauth') {
      logger.warn('auth_strategy is noauth: X-Project-ID is trusted as sent; use it for development only');
    }
  }
  return {
    server,
    driver,
    url,
    wsUrl: websocket?.url,
    close: async () => {
      await websocket?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await notifier.stop();
      await driver.close();
    },
  };
}

async function main(): Promise<void> {
  let config: QgateConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`qgate: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const root = createLogger(config.log.level);
  // A worker's lines say which worker wrote them (the first one, worker 1's "listening" line, included).
  const logger = cluster.isWorker ? root.child({ worker: cluster.worker?.id }) : root;
  const plan = await planWorkers(config);
  if (cluster.isPrimary && plan.workers > 1) {
    runPrimary(plan.workers, logger);
    return;
  }
  const peers = cluster.isWorker ? new ClusterMetadataPeers(process) : undefined;
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, logger, {
      announce: !cluster.isWorker || cluster.worker?.id === 1,
      workers: plan.workers,
      metadataPeers: peers,
      exposition: cluster.isWorker ? workerExposition : undefined,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`qgate: ${err.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err }, 'qgate could not start');
    logger.flush();
    process.stderr.write(`qgate: could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (plan.note) logger.info({ workers: 1 }, `qgate: ${plan.note}`);
  if (cluster.isWorker) process.send?.(READY_MESSAGE);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'qgate stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await gateway.close();
    peers?.close();
    logger.info('qgate stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (require.main === module) {
  void main();
}
