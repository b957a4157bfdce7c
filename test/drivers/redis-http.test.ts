// A Redis pool behind the real HTTP app: the v2 data plane works on it, and while its redis-server is down its
// queues get 503 with Zaqar's error body and a description naming it, while the other pool's queues go on.

import { randomUUID } from 'node:crypto';
import pino from 'pino';
import supertest from 'supertest';
import { createOperations } from '../../src/api/operations';
import { PoolCatalog } from '../../src/catalog/catalog';
import { MemoryCatalogStore } from '../../src/catalog/memory-store';
import { zaqarLimits } from '../../src/core/limits';
import { createDriver } from '../../src/drivers/factory';
import { createMetrics } from '../../src/observability/metrics';
import { Router } from '../../src/routing/router';
import { createHttpApp } from '../../src/transport/http/app';
import { type RedisProcess, sleep, startRedisServer } from '../support/redis-server';

describe('Redis pool behind the HTTP API', () => {
  let redis: RedisProcess;
  let router: Router;
  let call: (method: 'get' | 'put' | 'post' | 'delete', path: string) => supertest.Test;

  beforeAll(async () => {
    redis = await startRedisServer();
    const store = new MemoryCatalogStore();
    await store.putFlavor({ name: 'redis', capabilities: {} });
    const uri = `redis://127.0.0.1:${redis.port}`;
    await store.putPool({ name: 'redis-a', uri, weight: 100, flavor: 'redis', options: {} });
    await store.putPool({ name: 'embedded', uri: 'memory:', weight: 100, flavor: null, options: {} });
    const storeOptions = { timeoutMs: 1000, gcIntervalMs: 0 };
    const catalog = new PoolCatalog({
      store,
      driverFactory: (poolUri) => createDriver(poolUri, storeOptions),
      cacheSize: 1000,
      cacheTtlMs: 60_000,
    });
    router = new Router(catalog);
    const app = createHttpApp({
      operations: createOperations({ driver: router, limits: zaqarLimits, clock: Date.now, catalog }),
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      adminMode: false,
      accessLog: false,
    });
    const agent = supertest(app);
    const headers = { 'Client-ID': randomUUID(), 'X-Project-ID': `p-${randomUUID().slice(0, 8)}` };
    call = (method, path) => agent[method](path).set(headers);
  });

  afterAll(async () => {
    await router.close();
    await redis.remove();
  });

  const post = (queue: string, body: unknown) =>
    call('post', `/v2/queues/${queue}/messages`).send({ messages: [{ ttl: 300, body }] });

  test('queues placed on the Redis pool serve messages, claims and deletes under claim', async () => {
    expect((await call('put', '/v2/queues/on-redis').send({ _flavor: 'redis' })).status).toBe(201);
    expect((await post('on-redis', { n: 1 })).status).toBe(201);
    const claim = await call('post', '/v2/queues/on-redis/claims').send({ ttl: 60, grace: 60 });
    expect(claim.status).toBe(201);
    expect(claim.body.messages.map((m: { body: unknown }) => m.body)).toEqual([{ n: 1 }]);
    const href: string = claim.body.messages[0].href;
    expect((await call('delete', href.replace(/\?claim_id=.*/, ''))).status).toBe(403);
    expect((await call('delete', href)).status).toBe(204);
    const stats = await call('get', '/v2/queues/on-redis/stats');
    expect(stats.body.messages).toMatchObject({ total: 0, claimed: 0, free: 0 });
  });

  test('an unreachable Redis pool is 503 for its queues only, and comes back by itself', async () => {
    expect((await call('put', '/v2/queues/on-memory')).status).toBe(201);
    await redis.stop();
    const refused = await post('on-redis', 'while down');
    expect(refused.status).toBe(503);
    expect(refused.body.title).toBe('Service temporarily unavailable');
    // The tenant learns which pool failed, never where its store lives.
    expect(refused.body.description).toMatch(/^Pool redis-a is unreachable\./);
    expect(refused.body.description).not.toContain('127.0.0.1');
    expect((await post('on-memory', 'elsewhere')).status).toBe(201);

    await redis.restart();
    let status = 0;
    for (let i = 0; i < 120 && status !== 201; i++) {
      status = (await post('on-redis', 'after')).status;
      if (status !== 201) await sleep(250);
    }
    expect(status).toBe(201);
  });
});
