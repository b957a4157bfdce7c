// Flavor admin operations: named groups of pools that tenants pick with a queue's `_flavor`.

import { capabilitiesOf } from '../catalog/capabilities';
import type { PoolCatalog } from '../catalog/catalog';
import { BadRequest, Conflict, NotFound } from '../core/errors';
import { validateCatalogName, validateFlavorDocument } from '../core/catalog-validation';
import { V2 } from '../core/hrefs';
import { adminCatalog, adminPageLimit } from './admin';
import { authorize, type RequestContext } from './context';
import type { ApiDeps } from './deps';

/** A flavor as the v2 API shows it. */
export interface WireFlavor {
  name: string;
  pool_list: string[];
  capabilities?: string[];
  href: string;
}

/** /v2/flavors/{name} */
export function flavorHref(name: string): string {
  return `${V2}/flavors/${name}`;
}

export class FlavorOperations {
  constructor(private readonly deps: ApiDeps) {}

  /** PUT: creates a flavor over existing pools (each pool's flavor becomes this one); 409 if it exists. */
  async create(ctx: RequestContext, name: string, document: unknown): Promise<void> {
    authorize(this.deps, ctx, 'flavors:create');
    const catalog = adminCatalog(ctx, this.deps);
    validateCatalogName('flavor', name);
    const { poolList, capabilities } = validateFlavorDocument(document, 'create');
    if (await catalog.store.getFlavor(name)) throw new Conflict(`Flavor ${name} already exists.`);
    await this.requirePools(catalog, name, poolList);
    await catalog.store.putFlavor({ name, capabilities: capabilities ?? {} });
    await this.assignPools(catalog, name, poolList);
  }

  /** GET one flavor with its pools and computed capabilities. */
  async get(ctx: RequestContext, name: string): Promise<WireFlavor> {
    authorize(this.deps, ctx, 'flavors:get');
    const catalog = adminCatalog(ctx, this.deps);
    if (!(await catalog.store.getFlavor(name))) throw new NotFound(`Flavor ${name} does not exist`);
    return this.wire(catalog, name, true);
  }

  /** PATCH: replaces the flavor's pool list; pools left out go back to the default group. */
  async update(ctx: RequestContext, name: string, document: unknown): Promise<WireFlavor> {
    authorize(this.deps, ctx, 'flavors:update');
    const catalog = adminCatalog(ctx, this.deps);
    const { poolList, capabilities } = validateFlavorDocument(document, 'patch');
    const flavor = await catalog.store.getFlavor(name);
    if (!flavor) throw new NotFound(`Flavor ${name} does not exist`);
    await this.requirePools(catalog, name, poolList);
    if (capabilities) await catalog.store.putFlavor({ ...flavor, capabilities });
    await this.assignPools(catalog, name, poolList);
    return this.wire(catalog, name, true);
  }

  /** DELETE: removes the flavor; its pools go back to the default group; a missing flavor is fine. */
  async delete(ctx: RequestContext, name: string): Promise<void> {
    authorize(this.deps, ctx, 'flavors:delete');
    const catalog = adminCatalog(ctx, this.deps);
    if (!(await catalog.store.getFlavor(name))) return;
    await this.assignPools(catalog, name, []);
    await catalog.store.deleteFlavor(name);
  }

  /** GET /flavors: a page of flavors by name. */
  async list(
    ctx: RequestContext,
    params: { marker?: string; limit?: number; detailed?: boolean },
  ): Promise<{ flavors: WireFlavor[]; marker?: string }> {
    authorize(this.deps, ctx, 'flavors:get_all');
    const catalog = adminCatalog(ctx, this.deps);
    const limit = adminPageLimit(params.limit, this.deps.limits.maxFlavorsPerPage);
    const flavors = await catalog.store.listFlavors({ marker: params.marker, limit });
    const wire = await Promise.all(flavors.map((f) => this.wire(catalog, f.name, params.detailed === true)));
    return { flavors: wire, marker: flavors.length > 0 ? flavors[flavors.length - 1].name : params.marker };
  }

  private async wire(catalog: PoolCatalog, name: string, withCapabilities: boolean): Promise<WireFlavor> {
    const pools = (await catalog.store.allPools()).filter((p) => p.flavor === name);
    const out: WireFlavor = { name, pool_list: pools.map((p) => p.name), href: flavorHref(name) };
    if (withCapabilities) {
      const kinds = await Promise.all(pools.map(async (p) => (await catalog.driverOf(p.name)).kind));
      out.capabilities = capabilitiesOf(kinds);
    }
    return out;
  }

  private async requirePools(catalog: PoolCatalog, flavor: string, names: string[]): Promise<void> {
    for (const pool of names) {
      if (!(await catalog.store.getPool(pool))) {
        throw new BadRequest(`Flavor ${flavor} could not be saved: pool ${pool} does not exist.`, 'Unable to create');
      }
    }
  }

  /** Makes exactly `names` the pools of the flavor. */
  private async assignPools(catalog: PoolCatalog, flavor: string, names: string[]): Promise<void> {
    for (const pool of await catalog.store.allPools()) {
      const member = names.includes(pool.name);
      if (member && pool.flavor !== flavor) await catalog.store.putPool({ ...pool, flavor });
      if (!member && pool.flavor === flavor) await catalog.store.putPool({ ...pool, flavor: null });
    }
  }
}
