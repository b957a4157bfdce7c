// The fast dispatcher answers exactly as express does: the same requests, side by side, give the same responses.

import { testApp } from '../support/app';

type App = ReturnType<typeof testApp>;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const KEPT_HEADERS = [
  'content-type',
  'content-length',
  'allow',
  'location',
  'cache-control',
  'vary',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

/** A response with ids made comparable: status, the headers that matter, and the body text. */
function normalise(res: { status: number; headers: Record<string, string>; text?: string }, project: string) {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    if (res.headers[name] !== undefined) headers[name] = String(res.headers[name]).replace(UUID, '<id>');
  }
  return {
    status: res.status,
    requestId: /^req-[0-9a-f-]{36}$/.test(res.headers['x-openstack-request-id'] ?? ''),
    headers,
    body: (res.text ?? '').replace(UUID, '<id>').replaceAll(project, '<project>'),
  };
}

/** Raw requests through supertest's agent, with the app's v2 headers unless `bare`. */
function requester(t: App) {
  return (method: string, path: string, headers: Record<string, string> = {}, body?: string, bare = false) => {
    let req = t.agent[method.toLowerCase() as 'get'](path);
    if (!bare) req = req.set({ 'Client-ID': t.clientId, 'X-Project-ID': t.project });
    req = req.set(headers);
    if (body !== undefined) req = req.send(body);
    return req.then((res) => normalise(res, t.project));
  };
}

/** One sequence of requests covering the v2 routes and their edge cases; ids come from earlier answers. */
async function scenario(t: App) {
  const send = requester(t);
  const json = { 'Content-Type': 'application/json' };
  const out: unknown[] = [];
  const add = async (label: string, response: ReturnType<ReturnType<typeof requester>>) => {
    out.push({ label, ...(await response) });
  };
  await add('create queue', send('PUT', '/v2/queues/fq', json, '{"_default_message_ttl": 300}'));
  await add(
    'post two',
    send('POST', '/v2/queues/fq/messages', json, '{"messages":[{"body":{"a":1}},{"body":2,"ttl":120}]}'),
  );
  await add('post, trailing slash', send('POST', '/v2/queues/fq/messages/', json, '{"messages":[{"body":3}]}'));
  await add('post, upper case path', send('POST', '/V2/QUEUES/fq/MESSAGES', json, '{"messages":[{"body":4}]}'));
  await add('post, encoded name', send('POST', '/v2/queues/f%71/messages', json, '{"messages":[{"body":5}]}'));
  await add('post, name that does not decode', send('POST', '/v2/queues/%E0%A4%A/messages', json, '{}'));
  await add('post, bad name', send('POST', '/v2/queues/bad.name/messages', json, '{"messages":[{"body":1}]}'));
  await add('post, bad JSON', send('POST', '/v2/queues/fq/messages', json, '{"messages":['));
  await add('post, no body', send('POST', '/v2/queues/fq/messages', json));
  await add('post, no messages', send('POST', '/v2/queues/fq/messages', json, '{"messages":[]}'));
  await add('post, bad TTL', send('POST', '/v2/queues/fq/messages', json, '{"messages":[{"body":1,"ttl":5}]}'));
  await add(
    'post, form body',
    send('POST', '/v2/queues/fq/messages', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=1'),
  );
  await add('post, no Client-ID', send('POST', '/v2/queues/fq/messages', { ...json, 'X-Project-ID': 'p' }, '{}', true));
  await add(
    'post, no project',
    send('POST', '/v2/queues/fq/messages', { ...json, 'Client-ID': t.clientId }, '{}', true),
  );
  await add('list, echo', send('GET', '/v2/queues/fq/messages?echo=true&limit=3'));
  await add('list, repeated limit', send('GET', '/v2/queues/fq/messages?echo=true&limit=1&limit=2'));
  await add('list, bad limit', send('GET', '/v2/queues/fq/messages?limit=x'));
  await add('list, bad echo', send('GET', '/v2/queues/fq/messages?echo=maybe'));
  await add('list, HEAD', send('HEAD', '/v2/queues/fq/messages?echo=true'));
  await add('list, Accept json', send('GET', '/v2/queues/fq/messages?echo=true', { Accept: 'application/json' }));
  await add(
    'list, Accept negotiated',
    send('GET', '/v2/queues/fq/messages', { Accept: 'text/plain;q=0.5, application/json' }),
  );
  await add('list, Accept refused', send('GET', '/v2/queues/fq/messages', { Accept: 'text/html' }));
  await add('messages, PUT is 405', send('PUT', '/v2/queues/fq/messages', json, '{}'));
  await add('messages, OPTIONS is 405', send('OPTIONS', '/v2/queues/fq/messages'));
  await add('messages, PATCH without Client-ID', send('PATCH', '/v2/queues/fq/messages', {}, undefined, true));
  await add('unknown path under a queue', send('GET', '/v2/queues/fq/nothing'));
  await add('double trailing slash', send('GET', '/v2/queues/fq/messages//'));
  await add('empty queue segment', send('GET', '/v2/queues//messages'));
  const claim = await t.agent
    .post('/v2/queues/fq/claims?limit=2')
    .set({ 'Client-ID': t.clientId, 'X-Project-ID': t.project, ...json })
    .send('{"ttl":60,"grace":60}');
  out.push({ label: 'claim', ...normalise(claim, t.project) });
  const claimPath = claim.headers.location as string;
  const claimed = (claim.body.messages as Array<{ id: string; href: string }>).map((m) => m);
  await add('claim, get', send('GET', claimPath));
  await add('claim, HEAD', send('HEAD', claimPath));
  await add('claim, renew', send('PATCH', claimPath, json, '{"ttl":120,"grace":60}'));
  await add('claim, bad body', send('PATCH', claimPath, json, '{"ttl":"x"}'));
  await add('claim, POST is 405', send('POST', claimPath, json, '{}'));
  await add('message under claim, get', send('GET', claimed[0].href));
  await add('message under claim, delete without claim', send('DELETE', `/v2/queues/fq/messages/${claimed[0].id}`));
  await add('message under claim, delete', send('DELETE', claimed[0].href));
  await add('messages by ids', send('GET', `/v2/queues/fq/messages?ids=${claimed[1].id},nope`));
  await add('delete by ids', send('DELETE', `/v2/queues/fq/messages?ids=${claimed[1].id}`));
  await add('claim, delete', send('DELETE', claimPath));
  await add('claim, gone', send('GET', claimPath));
  await add('claim, empty queue', send('POST', '/v2/queues/nothing-here/claims', json, '{}'));
  await add('claim, bad limit', send('POST', '/v2/queues/fq/claims?limit=0', json, '{}'));
  await add('pop', send('DELETE', '/v2/queues/fq/messages?pop=1'));
  await add('delete, neither ids nor pop', send('DELETE', '/v2/queues/fq/messages'));
  await add('message, missing', send('GET', '/v2/queues/fq/messages/nope'));
  await add('stats', send('GET', '/v2/queues/fq/stats'));
  await add('queue, get', send('GET', '/v2/queues/fq'));
  await add(
    'queue, patch',
    send(
      'PATCH',
      '/v2/queues/fq',
      { 'Content-Type': 'application/openstack-messaging-v2.0-json-patch' },
      '[{"op":"replace","path":"/metadata/_default_message_ttl","value":600}]',
    ),
  );
  await add('post after patch', send('POST', '/v2/queues/fq/messages', json, '{"messages":[{"body":"late"}]}'));
  await add('list after patch', send('GET', '/v2/queues/fq/messages?echo=true&limit=10'));
  await add('queues', send('GET', '/v2/queues?limit=5'));
  await add('subscriptions', send('GET', '/v2/queues/fq/subscriptions'));
  await add('ping', send('GET', '/v2/ping'));
  await add('ping, HEAD', send('HEAD', '/v2/ping'));
  await add('health', send('GET', '/v2/health'));
  await add('pools (admin only)', send('GET', '/v2/pools'));
  await add('home', send('GET', '/v2/', {}, undefined, true));
  await add('root', send('GET', '/', {}, undefined, true));
  await add('not found', send('GET', '/v3/queues', {}, undefined, true));
  await add('queue, delete', send('DELETE', '/v2/queues/fq'));
  await add('post after delete', send('POST', '/v2/queues/fq/messages', json, '{"messages":[{"body":"again"}]}'));
  await add('list after delete', send('GET', '/v2/queues/fq/messages?echo=true'));
  return out;
}

/** The request counters of /metrics (the latency histogram differs by nature). */
async function requestCounters(t: App): Promise<string[]> {
  const text = (await t.agent.get('/metrics')).text;
  return text
    .split('\n')
    .filter((line) => line.startsWith('qgate_http_requests_total{'))
    .sort();
}

describe('the fast dispatcher', () => {
  let fast: App;
  let slow: App;
  beforeEach(() => {
    fast = testApp({ corsOrigins: ['https://ok.example'] });
    slow = testApp({ corsOrigins: ['https://ok.example'], fastPath: false });
  });
  afterEach(async () => {
    await fast.close();
    await slow.close();
  });

  test('answers every v2 request as express does: status, headers, body', async () => {
    const viaExpress = await scenario(slow);
    const viaFastPath = await scenario(fast);
    expect(viaFastPath).toEqual(viaExpress);
  });

  test('labels the request metrics with the same routes and statuses', async () => {
    await scenario(slow);
    await scenario(fast);
    const counters = await requestCounters(fast);
    expect(counters).toEqual(await requestCounters(slow));
    expect(counters.some((line) => line.includes('route="/v2/queues/:queue_name/messages"'))).toBe(true);
  });

  test('answers CORS preflights and adds CORS headers as express does', async () => {
    const both = async (t: App) => {
      const send = requester(t);
      return [
        await send('OPTIONS', '/v2/queues/fq/messages', {
          Origin: 'https://ok.example',
          'Access-Control-Request-Method': 'POST',
        }),
        await send('GET', '/v2/queues/fq/messages', { Origin: 'https://ok.example' }),
        await send('GET', '/v2/queues/fq/messages', { Origin: 'https://other.example' }),
      ];
    };
    expect(await both(fast)).toEqual(await both(slow));
  });
});
