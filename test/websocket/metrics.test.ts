// Websocket metrics in the process registry: open connections, frames in and out by action, errors by kind.

import { WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

describe('websocket metrics', () => {
  let t: TestWsServer;
  beforeAll(async () => {
    t = await startTestWsServer();
  });
  afterAll(async () => {
    await t.close();
  });

  test('connections, frames by action and encoding, and errors are counted', async () => {
    const a = await WsTestClient.connect(t.url, t.project());
    const b = await WsTestClient.connect(t.url, t.project());
    expect(await t.metric('qgate_ws_connections')).toBe(2);

    expect((await a.request('queue_create', { queue_name: 'm' })).headers.status).toBe(201);
    expect((await a.request('queue_create', { queue_name: 'm' }, { binary: true })).headers.status).toBe(204);
    expect((await b.request('queue_get', { queue_name: 'missing' })).headers.status).toBe(404);
    expect((await b.request('queue_explode', {})).headers.status).toBe(400);
    b.sendRaw('not json');
    await b.next();

    expect(await t.metric('qgate_ws_frames_in_total', { action: 'queue_create', encoding: 'json' })).toBe(1);
    expect(await t.metric('qgate_ws_frames_in_total', { action: 'queue_create', encoding: 'msgpack' })).toBe(1);
    expect(await t.metric('qgate_ws_frames_out_total', { action: 'queue_create', status: '201' })).toBe(1);
    expect(await t.metric('qgate_ws_frames_out_total', { action: 'queue_create', status: '204' })).toBe(1);
    expect(await t.metric('qgate_ws_frames_out_total', { action: 'queue_get', status: '404' })).toBe(1);
    // Names clients make up never become label values.
    expect(await t.metric('qgate_ws_frames_in_total', { action: 'invalid', encoding: 'json' })).toBe(2);
    expect(await t.metric('qgate_ws_frames_in_total', { action: 'queue_explode' })).toBe(0);
    expect(await t.metric('qgate_ws_errors_total', { kind: 'client_error' })).toBe(1);
    expect(await t.metric('qgate_ws_errors_total', { kind: 'invalid_action' })).toBe(1);
    expect(await t.metric('qgate_ws_errors_total', { kind: 'decode' })).toBe(1);

    // The same registry is what GET /metrics serves.
    const scraped = await t.http.get('/metrics');
    expect(scraped.text).toContain('qgate_ws_connections 2');
    expect(scraped.text).toContain('qgate_ws_frames_in_total{action="queue_create",encoding="json"} 1');

    await a.close();
    await b.close();
  });
});
