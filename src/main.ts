// Process entry: config → store → operations → HTTP transport; graceful stop on SIGINT/SIGTERM.

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createOperations } from './api/operations';
import { limitsFromConfig } from './config/limits';
import { ConfigError, loadConfig } from './config/load';
import type { QgateConfig } from './config/schema';
import { systemClock } from './core/clock';
import { createDriver, isEmbeddedUri } from './drivers/factory';
import type { DataDriver } from './drivers/types';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { createHttpApp } from './transport/http/app';

/** A running gateway. */
export interface Gateway {
  server: Server;
  driver: DataDriver;
  /** The base URL it listens on, e.g. http://127.0.0.1:8888 */
  url: string;
  /** Stops accepting, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

/** Starts a gateway for a configuration. */
export async function startGateway(config: QgateConfig, logger: Logger): Promise<Gateway> {
  let driver: DataDriver;
  try {
    driver = await createDriver(config.store.uri, {
      timeoutMs: config.store.timeout_ms,
      gcIntervalMs: config.store.gc_interval_ms,
    });
  } catch (err) {
    throw new ConfigError(`store.uri: ${(err as Error).message}`);
  }
  const operations = createOperations({ driver, limits: limitsFromConfig(config), clock: systemClock });
  const app = createHttpApp({
    operations,
    logger,
    metrics: createMetrics(),
    adminMode: config.admin_mode,
    accessLog: config.log.access,
  });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  const store = isEmbeddedUri(config.store.uri)
    ? 'the embedded store (memory: in-process, nothing is kept across a restart)'
    : `the ${driver.kind} store`;
  logger.info(
    { url, store: driver.kind, authStrategy: config.auth_strategy },
    `qgate listening on ${url} with ${store}`,
  );
  if (config.auth_strategy === 'noauth') {
    logger.warn('auth_strategy is noauth: X-Project-ID is trusted as sent; use it for development only');
  }
  return {
    server,
    driver,
    url,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
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
  const logger = createLogger(config.log.level);
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, logger);
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
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'qgate stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await gateway.close();
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
