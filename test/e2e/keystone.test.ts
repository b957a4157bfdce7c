// Against a real Keystone: tokens, tenancy, roles, expiry and revocation, and Zaqar's past bypasses.

import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import { type Gateway, startGateway } from '../../src/main';
import {
  type KeystoneFixture,
  keystoneAvailable,
  keystoneMissingMessage,
  sharedKeystone,
  stopSharedKeystone,
} from '../support/keystone';
import { freePort } from '../support/redis-server';
import { WsTestClient } from '../support/ws-client';

const describeKeystone = keystoneAvailable() ? describe : describe.skip;
if (!keystoneAvailable()) console.warn(keystoneMissingMessage());

describeKeystone('qgate with auth_strategy keystone', () => {
  let ks: KeystoneFixture;
  let gw: Gateway;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ks = await sharedKeystone();
    const config = loadConfig(
      {},
      {
        port: 0,
        auth_strategy: 'keystone',
        keystone: {
          url: ks.url,
          username: ks.service.username,
          password: ks.service.password,
          project: ks.service.project,
          token_cache_seconds: 1,
        },
        signed_url: { secret_key: 'k' },
        websocket: { port: await freePort() },
        log: { level: 'silent', access: false },
      },
    );
    gw = await startGateway(config, pino({ level: 'silent' }));
    tokens.alice = await ks.token('alice', 'tenant-a');
    tokens.bob = await ks.token('bob', 'tenant-b');
    tokens.carol = await ks.token('carol', 'tenant-a');
  }, 180_000);
  afterAll(async () => {
    await gw?.close();
    await stopSharedKeystone();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { 'Client-ID': randomUUID(), 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const as = (user: string, extra: Record<string, string> = {}) => ({ 'X-Auth-Token': tokens[user], ...extra });

  test('no token is 401 with the WWW-Authenticate header Keystone middleware sends', async () => {
    const res = await call('GET', '/v2/queues', { 'X-Project-ID': ks.projects.a });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Keystone uri="${ks.url.replace(/\/v3$/, '')}"`);
  });

  test('a bogus token is 401', async () => {
    expect((await call('GET', '/v2/queues', { 'X-Auth-Token': 'not-a-token' })).status).toBe(401);
  });

  test("project A's queues are invisible and untouchable from project B", async () => {
    expect((await call('PUT', '/v2/queues/private', as('alice'))).status).toBe(201);
    const posted = await call('POST', '/v2/queues/private/messages', as('alice'), { messages: [{ body: 'a-only' }] });
    expect(posted.status).toBe(201);
    const listB = (await (await call('GET', '/v2/queues', as('bob'))).json()) as { queues: Array<{ name: string }> };
    expect(listB.queues.map((q: { name: string }) => q.name)).not.toContain('private');
    expect((await call('GET', '/v2/queues/private', as('bob'))).status).toBe(404);
    expect((await call('POST', '/v2/queues/private/claims', as('bob'), {})).status).toBe(204);
    await call('DELETE', '/v2/queues/private', as('bob'));
    expect((await call('GET', '/v2/queues/private/stats', as('alice'))).status).toBe(200);
    const stats = (await (await call('GET', '/v2/queues/private/stats', as('alice'))).json()) as {
      messages: { total: number };
    };
    expect(stats.messages.total).toBe(1);
  });

  test("a client's X-Project-ID never widens a token beyond its own project", async () => {
    await call('PUT', '/v2/queues/b-secret', as('bob'));
    const res = await call('GET', '/v2/queues/b-secret', as('alice', { 'X-Project-ID': ks.projects.b }));
    expect(res.status).toBe(404);
    await call('PUT', '/v2/queues/made-by-alice', as('alice', { 'X-Project-ID': ks.projects.b }));
    expect((await call('GET', '/v2/queues/made-by-alice', as('bob'))).status).toBe(404);
    expect((await call('GET', '/v2/queues/made-by-alice', as('alice'))).status).toBe(200);
  });

  test('a member cannot manage pools or flavors (403); an admin can', async () => {
    const body = { uri: 'memory:', weight: 1 };
    expect((await call('PUT', '/v2/pools/extra', as('alice'), body)).status).toBe(403);
    expect((await call('GET', '/v2/pools', as('alice'))).status).toBe(403);
    expect((await call('PUT', '/v2/pools/extra', as('carol'), body)).status).toBe(201);
    expect((await call('GET', '/v2/pools/extra', as('carol'))).status).toBe(200);
    expect((await call('PUT', '/v2/flavors/f', as('alice'), { pool_list: ['extra'] })).status).toBe(403);
    expect((await call('PUT', '/v2/flavors/f', as('carol'), { pool_list: ['extra'] })).status).toBe(201);
    expect((await call('GET', '/v2/health', as('alice'))).status).toBe(403);
    expect((await call('GET', '/v2/health', as('carol'))).status).toBe(200);
  });

  test('no token with an EXTRA-SPEC header is still 401 (Zaqar 15.0.0 let it through)', async () => {
    const res = await call('GET', '/v2/queues', { 'EXTRA-SPEC': 'x', 'X-Project-ID': ks.projects.a });
    expect(res.status).toBe(401);
  });

  test('no token with an empty, bogus or expired URL-Signature is refused, never a bypass', async () => {
    const base = { 'X-Project-ID': ks.projects.a, 'URL-Methods': 'GET', 'URL-Paths': '/v2/queues/private/messages' };
    for (const extra of [
      { 'URL-Signature': '', 'URL-Expires': '2099-01-01T00:00:00' },
      { 'URL-Signature': 'f'.repeat(64), 'URL-Expires': '2099-01-01T00:00:00' },
      { 'URL-Signature': 'f'.repeat(64), 'URL-Expires': '2001-01-01T00:00:00' },
    ]) {
      const res = await call('GET', '/v2/queues/private/messages', { ...base, ...extra });
      expect(res.status).toBe(403);
    }
  });

  test('a URL shared by project A opens exactly its queue messages, without a token', async () => {
    const share = (await (await call('POST', '/v2/queues/private/share', as('alice'), {})).json()) as {
      project: string;
      signature: string;
      expires: string;
      methods: string[];
      paths: string[];
    };
    const res = await call('GET', '/v2/queues/private/messages?echo=true', {
      'X-Project-ID': share.project,
      'URL-Signature': share.signature,
      'URL-Expires': share.expires,
      'URL-Methods': share.methods.join(','),
      'URL-Paths': share.paths.join(','),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { messages: Array<{ body: unknown }> }).messages.map((m: { body: unknown }) => m.body),
    ).toEqual(['a-only']);
  });

  test('a websocket session must authenticate, and acts only on its token’s project', async () => {
    const c = await WsTestClient.connect(gw.wsUrl as string, ks.projects.b);
    const early = await c.request('queue_create', { queue_name: 'ws-q' });
    expect(early.headers.status).toBe(403);
    const bad = await c.request('authenticate', undefined, { headers: c.headers({ 'X-Auth-Token': 'bogus' }) });
    expect(bad.headers.status).toBe(401);
    const ok = await c.request('authenticate', undefined, { headers: c.headers({ 'X-Auth-Token': tokens.alice }) });
    expect(ok.headers.status).toBe(200);
    // The frame names project B; the session's token is alice's (project A): the queue lands in A.
    expect((await c.request('queue_create', { queue_name: 'ws-q' })).headers.status).toBe(201);
    await c.close();
    expect((await call('GET', '/v2/queues/ws-q', as('bob'))).status).toBe(404);
    expect((await call('GET', '/v2/queues/ws-q', as('alice'))).status).toBe(200);
  });

  test('an expired token is refused', async () => {
    const token = await ks.expiringToken('alice', 'tenant-a', 2);
    expect((await call('GET', '/v2/queues', { 'X-Auth-Token': token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await call('GET', '/v2/queues', { 'X-Auth-Token': token })).status).toBe(401);
  });

  test('a revoked token is refused once the cache (token_cache_seconds: 1) lets go of it', async () => {
    const token = await ks.token('alice', 'tenant-a');
    expect((await call('GET', '/v2/queues', { 'X-Auth-Token': token })).status).toBe(200);
    await ks.revoke(token);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call('GET', '/v2/queues', { 'X-Auth-Token': token })).status).toBe(401);
  });
});
