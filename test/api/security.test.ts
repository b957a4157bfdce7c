// Security edges over HTTP: pre-signed URLs, the bypasses Zaqar once had, CORS, and bodies that are data.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createSignedUrl } from '../../src/auth/signed-url';
import { newClientId, testApp } from '../support/app';

const KEY = 'test-secret-key';

describe('pre-signed URLs', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(async () => {
    t = testApp({ signedUrlKey: KEY });
    await t.call('post', '/v2/queues/shared/messages').send({ messages: [{ body: 'hello' }] });
  });
  afterEach(() => t.close());

  const share = (body: object = {}) => t.call('post', '/v2/queues/shared/share').send(body);
  /** A request carrying only the signature headers (no other credentials than X-Project-ID). */
  const signed = (method: 'get' | 'post' | 'delete', path: string, s: Record<string, unknown>, over = {}) =>
    t.agent[method](path).set({
      'Client-ID': newClientId(),
      'X-Project-ID': String(s.project),
      'URL-Signature': String(s.signature),
      'URL-Expires': String(s.expires),
      'URL-Methods': (s.methods as string[]).join(','),
      'URL-Paths': (s.paths as string[]).join(','),
      ...over,
    });

  test('share returns a signature for GET on the queue messages by default', async () => {
    const res = await share();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ paths: ['/v2/queues/shared/messages'], methods: ['GET'], project: t.project });
    expect(res.body.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  test('the signature allows exactly its methods and paths', async () => {
    const s = (await share({ methods: ['GET', 'POST'], paths: ['messages'] })).body;
    const list = await signed('get', '/v2/queues/shared/messages?echo=true', s);
    expect(list.status).toBe(200);
    expect(list.body.messages.map((m: { body: unknown }) => m.body)).toEqual(['hello']);
    expect((await signed('post', '/v2/queues/shared/messages', s).send({ messages: [{ body: 2 }] })).status).toBe(201);
    expect((await signed('delete', '/v2/queues/shared/messages?pop=1', s)).status).toBe(403);
    expect((await signed('get', '/v2/queues/shared/claims', s)).status).toBe(403);
    expect((await signed('get', '/v2/queues/other/messages', s)).status).toBe(403);
    expect((await signed('get', '/v2/queues', s)).status).toBe(403);
  });

  test.each([
    ['the signature', { 'URL-Signature': '0'.repeat(64) }],
    ['an empty signature', { 'URL-Signature': '' }],
    ['the methods', { 'URL-Methods': 'GET,DELETE' }],
    ['the paths', { 'URL-Paths': '/v2/queues/other/messages' }],
    ['the expiry', { 'URL-Expires': '2099-01-01T00:00:00' }],
    ['the project', { 'X-Project-ID': 'someone-else' }],
  ])('tampering with %s is 403', async (_what, over) => {
    const s = (await share()).body;
    const res = await signed('get', '/v2/queues/shared/messages', s, over);
    expect(res.status).toBe(403);
    expect(res.body.description).toContain('Pre-signed URL refused');
  });

  test('a signature is refused once it expires', async () => {
    const s = (await share({ expires: '2026-01-01T00:01:00' })).body;
    expect((await signed('get', '/v2/queues/shared/messages', s)).status).toBe(200);
    t.advance(61);
    const res = await signed('get', '/v2/queues/shared/messages', s);
    expect(res.status).toBe(403);
    expect(res.body.description).toContain('expired');
  });

  test.each([
    [{ paths: ['queues'] }, 'Invalid paths'],
    [{ color: 'red' }, 'Unknown keys'],
    [{ expires: '1700000000' }, 'should be date format'],
    [{ expires: '2020-01-01T00:00:00' }, 'lower than the current time'],
    [{ methods: 'GET' }, 'should be a list'],
  ])('share with %j is 400', async (body, text) => {
    const res = await share(body);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
  });

  const zaqar = '/usr/lib/python3/dist-packages/zaqar/common/urls.py';
  (existsSync(zaqar) ? test : test.skip)('signatures match what Zaqar itself computes', () => {
    const ours = createSignedUrl(KEY, {
      paths: ['/v2/queues/q/messages', '/v2/queues/q/claims'],
      methods: ['POST', 'GET'],
      project: 'p1',
      expires: '2030-05-06T07:08:09',
      now: Date.now(),
    });
    const script =
      'import json,sys\nfrom zaqar.common import urls\n' +
      "print(json.dumps(urls.create_signed_url('test-secret-key', ['/v2/queues/q/messages', '/v2/queues/q/claims']," +
      " project='p1', expires='2030-05-06T07:08:09', methods=['POST', 'GET'])))";
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }));
    expect(ours).toEqual(theirs);
  });
});

describe('sharing without a key', () => {
  test('share is 400 and a URL-Signature header is refused with 403, never a bypass', async () => {
    const t = testApp();
    expect((await t.call('post', '/v2/queues/q/share').send({})).status).toBe(400);
    const res = await t.call('get', '/v2/queues', { 'URL-Signature': '' });
    expect(res.status).toBe(403);
    await t.close();
  });
});

describe('hard edges', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp({ corsOrigins: ['https://ui.example'] });
  });
  afterEach(() => t.close());

  test('__proto__ and constructor keys in bodies are stored as data', async () => {
    const body = '{"messages":[{"body":{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}}]}';
    const res = await t.call('post', '/v2/queues/proto/messages').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const list = await t.call('get', '/v2/queues/proto/messages?echo=true');
    expect(Object.keys(list.body.messages[0].body).sort()).toEqual(['__proto__', 'constructor']);
    const meta = await t
      .call('put', '/v2/queues/proto2')
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{"a":1}}');
    expect(meta.status).toBe(201);
    expect(Object.keys((await t.call('get', '/v2/queues/proto2')).body)).toContain('__proto__');
  });

  test('a malformed body is a 400 with Zaqar’s shape and no stack trace', async () => {
    const res = await t
      .call('post', '/v2/queues/q/messages')
      .set('Content-Type', 'application/json')
      .send('{"messages":');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(['description', 'title']);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|node_modules/);
  });

  test('an EXTRA-SPEC header changes nothing about who the caller is', async () => {
    const res = await t.call('get', '/v2/pools', { 'EXTRA-SPEC': 'anything' });
    expect(res.status).toBe(403);
  });

  test('CORS: an allowed origin gets the headers and a preflight answer; others get none', async () => {
    const pre = await t.agent
      .options('/v2/queues')
      .set({ Origin: 'https://ui.example', 'Access-Control-Request-Method': 'POST' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ui.example');
    expect(pre.headers['access-control-allow-headers']).toContain('Client-ID');
    const get = await t.call('get', '/v2/queues', { Origin: 'https://ui.example' });
    expect(get.headers['access-control-allow-origin']).toBe('https://ui.example');
    const other = await t.call('get', '/v2/queues', { Origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
