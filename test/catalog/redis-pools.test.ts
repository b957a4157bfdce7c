// Pooling over real stores: two redis-servers as pools, a third as the management store. Queues land by
// weight, each queue's data is only in its own Redis, one pool down is 503 for its queues only, the
// catalog survives a gateway restart, and qgate-manage applies a catalog file to it.

import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import supertest from 'supertest';
import { createOperations } from '../../src/api/operations';
import { PoolCatalog } from '../../src/catalog/catalog';
import { RedisCatalogStore } from '../../src/catalog/redis-store';
import { runManage } from '../../src/cli/manage';
import { zaqarLimits } from '../../src/core/limits';
import { createDriver } from '../../src/drivers/factory';
import { createMetrics } from '../../src/observability/metrics';
import { Router } from '../../src/routing/router';
import { createHttpApp } from '../../src/transport/http/app';
import { type RedisProcess, sleep, startRedisServer } from '../support/redis-server';

describe('two Redis pools and a Redis management store', () => {
  let a: RedisProcess;
  let b: RedisProcess;
  let mgmt: RedisProcess;
  const project = `pp-${randomUUID().slice(0, 8)}`;
  const routers: Router[] = [];

  beforeAll(async () => {
    [a, b, mgmt] = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
  });
  afterAll(async () => {
    for (const r of routers) await r.close();
    await Promise.all([a, b, mgmt].map((r) => r.remove()));
  });

  /** A gateway (HTTP app) over the management store; every one built is a separate "process". */
  function gateway() {
    const catalog = new PoolCatalog({
      store: new RedisCatalogStore(`redis://127.0.0.1:${mgmt.port}`, { timeoutMs: 1000 }),
      driverFactory: (uri) => createDriver(uri, { timeoutMs: 1000, gcIntervalMs: 0 }),
      cacheSize: 1000,
      cacheTtlMs: 60_000,
    });
    const router = new Router(catalog);
    routers.push(router);
    const app = createHttpApp({
      operations: createOperations({ driver: router, limits: zaqarLimits, clock: Date.now, catalog }),
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      adminMode: true,
      accessLog: false,
    });
    const agent = supertest(app);
    const headers = { 'Client-ID': randomUUID(), 'X-Project-ID': project };
    return (method: 'get' | 'put' | 'post' | 'delete' | 'patch', path: string) => agent[method](path).set(headers);
  }

  test('pools are accepted only when their Redis answers; bad input changes nothing', async () => {
    const call = gateway();
    expect(
      (await call('put', '/v2/pools/redis-a').send({ uri: `redis://127.0.0.1:${a.port}`, weight: 1 })).status,
    ).toBe(201);
    expect(
      (await call('put', '/v2/pools/redis-b').send({ uri: `redis://127.0.0.1:${b.port}`, weight: 3 })).status,
    ).toBe(201);
    const dead = await call('put', '/v2/pools/dead').send({ uri: 'redis://127.0.0.1:1', weight: 1 });
    expect(dead.status).toBe(400);
    expect(dead.body.description).toContain('cannot connect to redis://127.0.0.1:1');
    expect(
      (await call('put', '/v2/pools/redis-a').send({ uri: `redis://127.0.0.1:${a.port}`, weight: 9 })).status,
    ).toBe(409);
    expect((await call('patch', '/v2/pools/redis-a').send({ weight: -2 })).status).toBe(400);
    expect((await call('put', '/v2/pools/bad').send({ uri: 'redis://h:notaport', weight: 1 })).status).toBe(400);
    expect((await call('put', '/v2/queues/q').send({ _flavor: 'nope' })).status).toBe(400);
    const pools = (await call('get', '/v2/pools?detailed=true')).body.pools;
    expect(pools.map((p: { name: string; weight: number }) => [p.name, p.weight])).toEqual([
      ['redis-a', 1],
      ['redis-b', 3],
    ]);
  });

  test('queues land by weight and their messages are only in their own Redis', async () => {
    const call = gateway();
    const names = Array.from({ length: 200 }, (_, i) => `q${i}`);
    for (const name of names) {
      expect((await call('post', `/v2/queues/${name}/messages`).send({ messages: [{ body: name }] })).status).toBe(201);
    }
    const ra = new Redis(a.port, '127.0.0.1');
    const rb = new Redis(b.port, '127.0.0.1');
    try {
      let onA = 0;
      for (const name of names) {
        const tag = `qg:{${encodeURIComponent(project)}/${encodeURIComponent(name)}}`;
        const [inA, inB] = [await ra.exists(`${tag}:q`), await rb.exists(`${tag}:q`)];
        expect(inA + inB).toBe(1);
        if (inA) onA++;
      }
      // Weight 1 against 3: about a quarter on redis-a (binomial, n=200: well inside 0.12..0.38).
      expect(onA / names.length).toBeGreaterThan(0.12);
      expect(onA / names.length).toBeLessThan(0.38);
    } finally {
      ra.disconnect();
      rb.disconnect();
    }
  });

  test('the catalog lives in the management store: another gateway finds every queue', async () => {
    const other = gateway();
    const got = await other('get', '/v2/queues/q7/messages?echo=true');
    expect(got.body.messages.map((m: { body: unknown }) => m.body)).toEqual(['q7']);
    expect((await other('get', '/v2/queues?with_count=true')).body.count).toBe(200);
    expect((await other('delete', '/v2/pools/redis-a')).status).toBe(409);
  });

  test('one pool down is 503 for its queues only; the other keeps serving; it comes back', async () => {
    const call = gateway();
    const mgmtClient = new Redis(mgmt.port, '127.0.0.1');
    const placements = await mgmtClient.hgetall(`qgate:catalog:placements:${project}`);
    mgmtClient.disconnect();
    const byPool = (pool: string) =>
      Object.entries(placements)
        .filter(([, json]) => JSON.parse(json).pool === pool)
        .map(([q]) => q);
    const [onA, onB] = [byPool('redis-a')[0], byPool('redis-b')[0]];
    await a.stop();
    const down = await call('post', `/v2/queues/${onA}/messages`).send({ messages: [{ body: 'x' }] });
    expect(down.status).toBe(503);
    expect(down.body.description).toBe('Pool redis-a is unreachable. Please try again in a few seconds.');
    expect((await call('post', `/v2/queues/${onB}/messages`).send({ messages: [{ body: 'y' }] })).status).toBe(201);
    const health = await call('get', '/v2/health');
    expect(health.body.storage_reachable).toBe(false);
    expect(health.body.pools['redis-a'].storage_reachable).toBe(false);
    expect(health.body.pools['redis-b'].storage_reachable).toBe(true);
    await a.restart();
    let status = 0;
    for (let i = 0; i < 80 && status !== 201; i++) {
      status = (await call('post', `/v2/queues/${onA}/messages`).send({ messages: [{ body: 'back' }] })).status;
      if (status !== 201) await sleep(250);
    }
    expect(status).toBe(201);
  });

  test('qgate-manage applies a catalog file to the Redis management store, idempotently', async () => {
    const file = join(tmpdir(), `catalog-${randomUUID()}.json`);
    await writeFile(
      file,
      JSON.stringify({
        flavors: [{ name: 'fast' }],
        pools: [
          { name: 'redis-a', uri: `redis://127.0.0.1:${a.port}`, weight: 0 },
          { name: 'redis-b', uri: `redis://127.0.0.1:${b.port}`, weight: 3, flavor: 'fast' },
        ],
      }),
    );
    const env = { QGATE_MANAGEMENT_STORE_URI: `redis://127.0.0.1:${mgmt.port}` };
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`) };
    expect(await runManage(['catalog', 'apply', file], env, io)).toBe(0);
    expect(out).toEqual([
      'changed flavor fast: created',
      'changed pool redis-a: weight 1 → 0',
      'changed pool redis-b: flavor none → fast',
    ]);
    out.length = 0;
    expect(await runManage(['catalog', 'apply', file], env, io)).toBe(0);
    expect(out).toEqual(['catalog is up to date: nothing to change']);
    out.length = 0;
    expect(await runManage(['catalog', 'show'], env, io)).toBe(0);
    expect(out[0]).toMatch(/^pool redis-a: redis:\/\/127\.0\.0\.1:\d+ weight 0 flavor none queues \d+$/);
  });
});
