// End to end: workers > 1 on a Redis store: one port, one "listening" line, changes seen by every worker at once.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { type RedisProcess, startRedisServer } from '../support/redis-server';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/** One request on a connection of its own, so the cluster primary hands each to the next worker. */
function call(url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The process ids of a process's children (its workers). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('a gateway with two workers on Redis', () => {
  let redis: RedisProcess;
  let server: ServerProcess;
  let project: string;
  let headers: Record<string, string>;
  beforeAll(async () => {
    redis = await startRedisServer();
    server = await startServerProcess({
      QGATE_STORE_URI: `redis://127.0.0.1:${redis.port}`,
      QGATE_WORKERS: '2',
      QGATE_LOG_ACCESS: 'true',
    });
    // Worker 1 logs where it listens as soon as it does; the primary says when every worker does.
    const deadline = Date.now() + 15_000;
    while (!server.lines.some((l) => l.includes('workers are serving')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    project = `cl-${randomUUID().slice(0, 8)}`;
    headers = { 'Client-ID': randomUUID(), 'X-Project-ID': project, 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.remove();
  });

  test('runs a primary and two workers; only worker 1 says where it listens, in the first line', async () => {
    const first = JSON.parse(server.lines[0]);
    expect(first.msg).toContain(`qgate listening on ${server.url}`);
    expect(first.msg).toContain('(2 worker processes)');
    expect(first.worker).toBe(1);
    expect(server.lines.filter((line) => line.includes('"url"'))).toHaveLength(1);
    expect(await childrenOf(server.proc.pid as number)).toHaveLength(2);
    expect(server.lines.some((l) => l.includes('qgate: all 2 workers are serving'))).toBe(true);
  });

  test('a metadata change acknowledged by one worker applies at once to posts served by the other', async () => {
    const queue = `${server.url}/v2/queues/shared`;
    for (const ttl of [120, 240, 480]) {
      const patch = await call(
        queue,
        'PATCH',
        { ...headers, 'Content-Type': 'application/openstack-messaging-v2.0-json-patch' },
        JSON.stringify([{ op: 'add', path: '/metadata/_default_message_ttl', value: ttl }]),
      );
      expect([200, 404]).toContain(patch.status);
      if (patch.status === 404) {
        expect((await call(queue, 'PUT', headers, JSON.stringify({ _default_message_ttl: ttl }))).status).toBe(201);
      }
      // Two posts on two fresh connections: one of them is served by the worker that did not make the change.
      for (let i = 0; i < 2; i++) {
        const post = await call(`${queue}/messages`, 'POST', headers, JSON.stringify({ messages: [{ body: ttl }] }));
        expect(post.status).toBe(201);
      }
    }
    const list = await call(`${queue}/messages?echo=true&limit=10`, 'GET', headers);
    const ttls = (JSON.parse(list.text) as { messages: Array<{ ttl: number; body: number }> }).messages.map((m) => [
      m.body,
      m.ttl,
    ]);
    expect(ttls).toEqual([
      [120, 120],
      [120, 120],
      [240, 240],
      [240, 240],
      [480, 480],
      [480, 480],
    ]);
    // Both workers served some of those requests (their access lines reach the pipe on their own time).
    const servedBy = () =>
      new Set(
        server.lines
          .filter((line) => line.includes('"msg":"request"'))
          .map((line) => (JSON.parse(line) as { worker: number }).worker),
      );
    const deadline = Date.now() + 5000;
    while (servedBy().size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect([...servedBy()].sort()).toEqual([1, 2]);
  });

  test('/metrics counts the requests of every worker, whichever worker answers the scrape', async () => {
    const stats = `${server.url}/v2/queues/counted/stats`;
    for (let i = 0; i < 6; i++) expect((await call(stats, 'GET', headers)).status).toBe(200);
    for (let scrape = 0; scrape < 2; scrape++) {
      const text = (await call(`${server.url}/metrics`, 'GET', {})).text;
      const line = text
        .split('\n')
        .find((l) => l.startsWith('qgate_http_requests_total{method="GET",route="/v2/queues/:queue_name/stats"'));
      expect(line?.split(' ').pop()).toBe('6');
    }
  });

  test('SIGTERM stops the workers and the primary exits 0', async () => {
    const workers = await childrenOf(server.proc.pid as number);
    expect(await server.stop()).toBe(0);
    for (const pid of workers) {
      const state = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => 'gone');
      expect(state === 'gone' || /State:\s+Z/.test(state)).toBe(true);
    }
  });
});

describe('workers with the embedded store', () => {
  test('run as one process and say why (each worker would hold its own queues)', async () => {
    const server = await startServerProcess({ QGATE_WORKERS: '4' });
    try {
      expect(JSON.parse(server.lines[0]).msg).toContain('embedded store');
      expect(await childrenOf(server.proc.pid as number)).toHaveLength(0);
      const deadline = Date.now() + 5000;
      while (!server.lines.some((l) => l.includes('per process')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const note = server.lines.find((l) => l.includes('per process'));
      expect(JSON.parse(note as string).msg).toContain('running 1 process, not 4 workers');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
