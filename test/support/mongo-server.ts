// The MongoDB the driver tests run against: a real one (QGATE_TEST_MONGODB_URI) or the jongodb stand-in server.
//
// The stand-in (@jongodb/memory-server-bin-linux-x64-gnu, a devDependency) is a native, in-memory server that
// speaks the MongoDB wire protocol. It is started on a free loopback port and stopped by the tests. What it
// cannot prove is listed in test/drivers/README.md; tests that need a real MongoDB say so in their names.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { splitMongoUri } from '../../src/drivers/mongo/uri';

/** A real MongoDB to test against, when the environment names one. */
export const REAL_MONGODB_URI = process.env.QGATE_TEST_MONGODB_URI;

const STANDIN_BINARY = join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '@jongodb',
  'memory-server-bin-linux-x64-gnu',
  'bin',
  'jongodb',
);

/** The stand-in's topology profiles: standalone (no transactions) or a single-node replica set. */
export type StandInTopology = 'standalone' | 'singleNodeReplicaSet';

/** A MongoDB the tests can use, and (for the stand-in) stop and start again. */
export interface MongoUnderTest {
  /** Whether this is the stand-in rather than a real MongoDB. */
  readonly standIn: boolean;
  /** A URI for a database of its own; `options` are added to the query string. */
  uri(database: string, options?: Record<string, string>): string;
  /** Stop the server process (the stand-in only; its data is gone). */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  start(): Promise<void>;
  /** Stop it for good. */
  remove(): Promise<void>;
}

/** A fresh database name, so test files sharing one real MongoDB never meet. */
export function testDatabase(prefix = 'qgate_test'): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

/** Whether the stand-in binary is installed (it ships for linux-x64 glibc only); read once, as jest registers tests. */
export const STANDIN_AVAILABLE = existsSync(STANDIN_BINARY);

/** Whether the MongoDB tests can run at all: a real MongoDB is named, or the stand-in is installed. */
export const MONGODB_AVAILABLE = Boolean(REAL_MONGODB_URI) || STANDIN_AVAILABLE;

/** Adds a database and options to a URI, keeping its hosts, credentials and own options. */
export function withDatabase(uri: string, database: string, options: Record<string, string> = {}): string {
  const { prefix, query } = splitMongoUri(uri);
  const params = new URLSearchParams(query);
  for (const [key, value] of Object.entries(options)) params.set(key, value);
  const rest = params.toString();
  return `${prefix}/${encodeURIComponent(database)}${rest ? `?${rest}` : ''}`;
}

/** The real MongoDB of QGATE_TEST_MONGODB_URI (never stopped by the tests). */
function realMongo(uri: string): MongoUnderTest {
  const refuse = async () => {
    throw new Error('a real MongoDB is not stopped by the tests');
  };
  return {
    standIn: false,
    uri: (database, options) => withDatabase(uri, database, options),
    stop: refuse,
    start: refuse,
    remove: async () => undefined,
  };
}

/** Stand-in processes still running: killed if the test process exits without stopping them (a crash). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

/** Spawns the stand-in and resolves with its port once it prints its ready line. */
function spawnStandIn(topology: StandInTopology, port: number): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(STANDIN_BINARY, ['--host=127.0.0.1', `--port=${port}`, `--topology-profile=${topology}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail('no ready line within 30 s'), 30_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`the jongodb stand-in did not start (${why}): ${err.trim()}`));
    };
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /JONGODB_URI=mongodb:\/\/[^:/]+:(\d+)/.exec(out);
      if (ready) {
        clearTimeout(timer);
        proc.off('exit', onExit);
        resolve({ proc, port: Number(ready[1]) });
      }
    });
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    proc.once('exit', onExit);
  });
}

/** Starts the stand-in on a free loopback port (the server picks it), with the given topology. */
async function startStandIn(topology: StandInTopology): Promise<MongoUnderTest> {
  let { proc, port }: { proc?: ChildProcess; port: number } = await spawnStandIn(topology, 0);
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const force = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  return {
    standIn: true,
    // maxPoolSize=1: the stand-in runs commands of concurrent connections without isolation (it has been seen
    // to hand one document to two findOneAndUpdate callers), so the tests send it one command at a time.
    uri: (database, options) =>
      withDatabase(`mongodb://127.0.0.1:${port}`, database, {
        maxPoolSize: '1',
        ...(topology === 'singleNodeReplicaSet' ? { replicaSet: 'jongodb-rs0' } : { directConnection: 'true' }),
        ...options,
      }),
    stop,
    start: async () => {
      await stop();
      ({ proc, port } = await spawnStandIn(topology, port));
    },
    remove: stop,
  };
}

/**
 * The MongoDB for a test file: QGATE_TEST_MONGODB_URI when set, else the stand-in with `topology`; null (with
 * one line saying why) when neither can be had.
 */
export async function startMongo(topology: StandInTopology = 'standalone'): Promise<MongoUnderTest | null> {
  if (REAL_MONGODB_URI) return realMongo(REAL_MONGODB_URI);
  if (!STANDIN_AVAILABLE) return null;
  return startStandIn(topology);
}

/** The one line a skipped MongoDB test file prints. */
export const NO_MONGODB =
  'MongoDB tests skipped: set QGATE_TEST_MONGODB_URI (e.g. mongodb://127.0.0.1:27017/?directConnection=true) ' +
  'or install the stand-in with `npm ci` on linux-x64 (@jongodb/memory-server-bin-linux-x64-gnu).';
