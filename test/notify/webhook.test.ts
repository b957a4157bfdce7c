// Webhook delivery to a real local HTTP server: shape, retries (5xx, timeout, refused), failures kept,
// isolation of a slow subscriber, and the address guard.

import { createServer } from 'node:net';
import { testApp } from '../support/app';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server';

type Hook = { body: unknown; ttl: number; queue_name: string; Message_Type: string };

describe('webhook delivery', () => {
  let t: ReturnType<typeof testApp>;
  let hooks: WebhookServer;
  beforeEach(async () => {
    hooks = await startWebhookServer();
    t = testApp({ notification: { webhookTimeoutMs: 300 } });
  });
  afterEach(async () => {
    await t.close();
    await hooks.close();
  });

  const subscribe = (subscriber: string, options: object = {}, queue = 'events') =>
    t.call('post', `/v2/queues/${queue}/subscriptions`).send({ subscriber, ttl: 3600, options });
  const post = (bodies: unknown[], queue = 'events') =>
    t.call('post', `/v2/queues/${queue}/messages`).send({ messages: bodies.map((body) => ({ body, ttl: 300 })) });
  /** A short policy: one immediate retry, then the backoff of 10 and 15 s, then it gives up. */
  const oneRetry = {
    _retry_policy: {
      retries_with_no_delay: 1,
      minimum_delay_retries: 0,
      maximum_delay_retries: 0,
      minimum_delay: 10,
      maximum_delay: 20,
    },
  };

  test('every posted message is POSTed to the subscriber as Zaqar shapes it, with post_headers', async () => {
    const res = await subscribe(`${hooks.url}/in`, { post_headers: { 'X-Token': 'abc' } });
    expect(res.status).toBe(201);
    await post([{ n: 1 }, 'two']);
    await t.deliver();
    await hooks.waitFor(2);
    expect(hooks.received.map((h) => h.json as Hook)).toEqual([
      { body: { n: 1 }, ttl: 300, queue_name: 'events', Message_Type: 'Notification' },
      { body: 'two', ttl: 300, queue_name: 'events', Message_Type: 'Notification' },
    ]);
    expect(hooks.received[0].path).toBe('/in');
    expect(hooks.received[0].headers['content-type']).toBe('application/json');
    expect(hooks.received[0].headers['x-token']).toBe('abc');
    await t.deliver();
    expect(hooks.received).toHaveLength(2);
  });

  test('post_data is a template: "$zaqar_message$" becomes the message', async () => {
    await subscribe(hooks.url, { post_data: '{"wrapped": "$zaqar_message$", "v": 1}' });
    await post(['x']);
    await t.deliver();
    await hooks.waitFor(1);
    expect(hooks.received[0].json).toEqual({
      wrapped: { body: 'x', ttl: 300, queue_name: 'events', Message_Type: 'Notification' },
      v: 1,
    });
  });

  test('a 5xx is retried per the policy until it is delivered', async () => {
    hooks.script(503, 500);
    await subscribe(hooks.url);
    await post(['retry me']);
    await t.deliver();
    await t.deliver();
    await t.deliver();
    expect(hooks.received.map((h) => (h.json as Hook).body)).toEqual(['retry me', 'retry me', 'retry me']);
    await t.deliver();
    expect(hooks.received).toHaveLength(3);
  });

  test('a timeout is retried; after the policy is exhausted the delivery is kept as failed', async () => {
    hooks.script('hang', 'hang', 'hang', 'hang');
    const { body } = await subscribe(hooks.url, oneRetry);
    await post(['slow']);
    await t.deliver();
    await t.deliver();
    t.advance(10);
    await t.deliver();
    t.advance(15);
    await t.deliver();
    expect(hooks.received).toHaveLength(4);
    const failures = await t.call('get', `/v2/queues/events/subscriptions/${body.subscription_id}/failures`);
    expect(failures.status).toBe(200);
    expect(failures.body.failures).toHaveLength(1);
    expect(failures.body.failures[0]).toMatchObject({ kind: 'notification', attempts: 4 });
    expect(failures.body.failures[0].error).toContain('no answer within 300 ms');
    expect(failures.body.failures[0].payload.body).toBe('slow');
  });

  test('a refused connection is retried, with the policy’s delays', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const policy = {
      _retry_policy: {
        retries_with_no_delay: 0,
        minimum_delay_retries: 1,
        minimum_delay: 10,
        maximum_delay: 20,
        maximum_delay_retries: 0,
      },
    };
    const { body } = await subscribe(`http://127.0.0.1:${port}/`, policy);
    await post(['nobody home']);
    await t.deliver();
    const url = `/v2/queues/events/subscriptions/${body.subscription_id}/failures`;
    expect((await t.call('get', url)).body.failures).toEqual([]);
    await t.deliver();
    expect((await t.call('get', url)).body.failures).toEqual([]);
    t.advance(10);
    await t.deliver();
    t.advance(10);
    await t.deliver();
    t.advance(15);
    await t.deliver();
    t.advance(20);
    await t.deliver();
    const failures = (await t.call('get', url)).body.failures;
    expect(failures).toHaveLength(1);
    expect(failures[0].error).toMatch(/ECONNREFUSED/);
    expect(failures[0].attempts).toBe(4);
  });

  test('a 4xx is not retried: the subscriber refused it, and it is kept as failed', async () => {
    hooks.script(410);
    const { body } = await subscribe(hooks.url);
    await post(['gone']);
    await t.deliver();
    await t.deliver();
    expect(hooks.received).toHaveLength(1);
    const failures = await t.call('get', `/v2/queues/events/subscriptions/${body.subscription_id}/failures`);
    expect(failures.body.failures[0].error).toBe('HTTP 410');
  });

  test('a slow subscriber does not hold up another', async () => {
    const fast = await startWebhookServer();
    try {
      const slow = t.notifier.worker;
      hooks.script(...Array(10).fill({ status: 200, delayMs: 1500 }));
      await subscribe(`${hooks.url}/slow`);
      await subscribe(`${fast.url}/fast`);
      await post([1, 2, 3, 4, 5, 6]);
      await slow.tick();
      await fast.waitFor(6, 1200);
      expect(fast.received).toHaveLength(6);
      expect(hooks.received.length).toBeLessThanOrEqual(4);
      await slow.drain();
    } finally {
      await fast.close();
    }
  });

  test('subscribers at link-local or metadata addresses, or at this gateway, are refused with 400', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/x']) {
      const res = await subscribe(url);
      expect(res.status).toBe(400);
      expect(res.body.description).toContain('is not allowed');
    }
    t.notifier.guard.addSelfPort(hooks.port);
    const self = await subscribe(`http://localhost:${hooks.port}/v2/pools`);
    expect(self.status).toBe(400);
    expect(self.body.description).toContain('is this gateway');
    expect((await t.call('get', '/v2/queues/events/subscriptions')).body.subscriptions).toEqual([]);
  });
});
