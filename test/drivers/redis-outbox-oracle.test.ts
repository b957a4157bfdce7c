// The memory outbox as oracle: random subscription and delivery sequences on it and on the Redis driver, one clock,
// must give the same results (ids differ, so subscriptions and deliveries are compared by the order they appeared).

import { MemoryDriver } from '../../src/drivers/memory/driver';
import { connectRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver';
import { type RedisProcess, startRedisServer } from '../support/redis-server';
import { runOutboxSequence } from './outbox-oracle';

describe('Redis outbox against the memory oracle', () => {
  let server: RedisProcess;
  let redis: RedisDriver;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, { clock, timeoutMs: 5000, gcIntervalMs: 0 });
  });
  afterAll(async () => {
    await redis.close();
    await server.remove();
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('random sequence %i gives the same results on both', async (seed) => {
    // takeDeliveries is store-wide: each sequence starts from an empty Redis, as the memory side does.
    await redis.client.flushall();
    const memory = new MemoryDriver({ clock, gcIntervalMs: 0 });
    await runOutboxSequence(seed, memory, redis, { now: clock, advance: (ms) => (now += ms) });
    await memory.close();
  });
});
