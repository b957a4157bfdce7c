// Starts real redis-server and redis-sentinel processes on free loopback ports for the driver tests, and stops them.

import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS_SERVER = process.env.QGATE_TEST_REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_SENTINEL = process.env.QGATE_TEST_REDIS_SENTINEL ?? '/usr/bin/redis-sentinel';

/** One running Redis (or Sentinel) process on 127.0.0.1. */
export interface RedisProcess {
  readonly port: number;
  /** Its data directory (AOF, sentinel config); removed by `remove()`. */
  readonly dir: string;
  /** Whether the process is running. */
  running(): boolean;
  /** SIGTERM (Redis shuts down cleanly, fsyncing the AOF) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the crash case, nothing gets to run. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process keeps its sockets open but stops answering. */
  pause(): void;
  resume(): void;
  /** Start it again on the same port and directory (the AOF brings its data back). */
  restart(): Promise<void>;
  /** Stop it if running and delete its directory. */
  remove(): Promise<void>;
}

/** Options of a test Redis. */
export interface RedisServerOptions {
  /** Extra `--option value` pairs, e.g. ['--replicaof', '127.0.0.1 6379']. */
  args?: string[];
}

/** Throws one line saying what is missing and how to get it. */
async function requireBinary(path: string, pkg: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new Error(
      `${path} not found: install it with \`apt-get install -y ${pkg}\` (the Redis tests start real servers).`,
    );
  }
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true once the server answers PING with PONG, false after `timeoutMs`. */
export async function waitForPong(port: number, timeoutMs = 10000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await pingOnce(port)) return true;
    await sleep(50);
  }
  return false;
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** Waits for `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Spawns a process that listens on `port`, resolving once it answers PING; rejects if it exits first. */
async function spawnListening(binary: string, argv: string[], port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn(binary, argv, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const ready = waitForPong(port, 15000);
  const first = await Promise.race([ready, exited.then(() => 'exited' as const)]);
  if (first === true) return proc;
  proc.kill('SIGKILL');
  throw new Error(`${binary} on port ${port} did not start (${first === 'exited' ? 'exited' : 'no PONG'}): ${stderr}`);
}

/** Wraps a spawned process with the stop/kill/restart controls. */
function controls(binary: string, argv: string[], port: number, dir: string, initial: ChildProcess): RedisProcess {
  let proc: ChildProcess | undefined = initial;
  const signal = async (sig: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    if (sig === 'SIGTERM') p.kill('SIGCONT');
    p.kill(sig);
    const force = setTimeout(() => p.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(force);
    proc = undefined;
  };
  const self: RedisProcess = {
    port,
    dir,
    running: () => proc !== undefined,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => proc?.kill('SIGSTOP'),
    resume: () => proc?.kill('SIGCONT'),
    restart: async () => {
      if (proc) await self.stop();
      proc = await spawnListening(binary, argv, port, dir);
    },
    remove: async () => {
      await self.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** Starts redis-server on a free loopback port with appendonly yes / appendfsync always, in a fresh directory. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisProcess> {
  await requireBinary(REDIS_SERVER, 'redis-server');
  let lastError: unknown;
  // A free port can be taken by someone else between the probe and the bind: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'qgate-redis-'));
    const argv = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--daemonize',
      'no',
      '--logfile',
      join(dir, 'redis.log'),
      ...(options.args ?? []),
    ];
    try {
      const proc = await spawnListening(REDIS_SERVER, argv, port, dir);
      return controls(REDIS_SERVER, argv, port, dir, proc);
    } catch (err) {
      lastError = err;
      await rm(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

/** Starts redis-sentinel monitoring `master` at 127.0.0.1:masterPort with short failure detection. */
export async function startSentinel(master: string, masterPort: number, quorum = 2): Promise<RedisProcess> {
  await requireBinary(REDIS_SENTINEL, 'redis-sentinel');
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'qgate-sentinel-'));
    const config = join(dir, 'sentinel.conf');
    await writeFile(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `logfile ${join(dir, 'sentinel.log')}`,
        `sentinel monitor ${master} 127.0.0.1 ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${master} 1000`,
        `sentinel failover-timeout ${master} 4000`,
        `sentinel parallel-syncs ${master} 1`,
        '',
      ].join('\n'),
    );
    try {
      const proc = await spawnListening(REDIS_SENTINEL, [config], port, dir);
      return controls(REDIS_SENTINEL, [config], port, dir, proc);
    } catch (err) {
      lastError = err;
      await rm(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}
