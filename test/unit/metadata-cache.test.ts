// The post path's queue metadata cache: reuse within the TTL, dropped by changes here and in sibling processes.

import { type MetadataPeers, metadataKey, QueueMetadataCache } from '../../src/api/metadata-cache';
import type { QueueMetadata } from '../../src/core/types';

const scope = { project: 'p', queue: 'q' };

/** A load that counts its calls and answers what `current` holds. */
function store(initial: QueueMetadata) {
  const state = { current: initial, loads: 0 };
  return {
    state,
    load: async () => {
      state.loads++;
      return state.current;
    },
  };
}

describe('QueueMetadataCache', () => {
  test('reuses a queue metadata within its TTL', async () => {
    const cache = new QueueMetadataCache({ ttlMs: 60_000, maxEntries: 10 });
    const s = store({ _default_message_ttl: 100 });
    expect(await cache.get(scope, s.load)).toEqual({ _default_message_ttl: 100 });
    s.state.current = { _default_message_ttl: 200 };
    expect(await cache.get(scope, s.load)).toEqual({ _default_message_ttl: 100 });
    expect(s.state.loads).toBe(1);
  });

  test('a change made through this process is seen by the next post', async () => {
    const cache = new QueueMetadataCache({ ttlMs: 60_000, maxEntries: 10 });
    const s = store({ _default_message_ttl: 100 });
    await cache.get(scope, s.load);
    s.state.current = { _default_message_ttl: 200 };
    await cache.changed(scope);
    expect(await cache.get(scope, s.load)).toEqual({ _default_message_ttl: 200 });
  });

  test('a load that raced a change is not kept', async () => {
    const cache = new QueueMetadataCache({ ttlMs: 60_000, maxEntries: 10 });
    let release: (m: QueueMetadata) => void = () => {};
    const slow = () => new Promise<QueueMetadata>((resolve) => (release = resolve));
    const pending = cache.get(scope, slow);
    await cache.changed(scope);
    release({ _default_message_ttl: 100 }); // read before the change
    expect(await pending).toEqual({ _default_message_ttl: 100 });
    const s = store({ _default_message_ttl: 200 });
    expect(await cache.get(scope, s.load)).toEqual({ _default_message_ttl: 200 });
    expect(s.state.loads).toBe(1);
  });

  test('TTL 0 reads the store on every post', async () => {
    const cache = new QueueMetadataCache({ ttlMs: 0, maxEntries: 10 });
    const s = store({});
    await cache.get(scope, s.load);
    await cache.get(scope, s.load);
    expect(s.state.loads).toBe(2);
  });

  test('tells its peers about a change, and forgets what a peer changed', async () => {
    const told: string[] = [];
    let forget: (key: string) => void = () => {};
    const peers: MetadataPeers = {
      invalidate: async (key) => {
        told.push(key);
      },
      subscribe: (f) => {
        forget = f;
      },
    };
    const cache = new QueueMetadataCache({ ttlMs: 60_000, maxEntries: 10, peers });
    await cache.changed(scope);
    expect(told).toEqual([metadataKey(scope)]);
    const s = store({ _default_message_ttl: 100 });
    await cache.get(scope, s.load);
    s.state.current = { _default_message_ttl: 300 };
    forget(metadataKey(scope));
    expect(await cache.get(scope, s.load)).toEqual({ _default_message_ttl: 300 });
  });
});
