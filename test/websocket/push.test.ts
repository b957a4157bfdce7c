// The push seam: a session subscribes (subscriber = the session) and receives pushed frames while it is open.
// qgate has no subscription operations yet, so a small in-test store stands in for them behind the seam.

import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../src/api/context';
import { NotFound } from '../../src/core/errors';
import type { JsonValue } from '../../src/core/types';
import type { PushTarget } from '../../src/transport/websocket/push';
import type { SubscriptionRequest, WebsocketSubscriptions } from '../../src/transport/websocket/subscriptions';
import { eventually, WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

/** Subscriptions kept in a map; delivery pushes to the subscribed sessions of a queue. */
class InTestSubscriptions implements WebsocketSubscriptions {
  readonly entries = new Map<string, { queue: string; request: SubscriptionRequest; target?: PushTarget }>();
  async list(_ctx: RequestContext, queue: string): Promise<JsonValue[]> {
    return [...this.entries].filter(([, e]) => e.queue === queue).map(([id]) => ({ id }));
  }
  async create(_ctx: RequestContext, queue: string, request: SubscriptionRequest, _bytes: number, session: PushTarget) {
    const id = randomUUID();
    this.entries.set(id, { queue, request, target: request.subscriber ? undefined : session });
    return id;
  }
  async get(_ctx: RequestContext, queue: string, id: string): Promise<JsonValue> {
    const entry = this.entries.get(id);
    if (!entry || entry.queue !== queue) throw new NotFound(`Subscription ${id} does not exist`);
    return { id, subscriber: entry.request.subscriber ?? 'this session' };
  }
  async delete(_ctx: RequestContext, _queue: string, id: string): Promise<void> {
    this.entries.delete(id);
  }
  /** What notification delivery will do: push a document to every session subscribed to the queue. */
  deliver(queue: string, document: unknown): number {
    let delivered = 0;
    for (const entry of this.entries.values()) {
      if (entry.queue === queue && entry.target?.push(document)) delivered++;
    }
    return delivered;
  }
}

describe('pushing to websocket sessions', () => {
  let t: TestWsServer;
  let subs: InTestSubscriptions;
  beforeEach(async () => {
    subs = new InTestSubscriptions();
    t = await startTestWsServer({ subscriptions: subs, settings: { idleTimeoutMs: 150 } });
  });
  afterEach(async () => {
    await t.close();
  });

  test.each([
    ['JSON', false],
    ['MessagePack', true],
  ])('a session subscribed in %s receives pushes in that encoding until it closes', async (_name, binary) => {
    const c = await WsTestClient.connect(t.url, t.project());
    const created = await c.request('subscription_create', { queue_name: 'news', ttl: 3600 }, { binary });
    expect(created.headers.status).toBe(201);
    expect(created.body).toEqual({ subscription_id: expect.any(String), message: 'Subscription news created.' });
    const id = created.body.subscription_id;
    const got = await c.request('subscription_get', { queue_name: 'news', subscription_id: id });
    expect(got.body).toEqual({ id, subscriber: 'this session' });

    expect(subs.deliver('news', { body: { headline: 'qgate pushes' }, queue_name: 'news' })).toBe(1);
    const pushed = await c.next();
    expect(pushed.binary).toBe(binary);
    expect(pushed.document).toEqual({ body: { headline: 'qgate pushes' }, queue_name: 'news' });
    expect(await t.metric('qgate_ws_frames_out_total', { action: 'push' })).toBe(1);

    // Closing the session removes its subscriptions, as Zaqar does.
    await c.close();
    await eventually(() => subs.entries.size === 0, 'the closed session’s subscription to be deleted');
    expect(subs.deliver('news', { body: 'nobody hears this' })).toBe(0);
  });

  test('a subscription to another subscriber is not tied to the session', async () => {
    const c = await WsTestClient.connect(t.url, t.project());
    const created = await c.request('subscription_create', { queue_name: 'q', subscriber: 'http://example.com/hook' });
    expect(created.headers.status).toBe(201);
    await c.close();
    await eventually(() => t.server.sessions.size === 0, 'the session to close');
    expect(subs.entries.size).toBe(1);
  });

  test('a subscribed session is not closed for being idle; an unsubscribed one is', async () => {
    const subscribed = await WsTestClient.connect(t.url, t.project());
    expect((await subscribed.request('subscription_create', { queue_name: 'q' })).headers.status).toBe(201);
    const idle = await WsTestClient.connect(t.url, t.project());
    expect((await idle.closed).code).toBe(1001);
    expect(subscribed.ws.readyState).toBe(subscribed.ws.OPEN);
    expect(subs.deliver('q', { body: 'still here' })).toBe(1);
    expect((await subscribed.next()).document).toEqual({ body: 'still here' });
    await subscribed.close();
  });
});
