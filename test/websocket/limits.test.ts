// Limits of the websocket server: connections per process, frame size, idle timeout, keepalive, slow readers.

import { eventually, WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

describe('websocket limits', () => {
  let t: TestWsServer | undefined;
  const clients: WsTestClient[] = [];
  const connect = async (options = {}) => {
    const client = await WsTestClient.connect((t as TestWsServer).url, 'limits', options);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await t?.close();
    t = undefined;
  });

  test('connections past max_connections are closed with 1013 and a reason; a freed slot is usable again', async () => {
    t = await startTestWsServer({ settings: { maxConnections: 2 } });
    const first = await connect();
    const second = await connect();
    const third = await connect();
    expect(await third.closed).toEqual({
      code: 1013,
      reason: 'Too many connections: this qgate process serves at most 2',
    });
    expect(await t.metric('qgate_ws_errors_total', { kind: 'refused' })).toBe(1);
    // The two accepted sessions work.
    expect((await second.request('queue_list', {})).headers.status).toBe(200);
    await first.close();
    const server = t;
    await eventually(() => server.server.sessions.size === 1, 'the closed session to be gone');
    const fourth = await connect();
    expect((await fourth.request('queue_list', {})).headers.status).toBe(200);
  });

  test('a frame over max_frame_bytes closes the connection with 1009', async () => {
    t = await startTestWsServer({ settings: { maxFrameBytes: 1024 } });
    const client = await connect();
    expect((await client.request('queue_list', {})).headers.status).toBe(200);
    client.send('message_post', { queue_name: 'q', messages: [{ body: 'z'.repeat(2000) }] });
    expect((await client.closed).code).toBe(1009);
    const server = t;
    await eventually(
      async () => (await server.metric('qgate_ws_errors_total', { kind: 'frame_too_large' })) === 1,
      'the error to be counted',
    );
    expect(await t.metric('qgate_ws_connections')).toBe(0);
  });

  test('a session that sends nothing for idle_timeout_ms is closed with 1001', async () => {
    t = await startTestWsServer({ settings: { idleTimeoutMs: 100 } });
    const client = await connect();
    expect(await client.closed).toEqual({ code: 1001, reason: 'Idle timeout: no request received' });
    expect(await t.metric('qgate_ws_errors_total', { kind: 'idle_timeout' })).toBe(1);
  });

  test('keepalive: a client that answers pings stays; one that does not is dropped', async () => {
    t = await startTestWsServer({ settings: { pingIntervalMs: 30 } });
    const healthy = await connect();
    const silent = await connect({ autoPong: false });
    let pings = 0;
    healthy.ws.on('ping', () => {
      pings++;
    });
    // ws terminates the silent peer's socket: no close frame, so the client sees 1006.
    expect((await silent.closed).code).toBe(1006);
    await eventually(() => pings >= 3, 'three pings to reach the healthy client');
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    expect((await healthy.request('queue_list', {})).headers.status).toBe(200);
    expect(await t.metric('qgate_ws_errors_total', { kind: 'ping_timeout' })).toBe(1);
  });

  test('a client that stops reading its replies makes the server stop reading, then drops it', async () => {
    t = await startTestWsServer({
      settings: { maxBufferedBytes: 64 * 1024, maxPendingRequests: 4, pingIntervalMs: 50 },
    });
    const client = await connect();
    const body = 'b'.repeat(10_000);
    const messages = Array.from({ length: 20 }, () => ({ ttl: 300, body }));
    expect((await client.request('message_post', { queue_name: 'big', messages })).headers.status).toBe(201);
    // Each reply is ~200 KB; 500 of them would be ~100 MB if the server buffered them all.
    client.ws.pause();
    const requests = 500;
    for (let i = 0; i < requests; i++) client.send('message_list', { queue_name: 'big', echo: true, limit: 20 });
    const server = t;
    await eventually(
      async () => (await server.metric('qgate_ws_errors_total', { kind: 'backpressure' })) === 1,
      'the slow reader to be dropped',
    );
    await eventually(() => server.server.sessions.size === 0, 'the session to be gone');
    const answered = await t.metric('qgate_ws_frames_out_total', { action: 'message_list', status: '200' });
    expect(answered).toBeLessThan(requests);
    client.ws.resume();
    expect([1006, 1008]).toContain((await client.closed).code);
  });

  test('a push that would exceed the buffer bound drops the session instead of buffering', async () => {
    t = await startTestWsServer({ settings: { maxBufferedBytes: 64 * 1024 } });
    const client = await connect();
    expect((await client.request('queue_list', {})).headers.status).toBe(200);
    client.ws.pause();
    const session = [...t.server.sessions.values()][0];
    const notification = { queue: 'q', body: 'n'.repeat(8 * 1024) };
    let pushed = 0;
    while (session.push(notification)) {
      pushed++;
      if (pushed > 10_000) throw new Error('the server kept buffering pushes for a client that does not read');
      // Let the socket write what the kernel takes.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Pushes go out while the kernel and the bound take them; then the session is dropped, not buffered for.
    expect(pushed).toBeGreaterThan(0);
    expect(session.open).toBe(false);
    expect(await t.metric('qgate_ws_errors_total', { kind: 'backpressure' })).toBe(1);
    client.ws.resume();
    await client.closed;
  });
});
