// Many sessions at once, and clients that leave in the middle of a request: the server stays correct and healthy.

import type { MemoryDriver } from '../../src/drivers/memory/driver';
import type { DataDriver } from '../../src/drivers/types';
import { eventually, WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

describe('many websocket sessions', () => {
  let t: TestWsServer;
  beforeAll(async () => {
    t = await startTestWsServer();
  });
  afterAll(async () => {
    await t.close();
  });

  test('50 concurrent sockets post and claim: every message is claimed exactly once', async () => {
    const project = t.project();
    const clients = await Promise.all(Array.from({ length: 50 }, () => WsTestClient.connect(t.url, project)));
    expect(await t.metric('qgate_ws_connections')).toBe(50);
    const posted = (
      await Promise.all(
        clients.map(async (c, i) => {
          const messages = Array.from({ length: 4 }, (_, j) => ({ ttl: 300, body: { from: i, n: j } }));
          const reply = await c.request('message_post', { queue_name: 'work', messages });
          expect(reply.headers.status).toBe(201);
          return reply.body.message_ids as string[];
        }),
      )
    ).flat();
    expect(new Set(posted).size).toBe(200);

    const claimed: string[] = [];
    await Promise.all(
      clients.map(async (c) => {
        for (;;) {
          const claim = await c.request('claim_create', { queue_name: 'work', ttl: 60, limit: 3 });
          if (claim.headers.status === 204) return;
          expect(claim.headers.status).toBe(201);
          for (const m of claim.body.messages) {
            claimed.push(m.id);
            const del = await c.request('message_delete', {
              queue_name: 'work',
              message_id: m.id,
              claim_id: claim.body.claim_id,
            });
            expect(del.headers.status).toBe(204);
          }
        }
      }),
    );
    expect(claimed.sort()).toEqual([...posted].sort());
    const stats = await clients[0].request('queue_get_stats', { queue_name: 'work' });
    expect(stats.body.messages.total).toBe(0);
    await Promise.all(clients.map((c) => c.close()));
    await eventually(async () => (await t.metric('qgate_ws_connections')) === 0, 'every session to be closed');
  });
});

describe('a client that disconnects mid-request', () => {
  let t: TestWsServer;
  let entered: () => void;
  let release: () => void = () => {};
  let held: Promise<void>;
  let gateEntered: Promise<void>;
  const arm = () => {
    gateEntered = new Promise((resolve) => {
      entered = resolve;
    });
    held = new Promise((resolve) => {
      release = resolve;
    });
  };
  /** Holds postMessages until the test releases it. */
  const holdPosts = (driver: MemoryDriver): DataDriver =>
    new Proxy(driver, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'postMessages') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<DataDriver['postMessages']>) => {
          entered();
          await held;
          return target.postMessages(...args);
        };
      },
    });

  beforeAll(async () => {
    t = await startTestWsServer({ wrapDriver: holdPosts });
  });
  afterAll(async () => {
    release();
    await t.close();
  });

  test('the operation completes, nothing is sent to the gone socket, and others are served meanwhile', async () => {
    arm();
    const project = t.project();
    const leaver = await WsTestClient.connect(t.url, project);
    leaver.send('message_post', { queue_name: 'left', messages: [{ ttl: 300, body: 'posted by a client that left' }] });
    // Queued behind the held request: dropped with the session.
    leaver.send('queue_delete', { queue_name: 'left' });
    await gateEntered;
    leaver.ws.terminate();
    await leaver.closed;
    await eventually(() => t.server.sessions.size === 0, 'the server to notice the client left');

    // Another session is served while the first request is still held.
    const other = await WsTestClient.connect(t.url, project);
    expect((await other.request('queue_create', { queue_name: 'still-serving' })).headers.status).toBe(201);

    release();
    await eventually(
      async () => (await t.metric('qgate_ws_frames_in_total', { action: 'message_post' })) === 1,
      'the held request to finish',
    );
    // The post completed as one operation; the request queued behind it never ran.
    const listed = await other.request('message_list', { queue_name: 'left' });
    expect(listed.body.messages.map((m: { body: unknown }) => m.body)).toEqual(['posted by a client that left']);
    expect(await t.metric('qgate_ws_frames_out_total', { action: 'message_post', status: '201' })).toBe(0);
    expect(await t.metric('qgate_ws_frames_in_total', { action: 'queue_delete' })).toBe(0);
    expect((await other.request('queue_list', {})).headers.status).toBe(200);
    await other.close();
  });

  test('clients that vanish with requests in flight leave no session behind', async () => {
    arm();
    release();
    const project = t.project();
    const vanishing = await Promise.all(Array.from({ length: 20 }, () => WsTestClient.connect(t.url, project)));
    for (const c of vanishing) {
      for (let i = 0; i < 10; i++) c.send('message_post', { queue_name: 'burst', messages: [{ ttl: 300, body: i }] });
      c.ws.terminate();
    }
    await eventually(() => t.server.sessions.size === 0, 'every vanished session to be gone');
    expect(await t.metric('qgate_ws_connections')).toBe(0);
    const fresh = await WsTestClient.connect(t.url, project);
    expect((await fresh.request('queue_get_stats', { queue_name: 'burst' })).headers.status).toBe(200);
    await fresh.close();
  });
});
