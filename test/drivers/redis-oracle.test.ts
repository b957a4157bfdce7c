// The memory driver as oracle: random operation sequences run against it and the Redis driver on one clock must
// give the same results (message ids and claim ids differ, so results are compared through unique bodies).

import { MemoryDriver } from '../../src/drivers/memory/driver';
import { connectRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver';
import type { DataDriver } from '../../src/drivers/types';
import type { QueueMetadata, QueueScope, StoredMessage } from '../../src/core/types';
import { random } from '../support/random';
import { type RedisProcess, startRedisServer } from '../support/redis-server';

/** One driver's side of the run: its id and claim-id maps. */
interface Side {
  driver: DataDriver;
  idOf: Map<number, string>;
  bodyOf: Map<string, number>;
  claimIds: string[];
}

const QUEUES = ['alpha', 'beta', 'dead'];

describe('Redis driver against the memory oracle', () => {
  let server: RedisProcess;
  let redis: RedisDriver;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectRedisDriver(`redis://127.0.0.1:${server.port}`, { clock, timeoutMs: 5000, gcIntervalMs: 0 });
  });
  afterAll(async () => {
    await redis.close();
    await server.remove();
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('random sequence %i gives the same results on both', async (seed) => {
    const rnd = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const project = `oracle-${seed}`;
    const memory = new MemoryDriver({ clock, gcIntervalMs: 0 });
    const sides: Side[] = [memory, redis].map((driver) => ({
      driver,
      idOf: new Map(),
      bodyOf: new Map(),
      claimIds: [],
    }));
    let nextBody = 0;
    const claimCount = () => sides[0].claimIds.length;

    const norm = (side: Side, m: StoredMessage) => ({
      body: m.body,
      marker: m.marker,
      ttl: m.ttl,
      created: m.created,
      expires: m.expires,
      visibleAt: m.visibleAt,
      clientId: m.clientId,
      claim: m.claimId === null ? null : side.claimIds.indexOf(m.claimId),
      claimExpires: m.claimExpires,
      claimCount: m.claimCount,
    });
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
      const anyBody = () => int(0, Math.max(0, nextBody - 1));
      const roll = rnd();
      if (roll < 0.2) {
        const count = int(1, 5);
        const batch = Array.from({ length: count }, () => ({
          body: nextBody++,
          ttl: pick([60, 120, 600]),
          delay: pick([0, 0, 0, 30]),
        }));
        const client = pick(['a', 'b']);
        await both(`post ${JSON.stringify(batch)}`, async (side) => {
          const ids = await side.driver.postMessages(scope, batch, client);
          ids.forEach((id, i) => {
            side.idOf.set(batch[i].body, id);
            side.bodyOf.set(id, batch[i].body);
          });
          return ids.length;
        });
      } else if (roll < 0.35) {
        const options = {
          limit: int(1, 10),
          echo: rnd() < 0.7,
          includeClaimed: rnd() < 0.5,
          includeDelayed: rnd() < 0.3,
          clientId: pick(['a', 'b']),
          marker: rnd() < 0.3 ? int(0, 20) : undefined,
        };
        await both(`list ${scope.queue} ${JSON.stringify(options)}`, async (side) => {
          const page = await side.driver.listMessages(scope, options);
          return { messages: page.messages.map((m) => norm(side, m)), next: page.nextMarker };
        });
      } else if (roll < 0.5) {
        const options = { limit: int(1, 5), ttl: pick([60, 120]), grace: pick([0, 30, 60]) };
        await both(`claim ${scope.queue} ${JSON.stringify(options)}`, async (side) => {
          const claim = await side.driver.createClaim(scope, options);
          if (!claim) return null;
          side.claimIds.push(claim.id);
          const { id: _id, messages, ...rest } = claim;
          return { ...rest, messages: messages.map((m) => norm(side, m)) };
        });
      } else if (roll < 0.57 && claimCount() > 0) {
        const k = int(0, claimCount() - 1);
        await both(`release claim ${k}`, (side) => side.driver.deleteClaim(scope, side.claimIds[k]));
      } else if (roll < 0.62 && claimCount() > 0) {
        const k = int(0, claimCount() - 1);
        const ttl = pick([60, 300]);
        const grace = pick([0, 60]);
        await both(`renew claim ${k} ${ttl} ${grace}`, (side) =>
          side.driver.updateClaim(scope, side.claimIds[k], ttl, grace),
        );
      } else if (roll < 0.66 && claimCount() > 0) {
        const k = int(0, claimCount() - 1);
        await both(`get claim ${k}`, async (side) => {
          const claim = await side.driver.getClaim(scope, side.claimIds[k]);
          const { id: _id, messages, ...rest } = claim;
          return { ...rest, messages: messages.map((m) => norm(side, m)) };
        });
      } else if (roll < 0.74 && nextBody > 0) {
        const body = anyBody();
        const how = pick(['none', 'claim', 'other']);
        const k = claimCount() > 0 ? int(0, claimCount() - 1) : -1;
        await both(`delete message ${body} ${how} ${k}`, (side) => {
          const id = side.idOf.get(body) as string;
          if (how === 'none' || k < 0) return side.driver.deleteMessage(scope, id);
          return side.driver.deleteMessage(scope, id, how === 'claim' ? side.claimIds[k] : 'no-such-claim');
        });
      } else if (roll < 0.77 && nextBody > 0) {
        const chosen = [anyBody(), anyBody(), anyBody()];
        await both(`delete messages ${chosen}`, (side) =>
          side.driver.deleteMessages(
            scope,
            chosen.map((b) => side.idOf.get(b) as string),
          ),
        );
      } else if (roll < 0.82) {
        const limit = int(1, 4);
        await both(`pop ${scope.queue} ${limit}`, async (side) =>
          (await side.driver.popMessages(scope, limit)).map((m) => norm(side, m)),
        );
      } else if (roll < 0.87) {
        await both(`stats ${scope.queue}`, async (side) => {
          const s = await side.driver.queueStats(scope);
          return { ...s, oldest: s.oldest && norm(side, s.oldest), newest: s.newest && norm(side, s.newest) };
        });
      } else if (roll < 0.9 && nextBody > 0) {
        const chosen = [anyBody(), anyBody()];
        await both(`get messages ${chosen}`, async (side) =>
          (
            await side.driver.getMessages(
              scope,
              chosen.map((b) => side.idOf.get(b) as string),
            )
          ).map((m) => norm(side, m)),
        );
      } else if (roll < 0.92) {
        const meta: QueueMetadata =
          rnd() < 0.6
            ? {
                _max_claim_count: int(1, 2),
                _dead_letter_queue: 'dead',
                _dead_letter_queue_messages_ttl: pick([0, 900]),
              }
            : { plain: true };
        await both(`create/set metadata ${scope.queue} ${JSON.stringify(meta)}`, async (side) => {
          const created = await side.driver.createQueue(scope, meta);
          if (!created) await side.driver.setQueueMetadata(scope, meta);
          return created;
        });
      } else if (roll < 0.93) {
        await both(`purge ${scope.queue}`, (side) => side.driver.purgeMessages(scope));
      } else if (roll < 0.935) {
        await both(`delete queue ${scope.queue}`, (side) => side.driver.deleteQueue(scope));
      } else if (roll < 0.95) {
        await both('list queues', (side) => side.driver.listQueues(project, { limit: 10, detailed: true }));
      } else {
        now += pick([1, 5, 30, 60, 61, 90]) * 1000;
      }
    }
    await memory.close();
  });
});
