// What every operation needs: the data driver (a store or the Router), the limits and the clock.

import type { PoolCatalog } from '../catalog/catalog';
import type { Clock } from '../core/clock';
import type { Limits } from '../core/limits';
import type { DataDriver } from '../drivers/types';

/** Dependencies of the operations. */
export interface ApiDeps {
  /** The data plane: one store, or the Router over the pools. */
  driver: DataDriver;
  limits: Limits;
  clock: Clock;
  /** The pool catalog the admin operations manage (absent when the driver is a bare store). */
  catalog?: PoolCatalog;
}
