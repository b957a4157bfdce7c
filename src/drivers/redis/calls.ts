// How the Redis driver talks to Redis: one script or command per call, failures as ServiceUnavailable, WAITed writes.

import type { Redis } from 'ioredis';
import { ServiceUnavailable } from '../../core/errors';
import { translateError } from './connection';
import type { ScriptName, ScriptRunner } from './scripts';
import type { RedisTarget } from './uri';

/** The calls of one Redis store, shared by the driver's queue half and its outbox half. */
export class RedisCalls {
  constructor(
    /** The ioredis client. */
    readonly client: Redis,
    private readonly scripts: ScriptRunner,
    private readonly target: RedisTarget,
    /** How long one call may take; a replicated write waits at most half of it for its replicas. */
    private readonly timeoutMs: number,
  ) {}

  /** A read-only script: one round trip. */
  read(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.io(this.scripts.run(name, keys, args));
  }

  /** A writing script: one round trip, plus a WAIT when the URI asks for replicated acknowledgements. */
  async write(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const result = await this.read(name, keys, args);
    const replicas = this.target.waitReplicas;
    if (replicas > 0) {
      const waitMs = Math.max(1, Math.floor(this.timeoutMs / 2));
      const acked = await this.io(this.client.wait(replicas, waitMs));
      if (acked < replicas) {
        throw new ServiceUnavailable(
          `${this.target.label} did not copy the change to ${replicas} replica(s) in time; it may not be kept.`,
        );
      }
    }
    return result;
  }

  /** Awaits a client call, turning connection failures into ServiceUnavailable. */
  async io<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      throw translateError(err, this.target.label);
    }
  }
}
