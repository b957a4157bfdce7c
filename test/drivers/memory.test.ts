// The memory driver: the conformance suite, and its background collection of expired data.

import { MemoryDriver } from '../../src/drivers/memory/driver';
import { describeDriverConformance } from './conformance';
import { describeNotificationConformance } from './notification-conformance';

const memory = async (clock: () => number) => {
  const driver = new MemoryDriver({ clock, gcIntervalMs: 0 });
  return { driver, close: () => driver.close() };
};
describeDriverConformance('memory', memory);
describeNotificationConformance('memory', memory);

describe('memory driver garbage collection', () => {
  test('the sweep removes expired messages and claims so memory stays bounded', async () => {
    let now = Date.UTC(2026, 0, 1);
    const driver = new MemoryDriver({ clock: () => now, gcIntervalMs: 0 });
    const scope = { project: 'p', queue: 'q' };
    await driver.postMessages(
      scope,
      [
        { body: 1, ttl: 60, delay: 0 },
        { body: 2, ttl: 600, delay: 0 },
      ],
      'c',
    );
    await driver.createClaim(scope, { ttl: 60, grace: 60, limit: 1 });
    now += 121_000;
    expect(driver.collectGarbage()).toBe(1);
    expect(driver.collectGarbage()).toBe(0);
    expect((await driver.queueStats(scope)).total).toBe(1);
    await driver.close();
  });
});
