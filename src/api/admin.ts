// What the admin operations (pools, flavors) share: the admin check and the catalog they act on.

import type { PoolCatalog } from '../catalog/catalog';
import { BadRequest, NotFound } from '../core/errors';
import type { RequestContext } from './context';
import type { ApiDeps } from './deps';

/** The catalog the admin operations act on (the policy has already allowed the call). */
export function adminCatalog(_ctx: RequestContext, deps: ApiDeps): PoolCatalog {
  if (!deps.catalog) throw new NotFound('This gateway has no pool catalog.');
  return deps.catalog;
}

/** A page size for pool and flavor listings: 1..max, default 10. */
export function adminPageLimit(limit: number | undefined, max: number): number {
  if (limit === undefined) return Math.min(10, max);
  if (!(limit > 0 && limit <= max)) {
    throw new BadRequest(`Limit must be at least 1 and no greater than ${max}.`);
  }
  return limit;
}
