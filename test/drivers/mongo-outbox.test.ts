// The MongoDB outbox's own promises: its documents and indexes, round trips of a post and of a take, capped
// failed lists, what unsubscribing and deleting leave behind, expiry. (A post's crash windows and its transaction:
// mongo-post-durability.test.ts.)

import type { CommandStartedEvent } from 'mongodb';
import { FAILED_KEPT_PER_SUBSCRIPTION, notificationPayload } from '../../src/core/notifications';
import type { NewSubscription, QueueScope } from '../../src/core/types';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { MongoDriver } from '../../src/drivers/mongo/driver';
import { PARKED_DUE } from '../../src/drivers/mongo/outbox-records';
import { INDEX } from '../../src/drivers/mongo/schema';
import {
  MONGODB_AVAILABLE,
  type MongoUnderTest,
  NO_MONGODB,
  REAL_MONGODB_URI,
  startMongo,
  testDatabase,
} from '../support/mongo-server';

/** A case the stand-in cannot prove (test/drivers/README.md says why): it runs only against a real MongoDB. */
const realOnly = (name: string, fn: () => Promise<void>) =>
  (REAL_MONGODB_URI ? test : test.skip)(`${name} [needs QGATE_TEST_MONGODB_URI]`, fn);

const sub = (subscriber: string, over: Partial<NewSubscription> = {}): NewSubscription => ({
  subscriber,
  ttl: 3600,
  options: {},
  confirmed: true,
  ...over,
});
const msg = (body: unknown) => ({ body: body as never, ttl: 300, delay: 0 });

/** A driver with a controllable clock and the commands it sends recorded. */
async function openDriver(mongo: MongoUnderTest, database: string, clock: () => number) {
  const driver = await createMongoDriver(mongo.uri(database, { monitorCommands: 'true' }), {
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
  describe('MongoDB outbox: documents, round trips, failed lists, clean-up, expiry (standalone)', () => {
    let mongo: MongoUnderTest;
    let database: string;
    let driver: MongoDriver;
    let commands: CommandStartedEvent[];
    let commandsOf: (run: () => Promise<unknown>) => Promise<string[]>;
    const others: MongoDriver[] = [];
    let now = Date.now();
    let n = 0;
    const scope = (): QueueScope => ({ project: 'p-outbox', queue: `q${++n}` });
    const takeAll = (leaseMs = 60_000) => driver.takeDeliveries(10_000, leaseMs);

    beforeAll(async () => {
      mongo = (await startMongo('standalone')) as MongoUnderTest;
      database = testDatabase();
      ({ driver, commands, commandsOf } = await openDriver(mongo, database, () => now));
    });
    afterAll(async () => {
      if (!mongo.standIn) await driver.client.db(database).dropDatabase();
      for (const d of [driver, ...others]) await d.close();
      await mongo.remove();
    });
    beforeEach(async () => {
      // takeDeliveries is store-wide: each case starts from an empty outbox.
      await driver.collections.deliveries.deleteMany({});
      jest.restoreAllMocks();
    });

    test('outbox indexes are created at start: one subscriber per queue, the due index, the failed lists', async () => {
      const names = async (name: 'subscriptions' | 'deliveries' | 'failedDeliveries') =>
        Object.fromEntries((await driver.collections[name].indexes()).map((i) => [i.name, i]));
      const subs = await names('subscriptions');
      expect(subs[INDEX.subscriber]).toMatchObject({ key: { p: 1, q: 1, u: 1 }, unique: true });
      expect(subs[INDEX.subscriptionId]).toMatchObject({ key: { p: 1, q: 1, _id: 1 } });
      expect(subs[INDEX.subscriptionEnds]).toMatchObject({ key: { e: 1 } });
      const deliveries = await names('deliveries');
      expect(deliveries[INDEX.due]).toMatchObject({ key: { d: 1, _id: 1 } });
      expect(deliveries[INDEX.deliveryScope]).toMatchObject({ key: { p: 1, q: 1, s: 1 } });
      expect((await names('failedDeliveries'))[INDEX.failedNewest]).toMatchObject({ key: { s: 1, n: -1 } });
    });

    test('subscriptions and deliveries are stored as documents; the payload is the exact JSON posted', async () => {
      const s = scope();
      const { id } = await driver.createSubscription(
        s,
        sub('http://127.0.0.1:9/doc', { options: { $k: { 'a.b': 1 } } }),
      );
      expect(await driver.collections.subscriptions.findOne({ _id: id })).toEqual({
        _id: id,
        p: s.project,
        q: s.queue,
        u: 'http://127.0.0.1:9/doc',
        t: 3600,
        c: now,
        e: now + 3_600_000,
        o: '{"$k":{"a.b":1}}',
        f: true,
      });
      expect(await driver.collections.queues.findOne({ p: s.project, n: s.queue })).toMatchObject({ sb: true });
      const body = { empty: {}, list: [], $set: { 'x.y': [1, { z: null }] }, text: 'é\u2028' };
      const [messageId] = await driver.postMessages(s, [msg(body)], 'producer');
      const doc = await driver.collections.deliveries.findOne({ p: s.project, q: s.queue });
      expect(doc).toMatchObject({ s: id, u: 'http://127.0.0.1:9/doc', k: 'notification', a: 0, c: now, d: now });
      expect(doc?.m).toBe(messageId);
      expect(doc?.y).toBe(JSON.stringify(notificationPayload(s.queue, { body, ttl: 300 })));
      const [taken] = await takeAll();
      expect(taken.payload).toEqual({ body, ttl: 300, queue_name: s.queue, Message_Type: 'Notification' });
      expect(taken.options).toEqual({ $k: { 'a.b': 1 } });
    });

    test('a post with subscriptions: bump, one look-up, deliveries parked, messages, one update making them due', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/a'));
      await driver.createSubscription(s, sub('http://127.0.0.1:9/b'));
      await driver.createSubscription(s, sub('http://127.0.0.1:9/unconfirmed', { confirmed: false }));
      const batch = Array.from({ length: 10 }, (_, i) => msg(i));
      expect(await commandsOf(() => driver.postMessages(s, batch, 'c'))).toEqual([
        'findAndModify',
        'find',
        'insert',
        'insert',
        'update',
      ]);
      const [, lookup, parked, messages] = commands;
      expect(lookup.command.find).toBe('subscriptions');
      expect(parked.command.insert).toBe('deliveries');
      expect(parked.command.documents).toHaveLength(20);
      expect(parked.command.documents.every((d: { d: number }) => d.d === PARKED_DUE)).toBe(true);
      expect(messages.command.insert).toBe('messages');
      expect(messages.command.documents).toHaveLength(10);
      expect(await driver.collections.deliveries.countDocuments({ p: s.project, q: s.queue, d: now })).toBe(20);

      // A queue whose subscriptions have all gone pays the look-up only.
      const quiet = scope();
      const { id } = await driver.createSubscription(quiet, sub('http://127.0.0.1:9/gone'));
      await driver.deleteSubscription(quiet, id);
      expect(await commandsOf(() => driver.postMessages(quiet, batch, 'c'))).toEqual([
        'findAndModify',
        'find',
        'insert',
      ]);
    });

    test('a take is one scan, one conditional update and one read back, however many deliveries are due', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/take'));
      await driver.postMessages(s, [1, 2, 3, 4, 5].map(msg), 'c');
      const few = await commandsOf(() => driver.takeDeliveries(5, 60_000));
      for (let i = 0; i < 3; i++)
        await driver.postMessages(
          s,
          Array.from({ length: 100 }, (_, i) => msg(i)),
          'c',
        );
      const many = await commandsOf(() => driver.takeDeliveries(5, 60_000));
      expect(few).toEqual(['find', 'update', 'find']);
      expect(many).toEqual(few);
      expect(commands[1].command.updates[0].u).toMatchObject({ $set: { d: now + 60_000 } });
      expect(await commandsOf(() => driver.takeDeliveries(0, 60_000))).toEqual([]);
    });

    test('a failed list keeps the newest FAILED_KEPT_PER_SUBSCRIPTION per subscription, newest first', async () => {
      const s = scope();
      const { id } = await driver.createSubscription(s, sub('http://127.0.0.1:9/dead'));
      const total = FAILED_KEPT_PER_SUBSCRIPTION + 3;
      await driver.postMessages(
        s,
        Array.from({ length: total }, (_, i) => msg(i)),
        'c',
      );
      const taken = await takeAll();
      expect(taken).toHaveLength(total);
      for (const d of taken) await driver.settleDelivery(s, d.id, { kind: 'failed', error: `x${d.payload.body}` });
      const failed = await driver.listFailedDeliveries(s, id, 1000);
      expect(failed.map((f) => f.payload.body)).toEqual(
        Array.from({ length: FAILED_KEPT_PER_SUBSCRIPTION }, (_, i) => total - 1 - i),
      );
      expect(failed[0]).toMatchObject({ attempts: 1, lastError: `x${total - 1}`, failedAt: now, subscriptionId: id });
      expect(await driver.collections.failedDeliveries.countDocuments({ s: id })).toBe(FAILED_KEPT_PER_SUBSCRIPTION);
      expect(await driver.collections.deliveries.countDocuments({ s: id })).toBe(0);
    });

    test('unsubscribing leaves no document of it behind; deleting the queue keeps only its recorded deliveries', async () => {
      const s = scope();
      const { id } = await driver.createSubscription(s, sub('http://127.0.0.1:9/u'));
      await driver.postMessages(s, [msg(1), msg(2)], 'c');
      const [first] = await takeAll();
      await driver.settleDelivery(s, first.id, { kind: 'failed', error: 'no' });
      await driver.deleteSubscription(s, id);
      for (const name of ['subscriptions', 'deliveries', 'failedDeliveries'] as const) {
        expect(await driver.collections[name].countDocuments(name === 'subscriptions' ? { _id: id } : { s: id })).toBe(
          0,
        );
      }

      const gone = scope();
      const kept = await driver.createSubscription(gone, sub('http://127.0.0.1:9/kept'));
      await driver.postMessages(gone, [msg(1), msg(2)], 'c');
      const [one] = await takeAll(1000);
      await driver.settleDelivery(gone, one.id, { kind: 'failed', error: 'no' });
      await driver.deleteQueue(gone);
      expect(await driver.collections.subscriptions.countDocuments({ p: gone.project, q: gone.queue })).toBe(0);
      expect(await driver.collections.failedDeliveries.countDocuments({ s: kept.id })).toBe(0);
      expect(await driver.collections.deliveries.countDocuments({ s: kept.id })).toBe(1);

      const purged = scope();
      for (const u of ['a', 'b']) await driver.createSubscription(purged, sub(`http://127.0.0.1:9/${u}`));
      await driver.postMessages(purged, [msg(1)], 'c');
      await driver.purgeSubscriptions(purged);
      expect(await driver.collections.subscriptions.countDocuments({ p: purged.project, q: purged.queue })).toBe(0);
      expect(await driver.collections.deliveries.countDocuments({ p: purged.project, q: purged.queue })).toBe(0);
    });

    test('an expired subscription is replaced by a new one of its subscriber; the sweep removes the rest', async () => {
      const s = scope();
      const old = await driver.createSubscription(s, sub('http://127.0.0.1:9/e', { ttl: 60 }));
      await driver.postMessages(s, [msg('a'), msg('b')], 'c');
      const [a] = await takeAll(1000);
      await driver.settleDelivery(s, a.id, { kind: 'failed', error: 'no' });
      const swept = await driver.createSubscription(s, sub('http://127.0.0.1:9/swept', { ttl: 60 }));
      now += 60_000;
      const renewed = await driver.createSubscription(s, sub('http://127.0.0.1:9/e'));
      expect(renewed.created).toBe(true);
      expect(renewed.id).not.toBe(old.id);
      expect(await driver.collections.subscriptions.countDocuments({ _id: old.id })).toBe(0);
      expect(await driver.collections.failedDeliveries.countDocuments({ s: old.id })).toBe(0);
      // An expired subscription is never changed again.
      await expect(driver.updateSubscription(s, swept.id, { ttl: 600 })).rejects.toThrow(/does not exist/);
      await driver.collectGarbage();
      expect(await driver.collections.subscriptions.countDocuments({ _id: swept.id })).toBe(0);
      expect(await driver.collections.subscriptions.countDocuments({ _id: renewed.id })).toBe(1);
      // The delivery recorded while the old one lived (and not settled yet) is still made.
      expect((await takeAll()).map((d) => [d.subscriptionId, d.payload.body])).toEqual([[old.id, 'b']]);
    });

    test('a change to a subscriber held by an expired subscription takes it; a live holder is a conflict', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/old', { ttl: 60 }));
      const live = await driver.createSubscription(s, sub('http://127.0.0.1:9/live'));
      const mover = await driver.createSubscription(s, sub('http://127.0.0.1:9/mover'));
      await expect(driver.updateSubscription(s, mover.id, { subscriber: 'http://127.0.0.1:9/live' })).rejects.toThrow(
        /already exists/,
      );
      now += 60_000;
      await driver.updateSubscription(s, mover.id, { subscriber: 'http://127.0.0.1:9/old' });
      expect((await driver.getSubscription(s, mover.id)).subscriber).toBe('http://127.0.0.1:9/old');
      expect((await driver.getSubscription(s, live.id)).subscriber).toBe('http://127.0.0.1:9/live');
    });

    test('concurrent creates of one subscriber store one subscription and all answer its id', async () => {
      const s = scope();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => driver.createSubscription(s, sub('http://127.0.0.1:9/race'))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await driver.collections.subscriptions.countDocuments({ p: s.project, q: s.queue })).toBe(1);
    });

    realOnly('takers from two gateway processes (two connection pools) never lease one delivery twice', async () => {
      const s = scope();
      await driver.createSubscription(s, sub('http://127.0.0.1:9/two'));
      for (let i = 0; i < 4; i++)
        await driver.postMessages(
          s,
          Array.from({ length: 20 }, (_, i) => msg(i)),
          'c',
        );
      const other = (await openDriver(mongo, database, () => now)).driver;
      others.push(other);
      const batches = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? other : driver).takeDeliveries(7, 60_000)),
      );
      const ids = batches.flat().map((d) => d.id);
      expect(ids).toHaveLength(80);
      expect(new Set(ids).size).toBe(80);
    });
  });
}
