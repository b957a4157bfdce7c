// The Redis outbox's own promises beyond the conformance suite: round trips, exact payloads, key layout, bounds.

import type { Redis } from 'ioredis';
import { FAILED_KEPT_PER_SUBSCRIPTION } from '../../src/core/notifications';
import type { NewMessage, NewSubscription, QueueScope } from '../../src/core/types';
import { connectRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver';
import { DELIVERY_DUE_KEY, DELIVERY_SEQ_KEY, QUEUE_INDEX_KEY } from '../../src/drivers/redis/keys';
import { type RedisProcess, startRedisServer } from '../support/redis-server';

const msg = (body: unknown): NewMessage => ({ body: body as NewMessage['body'], ttl: 300, delay: 0 });
const sub = (subscriber: string, ttl = 3600): NewSubscription => ({ subscriber, ttl, options: {}, confirmed: true });

/** Every key matching the pattern, by SCAN. */
async function keysMatching(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** The due index members of one queue (they end with its key base). */
async function dueOf(client: Redis, base: string): Promise<string[]> {
  return (await client.zrange(DELIVERY_DUE_KEY, '0', '-1')).filter((m) => m.endsWith(` ${base}`));
}

describe('Redis outbox on a real redis-server', () => {
  let server: RedisProcess;
  let now = Date.UTC(2026, 0, 1);
  let driver: RedisDriver;

  beforeAll(async () => {
    server = await startRedisServer();
    driver = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, {
      clock: () => now,
      timeoutMs: 5000,
      gcIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await driver.close();
    await server.remove();
  });
  beforeEach(async () => {
    // Each test takes only what it recorded.
    await driver.takeDeliveries(100_000, 3_600_000);
  });

  /** Counts the commands the driver's client writes while `fn` runs. */
  async function commandsDuring(fn: () => Promise<unknown>): Promise<string[]> {
    const client = driver.client;
    const original = client.sendCommand;
    const sent: string[] = [];
    client.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
      sent.push(args[0].name);
      return original.apply(this, args);
    };
    try {
      await fn();
    } finally {
      client.sendCommand = original;
    }
    return sent;
  }

  test('a post of 10 to a queue with two subscribers records its 20 deliveries in its one round trip; a take is one', async () => {
    const scope = { project: 'rt', queue: 'q' };
    await driver.createQueue(scope, {});
    await driver.createSubscription(scope, sub('http://127.0.0.1:9/a'));
    await driver.createSubscription(scope, sub('mailto:ops@example.com'));
    // Warm up both scripts (the first use on a connection sends the source).
    await driver.postMessages(scope, [msg('warm')], 'c');
    await driver.takeDeliveries(100, 60_000);

    const batch = Array.from({ length: 10 }, (_, i) => msg({ n: i }));
    expect(await commandsDuring(() => driver.postMessages(scope, batch, 'c'))).toEqual(['evalsha']);
    let taken = 0;
    expect(
      await commandsDuring(async () => {
        taken = (await driver.takeDeliveries(100, 60_000)).length;
      }),
    ).toEqual(['evalsha']);
    expect(taken).toBe(20);
  });

  test('a notification payload carries the body exactly as posted: big numbers, {} and [], unicode', async () => {
    const scope = { project: 'json', queue: 'q' };
    await driver.createQueue(scope, {});
    await driver.createSubscription(scope, sub('http://127.0.0.1:9/j'));
    const body = { big: 9007199254740991, tiny: 1e-7, list: [], obj: {}, text: 'zaqar ✓ \u0000 "q"', nested: [[{}]] };
    await driver.postMessages(scope, [msg(body), msg([]), msg({})], 'c');
    const taken = await driver.takeDeliveries(10, 60_000);
    expect(taken.map((t) => t.payload)).toEqual([
      { body, ttl: 300, queue_name: 'q', Message_Type: 'Notification' },
      { body: [], ttl: 300, queue_name: 'q', Message_Type: 'Notification' },
      { body: {}, ttl: 300, queue_name: 'q', Message_Type: 'Notification' },
    ]);
    const stored = await driver.client.hget(`qg:{json/q}:d:${taken[0].id}`, 'y');
    expect(stored).toContain(`"body":${JSON.stringify(body)}`);
  });

  test('subscriptions and deliveries live under the queue’s hash tag; only the store-wide keys cross slots', async () => {
    const scope = { project: 'we{ird}/pro:ject', queue: 'work' };
    const base = 'qg:{we%7Bird%7D%2Fpro%3Aject/work}';
    await driver.createQueue(scope, {});
    const { id } = await driver.createSubscription(scope, sub('http://127.0.0.1:9/k'));
    await driver.postMessages(scope, [msg('a'), msg('b')], 'c');
    const [first] = await driver.takeDeliveries(10, 60_000);
    await driver.settleDelivery(scope, first.id, { kind: 'failed', error: 'HTTP 500' });

    const keys = await keysMatching(driver.client, 'qg:*');
    const mine = keys.filter((k) => k.startsWith(base));
    expect(keys.filter((k) => k.startsWith('qg:{we'))).toEqual(mine);
    expect(mine).toEqual(
      expect.arrayContaining([
        `${base}:subs`,
        `${base}:subexp`,
        `${base}:subr`,
        `${base}:s:${id}`,
        `${base}:sd:${id}`,
        `${base}:sf:${id}`,
      ]),
    );
    expect(mine.filter((k) => k.startsWith(`${base}:d:`))).toHaveLength(1);
    expect(keys.filter((k) => !k.startsWith('qg:{'))).toEqual([DELIVERY_DUE_KEY, DELIVERY_SEQ_KEY, QUEUE_INDEX_KEY]);
    expect(await dueOf(driver.client, base)).toHaveLength(1);
  });

  test(`a failed list keeps the newest ${FAILED_KEPT_PER_SUBSCRIPTION} deliveries of a subscription`, async () => {
    const scope = { project: 'cap', queue: 'q' };
    await driver.createQueue(scope, {});
    const { id } = await driver.createSubscription(scope, sub('http://127.0.0.1:9/c'));
    const total = FAILED_KEPT_PER_SUBSCRIPTION + 5;
    await driver.postMessages(
      scope,
      Array.from({ length: total }, (_, i) => msg(i)),
      'c',
    );
    const taken = await driver.takeDeliveries(total, 60_000);
    expect(taken.map((t) => t.payload.body)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const t of taken) await driver.settleDelivery(scope, t.id, { kind: 'failed', error: `gave up on ${t.id}` });
    expect(await driver.client.llen(`qg:{cap/q}:sf:${id}`)).toBe(FAILED_KEPT_PER_SUBSCRIPTION);
    const failed = await driver.listFailedDeliveries(scope, id, 1000);
    expect(failed.map((f) => f.payload.body)).toEqual(
      Array.from({ length: FAILED_KEPT_PER_SUBSCRIPTION }, (_, i) => total - 1 - i),
    );
    expect(failed[0]).toMatchObject({ attempts: 1, lastError: `gave up on ${taken[total - 1].id}`, failedAt: now });
    expect(await driver.listFailedDeliveries(scope, id, 3)).toHaveLength(3);
    expect(await dueOf(driver.client, 'qg:{cap/q}')).toEqual([]);
  });

  test('deleting a subscription drops its pending and failed deliveries from Redis', async () => {
    const scope = { project: 'unsub', queue: 'q' };
    await driver.createQueue(scope, {});
    const { id } = await driver.createSubscription(scope, sub('http://127.0.0.1:9/u'));
    const { id: other } = await driver.createSubscription(scope, sub('http://127.0.0.1:9/other'));
    await driver.postMessages(scope, [msg(1), msg(2), msg(3)], 'c');
    const mine = (await driver.takeDeliveries(10, 60_000)).filter((t) => t.subscriptionId === id);
    await driver.settleDelivery(scope, mine[0].id, { kind: 'failed', error: 'no' });
    await driver.deleteSubscription(scope, id);
    const keys = await keysMatching(driver.client, 'qg:{unsub/q}:*');
    expect(keys.filter((k) => k.includes(id))).toEqual([]);
    expect(keys.filter((k) => k.includes(':d:'))).toHaveLength(3);
    expect(await dueOf(driver.client, 'qg:{unsub/q}')).toHaveLength(3);
    expect(await driver.listFailedDeliveries(scope, id, 10)).toEqual([]);
    await driver.purgeSubscriptions(scope);
    const queueKeysOnly = ['avail', 'created', 'exp', 'msgs', 'q'].map((k) => `qg:{unsub/q}:${k}`);
    expect((await keysMatching(driver.client, 'qg:{unsub/q}:*')).filter((k) => !k.includes(':m:'))).toEqual(
      queueKeysOnly,
    );
    expect(await dueOf(driver.client, 'qg:{unsub/q}')).toEqual([]);
    await expect(driver.getSubscription(scope, other)).rejects.toThrow(/does not exist/);
  });

  test('the sweep forgets expired subscriptions; deliveries they already had are still made', async () => {
    const scope = { project: 'exp', queue: 'q' };
    await driver.createQueue(scope, {});
    const { id } = await driver.createSubscription(scope, sub('http://127.0.0.1:9/e', 60));
    await driver.postMessages(scope, [msg('recorded while live')], 'c');
    now += 61_000;
    await driver.collectGarbage();
    const keys = await keysMatching(driver.client, 'qg:{exp/q}:*');
    expect(keys.filter((k) => /:(subs|subexp|subr|s:.*|sf:.*)$/.test(k))).toEqual([]);
    expect(keys).toContain(`qg:{exp/q}:sd:${id}`);
    await expect(driver.getSubscription(scope, id)).rejects.toThrow(/does not exist/);
    const [taken] = await driver.takeDeliveries(10, 60_000);
    expect(taken).toMatchObject({ subscriptionId: id, payload: { body: 'recorded while live' } });
    await driver.settleDelivery(scope, taken.id, { kind: 'delivered' });
    expect((await keysMatching(driver.client, 'qg:{exp/q}:*')).filter((k) => /:(sd|sf|d):/.test(k))).toEqual([]);
  });

  test('a deleted queue leaves only its recorded deliveries, and they go as they settle (failed ones too)', async () => {
    const scope: QueueScope = { project: 'gone', queue: 'q' };
    await driver.createQueue(scope, {});
    await driver.createSubscription(scope, sub('http://127.0.0.1:9/g'));
    await driver.postMessages(scope, [msg('one'), msg('two')], 'c');
    await driver.deleteQueue(scope);
    const left = await keysMatching(driver.client, 'qg:{gone/*');
    expect(left.filter((k) => !/:(sd|d):/.test(k))).toEqual([]);
    const [one, two] = await driver.takeDeliveries(10, 60_000);
    await driver.settleDelivery(scope, one.id, { kind: 'delivered' });
    await driver.settleDelivery(scope, two.id, { kind: 'failed', error: 'HTTP 410' });
    expect(await keysMatching(driver.client, 'qg:{gone/*')).toEqual([]);
    expect(await dueOf(driver.client, 'qg:{gone/q}')).toEqual([]);
  });
});
