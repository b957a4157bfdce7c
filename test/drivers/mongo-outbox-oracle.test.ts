// The memory outbox as oracle: random subscription and delivery sequences on it and on the MongoDB driver, one
// clock, must give the same results (ids differ, so subscriptions and deliveries are compared by the order they
// appeared). Run on the standalone stand-in (deliveries parked, then made due) and on its replica set
// (transactions); the sequences are sequential, so the stand-in's lack of write-conflict detection does not matter.

import { MemoryDriver } from '../../src/drivers/memory/driver';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { MongoDriver } from '../../src/drivers/mongo/driver';
import {
  MONGODB_AVAILABLE,
  type MongoUnderTest,
  NO_MONGODB,
  REAL_MONGODB_URI,
  type StandInTopology,
  startMongo,
  testDatabase,
} from '../support/mongo-server';
import { runOutboxSequence } from './outbox-oracle';

// A real MongoDB (QGATE_TEST_MONGODB_URI) is one deployment: its own topology, run once.
const TOPOLOGIES: StandInTopology[] = REAL_MONGODB_URI ? ['standalone'] : ['standalone', 'singleNodeReplicaSet'];

const suite = MONGODB_AVAILABLE ? describe.each(TOPOLOGIES) : describe.skip.each(TOPOLOGIES);
if (!MONGODB_AVAILABLE) test.skip(NO_MONGODB, () => undefined);

suite('MongoDB outbox against the memory oracle (%s)', (topology) => {
  let mongo: MongoUnderTest;
  let mongodb: MongoDriver | undefined;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;

  beforeAll(async () => {
    mongo = (await startMongo(topology)) as MongoUnderTest;
  });
  afterEach(async () => {
    if (mongodb && !mongo.standIn) await mongodb.client.db(mongodb.database).dropDatabase();
    await mongodb?.close();
    mongodb = undefined;
  });
  afterAll(async () => {
    await mongo.remove();
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('random sequence %i gives the same results on both', async (seed) => {
    // takeDeliveries is store-wide: each sequence starts from an empty database, as the memory side does.
    const driver = await createMongoDriver(mongo.uri(testDatabase()), { clock, timeoutMs: 5000, gcIntervalMs: 0 });
    await driver.ready();
    mongodb = driver;
    const memory = new MemoryDriver({ clock, gcIntervalMs: 0 });
    // As the API does: the queue exists before it is subscribed to (the memory side forgets a deleted queue's
    // subscriptions only once the queue existed), and confirmations go to live subscriptions only (what a purge
    // does to a confirmation recorded for an already deleted subscription is outside the contract: the memory
    // side keeps it, this driver removes every delivery recorded in the queue since its last deletion).
    await runOutboxSequence(
      seed,
      memory,
      driver,
      { now: clock, advance: (ms) => (now += ms) },
      { createQueueFirst: true, confirmLiveOnly: true },
    );
    await memory.close();
  });
});
