// The driver conformance suite: every DataDriver (memory, Redis, MongoDB, the Router) runs these same cases.

import { randomUUID } from 'node:crypto';
import { BadRequest, Forbidden, NotFound } from '../../src/core/errors';
import type { NewMessage, QueueScope } from '../../src/core/types';
import type { DataDriver } from '../../src/drivers/types';

/** What a driver's test file hands the suite: a fresh driver on the given clock, and how to dispose of it. */
export interface DriverUnderTest {
  driver: DataDriver;
  close(): Promise<void>;
}

/** Builds a driver whose expiry decisions read `clock`. */
export type DriverFactory = (clock: () => number) => Promise<DriverUnderTest>;

const msg = (body: unknown, ttl = 3600, delay = 0): NewMessage => ({ body: body as NewMessage['body'], ttl, delay });

/** Registers the conformance cases for one driver. */
export function describeDriverConformance(name: string, factory: DriverFactory): void {
  describe(`DataDriver conformance: ${name}`, () => {
    let now = Date.UTC(2026, 0, 1);
    let d: DataDriver;
    let under: DriverUnderTest;
    let project: string;
    const advance = (seconds: number) => {
      now += seconds * 1000;
    };
    const scope = (queue: string, p = project): QueueScope => ({ project: p, queue });
    const list = (queue: string, extra: Partial<Parameters<DataDriver['listMessages']>[1]> = {}) =>
      d.listMessages(scope(queue), {
        limit: 20,
        echo: true,
        includeClaimed: false,
        includeDelayed: false,
        clientId: 'reader',
        ...extra,
      });
    const bodies = async (queue: string, extra = {}) => (await list(queue, extra)).messages.map((m) => m.body);

    beforeAll(async () => {
      under = await factory(() => now);
      d = under.driver;
    });
    afterAll(async () => {
      await under.close();
    });
    beforeEach(() => {
      project = `p-${randomUUID().slice(0, 8)}`;
    });

    describe('queues', () => {
      test('createQueue creates once; a second create keeps the first metadata', async () => {
        expect(await d.createQueue(scope('q'), { a: 1 })).toBe(true);
        expect(await d.createQueue(scope('q'), { a: 2 })).toBe(false);
        expect(await d.getQueueMetadata(scope('q'))).toEqual({ a: 1 });
        expect(await d.queueExists(scope('q'))).toBe(true);
        expect(await d.queueExists(scope('nope'))).toBe(false);
      });

      test('metadata is replaced whole and kept as JSON; a missing queue is NotFound', async () => {
        await d.createQueue(scope('m'), {});
        const meta = { nested: { list: [1, 'two', null, true] }, _default_message_ttl: 120 };
        await d.setQueueMetadata(scope('m'), meta);
        expect(await d.getQueueMetadata(scope('m'))).toEqual(meta);
        await expect(d.getQueueMetadata(scope('none'))).rejects.toBeInstanceOf(NotFound);
        await expect(d.setQueueMetadata(scope('none'), {})).rejects.toBeInstanceOf(NotFound);
      });

      test('deleteQueue removes the queue and its messages; a missing queue is fine', async () => {
        await d.postMessages(scope('dq'), [msg(1)], 'c');
        await d.deleteQueue(scope('dq'));
        expect(await d.queueExists(scope('dq'))).toBe(false);
        expect((await d.queueStats(scope('dq'))).total).toBe(0);
        await d.postMessages(scope('dq'), [msg(2)], 'c');
        expect(await bodies('dq')).toEqual([2]);
        await d.deleteQueue(scope('never'));
      });

      test('listQueues sorts by name, pages after a marker, filters by name and metadata', async () => {
        for (const n of ['b', 'a', 'd', 'c', 'xa']) await d.createQueue(scope(n), { kind: n.length, tag: { n } });
        const names = async (opts: Partial<Parameters<DataDriver['listQueues']>[1]>) =>
          (await d.listQueues(project, { limit: 10, detailed: false, ...opts })).map((q) => q.name);
        expect(await names({})).toEqual(['a', 'b', 'c', 'd', 'xa']);
        expect(await names({ limit: 2 })).toEqual(['a', 'b']);
        expect(await names({ marker: 'b', limit: 2 })).toEqual(['c', 'd']);
        expect(await names({ marker: 'xa' })).toEqual([]);
        expect(await names({ name: 'a' })).toEqual(['a', 'xa']);
        expect(await names({ metadataFilter: { kind: 2 } })).toEqual(['xa']);
        expect(await names({ metadataFilter: { kind: 1, tag: { n: 'c' } } })).toEqual(['c']);
        expect(await names({ metadataFilter: { missing: 1 } })).toEqual([]);
        const detailed = await d.listQueues(project, { limit: 1, detailed: true });
        expect(detailed).toEqual([{ name: 'a', metadata: { kind: 1, tag: { n: 'a' } } }]);
        expect((await d.listQueues(project, { limit: 1, detailed: false }))[0].metadata).toBeUndefined();
        expect(await d.countQueues(project)).toBe(5);
      });

      test('one project never sees or touches another project’s queues', async () => {
        const other = `o-${randomUUID().slice(0, 8)}`;
        await d.createQueue(scope('shared'), { mine: true });
        await d.postMessages(scope('shared'), [msg('secret')], 'c');
        expect(await d.queueExists(scope('shared', other))).toBe(false);
        expect(await d.listQueues(other, { limit: 10, detailed: false })).toEqual([]);
        expect(await d.countQueues(other)).toBe(0);
        expect((await d.queueStats(scope('shared', other))).total).toBe(0);
        expect(await d.createClaim(scope('shared', other), { ttl: 60, grace: 60, limit: 5 })).toBeNull();
        expect(await d.popMessages(scope('shared', other), 5)).toEqual([]);
        await d.deleteQueue(scope('shared', other));
        await d.purgeMessages(scope('shared', other));
        expect(await bodies('shared')).toEqual(['secret']);
      });
    });

    describe('messages', () => {
      test('a post keeps batch order, creates the queue, and markers only grow', async () => {
        const ids = await d.postMessages(scope('mq'), [msg('a'), msg('b'), msg('c')], 'c');
        expect(ids).toHaveLength(3);
        expect(new Set(ids).size).toBe(3);
        expect(await d.queueExists(scope('mq'))).toBe(true);
        expect(await d.getQueueMetadata(scope('mq'))).toEqual({});
        const first = (await list('mq')).messages;
        expect(first.map((m) => m.id)).toEqual(ids);
        expect(first.map((m) => m.body)).toEqual(['a', 'b', 'c']);
        await d.deleteMessages(scope('mq'), ids);
        const [next] = await d.postMessages(scope('mq'), [msg('d')], 'c');
        const after = await d.getMessage(scope('mq'), next);
        expect(after.marker).toBeGreaterThan(Math.max(...first.map((m) => m.marker)));
      });

      test('a stored message carries ttl, created, expires, body and producer', async () => {
        const [id] = await d.postMessages(scope('one'), [msg({ x: [1, 2] }, 120)], 'producer-1');
        const m = await d.getMessage(scope('one'), id);
        expect(m).toMatchObject({ id, ttl: 120, body: { x: [1, 2] }, clientId: 'producer-1', claimId: null });
        expect(m.created).toBe(now);
        expect(m.expires).toBe(now + 120_000);
        await expect(d.getMessage(scope('one'), 'missing')).rejects.toBeInstanceOf(NotFound);
        await expect(d.getMessage(scope('noqueue'), id)).rejects.toBeInstanceOf(NotFound);
      });

      test('listing pages by marker and reports the next marker', async () => {
        await d.postMessages(
          scope('pg'),
          [1, 2, 3, 4, 5].map((n) => msg(n)),
          'c',
        );
        const p1 = await list('pg', { limit: 2 });
        expect(p1.messages.map((m) => m.body)).toEqual([1, 2]);
        expect(p1.nextMarker).toBe(p1.messages[1].marker);
        const p2 = await list('pg', { limit: 2, marker: p1.nextMarker });
        expect(p2.messages.map((m) => m.body)).toEqual([3, 4]);
        const p3 = await list('pg', { limit: 2, marker: p2.nextMarker });
        expect(p3.messages.map((m) => m.body)).toEqual([5]);
        const p4 = await list('pg', { limit: 2, marker: p3.nextMarker });
        expect(p4).toEqual({ messages: [] });
        expect(await list('missing-queue')).toEqual({ messages: [] });
      });

      test('listing hides the caller’s own messages unless echo', async () => {
        await d.postMessages(scope('echo'), [msg('mine')], 'me');
        await d.postMessages(scope('echo'), [msg('theirs')], 'them');
        expect(await bodies('echo', { echo: false, clientId: 'me' })).toEqual(['theirs']);
        expect(await bodies('echo', { echo: true, clientId: 'me' })).toEqual(['mine', 'theirs']);
      });

      test('delayed messages are listed only with includeDelayed, and become visible when due', async () => {
        await d.postMessages(scope('dl'), [msg('now'), msg('later', 3600, 30)], 'c');
        expect(await bodies('dl')).toEqual(['now']);
        expect(await bodies('dl', { includeDelayed: true })).toEqual(['now', 'later']);
        advance(30);
        expect(await bodies('dl')).toEqual(['now', 'later']);
      });

      test('expired messages vanish from every read at once', async () => {
        const [shortId] = await d.postMessages(scope('ex'), [msg('short', 60), msg('long', 600)], 'c');
        advance(60);
        expect(await bodies('ex', { includeClaimed: true, includeDelayed: true })).toEqual(['long']);
        await expect(d.getMessage(scope('ex'), shortId)).rejects.toBeInstanceOf(NotFound);
        expect(await d.getMessages(scope('ex'), [shortId])).toEqual([]);
        expect((await d.queueStats(scope('ex'))).total).toBe(1);
        expect((await d.popMessages(scope('ex'), 5)).map((m) => m.body)).toEqual(['long']);
      });

      test('getMessages returns the live ones in the order asked, leaving out missing ids', async () => {
        const ids = await d.postMessages(scope('gm'), [msg(1), msg(2), msg(3)], 'c');
        const got = await d.getMessages(scope('gm'), [ids[2], 'nope', ids[0]]);
        expect(got.map((m) => m.body)).toEqual([3, 1]);
        expect(await d.getMessages(scope('gm-none'), ids)).toEqual([]);
      });

      test('deleteMessages removes claimed and free messages alike', async () => {
        const ids = await d.postMessages(scope('bd'), [msg(1), msg(2), msg(3)], 'c');
        await d.createClaim(scope('bd'), { ttl: 60, grace: 60, limit: 1 });
        await d.deleteMessages(scope('bd'), [ids[0], ids[1], 'missing']);
        expect(await bodies('bd', { includeClaimed: true })).toEqual([3]);
      });

      test('pop removes and returns the oldest free visible messages', async () => {
        await d.postMessages(scope('pop'), [msg(1), msg(2), msg(3), msg(4, 3600, 60)], 'c');
        await d.createClaim(scope('pop'), { ttl: 60, grace: 60, limit: 1 });
        const popped = await d.popMessages(scope('pop'), 5);
        expect(popped.map((m) => m.body)).toEqual([2, 3]);
        const left = await bodies('pop', { includeClaimed: true, includeDelayed: true });
        expect(left).toEqual([1, 4]);
        expect(await d.popMessages(scope('pop-none'), 5)).toEqual([]);
      });

      test('purge removes messages and claims and keeps the queue with its metadata', async () => {
        await d.createQueue(scope('pu'), { keep: 1 });
        await d.postMessages(scope('pu'), [msg(1), msg(2)], 'c');
        const claim = await d.createClaim(scope('pu'), { ttl: 60, grace: 60, limit: 1 });
        await d.purgeMessages(scope('pu'));
        expect((await d.queueStats(scope('pu'))).total).toBe(0);
        await expect(d.getClaim(scope('pu'), claim?.id as string)).rejects.toBeInstanceOf(NotFound);
        expect(await d.getQueueMetadata(scope('pu'))).toEqual({ keep: 1 });
      });

      test('stats count claimed and free, and name the oldest and newest', async () => {
        await d.postMessages(scope('st'), [msg(1), msg(2)], 'c');
        advance(5);
        const [newest] = await d.postMessages(scope('st'), [msg(3)], 'c');
        await d.createClaim(scope('st'), { ttl: 60, grace: 60, limit: 1 });
        const stats = await d.queueStats(scope('st'));
        expect(stats).toMatchObject({ claimed: 1, free: 2, total: 3 });
        expect(stats.oldest?.body).toBe(1);
        expect(stats.newest?.id).toBe(newest);
        expect(stats.oldest?.created).toBe(now - 5000);
        expect(await d.queueStats(scope('st-none'))).toEqual({ claimed: 0, free: 0, total: 0 });
      });
    });

    describe('claims', () => {
      const claimOf = (queue: string, limit = 10, ttl = 60, grace = 60) =>
        d.createClaim(scope(queue), { ttl, grace, limit });

      test('a claim takes the oldest free messages up to the limit and marks them', async () => {
        await d.postMessages(scope('c1'), [msg(1), msg(2), msg(3)], 'c');
        const claim = await claimOf('c1', 2, 120, 60);
        expect(claim).not.toBeNull();
        expect(claim?.messages.map((m) => m.body)).toEqual([1, 2]);
        expect(claim).toMatchObject({ ttl: 120, grace: 60, updated: now, expires: now + 120_000 });
        for (const m of claim?.messages ?? []) expect(m.claimId).toBe(claim?.id);
        expect(await bodies('c1')).toEqual([3]);
        expect(await bodies('c1', { includeClaimed: true })).toEqual([1, 2, 3]);
        const again = await claimOf('c1', 5);
        expect(again?.messages.map((m) => m.body)).toEqual([3]);
        expect(await claimOf('c1')).toBeNull();
        expect(await claimOf('no-such-queue')).toBeNull();
      });

      test('a claim never takes a delayed message', async () => {
        await d.postMessages(scope('cd'), [msg('later', 3600, 60)], 'c');
        expect(await claimOf('cd')).toBeNull();
        advance(60);
        expect((await claimOf('cd'))?.messages.map((m) => m.body)).toEqual(['later']);
      });

      test('a claimed message lives until the claim ends plus grace', async () => {
        const [id] = await d.postMessages(scope('ext'), [msg('x', 60)], 'c');
        const claim = await claimOf('ext', 1, 120, 60);
        expect(claim?.messages[0].ttl).toBe(180);
        advance(179);
        expect((await d.getMessage(scope('ext'), id)).body).toBe('x');
        advance(1);
        await expect(d.getMessage(scope('ext'), id)).rejects.toBeInstanceOf(NotFound);
      });

      test('a claim does not shorten a message that outlives it', async () => {
        const [id] = await d.postMessages(scope('long'), [msg('x', 3600)], 'c');
        await claimOf('long', 1, 60, 60);
        expect((await d.getMessage(scope('long'), id)).ttl).toBe(3600);
        expect((await d.getMessage(scope('long'), id)).expires).toBe(now + 3600_000);
      });

      test('getClaim shows the live claim with its live messages; expired is NotFound', async () => {
        await d.postMessages(scope('gc'), [msg(1), msg(2)], 'c');
        const claim = await claimOf('gc', 2, 60, 60);
        const id = claim?.id as string;
        advance(10);
        const got = await d.getClaim(scope('gc'), id);
        expect(got).toMatchObject({ id, ttl: 60, grace: 60, updated: now - 10_000 });
        expect(got.messages.map((m) => m.body)).toEqual([1, 2]);
        advance(50);
        await expect(d.getClaim(scope('gc'), id)).rejects.toBeInstanceOf(NotFound);
        await expect(d.getClaim(scope('gc'), 'nope')).rejects.toBeInstanceOf(NotFound);
        expect(await bodies('gc')).toEqual([1, 2]);
      });

      test('updateClaim renews from now and extends its messages; a missing claim is NotFound', async () => {
        const [id] = await d.postMessages(scope('uc'), [msg('x', 60)], 'c');
        const claim = await claimOf('uc', 1, 60, 60);
        advance(50);
        await d.updateClaim(scope('uc'), claim?.id as string, 300, 100);
        const got = await d.getClaim(scope('uc'), claim?.id as string);
        expect(got).toMatchObject({ ttl: 300, grace: 100, updated: now, expires: now + 300_000 });
        advance(390);
        expect((await d.getMessage(scope('uc'), id)).claimId).toBeNull();
        advance(10);
        await expect(d.getMessage(scope('uc'), id)).rejects.toBeInstanceOf(NotFound);
        await expect(d.updateClaim(scope('uc'), 'nope', 60, 60)).rejects.toBeInstanceOf(NotFound);
      });

      test('deleteClaim frees its messages without restarting their TTL', async () => {
        const [id] = await d.postMessages(scope('rel'), [msg('x', 600)], 'c');
        const claim = await claimOf('rel', 1);
        advance(50);
        await d.deleteClaim(scope('rel'), claim?.id as string);
        const m = await d.getMessage(scope('rel'), id);
        expect(m).toMatchObject({ claimId: null, ttl: 600, expires: now - 50_000 + 600_000 });
        await expect(d.getClaim(scope('rel'), claim?.id as string)).rejects.toBeInstanceOf(NotFound);
        await d.deleteClaim(scope('rel'), claim?.id as string);
        await d.deleteClaim(scope('rel-none'), 'nope');
        expect((await claimOf('rel'))?.messages.map((x) => x.id)).toEqual([id]);
      });

      test('claims released and expired out of order never hand out a claimed message', async () => {
        await d.postMessages(
          scope('ooo'),
          [1, 2, 3, 4, 5, 6].map((n) => msg(n)),
          'c',
        );
        const a = await claimOf('ooo', 2, 60);
        const b = await claimOf('ooo', 2, 120);
        const c = await claimOf('ooo', 2, 600);
        expect([a, b, c].map((x) => x?.messages.map((m) => m.body))).toEqual([
          [1, 2],
          [3, 4],
          [5, 6],
        ]);
        await d.deleteClaim(scope('ooo'), b?.id as string);
        const d1 = await claimOf('ooo', 10, 600);
        expect(d1?.messages.map((m) => m.body)).toEqual([3, 4]);
        advance(60);
        const d2 = await claimOf('ooo', 10, 600);
        expect(d2?.messages.map((m) => m.body)).toEqual([1, 2]);
        expect(await claimOf('ooo')).toBeNull();
        await d.deleteClaim(scope('ooo'), c?.id as string);
        expect((await claimOf('ooo'))?.messages.map((m) => m.body)).toEqual([5, 6]);
      });

      test('concurrent claims never return one message twice', async () => {
        const all = Array.from({ length: 60 }, (_, i) => msg(i));
        for (let i = 0; i < 60; i += 20) await d.postMessages(scope('race'), all.slice(i, i + 20), 'c');
        const claims = await Promise.all(Array.from({ length: 20 }, () => claimOf('race', 4)));
        const ids = claims.flatMap((c) => c?.messages.map((m) => m.id) ?? []);
        expect(ids).toHaveLength(60);
        expect(new Set(ids).size).toBe(60);
        expect(claims.filter((c) => c === null)).toHaveLength(5);
      });

      describe('deleting a message', () => {
        let id: string;
        let claimId: string;
        beforeEach(async () => {
          [id] = await d.postMessages(scope('dm'), [msg('x')], 'c');
          claimId = (await claimOf('dm', 1))?.id as string;
        });

        test('claimed, without a claim id, is Forbidden and keeps it', async () => {
          await expect(d.deleteMessage(scope('dm'), id)).rejects.toBeInstanceOf(Forbidden);
          expect((await d.getMessage(scope('dm'), id)).body).toBe('x');
        });

        test('with another claim id is Forbidden', async () => {
          await expect(d.deleteMessage(scope('dm'), id, randomUUID())).rejects.toBeInstanceOf(Forbidden);
        });

        test('with its claim id removes it from the queue and the claim', async () => {
          await d.deleteMessage(scope('dm'), id, claimId);
          await expect(d.getMessage(scope('dm'), id)).rejects.toBeInstanceOf(NotFound);
          expect((await d.getClaim(scope('dm'), claimId)).messages).toEqual([]);
        });

        test('free, naming a claim, is BadRequest; free without one is deleted', async () => {
          await d.deleteClaim(scope('dm'), claimId);
          await expect(d.deleteMessage(scope('dm'), id, claimId)).rejects.toBeInstanceOf(BadRequest);
          await d.deleteMessage(scope('dm'), id);
          await expect(d.getMessage(scope('dm'), id)).rejects.toBeInstanceOf(NotFound);
        });

        test('after its claim expired, it is free again', async () => {
          advance(60);
          await expect(d.deleteMessage(scope('dm'), id, claimId)).rejects.toBeInstanceOf(BadRequest);
          await d.deleteMessage(scope('dm'), id);
          await d.deleteMessage(scope('dm'), id);
          await d.deleteMessage(scope('dm-none'), id);
        });
      });

      test('a message claimed _max_claim_count times moves to the dead-letter queue', async () => {
        await d.createQueue(scope('work'), {
          _max_claim_count: 2,
          _dead_letter_queue: 'dead',
          _dead_letter_queue_messages_ttl: 7200,
        });
        const [poison] = await d.postMessages(scope('work'), [msg('poison', 600)], 'c');
        for (let i = 0; i < 2; i++) {
          const claim = await claimOf('work', 1);
          expect(claim?.messages.map((m) => m.id)).toEqual([poison]);
          expect(claim?.messages[0].claimCount).toBe(i + 1);
          await d.deleteClaim(scope('work'), claim?.id as string);
        }
        await d.postMessages(scope('work'), [msg('fine')], 'c');
        const third = await claimOf('work', 5);
        expect(third?.messages.map((m) => m.body)).toEqual(['fine']);
        expect((await d.queueStats(scope('work'))).total).toBe(1);
        const dead = (await list('dead')).messages;
        expect(dead.map((m) => [m.id, m.body, m.ttl, m.claimCount])).toEqual([[poison, 'poison', 7200, 0]]);
        expect(await d.queueExists(scope('dead'))).toBe(true);
      });
    });

    test('health reports a reachable store of its kind', async () => {
      const h = await d.health();
      expect(h).toMatchObject({ reachable: true, kind: d.kind });
      expect(h.latencyMs).toBeGreaterThanOrEqual(0);
    });
  });
}
