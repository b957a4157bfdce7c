// A MongoDB pool behind the real HTTP app: the v2 data plane works on it, and when it is unreachable its
// queues get 503 with Zaqar's error body while queues of the other pool go on; it recovers by itself.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
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
import {
  MONGODB_AVAILABLE,
  type MongoUnderTest,
  NO_MONGODB,
  REAL_MONGODB_URI,
  startMongo,
  testDatabase,
} from '../support/mongo-server';

if (!MONGODB_AVAILABLE) {
  test.skip(NO_MONGODB, () => undefined);
} else {
  describe('MongoDB pool behind the HTTP API', () => {
    let mongo: MongoUnderTest;
    let database: string;
    let router: Router;
    let call: (method: 'get' | 'put' | 'post' | 'delete', path: string) => supertest.Test;

    beforeAll(async () => {
      mongo = (await startMongo('standalone')) as MongoUnderTest;
      database = testDatabase();
      const store = new MemoryCatalogStore();
      await store.putFlavor({ name: 'mongo', capabilities: {} });
      await store.putPool({ name: 'mongo-1', uri: mongo.uri(database), weight: 100, flavor: 'mongo', options: {} });
      await store.putPool({ name: 'embedded', uri: 'memory:', weight: 100, flavor: null, options: {} });
      const storeOptions = { timeoutMs: 1000, gcIntervalMs: 0 };
      const catalog = new PoolCatalog({
        store,
        // The production factory: mongodb:// URIs open the MongoDB driver.
        driverFactory: (uri) => createDriver(uri, storeOptions),
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
      if (!mongo.standIn) {
        const client = new MongoClient(mongo.uri(database));
        await client.db(database).dropDatabase();
        await client.close();
      }
      await router.close();
      await mongo.remove();
    });

    const post = (queue: string, body: unknown) =>
      call('post', `/v2/queues/${queue}/messages`).send({ messages: [{ ttl: 300, body }] });

    test('queues placed on the MongoDB pool serve messages, claims and deletes under claim', async () => {
      expect((await call('put', '/v2/queues/on-mongo').send({ _flavor: 'mongo' })).status).toBe(201);
      expect((await post('on-mongo', { n: 1 })).status).toBe(201);
      const claim = await call('post', '/v2/queues/on-mongo/claims').send({ ttl: 60, grace: 60 });
      expect(claim.status).toBe(201);
      expect(claim.body.messages.map((m: { body: unknown }) => m.body)).toEqual([{ n: 1 }]);
      const href: string = claim.body.messages[0].href;
      expect((await call('delete', href.replace(/\?claim_id=.*/, ''))).status).toBe(403);
      expect((await call('delete', href)).status).toBe(204);
      const stats = await call('get', '/v2/queues/on-mongo/stats');
      expect(stats.body.messages).toMatchObject({ total: 0, claimed: 0, free: 0 });
    });

    // The tests never stop a real MongoDB: the outage needs the stand-in.
    (REAL_MONGODB_URI ? test.skip : test)(
      'an unreachable MongoDB pool is 503 for its queues only, and comes back by itself',
      async () => {
        expect((await call('put', '/v2/queues/on-memory')).status).toBe(201);
        await mongo.stop();
        const refused = await post('on-mongo', 'while down');
        expect(refused.status).toBe(503);
        expect(refused.body.title).toBe('Service temporarily unavailable');
        // The tenant learns which pool failed, never where its store lives.
        expect(refused.body.description).toMatch(/^Pool mongo-1 is unreachable\./);
        expect(refused.body.description).not.toContain('127.0.0.1');
        expect((await post('on-memory', 'elsewhere')).status).toBe(201);

        await mongo.start();
        let status = 0;
        for (let i = 0; i < 120 && status !== 201; i++) {
          status = (await post('on-mongo', 'after')).status;
          if (status !== 201) await sleep(250);
        }
        expect(status).toBe(201);
      },
    );
  });
}
