// Builds a DataDriver from a store URI: memory: (embedded), redis://… / rediss://… (Redis), mongodb://… (MongoDB).

import type { Clock } from '../core/clock';
import { BadRequest } from '../core/errors';
import { MemoryDriver } from './memory/driver';
import { createMongoDriver } from './mongo/connect';
import { isMongoUri } from './mongo/uri';
import { connectRedisDriver } from './redis/driver';
import { isRedisUri } from './redis/uri';
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

/** Creates the driver a URI names; an unknown scheme or a bad Redis URI is a BadRequest naming the problem. */
export async function createDriver(uri: string, options: StoreOptions): Promise<DataDriver> {
  if (isEmbeddedUri(uri)) return new MemoryDriver({ clock: options.clock, gcIntervalMs: options.gcIntervalMs });
  if (isRedisUri(uri)) return connectRedisDriver(uri, options);
  if (isMongoUri(uri)) return createMongoDriver(uri, options);
  const scheme = uri.split(':')[0];
  throw new BadRequest(
    `Unsupported store URI scheme "${scheme}:"; use memory:, redis://host:port, rediss://host:port, ` +
      'redis:///path/to/redis.sock, redis://host1:26379,host2:26379?master=name, mongodb://host/db or mongodb+srv://….',
  );
}
