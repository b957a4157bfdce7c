// The durability rule of a MongoDB post with subscriptions (a 201 implies its deliveries are recorded): on a
// standalone server the crash windows of the parked-deliveries post (failures injected into the official client's
// calls at each step, the sweep of another gateway called directly); on a replica set (the stand-in's) one
// transaction for the messages and their deliveries, all or nothing. See src/drivers/mongo/fan-out.ts.

import { randomUUID } from 'node:crypto';
import { type CommandStartedEvent, MongoNetworkError } from 'mongodb';
import { ServiceUnavailable } from '../../src/core/errors';
import type { NewSubscription, QueueScope } from '../../src/core/types';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { MongoDriver } from '../../src/drivers/mongo/driver';
import { settleStalledPosts } from '../../src/drivers/mongo/fan-out';
import { PARKED_DUE } from '../../src/drivers/mongo/outbox-records';
import {
  MONGODB_AVAILABLE,
  type MongoUnderTest,
  NO_MONGODB,
  REAL_MONGODB_URI,
  STANDIN_AVAILABLE,
  startMongo,
  testDatabase,
} from '../support/mongo-server';

const sub = (subscriber: string): NewSubscription => ({ subscriber, ttl: 3600, options: {}, confirmed: true });
const msg = (body: unknown) => ({ body: body as never, ttl: 300, delay: 0 });

/** A driver with a controllable clock and the commands it sends recorded. */
async function openDriver(mongo: MongoUnderTest, clock: () => number) {
  const driver = await createMongoDriver(mongo.uri(testDatabase(), { monitorCommands: 'true' }), {
    clock,
    timeoutMs: 2000,
    gcIntervalMs: 0,
  });
  await driver.ready();
  const commands: CommandStartedEvent[] = [];
  driver.client.on('commandStarted', (e) => commands.push(e));
  /** The commands `run` sent, by name (session housekeeping left out). */
  const commandsOf = async (run: () => Promise<unknown>) => {
    commands.length = 0;
    await run();
    return commands.map((c) => c.commandName).filter((name) => name !== 'endSessions');
  };
  return { driver, commands, commandsOf };
}

if (!MONGODB_AVAILABLE) {
  test.skip(NO_MONGODB, () => undefined);
} else {
  describe('a standalone post stopped midway: never acknowledged, and settled by the sweep', () => {
    let mongo: MongoUnderTest;
    let driver: MongoDriver;
    let now = Date.now();
    let n = 0;
    const scope = (): QueueScope => ({ project: 'p-durable', queue: `q${++n}` });
    const takeAll = () => driver.takeDeliveries(10_000, 60_000);

    beforeAll(async () => {
      mongo = (await startMongo('standalone')) as MongoUnderTest;
      ({ driver } = await openDriver(mongo, () => now));
      expect(driver.transactions).toBe(false);
    });
    afterAll(async () => {
      if (!mongo.standIn) await driver.client.db(driver.database).dropDatabase();
      await driver.close();
      await mongo.remove();
    });
    beforeEach(async () => {
      await driver.collections.deliveries.deleteMany({});
      jest.restoreAllMocks();
    });

    test('a post stopped after parking its deliveries: none is ever taken, and the sweep deletes them', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/crash'));
      jest
        .spyOn(driver.collections.messages, 'insertMany')
        .mockRejectedValueOnce(new MongoNetworkError('connection reset by peer'));
      await expect(driver.postMessages(s, [msg(1), msg(2)], 'c')).rejects.toBeInstanceOf(ServiceUnavailable);
      const parked = { p: s.project, q: s.queue, d: PARKED_DUE };
      expect(await driver.collections.deliveries.countDocuments(parked)).toBe(2);
      expect(await takeAll()).toEqual([]);
      now += 59_000;
      await driver.collectGarbage();
      expect(await driver.collections.deliveries.countDocuments(parked)).toBe(2);
      now += 1_000;
      await driver.collectGarbage();
      expect(await driver.collections.deliveries.countDocuments({ p: s.project, q: s.queue })).toBe(0);
    });

    test('a post stopped after storing its messages: the sweep makes its deliveries due, late but not lost', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/late'));
      jest
        .spyOn(driver.collections.deliveries, 'updateMany')
        .mockRejectedValueOnce(new MongoNetworkError('connection reset by peer'));
      await expect(driver.postMessages(s, [msg('kept')], 'c')).rejects.toBeInstanceOf(ServiceUnavailable);
      expect((await driver.queueStats(s)).total).toBe(1);
      expect(await takeAll()).toEqual([]);
      now += 60_000;
      await driver.collectGarbage();
      expect((await takeAll()).map((d) => d.payload.body)).toEqual(['kept']);
    });

    test('a post slower than the stall time puts back the deliveries the sweep deleted meanwhile', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/slow'));
      const messages = driver.collections.messages;
      const insertMany = messages.insertMany.bind(messages);
      jest.spyOn(messages, 'insertMany').mockImplementationOnce(async (docs, options) => {
        // The sweep of another gateway runs while this post is between its two inserts (stall time 0).
        expect(await settleStalledPosts(driver.collections, now, 0, 1000)).toBe(3);
        return insertMany(docs, options);
      });
      await driver.postMessages(s, [msg(1), msg(2), msg(3)], 'c');
      const taken = await takeAll();
      expect(taken.map((d) => d.payload.body)).toEqual([1, 2, 3]);
      expect(await takeAll()).toEqual([]);
    });
  });

  (REAL_MONGODB_URI || !STANDIN_AVAILABLE ? describe.skip : describe)(
    'MongoDB outbox on a replica set (the stand-in’s): a post with deliveries is one transaction',
    () => {
      let mongo: MongoUnderTest;
      let driver: MongoDriver;
      let commandsOf: (run: () => Promise<unknown>) => Promise<string[]>;
      let commands: CommandStartedEvent[];
      const now = Date.now();

      beforeAll(async () => {
        mongo = (await startMongo('singleNodeReplicaSet')) as MongoUnderTest;
        ({ driver, commands, commandsOf } = await openDriver(mongo, () => now));
        expect(driver.transactions).toBe(true);
      });
      afterAll(async () => {
        await driver.close();
        await mongo.remove();
      });

      test('messages and deliveries are inserted in one transaction, never parked', async () => {
        const s = { project: 'p-txn', queue: `q-${randomUUID().slice(0, 8)}` };
        await driver.createSubscription(s, sub('http://127.0.0.1:9/txn'));
        expect(await commandsOf(() => driver.postMessages(s, [msg(1), msg(2)], 'c'))).toEqual([
          'findAndModify',
          'find',
          'insert',
          'insert',
          'commitTransaction',
        ]);
        const [, , messages, deliveries] = commands;
        expect([messages.command.insert, deliveries.command.insert]).toEqual(['messages', 'deliveries']);
        expect(messages.command.autocommit).toBe(false);
        expect(deliveries.command.txnNumber).toEqual(messages.command.txnNumber);
        expect(deliveries.command.documents.map((d: { d: number }) => d.d)).toEqual([now, now]);
      });

      test('when the deliveries cannot be inserted, the messages are not stored either', async () => {
        const s = { project: 'p-txn', queue: `q-${randomUUID().slice(0, 8)}` };
        await driver.createSubscription(s, sub('http://127.0.0.1:9/txn'));
        jest.spyOn(driver.collections.deliveries, 'insertMany').mockRejectedValueOnce(new Error('refused'));
        await expect(driver.postMessages(s, [msg(1)], 'c')).rejects.toThrow('refused');
        expect(await driver.collections.messages.countDocuments({ p: s.project, q: s.queue })).toBe(0);
        const [id] = await driver.postMessages(s, [msg(2)], 'c');
        expect(await driver.collections.deliveries.countDocuments({ m: id })).toBe(1);
      });
    },
  );
}
