// The MongoDB driver: the whole conformance suite, against QGATE_TEST_MONGODB_URI or the standalone stand-in.
//
// On the standalone stand-in the driver runs without transactions, so this proves the conditional-update path
// (take.ts, fan-out.ts) on its own; against a real replica set it proves the transactional path under real
// concurrency. Both suites: queues, messages and claims; subscriptions and the delivery outbox.

import { createMongoDriver } from '../../src/drivers/mongo/connect';
import { MONGODB_AVAILABLE, NO_MONGODB, startMongo, testDatabase } from '../support/mongo-server';
import { describeDriverConformance, type DriverFactory } from './conformance';
import { describeNotificationConformance } from './notification-conformance';

if (!MONGODB_AVAILABLE) {
  test.skip(NO_MONGODB, () => undefined);
} else {
  const mongodb: DriverFactory = async (clock) => {
    const mongo = await startMongo('standalone');
    if (!mongo) throw new Error(NO_MONGODB);
    const driver = await createMongoDriver(mongo.uri(testDatabase()), { clock, timeoutMs: 10_000, gcIntervalMs: 0 });
    await driver.ready();
    return {
      driver,
      close: async () => {
        if (!mongo.standIn) await driver.client.db(driver.database).dropDatabase();
        await driver.close();
        await mongo.remove();
      },
    };
  };
  describeDriverConformance('mongodb', mongodb);
  describeNotificationConformance('mongodb', mongodb);
}
