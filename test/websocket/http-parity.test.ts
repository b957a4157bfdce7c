// The same cases over HTTP and over websocket, on the same operations: same status, same description.

import { randomUUID } from 'node:crypto';
import { WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

/** One case: the websocket request, the HTTP request it corresponds to, and the status both give. */
interface ParityCase {
  name: string;
  ws: [string, Record<string, unknown>];
  http: { method: 'get' | 'put' | 'post' | 'patch' | 'delete'; path: string; body?: unknown };
  /** Header overrides for both transports. */
  headers?: Record<string, string | undefined>;
  status: number;
}

const BIG = 'x'.repeat(65536);

const cases: ParityCase[] = [
  {
    name: 'an invalid queue name',
    ws: ['queue_create', { queue_name: 'm@rsb@r' }],
    http: { method: 'put', path: '/v2/queues/m@rsb@r' },
    status: 400,
  },
  {
    name: 'queue metadata over the limit',
    ws: ['queue_create', { queue_name: 'big', metadata: { padding: BIG } }],
    http: { method: 'put', path: '/v2/queues/big', body: { padding: BIG } },
    status: 400,
  },
  {
    name: 'a reserved metadata attribute out of range',
    ws: ['queue_create', { queue_name: 'meta', metadata: { _default_message_ttl: 5 } }],
    http: { method: 'put', path: '/v2/queues/meta', body: { _default_message_ttl: 5 } },
    status: 400,
  },
  {
    name: 'a missing queue',
    ws: ['queue_get', { queue_name: 'absent' }],
    http: { method: 'get', path: '/v2/queues/absent' },
    status: 404,
  },
  {
    name: 'a queue listing limit over the maximum',
    ws: ['queue_list', { limit: 21 }],
    http: { method: 'get', path: '/v2/queues?limit=21' },
    status: 400,
  },
  {
    name: 'a message TTL over the maximum',
    ws: ['message_post', { queue_name: 'q', messages: [{ ttl: 1209601, body: 1 }] }],
    http: { method: 'post', path: '/v2/queues/q/messages', body: { messages: [{ ttl: 1209601, body: 1 }] } },
    status: 400,
  },
  {
    name: 'a TTL that is not an integer',
    ws: ['message_post', { queue_name: 'q', messages: [{ ttl: '200', body: 1 }] }],
    http: { method: 'post', path: '/v2/queues/q/messages', body: { messages: [{ ttl: '200', body: 1 }] } },
    status: 400,
  },
  {
    name: 'an empty message list',
    ws: ['message_post', { queue_name: 'q', messages: [] }],
    http: { method: 'post', path: '/v2/queues/q/messages', body: { messages: [] } },
    status: 400,
  },
  {
    name: 'a message post over the size limit',
    ws: ['message_post', { queue_name: 'q', messages: [{ body: 'y'.repeat(262144) }] }],
    http: { method: 'post', path: '/v2/queues/q/messages', body: { messages: [{ body: 'y'.repeat(262144) }] } },
    status: 400,
  },
  {
    name: 'a message listing limit over the maximum',
    ws: ['message_list', { queue_name: 'q', limit: 21 }],
    http: { method: 'get', path: '/v2/queues/q/messages?limit=21' },
    status: 400,
  },
  {
    name: 'a missing message',
    ws: ['message_get', { queue_name: 'q', message_id: 'missing' }],
    http: { method: 'get', path: '/v2/queues/q/messages/missing' },
    status: 404,
  },
  {
    name: 'too many ids at once',
    ws: ['message_get_many', { queue_name: 'q', message_ids: Array.from({ length: 21 }, (_, i) => `id${i}`) }],
    http: {
      method: 'get',
      path: `/v2/queues/q/messages?ids=${Array.from({ length: 21 }, (_, i) => `id${i}`).join(',')}`,
    },
    status: 400,
  },
  {
    name: 'ids and pop together',
    ws: ['message_delete_many', { queue_name: 'q', message_ids: ['a'], pop: 1 }],
    http: { method: 'delete', path: '/v2/queues/q/messages?ids=a&pop=1' },
    status: 400,
  },
  {
    name: 'neither ids nor pop',
    ws: ['message_delete_many', { queue_name: 'q' }],
    http: { method: 'delete', path: '/v2/queues/q/messages' },
    status: 400,
  },
  {
    name: 'a pop over the maximum',
    ws: ['message_delete_many', { queue_name: 'q', pop: 21 }],
    http: { method: 'delete', path: '/v2/queues/q/messages?pop=21' },
    status: 400,
  },
  {
    name: 'a claim TTL under the minimum',
    ws: ['claim_create', { queue_name: 'q', ttl: 10 }],
    http: { method: 'post', path: '/v2/queues/q/claims', body: { ttl: 10 } },
    status: 400,
  },
  {
    name: 'a claim limit over the maximum',
    ws: ['claim_create', { queue_name: 'q', limit: 21 }],
    http: { method: 'post', path: '/v2/queues/q/claims?limit=21', body: {} },
    status: 400,
  },
  {
    name: 'a missing claim',
    ws: ['claim_get', { queue_name: 'q', claim_id: 'nope' }],
    http: { method: 'get', path: '/v2/queues/q/claims/nope' },
    status: 404,
  },
  {
    name: 'a purge of an unknown resource type',
    ws: ['queue_purge', { queue_name: 'q', resource_types: ['everything'] }],
    http: { method: 'post', path: '/v2/queues/q/purge', body: { resource_types: ['everything'] } },
    status: 400,
  },
  {
    name: 'a missing Client-ID',
    ws: ['queue_get', { queue_name: 'q' }],
    http: { method: 'get', path: '/v2/queues/q' },
    headers: { 'Client-ID': undefined },
    status: 400,
  },
  {
    name: 'a malformed Client-ID',
    ws: ['queue_get', { queue_name: 'q' }],
    http: { method: 'get', path: '/v2/queues/q' },
    headers: { 'Client-ID': 'not-a-uuid' },
    status: 400,
  },
  {
    name: 'an empty X-Project-ID',
    ws: ['queue_get', { queue_name: 'q' }],
    http: { method: 'get', path: '/v2/queues/q' },
    headers: { 'X-Project-ID': '' },
    status: 400,
  },
];

describe('websocket and HTTP give the same answer', () => {
  let t: TestWsServer;
  let c: WsTestClient;
  beforeAll(async () => {
    t = await startTestWsServer({ settings: { maxFrameBytes: 2 * 1024 * 1024 } });
    c = await WsTestClient.connect(t.url, t.project());
  });
  afterAll(async () => {
    await c.close();
    await t.close();
  });

  const headersFor = (overrides: Record<string, string | undefined> = {}) => {
    const all: Record<string, string | undefined> = {
      'Client-ID': c.clientId,
      'X-Project-ID': c.project,
      ...overrides,
    };
    return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>;
  };

  test.each(cases.map((k) => [k.name, k] as const))('%s', async (_name, k) => {
    const req = t.http[k.http.method](k.http.path).set(headersFor(k.headers));
    const overHttp = k.http.body === undefined ? await req : await req.send(k.http.body as object);
    const overWs = await c.request(k.ws[0], k.ws[1], { headers: headersFor(k.headers) });
    expect(overHttp.status).toBe(k.status);
    expect(overWs.headers.status).toBe(k.status);
    expect(overWs.body.exception).toBe(overHttp.body.description);
    expect(overWs.body.title).toBe(overHttp.body.title);
  });

  test('a message claimed by one transport is protected on the other', async () => {
    const headers = headersFor();
    const post = await t.http
      .post('/v2/queues/shared/messages')
      .set(headers)
      .send({ messages: [{ ttl: 300, body: 'x' }] });
    const id = post.body.resources[0].split('/').pop();
    const claim = await c.request('claim_create', { queue_name: 'shared', ttl: 60 });
    expect(claim.body.messages[0].id).toBe(id);
    const overHttp = await t.http.delete(`/v2/queues/shared/messages/${id}`).set(headers);
    const overWs = await c.request('message_delete', { queue_name: 'shared', message_id: id });
    expect([overHttp.status, overWs.headers.status]).toEqual([403, 403]);
    expect(overWs.body.exception).toBe(overHttp.body.description);
    const wrong = randomUUID().replace(/-/g, '').slice(0, 24);
    const overWsWrongClaim = await c.request('message_delete', {
      queue_name: 'shared',
      message_id: id,
      claim_id: wrong,
    });
    const overHttpWrongClaim = await t.http.delete(`/v2/queues/shared/messages/${id}?claim_id=${wrong}`).set(headers);
    expect(overWsWrongClaim.headers.status).toBe(overHttpWrongClaim.status);
    expect(overWsWrongClaim.body.exception).toBe(overHttpWrongClaim.body.description);
  });
});
