// Placement and routing over several pools: weights, flavors, merged listings, and where data lands.

import { PoolCatalog } from '../../src/catalog/catalog';
import { MemoryCatalogStore } from '../../src/catalog/memory-store';
import { Conflict } from '../../src/core/errors';
import { MemoryDriver } from '../../src/drivers/memory/driver';
import { Router } from '../../src/routing/router';

async function routerOver(pools: Array<{ name: string; weight: number; flavor?: string }>) {
  const store = new MemoryCatalogStore();
  for (const p of pools) {
    await store.putPool({
      name: p.name,
      uri: `memory://${p.name}`,
      weight: p.weight,
      flavor: p.flavor ?? null,
      options: {},
    });
  }
  const catalog = new PoolCatalog({
    store,
    driverFactory: async () => new MemoryDriver({ gcIntervalMs: 0 }),
    cacheSize: 10000,
    cacheTtlMs: 60000,
  });
  return { router: new Router(catalog), catalog, store };
}

describe('placement over pools', () => {
  test('new queues spread by weight; a weight-0 pool takes none', async () => {
    const { router, store } = await routerOver([
      { name: 'one', weight: 1 },
      { name: 'three', weight: 3 },
      { name: 'closed', weight: 0 },
    ]);
    for (let i = 0; i < 800; i++) await router.createQueue({ project: 'p', queue: `q${i}` }, {});
    const one = await store.countQueuesInPool('one');
    const three = await store.countQueuesInPool('three');
    expect(await store.countQueuesInPool('closed')).toBe(0);
    expect(one + three).toBe(800);
    expect(one / 800).toBeGreaterThan(0.17);
    expect(one / 800).toBeLessThan(0.33);
    await router.close();
  });

  test("each queue's messages are only in its own pool's store", async () => {
    const { router, catalog } = await routerOver([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ]);
    for (let i = 0; i < 20; i++) {
      await router.postMessages({ project: 'p', queue: `q${i}` }, [{ body: i, ttl: 600, delay: 0 }], 'c');
    }
    const a = await catalog.driverOf('a');
    const b = await catalog.driverOf('b');
    for (let i = 0; i < 20; i++) {
      const scope = { project: 'p', queue: `q${i}` };
      const placed = (await catalog.placementOf(scope))?.pool;
      const [own, other] = placed === 'a' ? [a, b] : [b, a];
      expect((await own.queueStats(scope)).total).toBe(1);
      expect(await other.queueExists(scope)).toBe(false);
    }
    await router.close();
  });

  test('one marker pages the merged listing: sorted, no duplicates, no gaps', async () => {
    const { router } = await routerOver([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
      { name: 'c', weight: 1 },
    ]);
    const names = Array.from({ length: 45 }, (_, i) => `queue-${String(i).padStart(2, '0')}`);
    for (const n of [...names].reverse()) await router.createQueue({ project: 'p', queue: n }, {});
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await router.listQueues('p', { marker, limit: 7, detailed: false });
      if (page.length === 0) break;
      seen.push(...page.map((q) => q.name));
      marker = page[page.length - 1].name;
    }
    expect(seen).toEqual(names);
    expect(await router.countQueues('p')).toBe(45);
    await router.close();
  });

  test('a dead-letter queue already placed in another pool is refused with 409', async () => {
    const { router, catalog } = await routerOver([{ name: 'a', weight: 1 }]);
    await router.createQueue({ project: 'p', queue: 'dlq' }, {});
    await catalog.store.putPool({ name: 'b', uri: 'memory://b', weight: 1, flavor: null, options: {} });
    await catalog.store.putPool({ name: 'a', uri: 'memory://a', weight: 0, flavor: null, options: {} });
    const meta = { _max_claim_count: 1, _dead_letter_queue: 'dlq' };
    await expect(router.createQueue({ project: 'p', queue: 'src' }, meta)).rejects.toBeInstanceOf(Conflict);
    expect(await catalog.placementOf({ project: 'p', queue: 'src' })).toBeUndefined();
    await router.close();
  });

  test('a dead-letter queue not yet created is placed with its source queue', async () => {
    const { router, catalog } = await routerOver([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ]);
    for (let i = 0; i < 10; i++) {
      const meta = { _max_claim_count: 1, _dead_letter_queue: `dead${i}` };
      await router.createQueue({ project: 'p', queue: `src${i}` }, meta);
      const src = await catalog.placementOf({ project: 'p', queue: `src${i}` });
      const dlq = await catalog.placementOf({ project: 'p', queue: `dead${i}` });
      expect(dlq?.pool).toBe(src?.pool);
    }
    await router.close();
  });
});
