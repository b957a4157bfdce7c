// The Redis driver against a real redis-server: the whole conformance suite, queues and notifications.

import { connectRedisDriver } from '../../src/drivers/redis/driver';
import { type RedisProcess, startRedisServer } from '../support/redis-server';
import { describeDriverConformance } from './conformance';
import { describeNotificationConformance } from './notification-conformance';

const redis = async (clock: () => number) => {
  const server: RedisProcess = await startRedisServer();
  const driver = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, {
    clock,
    timeoutMs: 5000,
    gcIntervalMs: 0,
  });
  return {
    driver,
    close: async () => {
      await driver.close();
      await server.remove();
    },
  };
};
describeDriverConformance('redis', redis);
describeNotificationConformance('redis', redis);
