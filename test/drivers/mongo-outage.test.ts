// An unreachable MongoDB: calls fail with 503 naming the store, health says so without throwing, and the
// driver recovers by itself. The stand-in server process is stopped and started again (a real MongoDB named by
// QGATE_TEST_MONGODB_URI is never stopped by the tests, so these cases need the stand-in).

import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceUnavailable } from '../../src/core/errors';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { MongoDriver } from '../../src/drivers/mongo/driver';
import { INDEX } from '../../src/drivers/mongo/schema';
import { type MongoUnderTest, REAL_MONGODB_URI, STANDIN_AVAILABLE, startMongo } from '../support/mongo-server';

const scope = { project: 'p-outage', queue: 'q' };
const msg = { body: 'x', ttl: 600, delay: 0 };
const options = { timeoutMs: 1000, gcIntervalMs: 0 };

/** Retries `call` until it resolves (the driver reconnects on its own; nothing here is timed). */
async function eventually<T>(call: () => Promise<T>, attempts = 120): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(250);
    }
  }
}

const outage = REAL_MONGODB_URI || !STANDIN_AVAILABLE ? describe.skip : describe;

outage('MongoDB driver: an unreachable MongoDB (stand-in stopped and started again)', () => {
  let mongo: MongoUnderTest;
  let driver: MongoDriver | undefined;

  beforeEach(async () => {
    mongo = (await startMongo('standalone')) as MongoUnderTest;
  });

  afterEach(async () => {
    await driver?.close();
    driver = undefined;
    await mongo.remove();
  });

  test('calls fail with ServiceUnavailable naming the store; health reports it; it recovers by itself', async () => {
    driver = await createMongoDriver(mongo.uri('qgate_outage'), options);
    await driver.postMessages(scope, [msg], 'c');
    await mongo.stop();

    const post = driver.postMessages(scope, [msg], 'c');
    await expect(post).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(post).rejects.toThrow(/MongoDB at 127\.0\.0\.1:\d+ is unreachable/);
    await expect(driver.createClaim(scope, { ttl: 60, grace: 60, limit: 1 })).rejects.toBeInstanceOf(
      ServiceUnavailable,
    );
    await expect(driver.queueStats(scope)).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(await driver.health()).toMatchObject({ reachable: false, kind: 'mongodb' });

    await mongo.start();
    const d = driver;
    await eventually(async () => {
      if (!(await d.health()).reachable) throw new Error('not yet');
    });
    const [id] = await eventually(() => d.postMessages(scope, [msg], 'c'));
    expect((await d.getMessage(scope, id)).body).toBe('x');
  });

  test('subscriptions and deliveries answer 503 too while MongoDB is down, and work again once it is up', async () => {
    driver = await createMongoDriver(mongo.uri('qgate_outbox_outage'), options);
    const sub = { subscriber: 'http://127.0.0.1:9/hook', ttl: 600, options: {}, confirmed: true };
    await driver.createSubscription(scope, sub);
    await mongo.stop();

    const unavailable = /MongoDB at 127\.0\.0\.1:\d+ is unreachable/;
    await expect(driver.takeDeliveries(10, 60_000)).rejects.toThrow(unavailable);
    await expect(driver.createSubscription(scope, sub)).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(driver.listSubscriptions(scope, { limit: 10 })).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(driver.settleDelivery(scope, 'x', { kind: 'delivered' })).rejects.toBeInstanceOf(ServiceUnavailable);
    await expect(driver.postMessages(scope, [msg], 'c')).rejects.toBeInstanceOf(ServiceUnavailable);

    // The stand-in keeps nothing across a restart: the subscription is made again once it is up.
    await mongo.start();
    const d = driver;
    await eventually(() => d.createSubscription(scope, sub));
    await d.postMessages(scope, [msg], 'c');
    expect((await d.takeDeliveries(10, 60_000)).map((t) => t.payload.body)).toEqual(['x']);
  });

  test('a driver created while MongoDB is down resolves, answers 503, and readies itself once it is up', async () => {
    const uri = mongo.uri('qgate_late');
    await mongo.stop();
    driver = await createMongoDriver(uri, options);
    await expect(driver.createQueue(scope, {})).rejects.toBeInstanceOf(ServiceUnavailable);
    expect((await driver.health()).reachable).toBe(false);

    await mongo.start();
    const d = driver;
    expect(await eventually(() => d.createQueue(scope, { a: 1 }))).toBe(true);
    const names = (await d.collections.messages.indexes()).map((i) => i.name);
    expect(names).toContain(INDEX.scopeMarker);
    expect(names).toContain(INDEX.ttl);
  });
});

if (REAL_MONGODB_URI || !STANDIN_AVAILABLE) {
  test.skip('outage cases need the stand-in: the tests never stop a real MongoDB', () => undefined);
}
