// Websocket subscribers against a whole gateway: a session subscribes, HTTP posts are pushed to it by the
// delivery worker; its subscription goes when it closes; a keystone-less session cannot leave its project.

import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { type Gateway, startGateway } from '../../src/main';
import { eventually, WsTestClient } from '../support/ws-client';

describe('websocket subscriptions on a running gateway', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // websocket.port 0 disables the websocket API, so it gets a free port of its own.
    const config = loadConfig(
      {},
      {
        port: 0,
        websocket: { port: await freePort() },
        notification: { poll_interval_ms: 20 },
        log: { level: 'silent', access: false },
      },
    );
    gw = await startGateway(config, pino({ level: 'silent' }));
  });
  afterAll(() => gw.close());

  const postOverHttp = (project: string, queue: string, bodies: unknown[]) =>
    fetch(`${gw.url}/v2/queues/${queue}/messages`, {
      method: 'POST',
      headers: { 'Client-ID': randomUUID(), 'X-Project-ID': project, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: bodies.map((body) => ({ body, ttl: 120 })) }),
    });

  test('messages posted over HTTP are pushed to the subscribed session, in order', async () => {
    const project = `ws-${randomUUID().slice(0, 8)}`;
    const c = await WsTestClient.connect(gw.wsUrl as string, project);
    const created = await c.request('subscription_create', { queue_name: 'feed', ttl: 600 });
    expect(created.headers.status).toBe(201);
    const listed = await c.request('subscription_list', { queue_name: 'feed' });
    expect(listed.body.subscriptions[0].subscriber).toMatch(/^websocket:\/\//);
    expect((await postOverHttp(project, 'feed', [{ n: 1 }, { n: 2 }])).status).toBe(201);
    const first = (await c.next()).document;
    const second = (await c.next()).document;
    expect([first, second]).toEqual([
      { body: { n: 1 }, ttl: 120, queue_name: 'feed', Message_Type: 'Notification' },
      { body: { n: 2 }, ttl: 120, queue_name: 'feed', Message_Type: 'Notification' },
    ]);
    await c.close();
    const remaining = async () => {
      const res = await fetch(`${gw.url}/v2/queues/feed/subscriptions`, {
        headers: { 'Client-ID': randomUUID(), 'X-Project-ID': project },
      });
      return ((await res.json()) as { subscriptions: unknown[] }).subscriptions.length;
    };
    await eventually(async () => (await remaining()) === 0, 'the closed session’s subscription is removed');
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
