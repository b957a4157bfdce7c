// The MongoDB driver's transactional path (replica sets): the conformance suite on the stand-in's replica set.
//
// The stand-in's transactions are isolated but it detects no write conflicts between them (two transactions
// that update one document both commit), so concurrent claims there could share a message where a real
// MongoDB aborts one and the driver retries it. Here the harness therefore sends the driver one call at a
// time: every case proves the transactional code path, and "concurrent claims never return one message twice"
// (and "concurrent takers never lease the same delivery twice") is proved for it only against a real replica set
// (test/drivers/mongo.test.ts with QGATE_TEST_MONGODB_URI).
// See test/drivers/README.md.

import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { DataDriver } from '../../src/drivers/types';
import { NO_MONGODB, REAL_MONGODB_URI, STANDIN_AVAILABLE, startMongo, testDatabase } from '../support/mongo-server';
import { describeDriverConformance, type DriverFactory } from './conformance';
import { describeNotificationConformance } from './notification-conformance';

/** The driver with its calls queued: each starts when the previous one has settled. */
function oneCallAtATime(driver: DataDriver): DataDriver {
  let tail: Promise<unknown> = Promise.resolve();
  return new Proxy(driver, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = tail.then(() => value.apply(target, args));
        tail = call.catch(() => undefined);
        return call;
      };
    },
  });
}

if (REAL_MONGODB_URI) {
  test.skip('transactional path on the stand-in: QGATE_TEST_MONGODB_URI is set, mongo.test.ts runs it for real', () => {
    return undefined;
  });
} else if (!STANDIN_AVAILABLE) {
  test.skip(NO_MONGODB, () => undefined);
} else {
  const transactional: DriverFactory = async (clock) => {
    const mongo = await startMongo('singleNodeReplicaSet');
    if (!mongo) throw new Error(NO_MONGODB);
    const driver = await createMongoDriver(mongo.uri(testDatabase()), { clock, timeoutMs: 10_000, gcIntervalMs: 0 });
    await driver.ready();
    if (!driver.transactions) throw new Error('the stand-in replica set should make the driver use transactions');
    return {
      driver: oneCallAtATime(driver),
      close: async () => {
        await driver.close();
        await mongo.remove();
      },
    };
  };
  const name = 'mongodb (transactions, stand-in replica set, one call at a time)';
  describeDriverConformance(name, transactional);
  describeNotificationConformance(name, transactional);
}
