// Sentinel failover: a master, two replicas and 3 sentinels on loopback; the master is killed (SIGKILL) mid-run, the
// driver follows the new master, and every message acknowledged to the producer is consumed exactly once or is
// still queued. The driver runs with wait_replicas=1 (each write reaches a replica before it is acknowledged);
// two replicas let the promoted master still have one to WAIT for.

import { Redis } from 'ioredis';
import { ServiceUnavailable } from '../../src/core/errors';
import type { StoredMessage } from '../../src/core/types';
import { connectRedisDriver, type RedisDriver } from '../../src/drivers/redis/driver';
import { type RedisProcess, sleep, startRedisServer, startSentinel } from '../support/redis-server';

const MASTER = 'qgate-failover';
const scope = { project: 'failover', queue: 'work' };
/** No 5 s pause before a full sync, so replicas re-attach quickly after the failover. */
const FAST_SYNC = ['--repl-diskless-sync-delay', '0'];

/** Polls `check` every 100 ms until it is true; false after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  return false;
}

/** Resolves when `work` settles or after `ms`, whichever is first, leaving no timer behind. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A plain client to one test process, failing fast. */
function probe(port: number): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 200,
  });
  client.on('error', () => {});
  return client;
}

describe('Redis driver under a Sentinel failover', () => {
  const started: RedisProcess[] = [];
  const probes: Redis[] = [];
  let driver: RedisDriver | undefined;

  afterAll(async () => {
    await driver?.close();
    for (const p of probes) p.disconnect();
    await Promise.all(started.map((s) => s.remove()));
    // ioredis ends the failover detector's sentinel connections with a 2 s disconnect timer; let them run out so
    // jest exits right after the suite.
    await sleep(2100);
  });

  test('the master dies during a producer/consumer run: nothing acknowledged is lost or consumed twice', async () => {
    const master = await startRedisServer({ args: FAST_SYNC });
    started.push(master);
    const replicaOf = ['--replicaof', '127.0.0.1', String(master.port), ...FAST_SYNC];
    const replicas = await Promise.all([startRedisServer({ args: replicaOf }), startRedisServer({ args: replicaOf })]);
    started.push(...replicas);
    const replicaProbes = replicas.map((r) => probe(r.port));
    probes.push(...replicaProbes);
    const synced = await until(async () => {
      const infos = await Promise.all(replicaProbes.map((p) => p.info('replication')));
      return infos.every((info) => info.includes('master_link_status:up'));
    }, 15000);
    expect(synced).toBe(true);

    const sentinels = await Promise.all([0, 1, 2].map(() => startSentinel(MASTER, master.port, 2)));
    started.push(...sentinels);
    const sentinelProbes = sentinels.map((s) => probe(s.port));
    probes.push(...sentinelProbes);
    // Every sentinel must know both replicas and the two other sentinels before a failover can be agreed on.
    const ready = await until(async () => {
      for (const s of sentinelProbes) {
        const known = (await s.call('SENTINEL', 'REPLICAS', MASTER)) as unknown[];
        const peers = (await s.call('SENTINEL', 'SENTINELS', MASTER)) as unknown[];
        if (known.length < 2 || peers.length < 2) return false;
      }
      return true;
    }, 20000);
    expect(ready).toBe(true);
    const masterPort = async () =>
      Number(((await sentinelProbes[0].call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER)) as string[])[1]);
    expect(await masterPort()).toBe(master.port);

    const hosts = sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
    const d = await connectRedisDriver(`redis://${hosts}?master=${MASTER}&wait_replicas=1`, {
      timeoutMs: 1500,
      gcIntervalMs: 0,
    });
    driver = d;

    const acked: string[] = [];
    const consumed: string[] = [];
    const unexpected: unknown[] = [];
    let failedOver = false;
    let ackedAfterFailover = 0;
    let producing = true;
    let consuming = true;
    // Only 503s are expected while the master is away; anything else is a failure of the test.
    const retryable = (err: unknown) => {
      if (!(err instanceof ServiceUnavailable)) unexpected.push(err);
    };

    const producer = (async () => {
      let n = 0;
      while (producing) {
        try {
          const batch = Array.from({ length: 5 }, () => ({ body: { n: n++ }, ttl: 3600, delay: 0 }));
          acked.push(...(await d.postMessages(scope, batch, 'producer')));
          if (failedOver) ackedAfterFailover++;
        } catch (err) {
          retryable(err);
          await sleep(50);
        }
        await sleep(5);
      }
    })();

    /** Deletes under the claim until the store answers; a retry after an unseen success finds nothing: also done. */
    const settle = async (m: StoredMessage, claimId: string) => {
      for (let attempt = 0; attempt < 400; attempt++) {
        try {
          await d.deleteMessage(scope, m.id, claimId);
          consumed.push(m.id);
          return;
        } catch (err) {
          retryable(err);
          await sleep(50);
        }
      }
    };
    const consumer = async () => {
      while (consuming) {
        try {
          const claim = await d.createClaim(scope, { ttl: 120, grace: 60, limit: 5 });
          if (!claim) {
            if (!producing) return;
            await sleep(20);
            continue;
          }
          for (const m of claim.messages) await settle(m, claim.id);
        } catch (err) {
          retryable(err);
          await sleep(50);
        }
      }
    };
    const consumers = [consumer(), consumer()];

    expect(await until(async () => acked.length >= 50, 15000)).toBe(true);
    await master.kill();
    const promoted = await until(async () => (await masterPort()) !== master.port, 30000);
    failedOver = true;
    const followed = await until(async () => ackedAfterFailover >= 10, 30000);
    producing = false;
    await producer;
    await settledWithin(Promise.all(consumers), 10000);
    consuming = false;
    await Promise.all(consumers);

    // What is left: every message still stored, claimed or not (a claim whose reply was lost still holds some).
    const remaining = new Set<string>();
    let marker: number | undefined;
    for (;;) {
      const page = await d.listMessages(scope, {
        marker,
        limit: 20,
        echo: true,
        includeClaimed: true,
        includeDelayed: true,
        clientId: 'auditor',
      });
      for (const m of page.messages) remaining.add(m.id);
      if (page.nextMarker === undefined) break;
      marker = page.nextMarker;
    }

    expect(unexpected).toEqual([]);
    expect(promoted).toBe(true);
    expect(replicas.map((r) => r.port)).toContain(await masterPort());
    expect(followed).toBe(true);
    expect(new Set(consumed).size).toBe(consumed.length);
    const consumedSet = new Set(consumed);
    expect(acked.filter((id) => !consumedSet.has(id) && !remaining.has(id))).toEqual([]);
    expect(acked.length).toBeGreaterThan(50);
    expect(consumed.length).toBeGreaterThan(0);
  }, 120000);
});
