// The cluster primary: how many workers, forking them (worker 1 first), signals, restarts, and the invalidation relay.
//
// Every worker runs a whole gateway (startGateway) on the same port: node:cluster's primary holds the
// listening socket and hands connections to the workers in turn. With port 0 the first worker's listen
// picks a free port and every later worker (restarts included) gets that same one. Worker 1 starts alone
// and the others only once it listens, so a bad configuration fails once, a catalog file is applied once,
// and the first log line (where qgate listens, on which store) is worker 1's.

import cluster, { type Worker } from 'node:cluster';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { QgateConfig } from '../config/schema';
import { isEmbeddedUri } from '../drivers/factory';
import type { Logger } from '../observability/logger';
import { servePrimaryMetrics } from './metrics';
import { isPeerMessage, RELAY_TIMEOUT_MS } from './peers';

/** Worker → primary once its gateway listens. */
export const READY_MESSAGE = { qgate: 'ready' } as const;

/** How many gateway processes to run, and why fewer than asked when so. */
export interface WorkerPlan {
  workers: number;
  /** Set when the configuration forced one process. */
  note?: string;
}

/** Most unexpected worker exits tolerated within RESTART_WINDOW_MS before the primary gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** How long stopping workers may take before they are killed. */
const STOP_TIMEOUT_MS = 10_000;

/** The plan for a configuration: `workers` (0 = one per core), or 1 when a store or the catalog is per process. */
export async function planWorkers(config: QgateConfig): Promise<WorkerPlan> {
  const wanted = config.workers === 0 ? availableParallelism() : config.workers;
  if (wanted <= 1) return { workers: 1 };
  const management = config.catalog.management_store_uri || config.store.uri;
  const embedded =
    isEmbeddedUri(config.store.uri) || isEmbeddedUri(management) || (await catalogFileHasEmbeddedPool(config));
  if (!embedded) return { workers: wanted };
  return {
    workers: 1,
    note:
      `running 1 process, not ${wanted} workers: the embedded memory: store is per process, so each worker ` +
      'would hold its own queues (use a Redis or MongoDB store, and catalog, for several workers)',
  };
}

/** Whether catalog.file names a memory: pool (an unreadable file is left for the gateway to report). */
async function catalogFileHasEmbeddedPool(config: QgateConfig): Promise<boolean> {
  if (!config.catalog.file) return false;
  try {
    const document = JSON.parse(await readFile(config.catalog.file, 'utf8')) as { pools?: unknown };
    return (
      Array.isArray(document.pools) &&
      document.pools.some((p) => typeof p?.uri === 'string' && isEmbeddedUri(p.uri as string))
    );
  } catch {
    return false;
  }
}

/**
 * Runs the primary: forks `workers` workers, restarts one that dies (at most MAX_RESTARTS a minute),
 * relays metadata-cache invalidations between them, and on SIGTERM/SIGINT stops them all and exits.
 * A worker that exits before it is ready ends the whole process with its exit code.
 */
export function runPrimary(workers: number, logger: Logger): void {
  const ready = new Set<number>();
  const restarts: number[] = [];
  let stopping = false;
  let allReady = false;
  let relays = 0;
  /** relay id → the workers that have not answered yet, and the answer to send when they all have. */
  const pending = new Map<number, { waiting: Set<number>; finish: () => void }>();
  const metrics = servePrimaryMetrics();

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => onMessage(worker, message));
    return worker;
  };

  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const onMessage = (worker: Worker, message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { qgate?: unknown }).qgate === 'ready') {
      const first = ready.size === 0;
      ready.add(worker.id);
      if (first) for (let i = 1; i < workers; i++) fork();
      if (!allReady && ready.size === workers) {
        allReady = true;
        logger.info({ workers }, `qgate: all ${workers} workers are serving`);
      }
      return;
    }
    if (metrics(worker, message) || !isPeerMessage(message)) return;
    if (message.qgate === 'invalidate') {
      const relay = ++relays;
      const seq = message.seq;
      const siblings = live().filter((w) => w.id !== worker.id && ready.has(w.id));
      const finish = () => {
        clearTimeout(timer);
        pending.delete(relay);
        if (worker.isConnected()) worker.send({ qgate: 'invalidated', seq });
      };
      const timer = setTimeout(finish, RELAY_TIMEOUT_MS);
      timer.unref();
      const entry = { waiting: new Set(siblings.map((w) => w.id)), finish };
      pending.set(relay, entry);
      for (const sibling of siblings) {
        if (sibling.isConnected()) sibling.send({ qgate: 'forget', key: message.key, relay });
        else entry.waiting.delete(sibling.id);
      }
      if (entry.waiting.size === 0) finish();
    } else if (message.qgate === 'forgot') {
      const entry = pending.get(message.relay);
      entry?.waiting.delete(worker.id);
      if (entry && entry.waiting.size === 0) entry.finish();
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker.id);
    // Nobody waits for an answer from a worker that is gone.
    for (const entry of [...pending.values()]) {
      entry.waiting.delete(worker.id);
      if (entry.waiting.size === 0) entry.finish();
    }
    if (stopping) {
      if (live().length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!wasReady) {
      // It never started (its reason is on stderr): the configuration or a store is wrong; do not loop.
      stop(code || 1);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      logger.error({ worker: worker.id, code, signal }, 'qgate worker exited; too many restarts, stopping');
      stop(1);
      return;
    }
    logger.error({ worker: worker.id, code, signal }, 'qgate worker exited unexpectedly; starting another');
    fork();
  });

  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = exitCode;
    const force = setTimeout(() => {
      for (const worker of live()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    force.unref();
    const running = live();
    if (running.length === 0) process.exit(exitCode);
    for (const worker of running) worker.process.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  fork();
}
