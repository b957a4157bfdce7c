// Declarative catalogs: parsing, idempotent apply, dry-run, and nothing written when a pool is unreachable.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCatalog, parseCatalogDocument } from '../../src/catalog/apply';
import { PoolCatalog } from '../../src/catalog/catalog';
import { MemoryCatalogStore } from '../../src/catalog/memory-store';
import { BadRequest } from '../../src/core/errors';
import type { DataDriver } from '../../src/drivers/types';
import { MemoryDriver } from '../../src/drivers/memory/driver';

function newCatalog(unreachable: string[] = []) {
  return new PoolCatalog({
    store: new MemoryCatalogStore(),
    driverFactory: async (uri): Promise<DataDriver> => {
      const driver = new MemoryDriver({ gcIntervalMs: 0 });
      if (unreachable.includes(uri)) driver.health = async () => ({ reachable: false, latencyMs: 0, kind: 'memory' });
      return driver;
    },
    cacheSize: 10,
    cacheTtlMs: 1000,
  });
}

const doc = {
  flavors: [{ name: 'fast' }],
  pools: [
    { name: 'a', uri: 'memory://a', weight: 10 },
    { name: 'b', uri: 'memory://b', weight: 5, flavor: 'fast' },
  ],
};

describe('catalog files', () => {
  test.each(['embedded.json', 'local-redis.json', 'production.example.json'])('catalog/%s parses', (file) => {
    const parsed = parseCatalogDocument(JSON.parse(readFileSync(join(__dirname, '../../catalog', file), 'utf8')));
    expect(parsed.pools.length).toBeGreaterThan(0);
  });

  test.each([
    [{ pools: {} }, 'must be lists'],
    [{ pools: [{ uri: 'memory:', weight: 1 }] }, 'pools[0] needs a "name"'],
    [{ pools: [{ name: 'a', uri: 'memory:' }] }, '"weight" is a required property'],
    [{ pools: [{ name: 'a', uri: 'memory:', weight: 1, flavor: 'x' }] }, 'names flavor x'],
    [
      {
        pools: [
          { name: 'a', uri: 'memory:', weight: 1 },
          { name: 'a', uri: 'memory:', weight: 2 },
        ],
      },
      'appears twice',
    ],
  ])('%j is refused', (bad, text) => {
    expect(() => parseCatalogDocument(bad)).toThrow(BadRequest);
    expect(() => parseCatalogDocument(bad)).toThrow(text);
  });

  test('apply creates what is missing, then has nothing to change; changes are listed', async () => {
    const catalog = newCatalog();
    const first = await applyCatalog(catalog, parseCatalogDocument(doc));
    expect(first).toEqual([
      'flavor fast: created',
      'pool a: created (memory://a, weight 10, flavor none)',
      'pool b: created (memory://b, weight 5, flavor fast)',
    ]);
    expect(await applyCatalog(catalog, parseCatalogDocument(doc))).toEqual([]);
    const changed = { ...doc, pools: [{ name: 'a', uri: 'memory://a', weight: 0 }] };
    expect(await applyCatalog(catalog, parseCatalogDocument(changed))).toEqual(['pool a: weight 10 → 0']);
    expect((await catalog.store.getPool('a'))?.weight).toBe(0);
    expect((await catalog.store.getPool('b'))?.weight).toBe(5);
    await catalog.close();
  });

  test('a dry run changes nothing', async () => {
    const catalog = newCatalog();
    const changes = await applyCatalog(catalog, parseCatalogDocument(doc), true);
    expect(changes).toHaveLength(3);
    expect(await catalog.store.allPools()).toEqual([]);
    await catalog.close();
  });

  test('a pool whose store does not answer stops the apply before anything is written', async () => {
    const catalog = newCatalog(['memory://b']);
    await expect(applyCatalog(catalog, parseCatalogDocument(doc))).rejects.toThrow('cannot connect to memory://b');
    expect(await catalog.store.allPools()).toEqual([]);
    expect(await catalog.store.getFlavor('fast')).toBeUndefined();
    await catalog.close();
  });
});
