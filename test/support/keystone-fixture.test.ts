// The Keystone fixture: a real Keystone issues, validates, revokes and expires tokens for the fixture's users.

import {
  type KeystoneBody,
  type KeystoneFixture,
  keystoneAvailable,
  keystoneMissingMessage,
  sharedKeystone,
  stopSharedKeystone,
} from './keystone';

const describeKeystone = keystoneAvailable() ? describe : describe.skip;
if (!keystoneAvailable()) console.warn(keystoneMissingMessage());

describeKeystone('Keystone fixture', () => {
  let ks: KeystoneFixture;
  beforeAll(async () => {
    ks = await sharedKeystone();
    console.info(`Keystone started in ${ks.startedInMs} ms at ${ks.url}`);
  }, 120_000);
  afterAll(() => stopSharedKeystone(), 30_000);

  test('answers the v3 API on a loopback port with the public endpoint in its catalog', async () => {
    expect(ks.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3$/);
    const { status, body } = await ks.validate(await ks.token('qgate', 'service'));
    expect(status).toBe(200);
    // The fixture asks for tokens without a catalog; GET /v3/auth/catalog shows the endpoint it registered.
    const catalog = await fetch(`${ks.url}/auth/catalog`, {
      headers: { 'x-auth-token': await ks.token('qgate', 'service') },
    });
    const services: KeystoneBody[] = ((await catalog.json()) as KeystoneBody).catalog;
    const urls = services.flatMap((s) => s.endpoints.filter((e: KeystoneBody) => e.interface === 'public'));
    expect(urls.map((e) => e.url)).toContain(ks.url);
    expect(body.token.roles.map((r: { name: string }) => r.name)).toContain('service');
  });

  test('alice and bob get tokens scoped to their own projects; the service user validates them', async () => {
    const alice = await ks.token('alice', 'tenant-a');
    const bob = await ks.token('bob', ks.projects.b);
    expect(alice).not.toBe(bob);

    const service = await ks.token(ks.service.username as 'qgate', ks.service.project);
    const response = await fetch(`${ks.url}/auth/tokens`, {
      headers: { 'x-auth-token': service, 'x-subject-token': alice },
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as KeystoneBody;
    expect(token.project.id).toBe(ks.projects.a);
    expect(token.user.name).toBe('alice');
    expect(token.roles.map((r: { name: string }) => r.name)).toContain('member');
    expect(token.roles.map((r: { name: string }) => r.name)).not.toContain('admin');

    const bobs = await ks.validate(bob);
    expect(bobs.body.token.project.id).toBe(ks.projects.b);
  });

  test('carol is admin on tenant-a; alice cannot scope to tenant-b', async () => {
    const carol = await ks.validate(await ks.token('carol', 'tenant-a'));
    expect(carol.body.token.roles.map((r: { name: string }) => r.name)).toContain('admin');
    await expect(ks.token('alice', 'tenant-b')).rejects.toThrow(/401/);
  });

  test('a revoked token no longer validates (404)', async () => {
    const alice = await ks.token('alice', 'tenant-a');
    expect((await ks.validate(alice)).status).toBe(200);
    await ks.revoke(alice);
    expect((await ks.validate(alice)).status).toBe(404);
  });

  test('an expiring token validates until its expiry, then gives 404', async () => {
    const token = await ks.expiringToken('bob', 'tenant-b', 2);
    const valid = await ks.validate(token);
    expect(valid.status).toBe(200);
    expect(valid.body.token.project.id).toBe(ks.projects.b);
    expect(Date.parse(valid.body.token.expires_at) - Date.now()).toBeLessThanOrEqual(2500);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await ks.validate(token)).status).toBe(404);
  });
});
