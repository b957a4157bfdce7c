// Starts the real qgate process (node dist/main.js) on a free loopback port and stops it.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** A running qgate process. */
export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  stop(): Promise<number | null>;
}

const MAIN = join(__dirname, '../../dist/main.js');

/** Starts qgate with extra environment variables; resolves once it logs its URL. */
export function startServerProcess(env: Record<string, string> = {}, timeoutMs = 15000): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [MAIN], {
    // QGATE_WS_PORT=0: no fixed websocket port, so parallel runs cannot collide on 9000 (a test can pass one).
    env: { PATH: process.env.PATH ?? '', QGATE_PORT: '0', QGATE_HOST: '127.0.0.1', QGATE_WS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`qgate did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let buffer = '';
    proc.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        try {
          const entry = JSON.parse(line);
          if (entry.url) {
            clearTimeout(timer);
            resolve({ url: entry.url, proc, lines, stop });
          }
        } catch {
          // not a JSON line; keep it for the test to read
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`qgate exited with ${code} before listening: ${stderr.trim()}`));
    });
  });
}

/** Runs qgate expecting it to fail at start; resolves with its exit code and stderr. */
export function runFailingServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', QGATE_PORT: '0', QGATE_WS_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}
