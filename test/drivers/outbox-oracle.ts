// The memory outbox as oracle: one seeded random sequence of subscription and delivery operations run on the
// memory driver and on another store with one clock must give the same results (ids differ, so subscriptions and
// deliveries are compared by the order they appeared). Shared by the Redis and MongoDB outbox oracle tests.

import type { JsonObject, PendingDelivery, QueueScope, SubscriptionRecord } from '../../src/core/types';
import type { DataDriver, NotificationStore } from '../../src/drivers/types';
import { random } from '../support/random';

/** A store the oracle runs: a NotificationStore with a sweep. */
export type OracleStore = DataDriver & NotificationStore & { collectGarbage(): unknown };

/** The shared clock of a run. */
export interface OracleClock {
  now(): number;
  advance(ms: number): void;
}

/** How closely the sequence follows what the API does (see each test file for why). */
export interface OracleOptions {
  /** Create the queue before subscribing to it. */
  createQueueFirst?: boolean;
  /** Enqueue confirmations only for subscriptions that are still live. */
  confirmLiveOnly?: boolean;
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

/** Runs 300 random operations of `seed` on both stores; every result must match the memory store's. */
export async function runOutboxSequence(
  seed: number,
  memory: OracleStore,
  other: OracleStore,
  clock: OracleClock,
  options: OracleOptions = {},
): Promise<void> {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const project = `oracle-${seed}`;
  const sides: Side[] = [memory, other].map((store) => ({
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
      await both(`subscribe ${scope.queue} ${JSON.stringify(sub)}`, async (side) => {
        if (options.createQueueFirst && !(await side.store.queueExists(scope))) await side.store.createQueue(scope, {});
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
      // by subscription creation, other stores by expiry or id), so they are compared in a canonical order.
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
        { kind: 'retry' as const, dueAt: clock.now() + pick([0, 5000, 30_000]), error: `retry ${step}` },
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
        return (await side.store.listFailedDeliveries(scope, side.subIds[i], limit)).map((d) => normDelivery(side, d));
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
      // In the subscription's own queue, as the API does.
      const own = { project, queue: subQueue[i] };
      const live =
        !options.confirmLiveOnly ||
        (await sides[0].store.getSubscription(own, sides[0].subIds[i]).then(
          () => true,
          () => false,
        ));
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
      // The store's sweep may also forget expired subscriptions; nothing observable may change.
      await both('sweep', async (side) => {
        await (side.store as OracleStore).collectGarbage();
      });
    } else {
      clock.advance(pick([1, 5, 10, 30, 61]) * 1000);
    }
  }
}
