// An unreachable Redis: calls fail with ServiceUnavailable (503) instead of hanging, health says so, and the
// driver recovers by itself once Redis is back, with the acknowledged data still there (appendfsync always).

import { ServiceUnavailable } from '../../src/core/errors';
import type { DataDriver } from '../../src/drivers/types';
import { connectRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver';
import { type RedisProcess, sleep, startRedisServer } from '../support/redis-server';

const scope = { project: 'outage', queue: 'q' };
const listAll = (d: DataDriver) =>
  d.listMessages(scope, { limit: 20, echo: true, includeClaimed: true, includeDelayed: true, clientId: 'x' });

/** Retries `fn` until it resolves (bounded); the last failure is rethrown. */
async function eventually<T>(fn: () => Promise<T>, attempts = 200, pauseMs = 100): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await sleep(pauseMs);
    }
  }
  throw last;
}

/** The error a call rejects with. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded while Redis was away');
}

describe('Redis driver when Redis is away', () => {
  let server: RedisProcess;
  let driver: RedisDriver;

  beforeAll(async () => {
    server = await startRedisServer();
    driver = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, { timeoutMs: 1000, gcIntervalMs: 50 });
  });
  afterAll(async () => {
    await driver.close();
    await server.remove();
  });

  test('a stopped Redis gives ServiceUnavailable naming it; the driver comes back by itself with the data', async () => {
    await driver.postMessages(scope, [{ body: 'before', ttl: 3600, delay: 0 }], 'c');
    await server.stop();

    const calls: Promise<unknown>[] = [
      driver.postMessages(scope, [{ body: 'lost?', ttl: 3600, delay: 0 }], 'c'),
      listAll(driver),
      driver.createClaim(scope, { ttl: 60, grace: 60, limit: 5 }),
      driver.getQueueMetadata(scope),
      driver.queueExists(scope),
      driver.listQueues('outage', { limit: 5, detailed: true }),
      driver.queueStats(scope),
      driver.createSubscription(scope, { subscriber: 'http://127.0.0.1:9/x', ttl: 60, options: {}, confirmed: true }),
      driver.getSubscription(scope, 'some-id'),
      driver.listSubscriptions(scope, { limit: 5 }),
      driver.updateSubscription(scope, 'some-id', { ttl: 120 }),
      driver.deleteSubscription(scope, 'some-id'),
      driver.takeDeliveries(10, 60_000),
      driver.settleDelivery(scope, 'some-id', { kind: 'delivered' }),
      driver.listFailedDeliveries(scope, 'some-id', 10),
    ];
    for (const call of calls) {
      const err = await failure(call);
      expect(err).toBeInstanceOf(ServiceUnavailable);
      expect((err as ServiceUnavailable).status).toBe(503);
      expect((err as ServiceUnavailable).description).toMatch(
        new RegExp(`^Redis at 127\\.0\\.0\\.1:${server.port} is unreachable\\.`),
      );
    }
    expect(await driver.health()).toMatchObject({ reachable: false, kind: 'redis' });

    await server.restart();
    await eventually(async () => {
      if (!(await driver.health()).reachable) throw new Error('not yet');
    });
    await eventually(() => driver.postMessages(scope, [{ body: 'after', ttl: 3600, delay: 0 }], 'c'));
    expect((await listAll(driver)).messages.map((m) => m.body)).toEqual(['before', 'after']);
  });

  test('a Redis that stops answering (SIGSTOP) fails calls with ServiceUnavailable instead of hanging', async () => {
    server.pause();
    try {
      const err = await failure(listAll(driver));
      expect(err).toBeInstanceOf(ServiceUnavailable);
      expect(await driver.health()).toMatchObject({ reachable: false });
    } finally {
      server.resume();
    }
    const page = await eventually(() => listAll(driver));
    expect(page.messages.map((m) => m.body).slice(0, 2)).toEqual(['before', 'after']);
  });

  test('with wait_replicas, a write no replica confirmed is a 503, never a silent acknowledgement', async () => {
    const strict = await connectRedisDriver(`redis://127.0.0.1:${server.port}?wait_replicas=1`, {
      timeoutMs: 400,
      gcIntervalMs: 0,
    });
    try {
      const err = await failure(strict.postMessages(scope, [{ body: 'unreplicated', ttl: 3600, delay: 0 }], 'c'));
      expect(err).toBeInstanceOf(ServiceUnavailable);
      expect((err as ServiceUnavailable).description).toMatch(/did not copy the change to 1 replica\(s\) in time/);
    } finally {
      await strict.close();
    }
  });

  test('a Redis that is down when the driver starts: it starts anyway, answers 503, then recovers', async () => {
    await server.stop();
    const late = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, { timeoutMs: 500, gcIntervalMs: 0 });
    try {
      expect(await failure(late.queueExists(scope))).toBeInstanceOf(ServiceUnavailable);
      expect((await late.health()).reachable).toBe(false);
      await server.restart();
      expect(await eventually(() => late.queueExists(scope))).toBe(true);
    } finally {
      await late.close();
    }
  });
});
