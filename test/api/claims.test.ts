// API tests of the claim routes: claim, get, renew, release, delete under a claim, dead-lettering, bad input.

import { testApp } from '../support/app';

type Msg = { id: string; href: string; ttl: number; age: number; body: unknown };

describe('claims API', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp();
  });
  afterEach(() => t.close());

  const post = (queue: string, bodies: unknown[], ttl = 3600) =>
    t.call('post', `/v2/queues/${queue}/messages`).send({ messages: bodies.map((body) => ({ body, ttl })) });
  const claim = (queue: string, body: object = { ttl: 60, grace: 60 }, limit?: number) =>
    t.call('post', `/v2/queues/${queue}/claims${limit ? `?limit=${limit}` : ''}`).send(body);

  test('POST claims the oldest messages: 201 with Location and claim hrefs', async () => {
    await post('cq', [1, 2, 3]);
    const res = await claim('cq', { ttl: 120, grace: 60 }, 2);
    expect(res.status).toBe(201);
    expect(res.headers.location).toMatch(/^\/v2\/queues\/cq\/claims\/[0-9a-f-]{36}$/);
    const claimId = res.headers.location.split('/').pop();
    expect(res.body.messages.map((m: Msg) => m.body)).toEqual([1, 2]);
    for (const m of res.body.messages) expect(m.href).toBe(`/v2/queues/cq/messages/${m.id}?claim_id=${claimId}`);
  });

  test('POST with nothing to claim is 204 (also on a queue that does not exist)', async () => {
    expect((await claim('none')).status).toBe(204);
    await post('busy', [1]);
    expect((await claim('busy')).status).toBe(201);
    expect((await claim('busy')).status).toBe(204);
  });

  test('a claim without a body uses the default TTL and grace; limit defaults to 10', async () => {
    await post(
      'dflt',
      Array.from({ length: 12 }, (_, i) => i),
    );
    const res = await t.call('post', '/v2/queues/dflt/claims');
    expect(res.status).toBe(201);
    expect(res.body.messages).toHaveLength(10);
    const got = await t.call('get', res.headers.location);
    expect(got.body.ttl).toBe(300);
  });

  test('GET shows age, ttl, messages and href; PATCH renews; DELETE releases', async () => {
    await post('life', [1, 2]);
    const created = await claim('life', { ttl: 60, grace: 60 });
    const href = created.headers.location;
    t.advance(10);
    const got = await t.call('get', href);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ age: 10, ttl: 60, href });
    expect(got.body.messages.map((m: Msg) => m.body)).toEqual([1, 2]);

    expect((await t.call('patch', href).send({ ttl: 300, grace: 60 })).status).toBe(204);
    const renewed = await t.call('get', href);
    expect(renewed.body).toMatchObject({ age: 0, ttl: 300 });
    t.advance(200);
    expect((await t.call('get', href)).status).toBe(200);

    expect((await t.call('delete', href)).status).toBe(204);
    expect((await t.call('get', href)).status).toBe(404);
    const free = await t.call('get', '/v2/queues/life/messages?echo=true');
    expect(free.body.messages.map((m: Msg) => m.body)).toEqual([1, 2]);
    expect((await t.call('delete', href)).status).toBe(204);
  });

  test('an expired claim is gone and its messages are free again', async () => {
    await post('expire', [1]);
    const href = (await claim('expire', { ttl: 60, grace: 60 })).headers.location;
    t.advance(61);
    expect((await t.call('get', href)).status).toBe(404);
    expect((await t.call('patch', href).send({ ttl: 60 })).status).toBe(404);
    expect((await claim('expire')).status).toBe(201);
  });

  test('a claim keeps its messages alive until the claim ends plus grace', async () => {
    await post('keep', [1], 60);
    const res = await claim('keep', { ttl: 120, grace: 60 });
    expect(res.body.messages[0].ttl).toBe(180);
    const href = res.body.messages[0].href.split('?')[0];
    t.advance(150);
    expect((await t.call('get', res.headers.location)).status).toBe(404);
    expect((await t.call('get', href)).status).toBe(200);
    t.advance(31);
    expect((await t.call('get', href)).status).toBe(404);
  });

  test('releasing a claim does not restart the message TTL', async () => {
    await post('ttl', [1], 600);
    const href = (await claim('ttl', { ttl: 60, grace: 60 })).headers.location;
    t.advance(50);
    await t.call('delete', href);
    const msg = (await t.call('get', '/v2/queues/ttl/messages?echo=true')).body.messages[0];
    expect(msg).toMatchObject({ ttl: 600, age: 50 });
    t.advance(551);
    expect((await t.call('get', '/v2/queues/ttl/messages?echo=true')).body.messages).toEqual([]);
  });

  describe('deleting a claimed message', () => {
    let href: string;
    let claimId: string;
    beforeEach(async () => {
      await post('dc', [1]);
      const res = await claim('dc');
      href = res.body.messages[0].href.split('?')[0];
      claimId = res.headers.location.split('/').pop() as string;
    });

    test('without the claim id is 403 and the message stays', async () => {
      const res = await t.call('delete', href);
      expect(res.status).toBe(403);
      expect(res.body.description).toBe('This message is claimed; it cannot be deleted without a valid claim ID.');
      expect((await t.call('get', href)).status).toBe(200);
    });

    test('with another claim id is 403', async () => {
      expect((await t.call('delete', `${href}?claim_id=00000000-0000-0000-0000-000000000000`)).status).toBe(403);
    });

    test('with its claim id is 204 and the message leaves the claim', async () => {
      expect((await t.call('delete', `${href}?claim_id=${claimId}`)).status).toBe(204);
      expect((await t.call('get', href)).status).toBe(404);
      const c = await t.call('get', `/v2/queues/dc/claims/${claimId}`);
      expect(c.body.messages).toEqual([]);
    });

    test('naming a claim for a free message is 400', async () => {
      await t.call('delete', `/v2/queues/dc/claims/${claimId}`);
      const res = await t.call('delete', `${href}?claim_id=${claimId}`);
      expect(res.status).toBe(400);
      expect(res.body.description).toBe('A claim was specified, but the message is not currently claimed.');
    });
  });

  test('a message claimed more than _max_claim_count times moves to the dead-letter queue', async () => {
    await t.call('put', '/v2/queues/work').send({
      _max_claim_count: 2,
      _dead_letter_queue: 'dead',
      _dead_letter_queue_messages_ttl: 7200,
    });
    await post('work', ['poison']);
    for (let i = 0; i < 2; i++) {
      const res = await claim('work');
      expect(res.status).toBe(201);
      await t.call('delete', res.headers.location);
    }
    expect((await claim('work')).status).toBe(204);
    expect((await t.call('get', '/v2/queues/work/stats')).body.messages.total).toBe(0);
    const dead = await t.call('get', '/v2/queues/dead/messages?echo=true');
    expect(dead.body.messages.map((m: Msg) => [m.body, m.ttl])).toEqual([['poison', 7200]]);
  });

  test.each([
    ['a TTL under 60', { ttl: 59 }, 'The TTL for a claim may not exceed 43200 seconds'],
    ['a TTL over 43200', { ttl: 43201 }, 'and must be at least 60 seconds long'],
    ['a grace under 60', { ttl: 60, grace: 10 }, 'The grace for a claim may not exceed 43200'],
    ['a string TTL', { ttl: '60' }, 'The value of the "ttl" field must be a int.'],
    ['an array body', [1], 'Document type not supported.'],
  ])('POST with %s is 400 and claims nothing', async (_what, body, text) => {
    await post('badclaim', [1]);
    const res = await t.call('post', '/v2/queues/badclaim/claims').send(body as object);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/queues/badclaim/stats')).body.messages.claimed).toBe(0);
  });

  test.each([
    ['limit=0', 'Limit must be at least 1'],
    ['limit=21', 'may not be greater than 20'],
    ['limit=ten', 'The "limit" parameter is invalid'],
  ])('POST ?%s is 400', async (query, text) => {
    const res = await t.call('post', `/v2/queues/q/claims?${query}`).send({ ttl: 60 });
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
  });

  test('PATCH with a bad TTL or no body is 400 and keeps the claim as it was', async () => {
    await post('pb', [1]);
    const href = (await claim('pb', { ttl: 100, grace: 60 })).headers.location;
    expect((await t.call('patch', href).send({ ttl: 5 })).status).toBe(400);
    expect((await t.call('patch', href)).status).toBe(400);
    expect((await t.call('get', href)).body.ttl).toBe(100);
  });

  test('GET of a missing claim is 404', async () => {
    const res = await t.call('get', '/v2/queues/q/claims/nope');
    expect(res.status).toBe(404);
    expect(res.body.description).toContain('Claim nope does not exist');
  });

  test('parallel claims on one queue never hand out one message twice', async () => {
    const bodies = Array.from({ length: 100 }, (_, i) => i);
    for (let i = 0; i < 100; i += 20) await post('race', bodies.slice(i, i + 20));
    const results = await Promise.all(Array.from({ length: 30 }, () => claim('race', { ttl: 60, grace: 60 }, 5)));
    const seen = results.flatMap((r) => (r.status === 201 ? r.body.messages.map((m: Msg) => m.id) : []));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(100);
    expect(results.filter((r) => r.status === 204)).toHaveLength(10);
  });
});
