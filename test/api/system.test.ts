// API tests of what surrounds the data plane: versions, home, ping, health, metrics, headers, ids, 404/405.

import { randomUUID } from 'node:crypto';
import { testApp } from '../support/app';

describe('system API and request handling', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp();
  });
  afterEach(() => t.close());

  test('GET / lists the v2 version with 300', async () => {
    const res = await t.agent.get('/');
    expect(res.status).toBe(300);
    expect(res.body.versions[0]).toMatchObject({ id: '2', status: 'CURRENT', links: [{ href: '/v2/', rel: 'self' }] });
  });

  test('GET /v2 serves the JSON-home document without headers', async () => {
    const res = await t.agent.get('/v2');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json-home/);
    const doc = JSON.parse(res.text);
    expect(doc.resources['rel/queue']['href-template']).toBe('/v2/queues/{queue_name}');
    expect(doc.resources['rel/post_claim'].hints.allow).toEqual(['POST']);
  });

  test('ping answers 204 to GET and HEAD', async () => {
    expect((await t.call('get', '/v2/ping')).status).toBe(204);
    expect((await t.call('head', '/v2/ping')).status).toBe(204);
  });

  test('health is for admins (403 otherwise, as in Zaqar’s policy) and reports each pool', async () => {
    const denied = await t.call('get', '/v2/health');
    expect(denied.status).toBe(403);
    const admin = testApp({ adminMode: true });
    const res = await admin.call('get', '/v2/health');
    await admin.close();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      storage_reachable: true,
      pools: { default: { storage_reachable: true, kind: 'memory', latency_ms: 0 } },
    });
  });

  test('every response carries an X-OpenStack-Request-Id, unique per request', async () => {
    const a = await t.call('get', '/v2/queues');
    const b = await t.agent.get('/nowhere');
    expect(a.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(b.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(a.headers['x-openstack-request-id']).not.toBe(b.headers['x-openstack-request-id']);
  });

  test('/metrics counts requests by route and status and has latency and process metrics', async () => {
    await t.call('put', '/v2/queues/m1');
    await t.call('get', '/v2/queues/m1');
    await t.call('get', '/v2/queues/missing');
    const res = await t.agent.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('qgate_http_requests_total{method="GET",route="/v2/queues/:queue_name",status="200"} 1');
    expect(res.text).toContain('qgate_http_requests_total{method="GET",route="/v2/queues/:queue_name",status="404"} 1');
    expect(res.text).toContain('qgate_http_request_duration_seconds_bucket{le="0.005",method="PUT"');
    expect(res.text).toContain('qgate_process_resident_memory_bytes');
  });

  describe('v2 headers', () => {
    test('a missing Client-ID is 400', async () => {
      const res = await t.agent.get('/v2/queues').set('X-Project-ID', 'p');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ title: 'Missing header value', description: 'The Client-ID header is required.' });
    });

    test('a Client-ID that is no UUID is 400 in strict mode', async () => {
      const res = await t.agent.get('/v2/queues').set({ 'X-Project-ID': 'p', 'Client-ID': 'not-a-uuid' });
      expect(res.status).toBe(400);
      expect(res.body.description).toBe('Malformed hexadecimal UUID.');
    });

    test('with client_id uuid_safe off, any Client-ID of 10..36 characters works', async () => {
      const off = testApp({ limits: { clientIdUuidSafe: 'off' } });
      const ok = await off.agent.get('/v2/queues').set({ 'X-Project-ID': 'p', 'Client-ID': 'worker-0001' });
      expect(ok.status).toBe(200);
      const short = await off.agent.get('/v2/queues').set({ 'X-Project-ID': 'p', 'Client-ID': 'w1' });
      expect(short.status).toBe(400);
      expect(short.body.description).toBe('Length of client id must be at least 10 and no greater than 36.');
      await off.close();
    });

    test('a missing X-Project-ID is 400; an empty one too', async () => {
      const missing = await t.agent.get('/v2/queues').set('Client-ID', randomUUID());
      expect(missing.status).toBe(400);
      expect(missing.body.title).toBe('Project-Id Missing');
      const empty = await t.agent.get('/v2/queues').set({ 'Client-ID': randomUUID(), 'X-Project-ID': '' });
      expect(empty.status).toBe(400);
    });

    test('a project id over 256 characters is 400', async () => {
      const res = await t.call('get', '/v2/queues', { 'X-Project-ID': 'p'.repeat(257) });
      expect(res.status).toBe(400);
    });

    test('a client that does not accept JSON gets 406', async () => {
      expect((await t.call('get', '/v2/queues', { Accept: 'text/html' })).status).toBe(406);
      expect((await t.call('get', '/v2/queues', { Accept: '*/*' })).status).toBe(200);
    });

    test('a form-encoded body is 400 and stores nothing', async () => {
      const res = await t
        .call('post', '/v2/queues/form/messages', { 'Content-Type': 'application/x-www-form-urlencoded' })
        .send('messages=1');
      expect(res.status).toBe(400);
      expect(res.body.title).toBe('Invalid Content-Type');
      expect((await t.call('get', '/v2/queues/form/stats')).body.messages.total).toBe(0);
    });
  });

  test('an unknown path is 404 and a wrong method is 405 with Allow', async () => {
    expect((await t.call('get', '/v2/nothing-here')).status).toBe(404);
    const res = await t.call('post', '/v2/queues/q1');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, PUT, PATCH, DELETE, HEAD');
  });

  test('error bodies never carry a stack trace', async () => {
    const res = await t.call('post', '/v2/queues/q/messages').set('Content-Type', 'application/json').send('{bad');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(['description', 'title']);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });
});
