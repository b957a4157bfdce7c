// API tests of the admin catalog: pools and flavors, placement of queues by flavor, and bad input.

import { testApp } from '../support/app';

type Pool = { name: string; uri: string; weight: number; flavor: string | null; href: string; options?: object };

describe('pools and flavors API', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp({ adminMode: true });
  });
  afterEach(() => t.close());

  const putPool = (name: string, body: unknown) => t.call('put', `/v2/pools/${name}`).send(body as object);
  const putFlavor = (name: string, body: unknown) => t.call('put', `/v2/flavors/${name}`).send(body as object);

  test('a pool is created (201 + Location), read, listed, patched and deleted', async () => {
    const res = await putPool('mem-b', { uri: 'memory:', weight: 10, options: { note: 'x' } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/v2/pools/mem-b');
    const got = await t.call('get', '/v2/pools/mem-b');
    expect(got.body).toEqual({ name: 'mem-b', uri: 'memory:', weight: 10, flavor: null, href: '/v2/pools/mem-b' });
    const detailed = await t.call('get', '/v2/pools/mem-b?detailed=true');
    expect(detailed.body.options).toEqual({ note: 'x' });
    const list = await t.call('get', '/v2/pools?limit=1');
    expect(list.body.pools.map((p: Pool) => p.name)).toEqual(['default']);
    expect(list.body.links).toEqual([{ rel: 'next', href: '/v2/pools?marker=default&limit=1' }]);
    const next = await t.call('get', list.body.links[0].href);
    expect(next.body.pools.map((p: Pool) => p.name)).toEqual(['mem-b']);
    const last = await t.call('get', `/v2/pools?marker=mem-b`);
    expect(last.body).toEqual({ pools: [], links: [] });
    const patched = await t.call('patch', '/v2/pools/mem-b').send({ weight: 0 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'mem-b', weight: 0 });
    expect((await t.call('delete', '/v2/pools/mem-b')).status).toBe(204);
    expect((await t.call('get', '/v2/pools/mem-b')).status).toBe(404);
    expect((await t.call('delete', '/v2/pools/mem-b')).status).toBe(204);
  });

  test.each([
    ['no uri', { weight: 1 }, '"uri" is a required property'],
    ['no weight', { uri: 'memory:' }, '"weight" is a required property'],
    ['a negative weight', { uri: 'memory:', weight: -1 }, '"weight" must be an integer'],
    ['a string weight', { uri: 'memory:', weight: '5' }, '"weight" must be an integer'],
    ['an unknown field', { uri: 'memory:', weight: 1, color: 'red' }, 'additional property "color"'],
    ['options not an object', { uri: 'memory:', weight: 1, options: [] }, '"options" must be an object'],
    ['an unknown scheme', { uri: 'ftp://x', weight: 1 }, 'cannot connect to ftp://x'],
    ['a flavor that does not exist', { uri: 'memory:', weight: 1, flavor: 'gold' }, 'Flavor gold does not exist'],
  ])('PUT a pool with %s is 400 and creates nothing', async (_what, body, text) => {
    const res = await putPool('bad', body);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/pools/bad')).status).toBe(404);
  });

  test('PUT of an existing pool is 409; PATCH of a missing pool is 404; an empty PATCH is 400', async () => {
    expect((await putPool('default', { uri: 'memory:', weight: 1 })).status).toBe(409);
    expect((await t.call('patch', '/v2/pools/nope').send({ weight: 1 })).status).toBe(404);
    const empty = await t.call('patch', '/v2/pools/default').send({});
    expect(empty.status).toBe(400);
    expect(empty.body.description).toContain('One of `uri`, `weight`, `flavor`, or `options` needs to be specified');
    expect((await t.call('get', '/v2/pools/default')).body.weight).toBe(100);
  });

  test('a pool that owns queues cannot be deleted (409) and keeps serving them', async () => {
    await t.call('put', '/v2/queues/kept');
    const res = await t.call('delete', '/v2/pools/default');
    expect(res.status).toBe(409);
    expect(res.body.description).toContain('Pool default still owns 1 queue(s)');
    expect((await t.call('get', '/v2/queues/kept')).status).toBe(200);
    await t.call('delete', '/v2/queues/kept');
    expect((await t.call('delete', '/v2/pools/default')).status).toBe(204);
  });

  test('a flavor groups pools; queues with _flavor land only on its pools', async () => {
    await putPool('gold-1', { uri: 'memory:', weight: 10 });
    const created = await putFlavor('gold', { pool_list: ['gold-1'] });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/v2/flavors/gold');
    const flavor = await t.call('get', '/v2/flavors/gold');
    expect(flavor.body).toEqual({
      name: 'gold',
      pool_list: ['gold-1'],
      capabilities: ['FIFO', 'CLAIMS', 'AOD', 'HIGH_THROUGHPUT'],
      href: '/v2/flavors/gold',
    });
    expect((await t.call('get', '/v2/pools/gold-1')).body.flavor).toBe('gold');
    for (let i = 0; i < 10; i++) {
      expect((await t.call('put', `/v2/queues/g${i}`).send({ _flavor: 'gold' })).status).toBe(201);
      await t.call('put', `/v2/queues/plain${i}`);
    }
    for (let i = 0; i < 10; i++) {
      expect((await t.catalog.store.getPlacement(t.project, `g${i}`))?.pool).toBe('gold-1');
      expect((await t.catalog.store.getPlacement(t.project, `plain${i}`))?.pool).toBe('default');
    }
    const list = await t.call('get', '/v2/flavors?detailed=true');
    expect(list.body.flavors).toHaveLength(1);
    expect(list.body.flavors[0].capabilities).toContain('CLAIMS');
  });

  test('a queue asking for an unknown flavor is 400 and is not created', async () => {
    const res = await t.call('put', '/v2/queues/q').send({ _flavor: 'platinum' });
    expect(res.status).toBe(400);
    expect(res.body.description).toBe('Flavor platinum does not exist.');
    expect((await t.call('get', '/v2/queues/q')).status).toBe(404);
    expect(await t.catalog.store.getPlacement(t.project, 'q')).toBeUndefined();
  });

  test("changing a queue's _flavor is refused with 409 and keeps its messages", async () => {
    await putPool('gold-1', { uri: 'memory:', weight: 10 });
    await putFlavor('gold', { pool_list: ['gold-1'] });
    await t.call('put', '/v2/queues/fq');
    await t.call('post', '/v2/queues/fq/messages').send({ messages: [{ body: 1 }] });
    const patch = await t
      .call('patch', '/v2/queues/fq', { 'Content-Type': 'application/openstack-messaging-v2.0-json-patch' })
      .send(JSON.stringify([{ op: 'add', path: '/metadata/_flavor', value: 'gold' }]));
    expect(patch.status).toBe(409);
    expect(patch.body.description).toContain('would strand its messages');
    expect((await t.call('get', '/v2/queues/fq/stats')).body.messages.total).toBe(1);
    expect((await t.call('get', '/v2/queues/fq')).body._flavor).toBeUndefined();
  });

  test('PATCH replaces the pool list; DELETE of a flavor returns its pools to the default group', async () => {
    await putPool('p1', { uri: 'memory:', weight: 1 });
    await putPool('p2', { uri: 'memory:', weight: 1 });
    await putFlavor('silver', { pool_list: ['p1'] });
    const patched = await t.call('patch', '/v2/flavors/silver').send({ pool_list: ['p2'] });
    expect(patched.status).toBe(200);
    expect(patched.body.pool_list).toEqual(['p2']);
    expect((await t.call('get', '/v2/pools/p1')).body.flavor).toBeNull();
    expect((await t.call('delete', '/v2/flavors/silver')).status).toBe(204);
    expect((await t.call('get', '/v2/pools/p2')).body.flavor).toBeNull();
    expect((await t.call('get', '/v2/flavors/silver')).status).toBe(404);
  });

  test.each([
    ['no pool_list', {}, 400, '"pool_list" is a required property'],
    ['an empty pool_list', { pool_list: [] }, 400, 'at least one pool'],
    ['a missing pool', { pool_list: ['ghost'] }, 400, 'pool ghost does not exist'],
    ['an unknown field', { pool_list: ['default'], pool: 'x' }, 400, 'additional property "pool"'],
  ])('PUT a flavor with %s is %i and creates nothing', async (_what, body, status, text) => {
    const res = await putFlavor('bad', body);
    expect(res.status).toBe(status);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', '/v2/flavors/bad')).status).toBe(404);
  });

  test('a duplicate flavor is 409', async () => {
    expect((await putFlavor('f', { pool_list: ['default'] })).status).toBe(201);
    expect((await putFlavor('f', { pool_list: ['default'] })).status).toBe(409);
  });

  test('listing limits are checked', async () => {
    expect((await t.call('get', '/v2/pools?limit=0')).status).toBe(400);
    expect((await t.call('get', '/v2/flavors?limit=21')).body.description).toContain('no greater than 20');
  });

  test('health reports each pool', async () => {
    await putPool('second', { uri: 'memory:', weight: 1 });
    const res = await t.call('get', '/v2/health');
    expect(res.body.storage_reachable).toBe(true);
    expect(Object.keys(res.body.pools).sort()).toEqual(['default', 'second']);
  });
});

describe('pools API without admin rights', () => {
  test('every pool call and every flavor change is 403 and changes nothing; flavors can be read', async () => {
    const t = testApp({ adminMode: false });
    for (const [method, path] of [
      ['get', '/v2/pools'],
      ['get', '/v2/pools/default'],
      ['put', '/v2/pools/x'],
      ['patch', '/v2/pools/default'],
      ['delete', '/v2/pools/default'],
      ['put', '/v2/flavors/x'],
      ['patch', '/v2/flavors/x'],
      ['delete', '/v2/flavors/x'],
    ] as const) {
      const res = await t.call(method, path).send({ uri: 'memory:', weight: 1, pool_list: ['default'] });
      expect(res.status).toBe(403);
      expect(res.body.description).toContain('The policy does not allow');
    }
    expect((await t.call('get', '/v2/flavors')).status).toBe(200);
    expect((await t.catalog.store.allPools()).map((p) => p.name)).toEqual(['default']);
    await t.close();
  });
});
