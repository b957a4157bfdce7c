// The MongoDB management store: pools, flavors and placements in MongoDB (the stand-in, or QGATE_TEST_MONGODB_URI),
// insert-if-absent placements under concurrency, counts derived from the placements, 503 when unreachable; and a
// gateway started with QGATE_STORE_URI=mongodb://… alone, its catalog and its queues both in that MongoDB.

import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { openCatalogStore } from '../../src/catalog/bootstrap';
import { CATALOG_COLLECTIONS, MongoCatalogStore } from '../../src/catalog/mongo-store';
import { loadConfig } from '../../src/config/load';
import { BadRequest, ServiceUnavailable } from '../../src/core/errors';
import { type Gateway, startGateway } from '../../src/main';
import {
  MONGODB_AVAILABLE,
  type MongoUnderTest,
  NO_MONGODB,
  REAL_MONGODB_URI,
  STANDIN_AVAILABLE,
  startMongo,
  testDatabase,
} from '../support/mongo-server';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server';

/** A case the stand-in cannot prove (test/drivers/README.md says why): it runs only against a real MongoDB. */
const realOnly = (name: string, fn: () => Promise<void>) =>
  (REAL_MONGODB_URI ? test : test.skip)(`${name} [needs QGATE_TEST_MONGODB_URI]`, fn);

/** Drops a database of a real MongoDB (the stand-in's go with its process). */
async function dropDatabase(mongo: MongoUnderTest, database: string): Promise<void> {
  if (mongo.standIn) return;
  const client = new MongoClient(mongo.uri(database));
  await client.db(database).dropDatabase();
  await client.close();
}

if (!MONGODB_AVAILABLE) {
  test.skip(NO_MONGODB, () => undefined);
} else {
  describe('MongoDB management store', () => {
    let mongo: MongoUnderTest;
    let database: string;
    const stores: MongoCatalogStore[] = [];
    const open = (uri = mongo.uri(database)) => {
      const store = openCatalogStore(uri, 2000);
      expect(store).toBeInstanceOf(MongoCatalogStore);
      stores.push(store as MongoCatalogStore);
      return store as MongoCatalogStore;
    };

    beforeAll(async () => {
      mongo = (await startMongo('standalone')) as MongoUnderTest;
      database = testDatabase();
    });
    afterAll(async () => {
      await dropDatabase(mongo, database);
      for (const s of stores) await s.close();
      await mongo.remove();
    });

    test('pools and flavors are stored, replaced, listed by name, paged by marker and deleted', async () => {
      const store = open();
      expect(store.kind).toBe('mongodb');
      const options = { $odd: { 'dotted.key': [1, {}] } };
      for (const name of ['pool-c', 'pool-a', 'pool-b']) {
        await store.putPool({ name, uri: `redis://${name}:6379`, weight: 10, flavor: null, options: {} });
      }
      await store.putPool({ name: 'pool-b', uri: 'mongodb://b/qgate', weight: 50, flavor: 'gold', options });
      expect(await store.getPool('pool-b')).toEqual({
        name: 'pool-b',
        uri: 'mongodb://b/qgate',
        weight: 50,
        flavor: 'gold',
        options,
      });
      expect(await store.getPool('missing')).toBeUndefined();
      expect((await store.allPools()).map((p) => p.name)).toEqual(['pool-a', 'pool-b', 'pool-c']);
      expect((await store.listPools({ limit: 2 })).map((p) => p.name)).toEqual(['pool-a', 'pool-b']);
      expect((await store.listPools({ limit: 2, marker: 'pool-b' })).map((p) => p.name)).toEqual(['pool-c']);
      await store.deletePool('pool-c');
      await store.deletePool('pool-c');
      expect((await store.allPools()).map((p) => p.name)).toEqual(['pool-a', 'pool-b']);

      await store.putFlavor({ name: 'silver', capabilities: {} });
      await store.putFlavor({ name: 'gold', capabilities: { $k: 'v' } });
      await store.putFlavor({ name: 'gold', capabilities: { durable: true } });
      expect(await store.getFlavor('gold')).toEqual({ name: 'gold', capabilities: { durable: true } });
      expect((await store.listFlavors({ limit: 10 })).map((f) => f.name)).toEqual(['gold', 'silver']);
      expect((await store.listFlavors({ limit: 10, marker: 'gold' })).map((f) => f.name)).toEqual(['silver']);
      await store.deleteFlavor('silver');
      expect(await store.getFlavor('silver')).toBeUndefined();

      // A second store (another gateway) on the same database sees the same catalog.
      expect((await open().allPools()).map((p) => p.name)).toEqual(['pool-a', 'pool-b']);
    });

    test('a placement is inserted once: concurrent inserts of one queue all get the first one', async () => {
      const store = open();
      const project = `p-${randomUUID().slice(0, 8)}`;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.insertPlacement(project, 'q', { pool: `pool-${i}`, flavor: null })),
      );
      expect(new Set(results.map((r) => r.pool)).size).toBe(1);
      expect(await store.getPlacement(project, 'q')).toEqual(results[0]);
      expect(await store.insertPlacement(project, 'q', { pool: 'other', flavor: 'gold' })).toEqual(results[0]);
      const holder = results[0].pool;
      expect(await store.countQueuesInPool(holder)).toBe(1);
      for (let i = 0; i < 12; i++)
        if (`pool-${i}` !== holder) expect(await store.countQueuesInPool(`pool-${i}`)).toBe(0);
    });

    test('counts follow the placements: per project, per pool, after deletes (and repeated deletes)', async () => {
      const store = open();
      const project = `p-${randomUUID().slice(0, 8)}`;
      const pool = `counted-${randomUUID().slice(0, 8)}`;
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          store.insertPlacement(project, `q${i}`, { pool: i % 3 === 0 ? pool : `${pool}-other`, flavor: null }),
        ),
      );
      await store.insertPlacement(`${project}-x`, 'q0', { pool, flavor: null });
      expect(await store.countPlacements(project)).toBe(30);
      expect(await store.countPlacements(`${project}-x`)).toBe(1);
      expect(await store.countQueuesInPool(pool)).toBe(11);
      expect(await store.countQueuesInPool(`${pool}-other`)).toBe(20);
      await store.deletePlacement(project, 'q0');
      await store.deletePlacement(project, 'q0');
      await store.deletePlacement(project, 'never-placed');
      expect(await store.getPlacement(project, 'q0')).toBeUndefined();
      expect(await store.countPlacements(project)).toBe(29);
      expect(await store.countQueuesInPool(pool)).toBe(10);
      const client = new MongoClient(mongo.uri(database));
      try {
        const indexes = await client.db(database).collection(CATALOG_COLLECTIONS.placements).indexes();
        expect(indexes.map((i) => [i.name, i.key])).toEqual(
          expect.arrayContaining([
            ['project', { p: 1 }],
            ['pool', { pool: 1 }],
          ]),
        );
      } finally {
        await client.close();
      }
    });

    realOnly('placements raced from two gateways (two connection pools) are inserted once', async () => {
      const [a, b] = [open(), open()];
      const project = `p-${randomUUID().slice(0, 8)}`;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).insertPlacement(project, `q${i % 10}`, { pool: i % 2 ? 'a' : 'b', flavor: null }),
        ),
      );
      for (let q = 0; q < 10; q++) {
        const held = results.filter((_, i) => i % 10 === q).map((r) => r.pool);
        expect(new Set(held).size).toBe(1);
      }
      expect((await a.countQueuesInPool('a')) + (await a.countQueuesInPool('b'))).toBe(10);
    });

    test('an unreachable store answers 503 with a description that names no address', async () => {
      const store = open('mongodb://db-secret-host.invalid:27017,127.0.0.1:1/qgate?serverSelectionTimeoutMS=300');
      for (const call of [
        () => store.allPools(),
        () => store.insertPlacement('p', 'q', { pool: 'a', flavor: null }),
        () => store.countQueuesInPool('a'),
      ]) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ServiceUnavailable);
        const { message } = err as Error;
        expect(message).toMatch(/^The catalog's management store is unreachable\./);
        expect(message).not.toMatch(/db-secret-host|127\.0\.0\.1|27017|mongodb/);
      }
    });

    (STANDIN_AVAILABLE && !REAL_MONGODB_URI ? test : test.skip)(
      'a store whose MongoDB stops answers 503, and serves again once it is back',
      async () => {
        const own = (await startMongo('standalone')) as MongoUnderTest;
        try {
          const store = open(own.uri('qgate_catalog_outage', { serverSelectionTimeoutMS: '500' }));
          await store.putPool({ name: 'p', uri: 'memory:', weight: 1, flavor: null, options: {} });
          await own.stop();
          await expect(store.getPool('p')).rejects.toBeInstanceOf(ServiceUnavailable);
          await own.start();
          let pools: unknown;
          for (let i = 0; i < 40 && pools === undefined; i++) {
            pools = await store.allPools().catch(() => new Promise((r) => setTimeout(() => r(undefined), 250)));
          }
          // The stand-in keeps nothing across a restart: serving again is what is proved.
          expect(pools).toEqual([]);
        } finally {
          await own.remove();
        }
      },
    );

    test('a URI the official driver cannot parse is a BadRequest', () => {
      expect(() => openCatalogStore('mongodb://host:notaport/qgate', 1000)).toThrow(BadRequest);
    });
  });

  describe('a gateway with QGATE_STORE_URI=mongodb://… alone', () => {
    let mongo: MongoUnderTest;
    let database: string;
    let uri: string;
    let hooks: WebhookServer;
    const gateways: Gateway[] = [];
    const project = `gw-${randomUUID().slice(0, 8)}`;
    const headers = { 'Client-ID': randomUUID(), 'X-Project-ID': project, 'Content-Type': 'application/json' };
    const start = async () => {
      const config = loadConfig(
        { QGATE_STORE_URI: uri },
        { port: 0, websocket: { port: 0 }, log: { level: 'silent' } },
      );
      expect(config.catalog.management_store_uri).toBe('');
      const gateway = await startGateway(config, pino({ level: 'silent' }), { announce: false });
      gateways.push(gateway);
      return gateway;
    };
    const call = (gateway: Gateway, method: string, path: string, body?: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    beforeAll(async () => {
      mongo = (await startMongo('standalone')) as MongoUnderTest;
      database = testDatabase();
      uri = mongo.uri(database);
      hooks = await startWebhookServer();
    });
    afterAll(async () => {
      for (const g of gateways) await g.close();
      await hooks.close();
      await dropDatabase(mongo, database);
      await mongo.remove();
    });

    test('starts with its catalog in that MongoDB, serves queues, messages and notifications from it', async () => {
      const gateway = await start();
      expect((await call(gateway, 'PUT', '/v2/queues/orders', {})).status).toBe(201);
      const subscribed = await call(gateway, 'POST', '/v2/queues/orders/subscriptions', {
        subscriber: `${hooks.url}/orders`,
        ttl: 3600,
      });
      expect(subscribed.status).toBe(201);
      const posted = await call(gateway, 'POST', '/v2/queues/orders/messages', {
        messages: [{ ttl: 300, body: { order: 1 } }],
      });
      expect(posted.status).toBe(201);
      const listed = await call(gateway, 'GET', '/v2/queues/orders/messages?echo=true');
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { messages: { body: unknown }[] }).messages.map((m) => m.body)).toEqual([
        { order: 1 },
      ]);
      // The delivery went through the MongoDB outbox to a real webhook.
      await hooks.waitFor(1, 20_000);
      expect(hooks.received[0]).toMatchObject({
        path: '/orders',
        json: { body: { order: 1 }, ttl: 300, queue_name: 'orders', Message_Type: 'Notification' },
      });

      const client = new MongoClient(uri);
      try {
        const db = client.db(database);
        const pools = await db.collection(CATALOG_COLLECTIONS.pools).find().toArray();
        expect(pools.map((p) => [p._id, p.uri])).toEqual([['default', uri]]);
        const placement = await db
          .collection(CATALOG_COLLECTIONS.placements)
          .findOne({ _id: JSON.stringify([project, 'orders']) } as never);
        expect(placement).toMatchObject({ p: project, pool: 'default' });
        expect(await db.collection('messages').countDocuments({ p: project, q: 'orders' })).toBe(1);
        expect(await db.collection('subscriptions').countDocuments({ p: project, q: 'orders' })).toBe(1);
      } finally {
        await client.close();
      }
    });

    test('a second gateway on the same URI shares the catalog: it finds the queue and adds no pool', async () => {
      const second = await start();
      const queues = await call(second, 'GET', '/v2/queues');
      expect(queues.status).toBe(200);
      expect(((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual(['orders']);
      const stats = await call(second, 'GET', '/v2/queues/orders/stats');
      expect(((await stats.json()) as { messages: { total: number } }).messages.total).toBe(1);
      const client = new MongoClient(uri);
      try {
        expect(await client.db(database).collection(CATALOG_COLLECTIONS.pools).countDocuments()).toBe(1);
      } finally {
        await client.close();
      }
    });
  });
}
