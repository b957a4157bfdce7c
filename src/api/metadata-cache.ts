// A short-lived per-process cache of queue metadata for message posts (size limit, default TTL and delay).
//
// Without it every post costs two store calls: the queue's metadata, then the post. Staleness is bounded:
// - changes made through this process (create, patch, delete of a queue) drop the entry before they are
//   acknowledged, and a load that was in flight while they happened is not kept;
// - changes made through a sibling process of the same gateway (cluster workers) drop it too, before the
//   change is acknowledged, when `peers` is given (cluster/peers.ts);
// - changes made through any other gateway process reach this one's posts at most `ttlMs` later.
// Reads of a queue (GET, listings) never use it: only the checks and defaults of a post do.

import { LRUCache } from 'lru-cache';
import type { QueueMetadata, QueueScope } from '../core/types';

/** Other processes of this gateway that hold their own cache (the cluster workers). */
export interface MetadataPeers {
  /** Tells every other process to forget a queue's entry; resolves once they have (or gave up waiting). */
  invalidate(key: string): Promise<void>;
  /** Where the other processes' invalidations are applied (this cache's `forget`). */
  subscribe(forget: (key: string) => void): void;
}

/** Options of the cache. */
export interface QueueMetadataCacheOptions {
  /** How long an entry is trusted, in ms; 0 turns the cache off (every post reads the store). */
  ttlMs: number;
  /** Most queues kept. */
  maxEntries: number;
  /** Sibling processes to tell about local changes. */
  peers?: MetadataPeers;
}

/** The cache key of a queue. */
export function metadataKey(scope: QueueScope): string {
  return `${scope.project}\n${scope.queue}`;
}

export class QueueMetadataCache {
  private readonly entries?: LRUCache<string, QueueMetadata>;
  /** Bumped by every invalidation, so a load that raced one is not stored. */
  private epoch = 0;

  constructor(private readonly options: QueueMetadataCacheOptions) {
    if (options.ttlMs > 0) {
      this.entries = new LRUCache({ max: Math.max(1, options.maxEntries), ttl: options.ttlMs });
      options.peers?.subscribe((key) => this.forget(key));
    }
  }

  /** The queue's metadata: cached, or read with `load` (and kept for ttlMs). */
  async get(scope: QueueScope, load: () => Promise<QueueMetadata>): Promise<QueueMetadata> {
    const entries = this.entries;
    if (!entries) return load();
    const key = metadataKey(scope);
    const cached = entries.get(key);
    if (cached) return cached;
    const epoch = this.epoch;
    const metadata = await load();
    if (epoch === this.epoch) entries.set(key, metadata);
    return metadata;
  }

  /** Forgets a queue here and in the sibling processes: call after changing it, before acknowledging. */
  async changed(scope: QueueScope): Promise<void> {
    if (!this.entries) return;
    const key = metadataKey(scope);
    this.forget(key);
    await this.options.peers?.invalidate(key);
  }

  /** Forgets one entry (a sibling changed the queue). */
  forget(key: string): void {
    this.epoch++;
    this.entries?.delete(key);
  }
}
