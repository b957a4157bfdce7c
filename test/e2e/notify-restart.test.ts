// Durable delivery: a gateway killed mid-delivery loses nothing; the next gateway process on the same
// Redis delivers every notification of every acknowledged post (at least once).

import { randomUUID } from 'node:crypto';
import { type RedisProcess, startRedisServer } from '../support/redis-server';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server';

describe('notifications survive a gateway crash', () => {
  let redis: RedisProcess;
  let hooks: WebhookServer;
  const gateways: ServerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    hooks = await startWebhookServer();
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await hooks.close();
    await redis.remove();
  });

  const env = () => ({
    QGATE_STORE_URI: `redis://127.0.0.1:${redis.port}`,
    QGATE_NOTIFICATION_POLL_INTERVAL_MS: '50',
    QGATE_NOTIFICATION_LEASE_MS: '1500',
    QGATE_WEBHOOK_TIMEOUT_MS: '30000',
    QGATE_LOG_ACCESS: 'false',
  });

  test('deliveries in flight when the gateway is SIGKILLed are made by the next one', async () => {
    const first = await startServerProcess(env());
    gateways.push(first);
    const project = `dur-${randomUUID().slice(0, 8)}`;
    const headers = { 'Client-ID': randomUUID(), 'X-Project-ID': project, 'Content-Type': 'application/json' };
    // The receiver holds the first calls open, so they are in flight when the gateway dies.
    hooks.script('hang', 'hang', 'hang', 'hang');
    const sub = await fetch(`${first.url}/v2/queues/jobs/subscriptions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ subscriber: `${hooks.url}/hook`, ttl: 3600 }),
    });
    expect(sub.status).toBe(201);
    const sent = Array.from({ length: 10 }, (_, i) => i);
    const post = await fetch(`${first.url}/v2/queues/jobs/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ messages: sent.map((n) => ({ body: { n }, ttl: 600 })) }),
    });
    expect(post.status).toBe(201);
    await hooks.waitFor(1);
    first.proc.kill('SIGKILL');
    await first.stop();
    const second = await startServerProcess(env());
    gateways.push(second);
    const delivered = () => new Set(hooks.received.map((h) => (h.json as { body: { n: number } }).body.n));
    const deadline = Date.now() + 20_000;
    while (delivered().size < sent.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect([...delivered()].sort((a, b) => a - b)).toEqual(sent);
  });
});
