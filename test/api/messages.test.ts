// API tests of the message routes: post, list, get, get by ids, delete (one, by ids, pop), and bad input.

import { newClientId, testApp } from '../support/app';

type Msg = { id: string; href: string; ttl: number; age: number; body: unknown };

describe('messages API', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp();
  });
  afterEach(() => t.close());

  const post = (queue: string, messages: unknown[], headers: Record<string, string> = {}) =>
    t.call('post', `/v2/queues/${queue}/messages`, headers).send({ messages });

  test('POST stores messages in order, creates the queue and returns their hrefs', async () => {
    const res = await post('mq', [{ ttl: 300, body: { event: 'a' } }, { body: 'b' }]);
    expect(res.status).toBe(201);
    expect(res.body.resources).toHaveLength(2);
    for (const href of res.body.resources) expect(href).toMatch(/^\/v2\/queues\/mq\/messages\/[0-9a-f-]{36}$/);
    const ids = res.body.resources.map((h: string) => h.split('/').pop());
    expect(res.headers.location).toBe(`/v2/queues/mq/messages?ids=${ids.join(',')}`);
    expect((await t.call('get', '/v2/queues/mq')).status).toBe(200);
    const list = await t.call('get', '/v2/queues/mq/messages?echo=true');
    expect(list.body.messages.map((m: Msg) => m.body)).toEqual([{ event: 'a' }, 'b']);
    expect(list.body.messages.map((m: Msg) => m.ttl)).toEqual([300, 3600]);
  });

  test('the queue default TTL and delay apply when a message sets none', async () => {
    await t.call('put', '/v2/queues/dflt').send({ _default_message_ttl: 120, _default_message_delay: 30 });
    await post('dflt', [{ body: 1 }, { body: 2, ttl: 600, delay: 0 }]);
    const visible = await t.call('get', '/v2/queues/dflt/messages?echo=true');
    expect(visible.body.messages.map((m: Msg) => [m.body, m.ttl])).toEqual([[2, 600]]);
    t.advance(30);
    const later = await t.call('get', '/v2/queues/dflt/messages?echo=true');
    expect(later.body.messages.map((m: Msg) => [m.body, m.ttl])).toEqual([
      [1, 120],
      [2, 600],
    ]);
  });

  test('a per-message delay is honoured even when the queue has no default delay', async () => {
    await post('delayed', [{ body: 'later', delay: 60 }]);
    expect((await t.call('get', '/v2/queues/delayed/messages?echo=true')).body.messages).toEqual([]);
    const withDelayed = await t.call('get', '/v2/queues/delayed/messages?echo=true&include_delayed=true');
    expect(withDelayed.body.messages).toHaveLength(1);
    expect((await t.call('post', '/v2/queues/delayed/claims')).status).toBe(204);
    t.advance(60);
    expect((await t.call('post', '/v2/queues/delayed/claims')).status).toBe(201);
  });

  test('a client does not see its own messages unless echo=true; others do', async () => {
    await post('echo', [{ body: 'mine' }]);
    expect((await t.call('get', '/v2/queues/echo/messages')).body.messages).toEqual([]);
    expect((await t.call('get', '/v2/queues/echo/messages?echo=true')).body.messages).toHaveLength(1);
    const other = await t.call('get', '/v2/queues/echo/messages', { 'Client-ID': newClientId() });
    expect(other.body.messages.map((m: Msg) => m.body)).toEqual(['mine']);
  });

  test('listing pages with a marker in links.next and hides claimed messages unless asked', async () => {
    await post(
      'page',
      [1, 2, 3, 4, 5].map((n) => ({ body: n })),
    );
    const first = await t.call('get', '/v2/queues/page/messages?echo=true&limit=2');
    expect(first.body.messages.map((m: Msg) => m.body)).toEqual([1, 2]);
    expect(first.body.links[0].rel).toBe('next');
    const second = await t.call('get', first.body.links[0].href);
    expect(second.body.messages.map((m: Msg) => m.body)).toEqual([3, 4]);
    await t.call('post', '/v2/queues/page/claims?limit=1');
    const unclaimed = await t.call('get', '/v2/queues/page/messages?echo=true');
    expect(unclaimed.body.messages.map((m: Msg) => m.body)).toEqual([2, 3, 4, 5]);
    const all = await t.call('get', '/v2/queues/page/messages?echo=true&include_claimed=true');
    expect(all.body.messages.map((m: Msg) => m.body)).toEqual([1, 2, 3, 4, 5]);
    expect(all.body.messages[0].href).toMatch(/\?claim_id=[0-9a-f-]+$/);
  });

  test('listing a queue that does not exist is an empty page', async () => {
    const res = await t.call('get', '/v2/queues/ghost/messages');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messages: [], links: [] });
  });

  test('messages expire: gone from listings and gets at once', async () => {
    const res = await post('exp', [
      { body: 'short', ttl: 60 },
      { body: 'long', ttl: 600 },
    ]);
    const shortId = res.body.resources[0].split('/').pop();
    t.advance(61);
    const list = await t.call('get', '/v2/queues/exp/messages?echo=true');
    expect(list.body.messages.map((m: Msg) => m.body)).toEqual(['long']);
    expect((await t.call('get', `/v2/queues/exp/messages/${shortId}`)).status).toBe(404);
    expect((await t.call('get', '/v2/queues/exp/stats')).body.messages.total).toBe(1);
  });

  test('GET by id returns the message with its age', async () => {
    const res = await post('one', [{ body: { x: 1 }, ttl: 100 }]);
    const href = res.body.resources[0];
    t.advance(7);
    const got = await t.call('get', href);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id: href.split('/').pop(), href, ttl: 100, age: 7, body: { x: 1 } });
    expect((await t.call('get', '/v2/queues/one/messages/nope')).status).toBe(404);
  });

  test('GET ?ids= returns the existing ones and 404 when none exist', async () => {
    const res = await post('ids', [{ body: 1 }, { body: 2 }, { body: 3 }]);
    const ids = res.body.resources.map((h: string) => h.split('/').pop());
    const got = await t.call('get', `/v2/queues/ids/messages?ids=${ids[2]},missing,${ids[0]}`);
    expect(got.status).toBe(200);
    expect(got.body.messages.map((m: Msg) => m.body)).toEqual([3, 1]);
    const none = await t.call('get', '/v2/queues/ids/messages?ids=a,b');
    expect(none.status).toBe(404);
    expect(none.body.description).toBe(
      `No messages with IDs: ['a', 'b'] found in the queue ids for project ${t.project}.`,
    );
    const tooMany = Array.from({ length: 21 }, (_, i) => `m${i}`).join(',');
    expect((await t.call('get', `/v2/queues/ids/messages?ids=${tooMany}`)).status).toBe(400);
  });

  test('DELETE by id removes a free message; a missing one is still 204', async () => {
    const res = await post('del', [{ body: 1 }]);
    const href = res.body.resources[0];
    expect((await t.call('delete', href)).status).toBe(204);
    expect((await t.call('get', href)).status).toBe(404);
    expect((await t.call('delete', href)).status).toBe(204);
  });

  test('DELETE ?ids= removes those messages, claimed or not', async () => {
    const res = await post('bulk', [{ body: 1 }, { body: 2 }, { body: 3 }]);
    const ids = res.body.resources.map((h: string) => h.split('/').pop());
    await t.call('post', '/v2/queues/bulk/claims?limit=1');
    expect((await t.call('delete', `/v2/queues/bulk/messages?ids=${ids[0]},${ids[1]}`)).status).toBe(204);
    const left = await t.call('get', '/v2/queues/bulk/messages?echo=true&include_claimed=true');
    expect(left.body.messages.map((m: Msg) => m.body)).toEqual([3]);
  });

  test('DELETE ?pop=N removes and returns the oldest free messages', async () => {
    await post(
      'pop',
      [1, 2, 3].map((n) => ({ body: n })),
    );
    await t.call('post', '/v2/queues/pop/claims?limit=1');
    const res = await t.call('delete', '/v2/queues/pop/messages?pop=5');
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: Msg) => m.body)).toEqual([2, 3]);
    expect(Object.keys(res.body.messages[0]).sort()).toEqual(['age', 'body', 'id', 'ttl']);
    expect((await t.call('get', '/v2/queues/pop/stats')).body.messages).toMatchObject({ total: 1, claimed: 1 });
  });

  test.each([
    ['neither ids nor pop', '', 'either "ids" or "pop"'],
    ['both ids and pop', '?ids=a&pop=1', 'pop and id params cannot be present together'],
    ['pop=0', '?pop=0', 'Pop value must be at least 1'],
    ['pop=21', '?pop=21', 'may not be greater than 20'],
    ['pop=x', '?pop=x', 'The "pop" parameter is invalid'],
  ])('DELETE with %s is 400', async (_what, query, text) => {
    await post('baddel', [{ body: 1 }]);
    const res = await t.call('delete', `/v2/queues/baddel/messages${query}`);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/queues/baddel/stats')).body.messages.total).toBe(1);
  });

  test.each([
    ['no body', undefined, 'Request body can not be empty'],
    ['malformed JSON', '{"messages": [', 'Request body could not be parsed.'],
    ['no messages key', '{"msgs": []}', 'No messages were found in the request body.'],
    ['an empty list', '{"messages": []}', 'No messages to enqueu.'],
    ['messages not a list', '{"messages": {"body": 1}}', 'Document type not supported.'],
    ['a message without a body', '{"messages": [{"ttl": 60}]}', 'Missing "body" field.'],
    ['a string TTL', '{"messages": [{"ttl": "60", "body": 1}]}', 'The value of the "ttl" field must be a int.'],
    ['a fractional TTL', '{"messages": [{"ttl": 60.5, "body": 1}]}', 'The value of the "ttl" field must be a int.'],
    [
      'a TTL under 60',
      '{"messages": [{"ttl": 59, "body": 1}]}',
      'The TTL for a message may not exceed 1209600 seconds',
    ],
    ['a TTL over 14 days', '{"messages": [{"ttl": 1209601, "body": 1}]}', 'and must be at least 60 seconds long'],
    ['a delay over 900', '{"messages": [{"delay": 901, "body": 1}]}', 'The Delay TTL for a message may not exceed 900'],
    ['a negative delay', '{"messages": [{"delay": -1, "body": 1}]}', 'The Delay TTL for a message'],
    ['one bad message among good ones', '{"messages": [{"body": 1}, {"ttl": 5, "body": 2}]}', 'The TTL for a message'],
  ])('POST with %s is 400 and stores nothing', async (_what, body, text) => {
    const req = t.call('post', '/v2/queues/bad/messages').set('Content-Type', 'application/json');
    const res = body === undefined ? await req : await req.send(body);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/queues/bad/stats')).body.messages.total).toBe(0);
  });

  test('a post body over 256 KiB is 400 and stores nothing', async () => {
    const res = await post('huge', [{ body: 'x'.repeat(262144) }]);
    expect(res.status).toBe(400);
    expect(res.body.description).toBe('Message collection size is too large. Max size 262144');
    expect((await t.call('get', '/v2/queues/huge/stats')).body.messages.total).toBe(0);
  });

  test("the queue's _max_messages_post_size lowers the limit", async () => {
    await t.call('put', '/v2/queues/small').send({ _max_messages_post_size: 100 });
    const res = await post('small', [{ body: 'y'.repeat(200) }]);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain('The max size for current queue is 100');
    expect((await post('small', [{ body: 'ok' }])).status).toBe(201);
  });

  test.each([
    ['limit=0', 'Limit must be at least 1'],
    ['limit=21', 'may not be greater than 20'],
    ['echo=perhaps', 'The "echo" parameter is invalid'],
    ['marker=abc', 'Invalid marker'],
  ])('GET with %s is 400', async (query, text) => {
    const res = await t.call('get', `/v2/queues/q/messages?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
  });

  test("another project cannot read, claim or delete this project's messages", async () => {
    const res = await post('private', [{ body: 'secret' }]);
    const href = res.body.resources[0];
    const other = { 'X-Project-ID': 'intruder' };
    expect((await t.call('get', href, other)).status).toBe(404);
    expect((await t.call('get', '/v2/queues/private/messages?echo=true', other)).body.messages).toEqual([]);
    expect((await t.call('post', '/v2/queues/private/claims', other)).status).toBe(204);
    expect((await t.call('delete', href, other)).status).toBe(204);
    expect((await t.call('delete', '/v2/queues/private/messages?pop=5', other)).body.messages).toEqual([]);
    expect((await t.call('get', href)).status).toBe(200);
  });
});
