// The NotificationStore half of the driver contract: subscriptions and the durable delivery outbox.

import { randomUUID } from 'node:crypto';
import { Conflict, NotFound } from '../../src/core/errors';
import type { NewSubscription, QueueScope } from '../../src/core/types';
import type { DataDriver, NotificationStore } from '../../src/drivers/types';
import type { DriverFactory } from './conformance';

type Store = DataDriver & NotificationStore;

const sub = (subscriber: string, over: Partial<NewSubscription> = {}): NewSubscription => ({
  subscriber,
  ttl: 3600,
  options: {},
  confirmed: true,
  ...over,
});

/** Registers the subscription and outbox cases for one driver (its factory must build a NotificationStore). */
export function describeNotificationConformance(name: string, factory: DriverFactory): void {
  describe(`NotificationStore conformance: ${name}`, () => {
    let now = Date.UTC(2026, 0, 1);
    let d: Store;
    let close: () => Promise<void>;
    let project: string;
    const scope = (queue: string): QueueScope => ({ project, queue });
    const advance = (s: number) => {
      now += s * 1000;
    };
    const post = (queue: string, bodies: unknown[]) =>
      d.postMessages(
        scope(queue),
        bodies.map((body) => ({ body: body as never, ttl: 300, delay: 0 })),
        'producer',
      );
    /** Takes everything due in this project (other tests' deliveries are left leased but untouched). */
    const takeMine = async (leaseMs = 30_000) =>
      (await d.takeDeliveries(1000, leaseMs)).filter((x) => x.scope.project === project);

    beforeAll(async () => {
      const built = await factory(() => now);
      d = built.driver as Store;
      close = built.close;
    });
    afterAll(() => close());
    beforeEach(async () => {
      project = `n-${randomUUID().slice(0, 8)}`;
      // Other files' leftovers must not be due in this suite's takes.
      await d.takeDeliveries(10_000, 3_600_000);
    });

    test('a subscription is created once per subscriber, read, listed, changed and deleted', async () => {
      await d.createQueue(scope('q'), {});
      const a = await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/a', { options: { k: 1 } }));
      expect(a.created).toBe(true);
      expect(await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/a'))).toEqual({ id: a.id, created: false });
      const b = await d.createSubscription(scope('q'), sub('mailto:ops@example.com'));
      const got = await d.getSubscription(scope('q'), a.id);
      expect(got).toMatchObject({ id: a.id, subscriber: 'http://127.0.0.1:9/a', ttl: 3600, options: { k: 1 } });
      expect(got.created).toBe(now);
      expect(got.expires).toBe(now + 3600_000);
      const all = await d.listSubscriptions(scope('q'), { limit: 10 });
      expect(all.map((s) => s.id)).toEqual([a.id, b.id].sort());
      const first = await d.listSubscriptions(scope('q'), { limit: 1 });
      expect(await d.listSubscriptions(scope('q'), { limit: 10, marker: first[0].id })).toHaveLength(1);
      await d.updateSubscription(scope('q'), a.id, { options: { k: 2 }, ttl: 120, confirmed: false });
      expect(await d.getSubscription(scope('q'), a.id)).toMatchObject({
        options: { k: 2 },
        ttl: 120,
        confirmed: false,
      });
      await expect(
        d.updateSubscription(scope('q'), a.id, { subscriber: 'mailto:ops@example.com' }),
      ).rejects.toBeInstanceOf(Conflict);
      await d.deleteSubscription(scope('q'), a.id);
      await expect(d.getSubscription(scope('q'), a.id)).rejects.toBeInstanceOf(NotFound);
      await d.deleteSubscription(scope('q'), a.id);
      await expect(d.updateSubscription(scope('q'), a.id, { ttl: 60 })).rejects.toBeInstanceOf(NotFound);
    });

    test('subscriptions expire with their TTL and are per project and queue', async () => {
      await d.createQueue(scope('q'), {});
      const { id } = await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/x', { ttl: 60 }));
      expect(await d.listSubscriptions({ project: 'other', queue: 'q' }, { limit: 10 })).toEqual([]);
      expect(await d.listSubscriptions(scope('elsewhere'), { limit: 10 })).toEqual([]);
      await expect(d.getSubscription({ project: 'other', queue: 'q' }, id)).rejects.toBeInstanceOf(NotFound);
      advance(60);
      await expect(d.getSubscription(scope('q'), id)).rejects.toBeInstanceOf(NotFound);
      expect(await d.listSubscriptions(scope('q'), { limit: 10 })).toEqual([]);
      expect((await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/x'))).created).toBe(true);
    });

    test('a post records one delivery per message and confirmed subscription, in order', async () => {
      await d.createQueue(scope('q'), {});
      const hook = await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook'));
      await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/unconfirmed', { confirmed: false }));
      await post('q', [{ n: 1 }, { n: 2 }]);
      const taken = await takeMine();
      expect(taken.map((t) => [t.subscriptionId, t.kind, t.payload])).toEqual([
        [hook.id, 'notification', { body: { n: 1 }, ttl: 300, queue_name: 'q', Message_Type: 'Notification' }],
        [hook.id, 'notification', { body: { n: 2 }, ttl: 300, queue_name: 'q', Message_Type: 'Notification' }],
      ]);
      expect(taken[0]).toMatchObject({ subscriber: 'http://127.0.0.1:9/hook', attempts: 0, scope: scope('q') });
      expect(await post('quiet', [1])).toHaveLength(1);
      expect(await takeMine()).toEqual([]);
    });

    test('a taken delivery is leased: not taken again until the lease ends, then due again', async () => {
      await d.createQueue(scope('q'), {});
      await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook'));
      await post('q', ['x']);
      const [first] = await takeMine(10_000);
      expect(await takeMine(10_000)).toEqual([]);
      advance(10);
      const [again] = await takeMine(10_000);
      expect(again.id).toBe(first.id);
    });

    test('settling: delivered removes it, retry reschedules it, failed keeps it for the tenant', async () => {
      await d.createQueue(scope('q'), {});
      const { id: subId } = await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook'));
      await post('q', ['ok', 'flaky', 'dead']);
      const [ok, flaky, dead] = await takeMine();
      await d.settleDelivery(scope('q'), ok.id, { kind: 'delivered' });
      await d.settleDelivery(scope('q'), flaky.id, { kind: 'retry', dueAt: now + 5000, error: 'HTTP 503' });
      await d.settleDelivery(scope('q'), dead.id, { kind: 'failed', error: 'HTTP 500 after 3 tries' });
      advance(5);
      const retried = await takeMine();
      expect(retried.map((r) => [r.id, r.attempts, r.lastError])).toEqual([[flaky.id, 1, 'HTTP 503']]);
      const failed = await d.listFailedDeliveries(scope('q'), subId, 10);
      expect(failed.map((f) => [f.id, f.payload.body, f.lastError, f.failedAt])).toEqual([
        [dead.id, 'dead', 'HTTP 500 after 3 tries', now - 5000],
      ]);
      await d.settleDelivery(scope('q'), ok.id, { kind: 'delivered' });
    });

    test('deliveries recorded before a queue is deleted are still made; purge drops subscriptions', async () => {
      await d.createQueue(scope('q'), {});
      await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook'));
      await post('q', ['before']);
      await d.deleteQueue(scope('q'));
      expect((await takeMine()).map((t) => t.payload.body)).toEqual(['before']);
      await d.createQueue(scope('p'), {});
      const { id } = await d.createSubscription(scope('p'), sub('http://127.0.0.1:9/hook'));
      await d.purgeSubscriptions(scope('p'));
      await expect(d.getSubscription(scope('p'), id)).rejects.toBeInstanceOf(NotFound);
      await post('p', ['after purge']);
      expect(await takeMine()).toEqual([]);
    });

    test('another queue or project cannot delete, settle or read a subscription’s deliveries', async () => {
      await d.createQueue(scope('q'), {});
      const { id } = await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook'));
      await post('q', ['mine']);
      const [taken] = await takeMine(1000);
      const stranger = { project: 'stranger', queue: 'q' };
      await d.deleteSubscription(stranger, id);
      await d.settleDelivery(stranger, taken.id, { kind: 'failed', error: 'x' });
      expect((await d.getSubscription(scope('q'), id)).id).toBe(id);
      expect(await d.listFailedDeliveries(stranger, id, 10)).toEqual([]);
      advance(1);
      expect((await takeMine()).map((t) => t.id)).toEqual([taken.id]);
    });

    test('a confirmation delivery can be enqueued outside a post', async () => {
      await d.createQueue(scope('q'), {});
      const { id } = await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook', { confirmed: false }));
      const delivery = await d.enqueueDelivery({
        scope: scope('q'),
        subscriptionId: id,
        subscriber: 'http://127.0.0.1:9/hook',
        options: {},
        kind: 'confirmation',
        payload: { Message_Type: 'SubscriptionConfirmation' },
      });
      const [taken] = await takeMine();
      expect(taken).toMatchObject({ id: delivery, kind: 'confirmation', subscriptionId: id });
    });

    test('concurrent takers never lease the same delivery twice', async () => {
      await d.createQueue(scope('q'), {});
      await d.createSubscription(scope('q'), sub('http://127.0.0.1:9/hook'));
      await post(
        'q',
        Array.from({ length: 30 }, (_, i) => i),
      );
      const batches = await Promise.all(Array.from({ length: 6 }, () => d.takeDeliveries(7, 60_000)));
      const ids = batches
        .flat()
        .filter((x) => x.scope.project === project)
        .map((x) => x.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    });
  });
}
