// Bad requests over websocket get an error reply on the same socket, in Zaqar's shape, and the connection stays usable.

import { encode } from '@msgpack/msgpack';
import { WsTestClient } from '../support/ws-client';
import { startTestWsServer, type TestWsServer } from '../support/ws-server';

describe('websocket errors', () => {
  let t: TestWsServer;
  let c: WsTestClient;
  beforeAll(async () => {
    t = await startTestWsServer();
  });
  beforeEach(async () => {
    c = await WsTestClient.connect(t.url, t.project());
  });
  afterEach(async () => {
    // Whatever went wrong before, the same connection still answers a good request.
    const ok = await c.request('queue_list', {});
    expect(ok.headers.status).toBe(200);
    await c.close();
  });
  afterAll(async () => {
    await t.close();
  });

  const EMPTY_ECHO = { action: null, body: {}, headers: {}, api: 'v2' };

  test('a text frame that is not JSON is 400 with an empty request echo', async () => {
    c.sendRaw('{"action": "queue_list", ');
    const frame = await c.next();
    expect(frame.binary).toBe(false);
    expect(frame.document.headers).toEqual({ status: 400 });
    expect(frame.document.request).toEqual(EMPTY_ECHO);
    expect(frame.document.body.error).toMatch(/^Can't decode text \(JSON\) request\. SyntaxError: /);
  });

  test('a binary frame that is not MessagePack is 400, answered in binary', async () => {
    c.sendRaw(Buffer.from([0xc1]), true);
    const frame = await c.next();
    expect(frame.binary).toBe(true);
    expect(frame.document.headers.status).toBe(400);
    expect(frame.document.body.error).toMatch(/^Can't decode binary \(MessagePack\) request\./);
  });

  test('MessagePack values JSON cannot hold (binary data) are refused', async () => {
    const request = { action: 'queue_list', headers: c.headers(), body: { marker: new Uint8Array([1, 2]) } };
    c.sendRaw(Buffer.from(encode(request)), true);
    const frame = await c.next();
    expect(frame.document.headers.status).toBe(400);
    expect(frame.document.body.error).toContain('only JSON values are accepted');
  });

  test.each(['123', '"a string"', '[{"action": "queue_list"}]', 'null'])('%s is not a request object', async (raw) => {
    c.sendRaw(raw);
    const reply = (await c.next()).document;
    expect(reply).toEqual({
      request: EMPTY_ECHO,
      headers: { status: 400 },
      body: { error: 'Unexpected body type. Expected dict or dict like.' },
    });
  });

  test('an unknown action is 400 "… is not a valid action", echoing the request', async () => {
    const reply = await c.request('queue_glorify', { queue_name: 'q' });
    expect(reply.headers.status).toBe(400);
    expect(reply.body).toEqual({ error: 'queue_glorify is not a valid action' });
    expect(reply.request).toEqual({
      action: 'queue_glorify',
      body: { queue_name: 'q' },
      headers: c.headers(),
      api: 'v2',
    });
  });

  test.each([
    ['no action', { headers: {} }, 'None is not a valid action'],
    ['a name on the prototype', { action: 'constructor', headers: {} }, 'constructor is not a valid action'],
    ['a number', { action: 7, headers: {} }, '7 is not a valid action'],
  ])('%s is not a valid action', async (_name, request, error) => {
    c.sendRaw(JSON.stringify(request));
    const reply = (await c.next()).document;
    expect(reply.headers.status).toBe(400);
    expect(reply.body.error).toBe(error);
  });

  test.each([
    ['a missing required field', 'message_get', { queue_name: 'q' }, 'The body has no "message_id" field.'],
    ['a field of the wrong type', 'queue_list', { limit: '5' }, 'The "limit" field must be an integer.'],
    ['a body that is not an object', 'queue_get', 'q', '"body" must be an object.'],
    ['a missing body', 'queue_get', undefined, 'The request has no "body" object.'],
    [
      'message ids that are not strings',
      'message_get_many',
      { queue_name: 'q', message_ids: [1] },
      'an array of strings',
    ],
    ['messages that are not a list', 'message_post', { queue_name: 'q', messages: '{}' }, 'must be an array'],
  ])('%s fails schema validation (400)', async (_name, action, body, detail) => {
    const reply = await c.request(action, body);
    expect(reply.headers.status).toBe(400);
    expect(reply.body.error).toBe('Schema validation failed.');
    expect(reply.body.exception).toContain(detail);
  });

  test('headers that are missing or not strings fail schema validation', async () => {
    c.sendRaw(JSON.stringify({ action: 'queue_list', body: {} }));
    expect((await c.next()).document.body.exception).toBe('The request has no "headers" object.');
    const reply = await c.request('queue_list', {}, { headers: c.headers({ 'Client-ID': 42 }) });
    expect(reply.body).toEqual({
      error: 'Schema validation failed.',
      exception: 'The Client-ID header must be a string.',
    });
  });

  test.each([
    ['a missing Client-ID', { 'Client-ID': undefined }, 'The Client-ID header is required.'],
    ['a Client-ID that is not a UUID', { 'Client-ID': '0xdeadbeef' }, 'Malformed hexadecimal UUID.'],
    ['a missing X-Project-ID', { 'X-Project-ID': undefined }, 'The header X-PROJECT-ID was missing'],
    ['a project id over 256 characters', { 'X-Project-ID': 'p'.repeat(257) }, 'not be more than 256'],
  ])('%s is 400 with the HTTP API description', async (_name, headers, description) => {
    const reply = await c.request('queue_create', { queue_name: 'q' }, { headers: c.headers(headers) });
    expect(reply.headers.status).toBe(400);
    expect(reply.body.exception).toContain(description);
    expect(reply.body.error).toContain(description);
  });

  test.each(['m@rsb@r', 'v'.repeat(65), 'non-ascii-n\u0153me', ''])('queue name %j is 400', async (name) => {
    const reply = await c.request('queue_create', { queue_name: name });
    expect(reply.headers.status).toBe(400);
    expect(reply.body.title).toBe('Invalid queue identification');
  });

  test('missing queues, messages and claims are 404', async () => {
    expect((await c.request('queue_get', { queue_name: 'nope' })).headers.status).toBe(404);
    const message = await c.request('message_get', { queue_name: 'nope', message_id: 'a' });
    expect(message.headers.status).toBe(404);
    expect(message.body.title).toBe('Not found');
    await c.request('queue_create', { queue_name: 'here' });
    const claim = await c.request('claim_get', { queue_name: 'here', claim_id: 'c0ffee' });
    expect(claim.headers.status).toBe(404);
    expect((await c.request('claim_update', { queue_name: 'here', claim_id: 'c0ffee' })).headers.status).toBe(404);
  });

  test('limits of the operations apply: a message TTL under the minimum is 400', async () => {
    const reply = await c.request('message_post', { queue_name: 'q', messages: [{ ttl: 59, body: 1 }] });
    expect(reply.headers.status).toBe(400);
    expect(reply.body.exception).toContain('must be at least 60 seconds');
  });

  test('messages without a body are refused as Zaqar words it', async () => {
    const reply = await c.request('message_post', { queue_name: 'q', messages: [{ ttl: 200 }] });
    expect(reply.headers.status).toBe(400);
    expect(reply.body.exception).toBe('Missing "body" field.');
  });

  test.each([
    ['subscription_list', { queue_name: 'q' }],
    ['subscription_create', { queue_name: 'q', subscriber: 'http://example.com/hook', ttl: 3600 }],
    ['subscription_get', { queue_name: 'q', subscription_id: 's' }],
    ['subscription_delete', { queue_name: 'q', subscription_id: 's' }],
  ])('%s answers 501 until qgate has subscriptions', async (action, body) => {
    const reply = await c.request(action, body);
    expect(reply.headers.status).toBe(501);
    expect(reply.body.error).toContain('Subscriptions are not available');
  });

  test('"__proto__" keys are kept as data', async () => {
    const raw = `{"action": "queue_create", "headers": ${JSON.stringify(c.headers())}, "body": {"queue_name": "proto", "metadata": {"__proto__": {"polluted": true}}}}`;
    c.sendRaw(raw);
    expect((await c.next()).document.headers.status).toBe(201);
    const meta = await c.request('queue_get', { queue_name: 'proto' });
    expect(Object.getOwnPropertyDescriptor(meta.body, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
