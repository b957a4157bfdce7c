// Opening the catalog at start: the management store, the catalog file, and the default pool.

import { readFile } from 'node:fs/promises';
import { BadRequest } from '../core/errors';
import { redactUri } from '../core/redact';
import { applyCatalog, parseCatalogDocument } from './apply';
import { PoolCatalog, type PoolDriverFactory } from './catalog';
import { MemoryCatalogStore } from './memory-store';
import { MongoCatalogStore } from './mongo-store';
import { RedisCatalogStore } from './redis-store';
import type { CatalogStore } from './types';

/** Name of the pool made from `store.uri` when the catalog has no pools. */
export const DEFAULT_POOL = 'default';

/** What opening the catalog needs. */
export interface CatalogBootstrapOptions {
  /** store.uri: the default pool's store. */
  storeUri: string;
  /** Where the catalog lives; empty: the same place as store.uri. */
  managementUri: string;
  /** A catalog file to apply; empty: none. */
  catalogFile: string;
  cacheSize: number;
  cacheTtlMs: number;
  /** Store call timeout for the management store, in ms. */
  timeoutMs: number;
  driverFactory: PoolDriverFactory;
  onCacheLookup?: (hit: boolean) => void;
}

/** Opens the management store a URI names. */
export function openCatalogStore(uri: string, timeoutMs: number): CatalogStore {
  if (uri === 'memory:' || uri === 'memory://') return new MemoryCatalogStore();
  if (/^rediss?:\/\//.test(uri)) return new RedisCatalogStore(uri, { timeoutMs });
  if (/^mongodb(\+srv)?:\/\//i.test(uri)) return new MongoCatalogStore(uri, { timeoutMs });
  throw new BadRequest(
    `Unsupported store URI scheme "${uri.split(':')[0]}:"; use memory:, redis://host:port or mongodb://host/db.`,
  );
}

/** The catalog ready to route, and the changes the catalog file made. */
export async function openCatalog(
  options: CatalogBootstrapOptions,
): Promise<{ catalog: PoolCatalog; changes: string[] }> {
  const store = await naming(options.managementUri ? 'catalog.management_store_uri' : 'store.uri', async () =>
    openCatalogStore(options.managementUri || options.storeUri, options.timeoutMs),
  );
  const catalog = new PoolCatalog({
    store,
    driverFactory: options.driverFactory,
    cacheSize: options.cacheSize,
    cacheTtlMs: options.cacheTtlMs,
    onCacheLookup: options.onCacheLookup,
  });
  try {
    let changes: string[] = [];
    if (options.catalogFile) {
      changes = await naming('catalog.file', async () => {
        const text = await readFile(options.catalogFile, 'utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new BadRequest(`${options.catalogFile} is not valid JSON.`);
        }
        return applyCatalog(catalog, parseCatalogDocument(json));
      });
    }
    if ((await store.allPools()).length === 0) {
      await store.putPool({ name: DEFAULT_POOL, uri: options.storeUri, weight: 100, flavor: null, options: {} });
      changes.push(`pool ${DEFAULT_POOL}: created from store.uri (${redactUri(options.storeUri)})`);
    }
    // Opens every pool's driver now, so a bad URI stops the start instead of failing requests later.
    await naming('store.uri or a catalog pool', () => catalog.allDrivers());
    return { catalog, changes };
  } catch (err) {
    await catalog.close();
    throw err;
  }
}

/** Runs a start-up step, prefixing its error with the option it comes from. */
async function naming<T>(option: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new Error(`${option}: ${(err as Error).message}`);
  }
}
