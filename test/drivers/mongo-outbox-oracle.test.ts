// The memory outbox as oracle: random subscription and delivery sequences on it and on the MongoDB driver, one
// clock, must give the same results (ids differ, so subscriptions and deliveries are compared by the order they
// appeared). Run on the standalone stand-in (deliveries parked, then made due) and on its replica set
// (transactions); the sequences are sequential, so the stand-in's lack of write-conflict detection does not matter.

import type { JsonObject, PendingDelivery, QueueScope, SubscriptionRecord } from '../../src/core/types';
import { MemoryDriver } from '../../src/drivers/memory/driver';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import type { MongoDriver } from '../../src/drivers/mongo/driver';
import type { DataDriver, NotificationStore } from '../../src/drivers/types';
import {
  MONGODB_AVAILABLE,
  type MongoUnderTest,
  NO_MONGODB,
  REAL_MONGODB_URI,
  type StandInTopology,
  startMongo,
  testDatabase,
} from '../support/mongo-server';

/** A small seeded PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One store's side of the run: the ids it gave, in the order they first appeared. */
interface Side {
  store: DataDriver & NotificationStore;
  subIds: string[];
  deliveryIds: string[];
  /** The queue each delivery was recorded in (settling names it). */
  deliveryQueue: Map<string, string>;
}

const QUEUES = ['alpha', 'beta'];
const SUBSCRIBERS = ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b', 'mailto:ops@example.com'];

/** The index of an id in a side's list, adding it the first time it is seen. */
function indexOf(ids: string[], id: string): number {
  if (!ids.includes(id)) ids.push(id);
  return ids.indexOf(id);
}

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
    const rnd = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const project = `oracle-${seed}`;
    const memory = new MemoryDriver({ clock, gcIntervalMs: 0 });
    const sides: Side[] = [memory, driver].map((store) => ({
      store,
      subIds: [],
      deliveryIds: [],
      deliveryQueue: new Map(),
    }));
    let nextBody = 0;
    /** The queue of each subscription, by the order subscriptions appeared. */
    const subQueue: string[] = [];

    const normSub = (side: Side, s: SubscriptionRecord) => ({ ...s, id: indexOf(side.subIds, s.id) });
    const normDelivery = (side: Side, d: PendingDelivery) => {
      side.deliveryQueue.set(d.id, d.scope.queue);
      return {
        ...d,
        id: indexOf(side.deliveryIds, d.id),
        subscriptionId: indexOf(side.subIds, d.subscriptionId),
      };
    };
    /** Runs one operation on both sides; results (or error class names) must match. */
    const both = async (what: string, op: (side: Side) => Promise<unknown>) => {
      const results = [];
      for (const side of sides) {
        try {
          results.push({ ok: await op(side) });
        } catch (err) {
          results.push({ error: (err as Error).constructor.name });
        }
      }
      expect({ what, result: results[1] }).toEqual({ what, result: results[0] });
    };

    for (let step = 0; step < 300; step++) {
      const scope: QueueScope = { project, queue: pick(QUEUES) };
      const known = sides[0].subIds.length;
      const anySub = () => int(0, known - 1);
      const taken = sides[0].deliveryIds.length;
      const roll = rnd();
      if (roll < 0.15) {
        const sub = {
          subscriber: pick(SUBSCRIBERS),
          ttl: pick([60, 120, 3600]),
          options: (rnd() < 0.5 ? {} : { k: int(0, 9), nested: {} }) as JsonObject,
          confirmed: rnd() < 0.7,
        };
        // As the API does, the queue is created first (the memory side forgets a queue's subscriptions on its
        // deletion only while its project has queues).
        await both(`subscribe ${scope.queue} ${JSON.stringify(sub)}`, async (side) => {
          if (!(await side.store.queueExists(scope))) await side.store.createQueue(scope, {});
          const { id, created } = await side.store.createSubscription(scope, sub);
          const index = indexOf(side.subIds, id);
          subQueue[index] = scope.queue;
          return { id: index, created };
        });
      } else if (roll < 0.3) {
        const count = int(1, 4);
        const batch = Array.from({ length: count }, () => ({ body: { n: nextBody++, e: {} }, ttl: 300, delay: 0 }));
        await both(
          `post ${scope.queue} ${count}`,
          async (side) => (await side.store.postMessages(scope, batch, 'c')).length,
        );
      } else if (roll < 0.45) {
        // Everything due: deliveries due at the same time may come in any order (the memory side orders one post's
        // by subscription creation, MongoDB by subscription id), so they are compared in a canonical order.
        const lease = pick([10_000, 60_000]);
        await both(`take ${lease}`, async (side) => {
          const canonical = (d: PendingDelivery) =>
            [d.dueAt, d.created, side.subIds.indexOf(d.subscriptionId), JSON.stringify(d.payload)] as const;
          const all = (await side.store.takeDeliveries(1000, lease)).map((d) => ({ d, key: canonical(d) }));
          all.sort((a, b) => {
            for (let k = 0; k < a.key.length; k++) if (a.key[k] !== b.key[k]) return a.key[k] < b.key[k] ? -1 : 1;
            return 0;
          });
          return all.map(({ d }) => normDelivery(side, d));
        });
      } else if (roll < 0.58 && taken > 0) {
        const k = int(0, taken - 1);
        const outcome = pick([
          { kind: 'delivered' as const },
          { kind: 'retry' as const, dueAt: now + pick([0, 5000, 30_000]), error: `retry ${step}` },
          { kind: 'failed' as const, error: `failed ${step}` },
        ]);
        await both(`settle ${k} ${JSON.stringify(outcome)}`, async (side) => {
          const id = side.deliveryIds[k];
          await side.store.settleDelivery({ project, queue: side.deliveryQueue.get(id) as string }, id, outcome);
        });
      } else if (roll < 0.64 && known > 0) {
        const i = anySub();
        const limit = int(1, 5);
        // As the API does: failures of a subscription that exists (the memory side keeps those of forgotten ones).
        await both(`failures ${i} ${scope.queue}`, async (side) => {
          await side.store.getSubscription(scope, side.subIds[i]);
          return (await side.store.listFailedDeliveries(scope, side.subIds[i], limit)).map((d) =>
            normDelivery(side, d),
          );
        });
      } else if (roll < 0.7 && known > 0) {
        const i = anySub();
        await both(`get ${i} ${scope.queue}`, async (side) =>
          normSub(side, await side.store.getSubscription(scope, side.subIds[i])),
        );
      } else if (roll < 0.75) {
        // Ids sort differently on the two sides, so a whole listing is compared in the order subscriptions appeared.
        await both(`list ${scope.queue}`, async (side) =>
          (await side.store.listSubscriptions(scope, { limit: 100 }))
            .map((s) => normSub(side, s))
            .sort((a, b) => a.id - b.id),
        );
      } else if (roll < 0.82 && known > 0) {
        const i = anySub();
        const patch = {
          ...(rnd() < 0.4 ? { subscriber: pick(SUBSCRIBERS) } : {}),
          ...(rnd() < 0.4 ? { ttl: pick([60, 600]) } : {}),
          ...(rnd() < 0.3 ? { options: { changed: step } } : {}),
          ...(rnd() < 0.4 ? { confirmed: rnd() < 0.5 } : {}),
        };
        await both(`update ${i} ${scope.queue} ${JSON.stringify(patch)}`, (side) =>
          side.store.updateSubscription(scope, side.subIds[i], patch),
        );
      } else if (roll < 0.86 && known > 0) {
        const i = anySub();
        // In its own queue: the memory side drops a subscription's deliveries by id whatever queue is named.
        const own = { project, queue: subQueue[i] };
        await both(`unsubscribe ${i}`, (side) => side.store.deleteSubscription(own, side.subIds[i]));
      } else if (roll < 0.89 && known > 0) {
        const i = anySub();
        const payload = { Message_Type: 'SubscriptionConfirmation', step };
        // In the subscription's own queue, for a subscription it has just read, as the API does. (What a purge does
        // to a confirmation recorded for an already deleted subscription is outside the contract: the memory side
        // keeps it, this driver removes every delivery recorded in the queue since its last deletion.)
        const own = { project, queue: subQueue[i] };
        const live = await memory.getSubscription(own, sides[0].subIds[i]).then(
          () => true,
          () => false,
        );
        if (live)
          await both(`enqueue confirmation ${i}`, async (side) => {
            const id = await side.store.enqueueDelivery({
              scope: own,
              subscriptionId: side.subIds[i],
              subscriber: 'http://127.0.0.1:9/a',
              options: {},
              kind: 'confirmation',
              payload,
            });
            side.deliveryQueue.set(id, own.queue);
            return indexOf(side.deliveryIds, id);
          });
      } else if (roll < 0.9) {
        await both(`purge subscriptions ${scope.queue}`, (side) => side.store.purgeSubscriptions(scope));
      } else if (roll < 0.91) {
        await both(`delete queue ${scope.queue}`, (side) => side.store.deleteQueue(scope));
      } else if (roll < 0.92) {
        await both(`create queue ${scope.queue}`, (side) => side.store.createQueue(scope, {}));
      } else if (roll < 0.93) {
        // The MongoDB sweep also removes expired subscriptions; nothing observable may change.
        await both('sweep', async (side) => {
          await (side.store as MemoryDriver | MongoDriver).collectGarbage();
        });
      } else {
        now += pick([1, 5, 10, 30, 61]) * 1000;
      }
    }
    await memory.close();
  });
});
