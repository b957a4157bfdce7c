// Builds a DataDriver from a store URI: memory: (embedded) or redis://… (a Redis deployment).

import type { Clock } from '../core/clock';
import { BadRequest } from '../core/errors';
import { MemoryDriver } from './memory/driver';
import type { DataDriver } from './types';

/** Options every store takes. */
export interface StoreOptions {
  clock?: Clock;
  /** How long one store call may take before it fails with 503. */
  timeoutMs: number;
  /** Background expiry sweep interval (0 disables). */
  gcIntervalMs: number;
}

/** Whether the URI names the embedded in-process store. */
export function isEmbeddedUri(uri: string): boolean {
  return uri === 'memory:' || uri === 'memory://';
}

/** Creates the driver a URI names; an unknown scheme is a BadRequest naming it. */
export async function createDriver(uri: string, options: StoreOptions): Promise<DataDriver> {
  if (isEmbeddedUri(uri)) return new MemoryDriver({ clock: options.clock, gcIntervalMs: options.gcIntervalMs });
  const scheme = uri.split(':')[0];
  throw new BadRequest(`Unsupported store URI scheme "${scheme}:"; use memory: or redis://host:port.`);
}
