// End to end: the real server process on the embedded store, a producer and workers over HTTP.

import { randomUUID } from 'node:crypto';
import { runFailingServer, type ServerProcess, startServerProcess } from '../support/server-process';

describe('qgate server process', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ QGATE_LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  test('its first log line says where it listens and that the embedded store keeps nothing', () => {
    const first = JSON.parse(server.lines[0]);
    expect(first.msg).toContain(`qgate listening on ${server.url}`);
    expect(first.msg).toContain('embedded store');
    expect(first.msg).toContain('nothing is kept across a restart');
  });

  test('a producer and two workers move every message exactly once', async () => {
    const project = `e2e-${randomUUID().slice(0, 8)}`;
    const headers = (clientId: string) => ({
      'Client-ID': clientId,
      'X-Project-ID': project,
      'Content-Type': 'application/json',
    });
    const producer = randomUUID();
    const base = `${server.url}/v2/queues/jobs`;
    const sent: number[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const messages = Array.from({ length: 10 }, (_, i) => ({ ttl: 300, body: { n: batch * 10 + i } }));
      const res = await fetch(`${base}/messages`, {
        method: 'POST',
        headers: headers(producer),
        body: JSON.stringify({ messages }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-openstack-request-id')).toMatch(/^req-/);
      sent.push(...messages.map((m) => m.body.n));
    }
    const received: number[] = [];
    const worker = async () => {
      const me = randomUUID();
      for (;;) {
        const res = await fetch(`${base}/claims?limit=7`, {
          method: 'POST',
          headers: headers(me),
          body: JSON.stringify({ ttl: 60, grace: 60 }),
        });
        if (res.status === 204) return;
        expect(res.status).toBe(201);
        const { messages } = (await res.json()) as { messages: { href: string; body: { n: number } }[] };
        for (const m of messages) {
          received.push(m.body.n);
          const del = await fetch(`${server.url}${m.href}`, { method: 'DELETE', headers: headers(me) });
          expect(del.status).toBe(204);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    expect(received.sort((a, b) => a - b)).toEqual(sent);
    const stats = await fetch(`${base}/stats`, { headers: headers(producer) });
    expect(((await stats.json()) as { messages: { total: number } }).messages.total).toBe(0);
  });

  test('every log line of a request carries its request id', async () => {
    const res = await fetch(`${server.url}/v2/queues/nope`, {
      headers: { 'Client-ID': randomUUID(), 'X-Project-ID': 'p' },
    });
    const id = res.headers.get('x-openstack-request-id');
    await new Promise((r) => setTimeout(r, 200));
    const mine = server.lines.filter((l) => l.includes(id as string)).map((l) => JSON.parse(l));
    expect(mine.length).toBeGreaterThan(0);
    for (const entry of mine) expect(entry.reqId).toBe(id);
  });
});

describe('qgate with a bad configuration', () => {
  test.each([
    [{ QGATE_PORT: 'eighty' }, 'port'],
    [{ QGATE_STORE_URI: 'ftp://somewhere' }, 'store.uri'],
  ])('%j exits 1 with one line naming %s', async (env, option) => {
    const { code, stderr } = await runFailingServer(env);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(option);
  });
});
