// The Router over two memory pools passes the same conformance suite as a single store.

import { PoolCatalog } from '../../src/catalog/catalog';
import { MemoryCatalogStore } from '../../src/catalog/memory-store';
import { MemoryDriver } from '../../src/drivers/memory/driver';
import { Router } from '../../src/routing/router';
import { describeDriverConformance } from './conformance';
import { describeNotificationConformance } from './notification-conformance';

const twoPools = async (clock: () => number) => {
  const store = new MemoryCatalogStore();
  for (const name of ['pool-a', 'pool-b']) {
    await store.putPool({ name, uri: 'memory:', weight: 50, flavor: null, options: {} });
  }
  const catalog = new PoolCatalog({
    store,
    driverFactory: async () => new MemoryDriver({ clock, gcIntervalMs: 0 }),
    cacheSize: 1000,
    cacheTtlMs: 60_000,
  });
  const router = new Router(catalog);
  return { driver: router, close: () => router.close() };
};
describeDriverConformance('router over two memory pools', twoPools);
describeNotificationConformance('router over two memory pools', twoPools);
