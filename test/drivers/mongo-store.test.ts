// The MongoDB driver's own promises: its data model and indexes, its round trips, write concern and expiry.

import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandStartedEvent } from 'mongodb';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { MongoDriver } from '../../src/drivers/mongo/driver';
import { INDEX } from '../../src/drivers/mongo/schema';
import { freeCandidates } from '../../src/drivers/mongo/take';
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

const msg = (body: unknown, ttl = 3600) => ({ body: body as never, ttl, delay: 0 });

if (!MONGODB_AVAILABLE) {
  test.skip(NO_MONGODB, () => undefined);
} else {
  describe('MongoDB driver: data model, round trips, durability, expiry', () => {
    let mongo: MongoUnderTest;
    let database: string;
    let driver: MongoDriver;
    const others: MongoDriver[] = [];
    const commands: CommandStartedEvent[] = [];
    let n = 0;
    const scope = () => ({ project: 'p-store', queue: `q${++n}` });

    /** The commands `run` sent, by name (session housekeeping left out). */
    const commandsOf = async (run: () => Promise<unknown>) => {
      commands.length = 0;
      await run();
      return commands.map((c) => c.commandName).filter((name) => name !== 'endSessions');
    };

    const open = async (options: Record<string, string> = {}) => {
      const d = await createMongoDriver(mongo.uri(database, { monitorCommands: 'true', ...options }), {
        timeoutMs: 10_000,
        gcIntervalMs: 0,
      });
      await d.ready();
      return d;
    };

    beforeAll(async () => {
      mongo = (await startMongo('standalone')) as MongoUnderTest;
      database = testDatabase();
      driver = await open();
      driver.client.on('commandStarted', (e) => commands.push(e));
    });

    afterAll(async () => {
      if (!mongo.standIn) await driver.client.db(database).dropDatabase();
      for (const d of [driver, ...others]) await d.close();
      await mongo.remove();
    });

    test('indexes are created at start, and starting again on the same database changes nothing', async () => {
      const second = await open();
      others.push(second);
      const names = async (name: 'messages' | 'queues' | 'claims') =>
        Object.fromEntries((await driver.collections[name].indexes()).map((i) => [i.name, i]));
      const messages = await names('messages');
      expect(messages[INDEX.scopeMarker]).toMatchObject({ key: { p: 1, q: 1, k: 1 }, unique: true });
      expect(messages[INDEX.claimMarker]).toMatchObject({ key: { p: 1, q: 1, c: 1, k: 1 } });
      expect(messages[INDEX.claimEnds]).toMatchObject({ key: { p: 1, q: 1, ce: 1 } });
      expect(messages[INDEX.ttl]).toMatchObject({ key: { x: 1 }, expireAfterSeconds: 0 });
      expect((await names('claims'))[INDEX.ttl]).toMatchObject({ key: { x: 1 }, expireAfterSeconds: 0 });
      expect((await names('queues'))[INDEX.projectName]).toMatchObject({ key: { p: 1, live: 1, n: 1 } });
    });

    test('a message is stored scoped by project and queue, with its marker, JSON body and TTL date', async () => {
      const s = scope();
      const [first, second] = await driver.postMessages(s, [msg({ $set: { 'a.b': 1 } }), msg('two')], 'producer');
      const doc = await driver.collections.messages.findOne({ _id: second });
      expect(doc).toMatchObject({ p: s.project, q: s.queue, k: 2, t: 3600, b: '"two"', pr: 'producer', c: null, n: 0 });
      expect(doc?.x).toBeInstanceOf(Date);
      expect((await driver.getMessage(s, first)).body).toEqual({ $set: { 'a.b': 1 } });
      const queue = await driver.collections.queues.findOne({ p: s.project, n: s.queue });
      expect(queue).toMatchObject({ c: 2, live: true });
    });

    test('a deleted queue leaves its counter behind, so markers never repeat when the name is used again', async () => {
      const s = scope();
      await driver.postMessages(s, [msg(1), msg(2)], 'c');
      await driver.deleteQueue(s);
      expect(await driver.queueExists(s)).toBe(false);
      expect((await driver.listQueues(s.project, { limit: 100, detailed: false })).map((q) => q.name)).not.toContain(
        s.queue,
      );
      const [id] = await driver.postMessages(s, [msg(3)], 'c');
      expect((await driver.getMessage(s, id)).marker).toBe(3);
      expect(await driver.getQueueMetadata(s)).toEqual({});
    });

    test('a batch post is one counter bump and one insertMany', async () => {
      const s = scope();
      const batch = Array.from({ length: 10 }, (_, i) => msg(i));
      expect(await commandsOf(() => driver.postMessages(s, batch, 'c'))).toEqual(['findAndModify', 'insert']);
      expect(commands[1].command.documents).toHaveLength(10);
    });

    test('writes carry the write concern {w: majority, j: true} by default, and the URI’s when it sets one', async () => {
      await commandsOf(() => driver.postMessages(scope(), [msg(1)], 'c'));
      expect(commands.find((c) => c.commandName === 'insert')?.command.writeConcern).toEqual({
        w: 'majority',
        j: true,
      });
      const fast = await open({ w: '1' });
      others.push(fast);
      const seen: CommandStartedEvent[] = [];
      fast.client.on('commandStarted', (e) => seen.push(e));
      await fast.postMessages(scope(), [msg(1)], 'c');
      expect(seen.find((c) => c.commandName === 'insert')?.command.writeConcern).toEqual({ w: 1 });
    });

    test('a claim of N takes the same round trips however long the queue and however much of it is claimed', async () => {
      const short = scope();
      await driver.postMessages(short, [1, 2, 3, 4, 5].map(msg), 'c');
      const long = scope();
      for (let i = 0; i < 3; i++) await driver.postMessages(long, Array.from({ length: 100 }, msg), 'c');
      expect((await driver.createClaim(long, { ttl: 600, grace: 60, limit: 290 }))?.messages).toHaveLength(290);
      const onShort = await commandsOf(() => driver.createClaim(short, { ttl: 60, grace: 60, limit: 5 }));
      const onLong = await commandsOf(() => driver.createClaim(long, { ttl: 60, grace: 60, limit: 5 }));
      expect(onLong).toEqual(onShort);
      // queue metadata, release of ended claims, candidate scan, conditional claim, extension, claim record, read back
      const steps = onShort.filter((name) => name !== 'commitTransaction');
      expect(steps).toEqual(['find', 'update', 'find', 'update', 'update', 'insert', 'find']);
    });

    realOnly('the candidate scan starts at the first free message, not at the oldest claimed one', async () => {
      const s = scope();
      for (let i = 0; i < 3; i++) await driver.postMessages(s, Array.from({ length: 100 }, msg), 'c');
      await driver.createClaim(s, { ttl: 600, grace: 60, limit: 290 });
      const plan = await freeCandidates(driver.collections, s, Date.now(), 5).explain('executionStats');
      const stats = plan.executionStats as { totalKeysExamined: number; totalDocsExamined: number };
      expect(stats.totalDocsExamined).toBeLessThanOrEqual(6);
      expect(stats.totalKeysExamined).toBeLessThanOrEqual(7);
    });

    realOnly('claims from two gateway processes (two connection pools) never share a message', async () => {
      const s = scope();
      for (let i = 0; i < 4; i++) await driver.postMessages(s, Array.from({ length: 20 }, msg), 'c');
      const other = await open();
      others.push(other);
      const claims = await Promise.all(
        Array.from({ length: 24 }, (_, i) => (i % 2 ? other : driver).createClaim(s, { ttl: 60, grace: 60, limit: 5 })),
      );
      const ids = claims.flatMap((c) => c?.messages.map((m) => m.id) ?? []);
      expect(ids).toHaveLength(80);
      expect(new Set(ids).size).toBe(80);
    });

    test('the sweep removes messages and claims whose time has passed, as the TTL index does', async () => {
      const s = scope();
      const [short, long] = await driver.postMessages(s, [msg('short', 1), msg('long', 3600)], 'c');
      const claim = await driver.createClaim(s, { ttl: 1, grace: 0, limit: 1 });
      expect(claim?.messages.map((m) => m.id)).toEqual([short]);
      await sleep(1500);
      await driver.collectGarbage();
      expect(await driver.collections.messages.countDocuments({ _id: short })).toBe(0);
      expect(await driver.collections.claims.countDocuments({ _id: claim?.id })).toBe(0);
      expect(await driver.collections.messages.countDocuments({ _id: long })).toBe(1);
    });
  });
}
