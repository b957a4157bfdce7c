// API tests of the queue routes: create, get, patch, delete, list, stats, purge, and bad input on each.

import { testApp } from '../support/app';

const PATCH = 'application/openstack-messaging-v2.0-json-patch';

describe('queues API', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp();
  });
  afterEach(() => t.close());

  test('PUT creates a queue (201 with Location), PUT again is 204 and keeps the metadata', async () => {
    const first = await t.call('put', '/v2/queues/fizbit').send({ color: 'red' });
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe('/v2/queues/fizbit');
    const again = await t.call('put', '/v2/queues/fizbit').send({ color: 'blue' });
    expect(again.status).toBe(204);
    const got = await t.call('get', '/v2/queues/fizbit');
    expect(got.status).toBe(200);
    expect(got.body.color).toBe('red');
  });

  test('GET shows stored metadata with the reserved defaults filled in', async () => {
    await t.call('put', '/v2/queues/q1').send({ _default_message_ttl: 120, note: 'x' });
    const got = await t.call('get', '/v2/queues/q1');
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.body).toEqual({
      note: 'x',
      _default_message_ttl: 120,
      _max_messages_post_size: 262144,
      _default_message_delay: 0,
      _dead_letter_queue: null,
      _dead_letter_queue_messages_ttl: null,
      _max_claim_count: null,
    });
  });

  test('GET of a missing queue is 404 in Zaqar shape', async () => {
    const res = await t.call('get', '/v2/queues/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ title: 'Not found', description: expect.stringContaining('Queue nope does not exist') });
  });

  test('a PUT without a body creates a queue with no metadata', async () => {
    expect((await t.call('put', '/v2/queues/empty')).status).toBe(201);
    expect((await t.call('get', '/v2/queues/empty')).body._max_claim_count).toBeNull();
  });

  test.each([
    ['a name with a space', '/v2/queues/bad%20name'],
    ['a name with a slash-like char', '/v2/queues/bad*name'],
    ['a name of 65 characters', `/v2/queues/${'a'.repeat(65)}`],
  ])('PUT with %s is 400 and creates nothing', async (_what, path) => {
    const res = await t.call('put', path);
    expect(res.status).toBe(400);
    expect(res.body.title).toBe('Invalid queue identification');
    const list = await t.call('get', '/v2/queues');
    expect(list.body.queues).toEqual([]);
  });

  test('names of 64 characters with dots, dashes and underscores are fine', async () => {
    const name = `a.b-c_${'z'.repeat(58)}`;
    expect((await t.call('put', `/v2/queues/${name}`)).status).toBe(201);
  });

  test.each([
    ['not JSON', '{nope', 'Request body could not be parsed.'],
    ['a JSON array', '[1,2]', 'Document type not supported.'],
    ['a string TTL default', '{"_default_message_ttl": "60"}', '_default_message_ttl must be integer.'],
    ['a TTL default too short', '{"_default_message_ttl": 10}', '_default_message_ttl can not exceed'],
    ['a delay default too long', '{"_default_message_delay": 901}', 'The TTL can not exceed 900 seconds'],
    ['a post size over the limit', '{"_max_messages_post_size": 262145}', '_max_messages_post_size can not exceed'],
    [
      'a bad retry backoff',
      '{"_retry_policy": {"retry_backoff_function": "cubic"}}',
      'invalid retry_backoff_function.',
    ],
    ['a dead letter queue that is no name', '{"_dead_letter_queue": "no way"}', '_dead_letter_queue must be'],
  ])('PUT with %s is 400 and creates nothing', async (_what, body, text) => {
    const res = await t.call('put', '/v2/queues/q2').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/queues/q2')).status).toBe(404);
  });

  test('metadata over 64 KiB is refused with 400 before parsing', async () => {
    const res = await t.call('put', '/v2/queues/big').send({ blob: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(400);
    expect(res.body.description).toBe('Queue metadata is too large. Max size: 65536');
    expect((await t.call('get', '/v2/queues/big')).status).toBe(404);
  });

  test('__proto__ and constructor keys are stored as plain data', async () => {
    const res = await t
      .call('put', '/v2/queues/proto')
      .set('Content-Type', 'application/json')
      .send('{"__proto__": {"polluted": true}, "constructor": "c"}');
    expect(res.status).toBe(201);
    const got = await t.call('get', '/v2/queues/proto');
    expect(got.text).toContain('"__proto__":{"polluted":true}');
    expect(got.body.constructor).toBe('c');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe('PATCH', () => {
    beforeEach(async () => {
      await t.call('put', '/v2/queues/pq').send({ a: 1, b: 2 });
    });

    test('add, replace and remove under /metadata return the new metadata', async () => {
      const res = await t.call('patch', '/v2/queues/pq', { 'Content-Type': PATCH }).send(
        JSON.stringify([
          { op: 'add', path: '/metadata/c', value: 3 },
          { op: 'replace', path: '/metadata/a', value: 10 },
          { op: 'remove', path: '/metadata/b' },
          { op: 'replace', path: '/metadata/_default_message_ttl', value: 300 },
        ]),
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ a: 10, c: 3, _default_message_ttl: 300 });
      expect(res.body.b).toBeUndefined();
      const got = await t.call('get', '/v2/queues/pq');
      expect(got.body).toMatchObject({ a: 10, c: 3, _default_message_ttl: 300 });
    });

    test('a JSON content type is 415 with Accept-Patch', async () => {
      const res = await t.call('patch', '/v2/queues/pq').send([{ op: 'add', path: '/metadata/c', value: 3 }]);
      expect(res.status).toBe(415);
      expect(res.headers['accept-patch']).toBe(PATCH);
    });

    test.each([
      ['an empty body', undefined, 400, 'PATCH body could not be empty for update.'],
      ['an object instead of an array', { op: 'add' }, 400, 'must be a JSON array'],
      ['an unknown op', [{ op: 'move', path: '/metadata/a' }], 400, 'Invalid operation: `move`'],
      ['a missing op', [{ path: '/metadata/a' }], 400, 'Unable to find `op`'],
      ['a path outside metadata', [{ op: 'add', path: '/foo/a', value: 1 }], 400, 'The root of path must be metadata'],
      ['a path too deep', [{ op: 'add', path: '/metadata/a/b', value: 1 }], 400, 'Invalid JSON pointer'],
      ['add without a value', [{ op: 'add', path: '/metadata/a' }], 400, 'requires a member named "value"'],
      [
        'replace of a missing key',
        [{ op: 'replace', path: '/metadata/zz', value: 1 }],
        409,
        "Can't replace non-existent object zz.",
      ],
      [
        'remove of a missing key',
        [{ op: 'remove', path: '/metadata/zz' }],
        409,
        "Can't remove non-existent object zz.",
      ],
      [
        'an invalid reserved value',
        [{ op: 'add', path: '/metadata/_default_message_ttl', value: 5 }],
        400,
        '_default_message_ttl can not exceed',
      ],
    ])('%s is refused and changes nothing', async (_what, body, status, text) => {
      const req = t.call('patch', '/v2/queues/pq', { 'Content-Type': PATCH });
      const res = body === undefined ? await req : await req.send(JSON.stringify(body));
      expect(res.status).toBe(status);
      expect(res.body.description).toContain(text);
      const got = await t.call('get', '/v2/queues/pq');
      expect(got.body).toMatchObject({ a: 1, b: 2, _default_message_ttl: 3600 });
    });

    test('PATCH of a missing queue is 404', async () => {
      const res = await t
        .call('patch', '/v2/queues/missing', { 'Content-Type': PATCH })
        .send(JSON.stringify([{ op: 'add', path: '/metadata/c', value: 3 }]));
      expect(res.status).toBe(404);
    });
  });

  test('DELETE removes the queue and its messages; deleting again is still 204', async () => {
    await t.call('post', '/v2/queues/dq/messages').send({ messages: [{ body: 1 }] });
    expect((await t.call('delete', '/v2/queues/dq')).status).toBe(204);
    expect((await t.call('get', '/v2/queues/dq')).status).toBe(404);
    expect((await t.call('delete', '/v2/queues/dq')).status).toBe(204);
    const stats = await t.call('get', '/v2/queues/dq/stats');
    expect(stats.body.messages.total).toBe(0);
  });

  describe('listing', () => {
    beforeEach(async () => {
      for (const name of ['q-c', 'q-a', 'q-e', 'q-b', 'q-d', 'other']) {
        await t.call('put', `/v2/queues/${name}`).send({ kind: name.startsWith('q') ? 'q' : 'o', n: name.length });
      }
    });

    test('pages by name with links.next until a page is empty', async () => {
      const first = await t.call('get', '/v2/queues?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.queues).toEqual([
        { name: 'other', href: '/v2/queues/other' },
        { name: 'q-a', href: '/v2/queues/q-a' },
      ]);
      expect(first.body.links).toEqual([{ rel: 'next', href: '/v2/queues?marker=q-a&limit=2' }]);
      const names: string[] = first.body.queues.map((q: { name: string }) => q.name);
      let next = first.body.links[0].href;
      for (;;) {
        const page = await t.call('get', next);
        if (page.body.queues.length === 0) {
          expect(page.body.links).toEqual([]);
          break;
        }
        names.push(...page.body.queues.map((q: { name: string }) => q.name));
        next = page.body.links[0].href;
      }
      expect(names).toEqual(['other', 'q-a', 'q-b', 'q-c', 'q-d', 'q-e']);
    });

    test('detailed adds metadata; with_count adds the total; name filters', async () => {
      const res = await t.call('get', '/v2/queues?detailed=true&with_count=true&name=q-&limit=20');
      expect(res.body.count).toBe(6);
      expect(res.body.queues).toHaveLength(5);
      expect(res.body.queues[0].metadata).toMatchObject({ kind: 'q', _default_message_ttl: 3600 });
    });

    test('extra query parameters filter on metadata', async () => {
      const res = await t.call('get', '/v2/queues?kind=o');
      expect(res.body.queues.map((q: { name: string }) => q.name)).toEqual(['other']);
      const byNumber = await t.call('get', '/v2/queues?n=3');
      expect(byNumber.body.queues.map((q: { name: string }) => q.name)).toEqual(['q-a', 'q-b', 'q-c', 'q-d', 'q-e']);
    });

    test.each([
      ['limit=0', 'Limit must be at least 1'],
      ['limit=21', 'may not be greater than 20'],
      ['limit=abc', 'The "limit" parameter is invalid'],
      ['detailed=maybe', 'The "detailed" parameter is invalid'],
    ])('%s is 400', async (query, text) => {
      const res = await t.call('get', `/v2/queues?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.description).toContain(text);
    });

    test('another project sees none of these queues', async () => {
      const res = await t.call('get', '/v2/queues', { 'X-Project-ID': 'someone-else' });
      expect(res.body.queues).toEqual([]);
      expect((await t.call('get', '/v2/queues/q-a', { 'X-Project-ID': 'someone-else' })).status).toBe(404);
      expect((await t.call('delete', '/v2/queues/q-a', { 'X-Project-ID': 'someone-else' })).status).toBe(204);
      expect((await t.call('get', '/v2/queues/q-a')).status).toBe(200);
    });
  });

  test('stats count claimed and free messages and show the oldest and newest', async () => {
    await t.call('post', '/v2/queues/sq/messages').send({ messages: [{ body: 1 }, { body: 2 }, { body: 3 }] });
    t.advance(5);
    await t.call('post', '/v2/queues/sq/messages').send({ messages: [{ body: 4 }] });
    await t.call('post', '/v2/queues/sq/claims?limit=2').send({ ttl: 60, grace: 60 });
    const res = await t.call('get', '/v2/queues/sq/stats');
    expect(res.status).toBe(200);
    expect(res.body.messages).toMatchObject({ claimed: 2, free: 2, total: 4 });
    expect(res.body.messages.oldest).toEqual({
      href: expect.stringMatching(/^\/v2\/queues\/sq\/messages\/[0-9a-f-]+$/),
      age: 5,
      created: '2026-01-01T00:00:00Z',
    });
    expect(res.body.messages.newest).toMatchObject({ age: 0, created: '2026-01-01T00:00:05Z' });
  });

  test('stats of a missing queue are zeros', async () => {
    const res = await t.call('get', '/v2/queues/none/stats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messages: { claimed: 0, free: 0, total: 0 } });
  });

  test('purge removes the messages and keeps the queue', async () => {
    await t.call('put', '/v2/queues/pg').send({ keep: true });
    await t.call('post', '/v2/queues/pg/messages').send({ messages: [{ body: 1 }, { body: 2 }] });
    const res = await t.call('post', '/v2/queues/pg/purge').send({ resource_types: ['messages'] });
    expect(res.status).toBe(204);
    expect((await t.call('get', '/v2/queues/pg/stats')).body.messages.total).toBe(0);
    expect((await t.call('get', '/v2/queues/pg')).body.keep).toBe(true);
  });

  test.each([
    [{}, 'Post body must contain key "resource_types".'],
    [{ resource_types: ['queues'] }, 'Resource types must be a sub set of'],
  ])('purge with %j is 400 and removes nothing', async (body, text) => {
    await t.call('post', '/v2/queues/pg2/messages').send({ messages: [{ body: 1 }] });
    const res = await t.call('post', '/v2/queues/pg2/purge').send(body);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/queues/pg2/stats')).body.messages.total).toBe(1);
  });
});
