// A real local HTTP server that receives webhooks: records every request and answers as a test scripts it.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received webhook call. */
export interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** How the server answers the next calls: a status, optionally after a delay; "hang" never answers. */
export type HookReply = number | { status: number; delayMs: number } | 'hang';

/** A running receiver. */
export interface WebhookServer {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Replies for the next calls, in order; afterwards every call gets 200. */
  script(...replies: HookReply[]): void;
  /** Resolves once `count` calls have arrived (bounded by timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookServer(): Promise<WebhookServer> {
  const received: ReceivedHook[] = [];
  const replies: HookReply[] = [];
  const waiters: Array<() => void> = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ path: req.url ?? '', headers: req.headers, body, json });
      for (const w of waiters.splice(0)) w();
      const reply = replies.shift() ?? 200;
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      const { status, delayMs } = typeof reply === 'number' ? { status: reply, delayMs: 0 } : reply;
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    script: (...r) => replies.push(...r),
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook calls, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
