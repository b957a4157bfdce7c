// Declarative catalogs: a file of pools and flavors applied to the management store, idempotently.
//
// Applying adds what is missing and changes what differs; it never removes a pool or flavor the file
// does not name (removal stays an explicit admin call, refused while a pool owns queues).

import { BadRequest } from '../core/errors';
import { validateCatalogName, validatePoolCreate } from '../core/catalog-validation';
import { redactUri } from '../core/redact';
import { isJsonObject } from '../core/validation';
import type { JsonObject } from '../core/types';
import type { PoolCatalog } from './catalog';
import type { FlavorRecord, PoolRecord } from './types';

/** A catalog file as parsed. */
export interface CatalogDocument {
  pools: PoolRecord[];
  flavors: FlavorRecord[];
}

/** Validates a catalog file's JSON: `{"pools": [...], "flavors": [...]}`. */
export function parseCatalogDocument(document: unknown): CatalogDocument {
  if (!isJsonObject(document)) throw new BadRequest('A catalog file is a JSON object with "pools" and "flavors".');
  const pools = document.pools ?? [];
  const flavors = document.flavors ?? [];
  if (!Array.isArray(pools) || !Array.isArray(flavors)) {
    throw new BadRequest('"pools" and "flavors" of a catalog file must be lists.');
  }
  const parsedFlavors = flavors.map((raw, i): FlavorRecord => {
    if (!isJsonObject(raw) || typeof raw.name !== 'string') throw new BadRequest(`flavors[${i}] needs a "name".`);
    const capabilities = raw.capabilities ?? {};
    if (!isJsonObject(capabilities)) throw new BadRequest(`flavors[${i}].capabilities must be an object.`);
    return { name: validateCatalogName('flavor', raw.name), capabilities };
  });
  const flavorNames = new Set(parsedFlavors.map((f) => f.name));
  const parsedPools = pools.map((raw, i): PoolRecord => {
    if (!isJsonObject(raw) || typeof raw.name !== 'string') throw new BadRequest(`pools[${i}] needs a "name".`);
    const { name, ...rest } = raw;
    let doc: ReturnType<typeof validatePoolCreate>;
    try {
      doc = validatePoolCreate(rest);
    } catch (err) {
      throw new BadRequest(`pools[${i}] (${name}): ${(err as Error).message}`);
    }
    const flavor = doc.flavor ?? null;
    if (flavor !== null && !flavorNames.has(flavor)) {
      throw new BadRequest(`pools[${i}] (${name}) names flavor ${flavor}, which the file does not define.`);
    }
    return {
      name: validateCatalogName('pool', name),
      uri: doc.uri,
      weight: doc.weight,
      flavor,
      options: doc.options ?? {},
    };
  });
  const dup = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);
  const dupPool = dup(parsedPools.map((p) => p.name));
  if (dupPool) throw new BadRequest(`Pool ${dupPool} appears twice in the catalog file.`);
  const dupFlavor = dup(parsedFlavors.map((f) => f.name));
  if (dupFlavor) throw new BadRequest(`Flavor ${dupFlavor} appears twice in the catalog file.`);
  return { pools: parsedPools, flavors: parsedFlavors };
}

const same = (a: JsonObject, b: JsonObject) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Brings the catalog in line with the document and returns one line per change ("pool a: created").
 * With dryRun, only says what it would change. A pool whose store does not answer stops the apply
 * before anything is written.
 */
export async function applyCatalog(catalog: PoolCatalog, doc: CatalogDocument, dryRun = false): Promise<string[]> {
  const changes: string[] = [];
  const flavorWrites: FlavorRecord[] = [];
  for (const flavor of doc.flavors) {
    const current = await catalog.store.getFlavor(flavor.name);
    if (!current) changes.push(`flavor ${flavor.name}: created`);
    else if (!same(current.capabilities, flavor.capabilities))
      changes.push(`flavor ${flavor.name}: capabilities changed`);
    else continue;
    flavorWrites.push(flavor);
  }
  const poolWrites: PoolRecord[] = [];
  for (const pool of doc.pools) {
    const current = await catalog.store.getPool(pool.name);
    if (!current) {
      changes.push(
        `pool ${pool.name}: created (${redactUri(pool.uri)}, weight ${pool.weight}, flavor ${pool.flavor ?? 'none'})`,
      );
    } else {
      const diffs: string[] = [];
      if (current.uri !== pool.uri) diffs.push(`uri ${redactUri(current.uri)} → ${redactUri(pool.uri)}`);
      if (current.weight !== pool.weight) diffs.push(`weight ${current.weight} → ${pool.weight}`);
      if (current.flavor !== pool.flavor) diffs.push(`flavor ${current.flavor ?? 'none'} → ${pool.flavor ?? 'none'}`);
      if (!same(current.options, pool.options)) diffs.push('options changed');
      if (diffs.length === 0) continue;
      changes.push(`pool ${pool.name}: ${diffs.join(', ')}`);
    }
    poolWrites.push(pool);
  }
  if (dryRun || changes.length === 0) return changes;
  const opened = [];
  for (const pool of poolWrites) {
    const current = await catalog.store.getPool(pool.name);
    if (current && current.uri === pool.uri) continue;
    const driver = await catalog.openDriver(pool.uri);
    if (!(await driver.health()).reachable) {
      await Promise.all([driver, ...opened.map((o) => o.driver)].map((d) => d.close()));
      throw new BadRequest(`pool ${pool.name}: cannot connect to ${redactUri(pool.uri)}; nothing was applied.`);
    }
    opened.push({ pool, driver });
  }
  for (const flavor of flavorWrites) await catalog.store.putFlavor(flavor);
  for (const pool of poolWrites) await catalog.store.putPool(pool);
  for (const { pool, driver } of opened) catalog.adoptDriver(pool, driver);
  return changes;
}
