// Property-based bad input: random and malformed requests at every route never get a 5xx or hang,
// and the store stays consistent (what a listing shows is what stats count).

import fc from 'fast-check';
import { testApp } from '../support/app';

const ROUTES = [
  '/v2/queues',
  '/v2/queues/{q}',
  '/v2/queues/{q}/stats',
  '/v2/queues/{q}/purge',
  '/v2/queues/{q}/share',
  '/v2/queues/{q}/messages',
  '/v2/queues/{q}/messages/{id}',
  '/v2/queues/{q}/claims',
  '/v2/queues/{q}/claims/{id}',
  '/v2/pools/{q}',
  '/v2/flavors/{q}',
  '/v2/health',
  '/v2/ping',
];
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head'] as const;

const jsonish = fc.oneof(
  fc.json(),
  fc.string(),
  fc.constantFrom('{"messages":[{"body":1,"ttl":"x"}]}', '[{"op":"add"}]', '{"__proto__":{"x":1}}', '{', 'null'),
  fc.record({ messages: fc.array(fc.record({ body: fc.jsonValue(), ttl: fc.integer(), delay: fc.integer() })) }),
  fc.record({ ttl: fc.integer(), grace: fc.integer() }),
);
const segment = fc.oneof(
  fc.constantFrom('q1', 'q2', 'bad name', '%00', 'a'.repeat(70), '..', '__proto__'),
  fc.stringMatching(/^[a-zA-Z0-9_.%-]{1,12}$/),
);
const query = fc.array(
  fc.tuple(fc.constantFrom('limit', 'marker', 'echo', 'ids', 'pop', 'claim_id', 'detailed', 'name', 'x'), fc.string()),
  { maxLength: 3 },
);

describe('fuzzing every route', () => {
  test('no request gets a 5xx, and listings agree with stats afterwards', async () => {
    const t = testApp({ adminMode: true, signedUrlKey: 'k' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.constantFrom(...METHODS),
        segment,
        segment,
        query,
        jsonish,
        fc.constantFrom('application/json', 'application/openstack-messaging-v2.0-json-patch', 'text/plain'),
        async (route, method, q, id, params, body, type) => {
          const search = new URLSearchParams(params).toString();
          const path = route.replace('{q}', encodeURIComponent(q)).replace('{id}', encodeURIComponent(id));
          const req = t.call(method, `${path}${search ? `?${search}` : ''}`).set('Content-Type', type);
          const res = await (typeof body === 'string' ? req.send(body) : req.send(JSON.stringify(body)));
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
    for (const queue of ['q1', 'q2']) {
      const listed = await t.call(
        'get',
        `/v2/queues/${queue}/messages?echo=true&include_claimed=true&include_delayed=true&limit=20`,
      );
      const stats = await t.call('get', `/v2/queues/${queue}/stats`);
      expect(listed.status).toBe(200);
      if (stats.body.messages.total <= 20) expect(listed.body.messages).toHaveLength(stats.body.messages.total);
    }
    await t.close();
  }, 120_000);
});
