// The Redis driver's own promises beyond the conformance suite: round trips, key layout, expiry sweeps, sockets.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { NewMessage, QueueScope } from '../../src/core/types';
import { connectRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver';
import { QUEUE_INDEX_KEY } from '../../src/drivers/redis/keys';
import { type RedisProcess, sleep, startRedisServer } from '../support/redis-server';

const msg = (body: unknown, ttl = 3600, delay = 0): NewMessage => ({ body: body as NewMessage['body'], ttl, delay });
const batch = (n: number, ttl = 3600) => Array.from({ length: n }, (_, i) => msg({ n: i }, ttl));

/** Every key the driver has written, by SCAN. */
async function allKeys(client: Redis, pattern = 'qg:*'): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** The hash tag Redis Cluster hashes a key by: from the first `{` to the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('Redis driver on a real redis-server', () => {
  let server: RedisProcess;
  let now = Date.UTC(2026, 0, 1);
  let driver: RedisDriver;
  const advance = (seconds: number) => {
    now += seconds * 1000;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    driver = await connectRedisDriver(`redis://127.0.0.1:${server.port}/0`, {
      clock: () => now,
      timeoutMs: 5000,
      gcIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await driver.close();
    await server.remove();
  });

  describe('round trips', () => {
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

    test('a post of 10, a claim of 10 and a listing of 20 are one command (one round trip) each', async () => {
      const scope = { project: 'rt', queue: 'q' };
      // Warm up: the first use of each script on a connection carries its source (EVAL); later uses send its SHA.
      await driver.postMessages(scope, batch(1), 'c');
      await driver.listMessages(scope, {
        limit: 20,
        echo: true,
        includeClaimed: true,
        includeDelayed: true,
        clientId: 'x',
      });
      await driver.deleteClaim(scope, (await driver.createClaim(scope, { ttl: 60, grace: 60, limit: 1 }))?.id ?? '');
      await driver.purgeMessages(scope);
      await driver.postMessages(scope, batch(10), 'c');

      expect(await commandsDuring(() => driver.postMessages(scope, batch(10), 'c'))).toEqual(['evalsha']);
      let claimed = 0;
      expect(
        await commandsDuring(async () => {
          claimed = (await driver.createClaim(scope, { ttl: 60, grace: 60, limit: 10 }))?.messages.length ?? 0;
        }),
      ).toEqual(['evalsha']);
      expect(claimed).toBe(10);
      let listed = 0;
      const options = { limit: 20, echo: true, includeClaimed: true, includeDelayed: false, clientId: 'x' };
      expect(
        await commandsDuring(async () => {
          listed = (await driver.listMessages(scope, options)).messages.length;
        }),
      ).toEqual(['evalsha']);
      expect(listed).toBe(20);
    });
  });

  describe('key layout', () => {
    test('every key of a queue shares its hash tag {project/queue}, even for a project id full of separators', async () => {
      const project = 'we{ird}/pro:ject';
      const work = { project, queue: 'work' };
      await driver.createQueue(work, { _max_claim_count: 1, _dead_letter_queue: 'dead' });
      await driver.postMessages(work, [msg('a'), msg('b'), msg('later', 3600, 60)], 'c');
      const claim = await driver.createClaim(work, { ttl: 60, grace: 60, limit: 1 });
      await driver.deleteClaim(work, claim?.id as string);
      await driver.createClaim(work, { ttl: 60, grace: 60, limit: 5 });

      const keys = (await allKeys(driver.client, 'qg:{we*')).filter((k) => k !== QUEUE_INDEX_KEY);
      const tags = new Set(keys.map(hashTag));
      expect(tags).toEqual(new Set(['we%7Bird%7D%2Fpro%3Aject/work', 'we%7Bird%7D%2Fpro%3Aject/dead']));
      for (const key of keys) expect(key.startsWith(`qg:{${hashTag(key)}}:`)).toBe(true);
      expect(keys.filter((k) => hashTag(k).endsWith('/dead')).some((k) => k.includes(':m:'))).toBe(true);
      expect((await driver.listQueues(project, { limit: 10, detailed: false })).map((q) => q.name)).toEqual([
        'dead',
        'work',
      ]);
    });
  });

  describe('expiry and memory', () => {
    test('collectGarbage deletes expired messages and ended claims from Redis itself', async () => {
      const scope = { project: 'gc', queue: 'q' };
      await driver.postMessages(scope, [msg(1, 60), msg(2, 600)], 'c');
      await driver.createClaim(scope, { ttl: 60, grace: 60, limit: 1 });
      advance(121);
      expect(await driver.collectGarbage()).toBe(1);
      expect(await driver.collectGarbage()).toBe(0);
      expect((await driver.queueStats(scope)).total).toBe(1);
      const keys = await allKeys(driver.client, 'qg:{gc/q}:*');
      expect(keys.filter((k) => k.includes(':m:'))).toHaveLength(1);
      expect(keys.filter((k) => k.includes(':c:') || k.includes(':cm:'))).toEqual([]);
      expect(await driver.client.zcard('qg:{gc/q}:msgs')).toBe(1);
    });

    test('the background sweep removes expired messages of a queue nobody touches', async () => {
      const sweeping = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, {
        clock: () => now,
        timeoutMs: 5000,
        gcIntervalMs: 50,
      });
      try {
        const scope = { project: 'bg', queue: 'idle' };
        await sweeping.postMessages(scope, batch(30, 60), 'c');
        advance(61);
        let left = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 200 && left > 0; i++) {
          await sleep(50);
          left = (await allKeys(sweeping.client, 'qg:{bg/idle}:m:*')).length;
        }
        expect(left).toBe(0);
        expect(await sweeping.client.zcard('qg:{bg/idle}:exp')).toBe(0);
        expect(await sweeping.queueExists(scope)).toBe(true);
      } finally {
        await sweeping.close();
      }
    });

    test('a queue written to but never read stays bounded even with the sweep off', async () => {
      const scope: QueueScope = { project: 'bounded', queue: 'firehose' };
      for (let round = 0; round < 40; round++) {
        await driver.postMessages(scope, batch(10, 60), 'producer');
        advance(61);
      }
      await driver.postMessages(scope, batch(10, 60), 'producer');
      expect(await driver.client.zcard('qg:{bounded/firehose}:msgs')).toBe(10);
      expect(await allKeys(driver.client, 'qg:{bounded/firehose}:m:*')).toHaveLength(10);
    });
  });

  test('deleteQueue leaves no key of the queue behind', async () => {
    const scope = { project: 'del', queue: 'q' };
    await driver.postMessages(scope, batch(25), 'c');
    await driver.createClaim(scope, { ttl: 60, grace: 60, limit: 5 });
    await driver.deleteQueue(scope);
    expect(await allKeys(driver.client, 'qg:{del/*')).toEqual([]);
    expect(await driver.client.zscore(QUEUE_INDEX_KEY, 'del/q')).toBeNull();
  });

  test('bodies come back byte for byte: big integers, empty arrays and objects, unicode', async () => {
    const scope = { project: 'json', queue: 'q' };
    const body = {
      big: 9007199254740991,
      tiny: 1e-7,
      list: [],
      obj: {},
      text: 'zaqar ✓ \u0000 "quoted"',
      nested: [[{}]],
    };
    const [id] = await driver.postMessages(scope, [msg(body)], 'c');
    expect((await driver.getMessage(scope, id)).body).toEqual(body);
  });
});

describe('Redis driver over a unix socket', () => {
  test('redis:///path/to.sock reaches the server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qgate-sock-'));
    const socket = join(dir, 'redis.sock');
    const server = await startRedisServer({ args: ['--unixsocket', socket, '--unixsocketperm', '700'] });
    const driver = await connectRedisDriver(`redis://${socket}`, { timeoutMs: 5000, gcIntervalMs: 0 });
    try {
      const scope = { project: 'sock', queue: 'q' };
      await driver.postMessages(scope, [msg('over the socket')], 'c');
      const page = await driver.listMessages(scope, {
        limit: 5,
        echo: true,
        includeClaimed: false,
        includeDelayed: false,
        clientId: 'c',
      });
      expect(page.messages.map((m) => m.body)).toEqual(['over the socket']);
      expect(await driver.health()).toMatchObject({ reachable: true, kind: 'redis' });
    } finally {
      await driver.close();
      await server.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
