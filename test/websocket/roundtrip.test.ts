// The websocket API end to end with a real ws client: queues, messages and claims, in JSON and MessagePack frames.

import { WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

describe.each([
  ['JSON text', false],
  ['MessagePack binary', true],
])('websocket round trip in %s frames', (_name, binary) => {
  let t: TestWsServer;
  let c: WsTestClient;
  beforeAll(async () => {
    t = await startTestWsServer();
  });
  beforeEach(async () => {
    c = await WsTestClient.connect(t.url, t.project());
  });
  afterEach(async () => {
    await c.close();
  });
  afterAll(async () => {
    await t.close();
  });

  const call = async (action: string, body?: unknown) => {
    c.send(action, body, { binary });
    const frame = await c.next();
    // Every reply comes back in the encoding of its request.
    expect(frame.binary).toBe(binary);
    return frame.document;
  };

  test('create, post, list, get, claim, renew, delete under the claim, stats, delete the queue', async () => {
    const created = await call('queue_create', { queue_name: 'jobs', metadata: { purpose: 'test' } });
    expect(created).toEqual({
      request: {
        action: 'queue_create',
        body: { queue_name: 'jobs', metadata: { purpose: 'test' } },
        headers: c.headers(),
        api: 'v2',
      },
      headers: { status: 201 },
      body: 'Queue jobs created.',
    });
    expect((await call('queue_create', { queue_name: 'jobs' })).headers.status).toBe(204);
    expect((await call('queue_get', { queue_name: 'jobs' })).body).toMatchObject({ purpose: 'test' });

    const posted = await call('message_post', {
      queue_name: 'jobs',
      messages: [{ ttl: 300, body: { n: 1 } }, { ttl: 300, body: { n: 2 } }, { body: 'three' }],
    });
    expect(posted.headers.status).toBe(201);
    const ids: string[] = posted.body.message_ids;
    expect(ids).toHaveLength(3);
    // The messages are in the store, as the HTTP API sees them.
    const overHttp = await t.http
      .get('/v2/queues/jobs/messages?echo=true')
      .set({ 'Client-ID': c.clientId, 'X-Project-ID': c.project });
    expect(overHttp.body.messages.map((m: { id: string }) => m.id)).toEqual(ids);

    // Own messages are hidden unless echo, as over HTTP.
    expect((await call('message_list', { queue_name: 'jobs' })).body).toEqual({ messages: [] });
    const listed = await call('message_list', { queue_name: 'jobs', echo: true });
    expect(listed.headers.status).toBe(200);
    expect(listed.body.messages).toEqual([
      { id: ids[0], claim_id: null, ttl: 300, age: 0, body: { n: 1 } },
      { id: ids[1], claim_id: null, ttl: 300, age: 0, body: { n: 2 } },
      { id: ids[2], claim_id: null, ttl: 3600, age: 0, body: 'three' },
    ]);

    const one = await call('message_get', { queue_name: 'jobs', message_id: ids[1] });
    expect(one.body).toEqual({ messages: { id: ids[1], claim_id: null, ttl: 300, age: 0, body: { n: 2 } } });
    const many = await call('message_get_many', { queue_name: 'jobs', message_ids: [ids[0], ids[2]] });
    expect(many.body.messages.map((m: { id: string }) => m.id)).toEqual([ids[0], ids[2]]);

    const claim = await call('claim_create', { queue_name: 'jobs', ttl: 60, grace: 60, limit: 2 });
    expect(claim.headers.status).toBe(201);
    const claimId: string = claim.body.claim_id;
    expect(claim.body.messages.map((m: { id: string; claim_id: string }) => [m.id, m.claim_id])).toEqual([
      [ids[0], claimId],
      [ids[1], claimId],
    ]);
    const got = await call('claim_get', { queue_name: 'jobs', claim_id: claimId });
    expect(got.headers.status).toBe(200);
    expect(got.body).toMatchObject({ ttl: 60, age: 0 });
    expect(got.body.messages).toHaveLength(2);
    const renewed = await call('claim_update', { queue_name: 'jobs', claim_id: claimId, ttl: 120 });
    expect(renewed.headers.status).toBe(204);
    expect((await call('claim_get', { queue_name: 'jobs', claim_id: claimId })).body.ttl).toBe(120);

    // A claimed message cannot be deleted without its claim; with it, it can.
    const refused = await call('message_delete', { queue_name: 'jobs', message_id: ids[0] });
    expect(refused.headers.status).toBe(403);
    const deleted = await call('message_delete', { queue_name: 'jobs', message_id: ids[0], claim_id: claimId });
    expect(deleted.headers.status).toBe(204);
    expect((await call('message_get', { queue_name: 'jobs', message_id: ids[0] })).headers.status).toBe(404);

    // Releasing the claim frees the other message.
    expect((await call('claim_delete', { queue_name: 'jobs', claim_id: claimId })).headers.status).toBe(204);
    const stats = await call('queue_get_stats', { queue_name: 'jobs' });
    expect(stats.body.messages).toMatchObject({ claimed: 0, free: 2, total: 2 });

    expect((await call('queue_delete', { queue_name: 'jobs' })).body).toBe('Queue jobs removed.');
    expect((await call('queue_get', { queue_name: 'jobs' })).headers.status).toBe(404);
  });

  test('queue_list pages through the project, detailed with metadata', async () => {
    for (const name of ['qa', 'qb', 'qc']) {
      expect((await call('queue_create', { queue_name: name, metadata: { name } })).headers.status).toBe(201);
    }
    const page = await call('queue_list', { limit: 2 });
    expect(page.body).toEqual({ queues: [{ name: 'qa' }, { name: 'qb' }] });
    const rest = await call('queue_list', { marker: 'qb' });
    expect(rest.body.queues).toEqual([{ name: 'qc' }]);
    const detailed = await call('queue_list', { detailed: true });
    expect(detailed.body.queues[0]).toMatchObject({ name: 'qa', metadata: { name: 'qa' } });
    // queue_list needs no body at all.
    expect((await call('queue_list')).body.queues).toHaveLength(3);
  });

  test('delete by ids, pop, and purge', async () => {
    const post = (n: number) =>
      call('message_post', {
        queue_name: 'bulk',
        messages: Array.from({ length: n }, (_, i) => ({ ttl: 300, body: i })),
      });
    const ids: string[] = (await post(4)).body.message_ids;
    const byIds = await call('message_delete_many', { queue_name: 'bulk', message_ids: ids.slice(0, 2) });
    expect(byIds).toMatchObject({ headers: { status: 204 }, body: {} });
    const popped = await call('message_delete_many', { queue_name: 'bulk', pop: 1 });
    expect(popped.headers.status).toBe(200);
    expect(popped.body.messages).toEqual([{ id: ids[2], ttl: 300, age: 0, body: 2 }]);

    await post(3);
    const purged = await call('queue_purge', { queue_name: 'bulk', resource_types: ['messages'] });
    expect(purged.headers.status).toBe(204);
    const stats = await call('queue_get_stats', { queue_name: 'bulk' });
    expect(stats.body.messages.total).toBe(0);
  });

  test('claim_create on an empty queue is 204 with no claim', async () => {
    const claim = await call('claim_create', { queue_name: 'empty' });
    expect(claim).toMatchObject({ headers: { status: 204 }, body: { claim_id: null } });
  });

  test('authenticate under noauth is accepted as Zaqar replies to it', async () => {
    const reply = await call('authenticate', undefined);
    expect(reply).toEqual({
      request: { action: 'authenticate', body: {}, headers: {}, api: 'v2' },
      headers: { status: 200 },
      body: { message: 'Authentified.' },
    });
  });
});
