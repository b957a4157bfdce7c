// What every operation needs: the data driver (a store or the Router), the limits and the clock.

import type { Policy } from '../auth/policy';
import type { PoolCatalog } from '../catalog/catalog';
import type { Clock } from '../core/clock';
import type { Limits } from '../core/limits';
import type { DataDriver } from '../drivers/types';
import type { QueueMetadataCache } from './metadata-cache';
import type { SubscriptionSettings } from './subscriptions';

/** Dependencies of the operations. */
export interface ApiDeps {
  /** The data plane: one store, or the Router over the pools. */
  driver: DataDriver;
  limits: Limits;
  clock: Clock;
  /** The RBAC policy every operation is checked against. */
  policy: Policy;
  /** Key of pre-signed URLs (signed_url.secret_key); empty: sharing is off. */
  signedUrlKey?: string;
  /** How subscriptions behave; absent: subscriptions are unavailable (503). */
  subscriptions?: SubscriptionSettings;
  /** The pool catalog the admin operations manage (absent when the driver is a bare store). */
  catalog?: PoolCatalog;
  /** Queue metadata reused by posts for a bounded time (metadata-cache.ts); absent: every post reads it. */
  metadataCache?: QueueMetadataCache;
}
