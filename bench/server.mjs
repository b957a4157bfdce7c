// Starts a qgate gateway (node dist/main.js) on a free loopback port for a run, and stops it afterwards.

import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Spawns the built gateway with QGATE_PORT=0 on 127.0.0.1 and waits for the JSON log line carrying its
 * "url". Returns { url, pid, store, stop() }. `store` is a store URI (QGATE_STORE_URI) or undefined for the
 * default (the embedded memory: store); `workers` sets QGATE_WORKERS (default: the gateway's own, one per
 * core); `root` is the checkout whose dist/main.js runs (default: this one; --baseline passes another).
 */
export async function startServer({ store, workers, root = ROOT } = {}) {
  const MAIN = join(root, 'dist', 'main.js');
  try {
    await access(MAIN);
  } catch {
    throw new Error(`${MAIN} does not exist: run \`npm run build\` first`);
  }
  const env = {
    ...process.env,
    QGATE_HOST: '127.0.0.1',
    QGATE_PORT: '0',
    QGATE_LOG_ACCESS: 'false',
    QGATE_LOG_LEVEL: 'info',
  };
  if (store) env.QGATE_STORE_URI = store;
  if (workers !== undefined) env.QGATE_WORKERS = String(workers);
  const child = spawn(process.execPath, [MAIN], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  let firstLine;
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`qgate did not log its url within ${START_TIMEOUT_MS} ms. stderr: ${stderr}`));
    }, START_TIMEOUT_MS);
    lines.on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof entry.url === 'string') {
        clearTimeout(timer);
        firstLine = entry;
        resolve(entry.url);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`qgate exited (code ${code}, signal ${signal}) before listening. stderr: ${stderr.trim()}`));
    });
  });
  // Keep draining the server's output so a full pipe never blocks it.
  child.stdout.resume();

  return {
    url,
    pid: child.pid,
    workers: firstLine.workers ?? 1,
    store: store ?? 'memory:',
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
