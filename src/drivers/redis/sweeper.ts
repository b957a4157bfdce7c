// The bounded background expiry sweep of a Redis store: walks the queue index a slice per tick.
//
// Each tick sweeps at most QUEUES_PER_TICK queues (one sweep script each, sent together), each deleting at
// most MESSAGES_PER_QUEUE expired messages, then remembers where it stopped; the next tick goes on from there
// and wraps around at the end. Every gateway process may sweep: the script is idempotent, so sweeps of
// several processes only share the work.

import type { Redis } from 'ioredis';
import type { Clock } from '../../core/clock';
import { baseOfMember, keyList, keysOfBase, QUEUE_INDEX_KEY } from './keys';
import type { ScriptRunner } from './scripts';

/** Queues one tick visits. */
export const QUEUES_PER_TICK = 100;
/** Expired messages one queue loses per visit. */
export const MESSAGES_PER_QUEUE = 500;

/** Sweeps expired messages and claims out of every queue of one Redis store. */
export class RedisSweeper {
  private timer?: NodeJS.Timeout;
  private cursor = '';
  private running = false;

  constructor(
    private readonly client: Redis,
    private readonly scripts: ScriptRunner,
    private readonly clock: Clock,
  ) {}

  /** Sweeps every `intervalMs` (0: never); the timer never keeps the process alive. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One bounded slice of the walk; failures (Redis away) are left for the next tick. */
  async tick(): Promise<number> {
    if (this.running || this.client.status !== 'ready') return 0;
    this.running = true;
    try {
      const { removed, next } = await this.sweepSlice(this.cursor);
      this.cursor = next;
      return removed;
    } catch {
      return 0;
    } finally {
      this.running = false;
    }
  }

  /** Sweeps every queue once, all slices in a row; returns how many messages went. */
  async sweepAll(): Promise<number> {
    let removed = 0;
    let cursor = '';
    do {
      const slice = await this.sweepSlice(cursor);
      removed += slice.removed;
      cursor = slice.next;
    } while (cursor !== '');
    return removed;
  }

  /** Sweeps the queues after `cursor` (an index member; '' for the start); `next` is '' at the end. */
  private async sweepSlice(cursor: string): Promise<{ removed: number; next: string }> {
    const min = cursor === '' ? '-' : `(${cursor}`;
    const members = await this.client.zrangebylex(QUEUE_INDEX_KEY, min, '+', 'LIMIT', 0, QUEUES_PER_TICK);
    const now = this.clock();
    const counts = await Promise.all(
      members.map((m) => this.scripts.run('sweep', keyList(keysOfBase(baseOfMember(m))), [now, MESSAGES_PER_QUEUE])),
    );
    const removed = counts.reduce<number>((sum, n) => sum + Number(n), 0);
    const next = members.length < QUEUES_PER_TICK ? '' : members[members.length - 1];
    return { removed, next };
  }
}
