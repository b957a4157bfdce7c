// Pool admin operations: register, read, change, remove and list the stores queues are placed on.

import { BadRequestBody, Conflict, NotFound } from '../core/errors';
import {
  type PoolDocument,
  validateCatalogName,
  validatePoolCreate,
  validatePoolPatch,
} from '../core/catalog-validation';
import { V2 } from '../core/hrefs';
import { redactUri } from '../core/redact';
import type { JsonObject } from '../core/types';
import type { PoolCatalog } from '../catalog/catalog';
import type { PoolRecord } from '../catalog/types';
import type { DataDriver } from '../drivers/types';
import { adminCatalog, adminPageLimit } from './admin';
import { authorize, type RequestContext } from './context';
import type { ApiDeps } from './deps';

/** A pool as the v2 API shows it. */
export interface WirePool {
  name: string;
  uri: string;
  weight: number;
  flavor: string | null;
  options?: JsonObject;
  href: string;
}

/** /v2/pools/{name} */
export function poolHref(name: string): string {
  return `${V2}/pools/${name}`;
}

/** The wire form of a pool record; options only when detailed. */
export function wirePool(pool: PoolRecord, detailed: boolean): WirePool {
  const out: WirePool = { name: pool.name, uri: pool.uri, weight: pool.weight, flavor: pool.flavor, href: '' };
  if (detailed) out.options = pool.options;
  out.href = poolHref(pool.name);
  return out;
}

/** Opens a driver for the URI and probes it: a pool is accepted only if its store answers. */
async function connect(catalog: PoolCatalog, uri: string): Promise<DataDriver> {
  let driver: DataDriver;
  try {
    driver = await catalog.openDriver(uri);
  } catch (err) {
    throw new BadRequestBody(`cannot connect to ${redactUri(uri)}: ${(err as Error).message}`);
  }
  const health = await driver.health();
  if (!health.reachable) {
    await driver.close();
    throw new BadRequestBody(`cannot connect to ${redactUri(uri)}: the store did not answer.`);
  }
  return driver;
}

export class PoolOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** PUT: registers a new pool after checking its store answers; 409 if the name is taken. */
  async create(ctx: RequestContext, name: string, document: unknown): Promise<void> {
    authorize(this.deps, ctx, 'pools:create');
    const catalog = adminCatalog(ctx, this.deps);
    validateCatalogName('pool', name);
    const doc = validatePoolCreate(document);
    if (await catalog.store.getPool(name)) throw new Conflict(`Pool ${name} already exists.`);
    await this.checkFlavor(catalog, doc);
    const driver = await connect(catalog, doc.uri);
    const record: PoolRecord = {
      name,
      uri: doc.uri,
      weight: doc.weight,
      flavor: doc.flavor ?? null,
      options: doc.options ?? {},
    };
    await catalog.store.putPool(record);
    catalog.adoptDriver(record, driver);
  }

  /** GET one pool. */
  async get(ctx: RequestContext, name: string, detailed: boolean): Promise<WirePool> {
    authorize(this.deps, ctx, 'pools:get');
    const catalog = adminCatalog(ctx, this.deps);
    return wirePool(await this.require(catalog, name), detailed);
  }

  /** PATCH: changes uri (checked by connecting), weight, flavor or options; returns the pool. */
  async update(ctx: RequestContext, name: string, document: unknown): Promise<WirePool> {
    authorize(this.deps, ctx, 'pools:update');
    const catalog = adminCatalog(ctx, this.deps);
    const doc = validatePoolPatch(document);
    const pool = await this.require(catalog, name);
    await this.checkFlavor(catalog, doc);
    const driver = doc.uri !== undefined && doc.uri !== pool.uri ? await connect(catalog, doc.uri) : undefined;
    const next: PoolRecord = {
      ...pool,
      uri: doc.uri ?? pool.uri,
      weight: doc.weight ?? pool.weight,
      flavor: doc.flavor === undefined ? pool.flavor : doc.flavor,
      options: doc.options ?? pool.options,
    };
    await catalog.store.putPool(next);
    if (driver) catalog.adoptDriver(next, driver);
    return wirePool(next, false);
  }

  /** DELETE: removes a pool that owns no queues (409 otherwise); a missing pool is fine. */
  async delete(ctx: RequestContext, name: string): Promise<void> {
    authorize(this.deps, ctx, 'pools:delete');
    const catalog = adminCatalog(ctx, this.deps);
    if (!(await catalog.store.getPool(name))) return;
    const owned = await catalog.store.countQueuesInPool(name);
    if (owned > 0) {
      throw new Conflict(
        `Pool ${name} still owns ${owned} queue(s); delete them (or set its weight to 0 and let them drain) first.`,
      );
    }
    await catalog.store.deletePool(name);
    await catalog.dropDriver(name);
  }

  /** GET /pools: a page of pools by name. */
  async list(
    ctx: RequestContext,
    params: { marker?: string; limit?: number; detailed?: boolean },
  ): Promise<{ pools: WirePool[]; marker?: string }> {
    authorize(this.deps, ctx, 'pools:get_all');
    const catalog = adminCatalog(ctx, this.deps);
    const limit = adminPageLimit(params.limit, this.deps.limits.maxPoolsPerPage);
    const pools = await catalog.store.listPools({ marker: params.marker, limit });
    return {
      pools: pools.map((p) => wirePool(p, params.detailed === true)),
      marker: pools.length > 0 ? pools[pools.length - 1].name : params.marker,
    };
  }

  private async require(catalog: PoolCatalog, name: string): Promise<PoolRecord> {
    const pool = await catalog.store.getPool(name);
    if (!pool) throw new NotFound(`Pool ${name} does not exist`);
    return pool;
  }

  private async checkFlavor(catalog: PoolCatalog, doc: PoolDocument): Promise<void> {
    if (doc.flavor && !(await catalog.store.getFlavor(doc.flavor))) {
      throw new BadRequestBody(`Flavor ${doc.flavor} does not exist; create it first or leave "flavor" out.`);
    }
  }
}
