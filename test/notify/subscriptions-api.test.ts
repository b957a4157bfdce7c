// The subscription API: create, list, get, patch, delete, purge, expiry and bad input; the confirmation
// flow with a signed confirm URL; and email subscribers over a real SMTP server.

import { newClientId, testApp } from '../support/app';
import { type SmtpServer, startSmtpServer } from '../support/smtp-server';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server';

describe('subscriptions API', () => {
  let t: ReturnType<typeof testApp>;
  beforeEach(() => {
    t = testApp();
  });
  afterEach(() => t.close());

  const base = '/v2/queues/sq/subscriptions';
  const create = (body: unknown) => t.call('post', base).send(body as object);

  test('POST is 201 with the id and creates the queue; GET shows it as Zaqar does; DELETE removes it', async () => {
    const res = await create({ subscriber: 'http://127.0.0.1:9/a', ttl: 600, options: { k: 'v' } });
    expect(res.status).toBe(201);
    expect(res.body.subscription_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await t.call('get', '/v2/queues/sq')).status).toBe(200);
    t.advance(5);
    const got = await t.call('get', `${base}/${res.body.subscription_id}`);
    expect(got.body).toEqual({
      id: res.body.subscription_id,
      subscriber: 'http://127.0.0.1:9/a',
      source: 'sq',
      ttl: 600,
      age: 5,
      options: { k: 'v' },
      confirmed: true,
    });
    expect((await t.call('delete', `${base}/${res.body.subscription_id}`)).status).toBe(204);
    expect((await t.call('get', `${base}/${res.body.subscription_id}`)).status).toBe(404);
    expect((await t.call('delete', `${base}/${res.body.subscription_id}`)).status).toBe(204);
  });

  test('the same subscriber twice is 409', async () => {
    expect((await create({ subscriber: 'mailto:a@example.com' })).status).toBe(201);
    const again = await create({ subscriber: 'mailto:a@example.com' });
    expect(again.status).toBe(409);
    expect(again.body.description).toContain('Such subscription already exists');
  });

  test('listing pages by id with links.next; the default TTL is 3600', async () => {
    for (let i = 0; i < 5; i++) await create({ subscriber: `http://127.0.0.1:9/${i}` });
    const first = await t.call('get', `${base}?limit=2`);
    expect(first.body.subscriptions).toHaveLength(2);
    expect(first.body.subscriptions[0].ttl).toBe(3600);
    const ids = first.body.subscriptions.map((s: { id: string }) => s.id);
    let next = first.body.links[0].href;
    for (;;) {
      const page = await t.call('get', next);
      if (page.body.subscriptions.length === 0) break;
      ids.push(...page.body.subscriptions.map((s: { id: string }) => s.id));
      next = page.body.links[0].href;
    }
    expect(ids).toHaveLength(5);
    expect([...ids].sort()).toEqual(ids);
  });

  test('PATCH changes ttl, options and subscriber; a taken subscriber is 409', async () => {
    const a = (await create({ subscriber: 'http://127.0.0.1:9/a' })).body.subscription_id;
    await create({ subscriber: 'http://127.0.0.1:9/b' });
    expect((await t.call('patch', `${base}/${a}`).send({ ttl: 120, options: { x: 1 } })).status).toBe(204);
    expect((await t.call('get', `${base}/${a}`)).body).toMatchObject({ ttl: 120, options: { x: 1 } });
    expect((await t.call('patch', `${base}/${a}`).send({ subscriber: 'http://127.0.0.1:9/b' })).status).toBe(409);
    expect((await t.call('patch', `${base}/nope`).send({ ttl: 120 })).status).toBe(404);
  });

  test('subscriptions expire with their TTL', async () => {
    const id = (await create({ subscriber: 'http://127.0.0.1:9/a', ttl: 60 })).body.subscription_id;
    t.advance(61);
    expect((await t.call('get', `${base}/${id}`)).status).toBe(404);
    expect((await t.call('get', base)).body.subscriptions).toEqual([]);
  });

  test('purge with resource_types subscriptions removes them and keeps the messages', async () => {
    await create({ subscriber: 'http://127.0.0.1:9/a' });
    await t.call('post', '/v2/queues/sq/messages').send({ messages: [{ body: 1 }] });
    expect((await t.call('post', '/v2/queues/sq/purge').send({ resource_types: ['subscriptions'] })).status).toBe(204);
    expect((await t.call('get', base)).body.subscriptions).toEqual([]);
    expect((await t.call('get', '/v2/queues/sq/stats')).body.messages.total).toBe(1);
  });

  test("another project cannot see or delete this project's subscriptions", async () => {
    const id = (await create({ subscriber: 'http://127.0.0.1:9/a' })).body.subscription_id;
    const other = { 'X-Project-ID': 'intruder' };
    expect((await t.call('get', `${base}/${id}`, other)).status).toBe(404);
    expect((await t.call('get', base, other)).body.subscriptions).toEqual([]);
    await t.call('delete', `${base}/${id}`, other);
    expect((await t.call('get', `${base}/${id}`)).status).toBe(200);
  });

  test.each([
    [{}, 'Missing parameter subscriber in body.'],
    [{ subscriber: 'ftp://x' }, 'The subscriber type of subscription must be supported'],
    [{ subscriber: 'not a url' }, 'The subscriber type of subscription must be supported'],
    [{ subscriber: 'http://127.0.0.1:9/', ttl: 'x' }, 'TTL must be an integer.'],
    [{ subscriber: 'http://127.0.0.1:9/', ttl: 59 }, 'must be at least 60 seconds long'],
    [{ subscriber: 'http://127.0.0.1:9/', options: [1] }, 'Options must be a dict.'],
    [{ subscriber: 'http://127.0.0.1:9/', options: { _retry_policy: { minimum_delay: 'x' } } }, 'must be a integer'],
  ])('POST %j is 400 and creates nothing', async (body, text) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.description).toContain(text);
    expect((await t.call('get', base)).body.subscriptions).toEqual([]);
  });

  test('bad confirm and list input is 400', async () => {
    const id = (await create({ subscriber: 'http://127.0.0.1:9/a' })).body.subscription_id;
    const res = await t.call('put', `${base}/${id}/confirm`).send({ confirmed: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.description).toBe("The 'confirmed' should be boolean.");
    expect((await t.call('get', `${base}?limit=21`)).status).toBe(400);
  });
});

describe('subscription confirmation', () => {
  let t: ReturnType<typeof testApp>;
  let hooks: WebhookServer;
  beforeEach(async () => {
    hooks = await startWebhookServer();
    t = testApp({ signedUrlKey: 'confirm-key', notification: { requireConfirmation: true } });
  });
  afterEach(async () => {
    await t.close();
    await hooks.close();
  });

  test('a new webhook gets a signed confirmation; nothing flows until it confirms with it', async () => {
    const res = await t.call('post', '/v2/queues/cq/subscriptions').send({ subscriber: hooks.url });
    const id = res.body.subscription_id;
    expect((await t.call('get', `/v2/queues/cq/subscriptions/${id}`)).body.confirmed).toBe(false);
    await t.call('post', '/v2/queues/cq/messages').send({ messages: [{ body: 'too early' }] });
    await t.deliver();
    await hooks.waitFor(1);
    const confirm = hooks.received[0].json as Record<string, string>;
    expect(confirm).toMatchObject({
      Message_Type: 'SubscriptionConfirmation',
      'URL-Methods': 'PUT',
      'URL-Paths': `/v2/queues/cq/subscriptions/${id}/confirm`,
      'X-Project-ID': t.project,
      SubscribeBody: { confirmed: true },
    });
    const signed = await t.agent
      .put(confirm['URL-Paths'])
      .set({
        'Client-ID': newClientId(),
        'X-Project-ID': confirm['X-Project-ID'],
        'URL-Signature': confirm['URL-Signature'],
        'URL-Methods': confirm['URL-Methods'],
        'URL-Paths': confirm['URL-Paths'],
        'URL-Expires': confirm['URL-Expires'],
      })
      .send({ confirmed: true });
    expect(signed.status).toBe(204);
    expect((await t.call('get', `/v2/queues/cq/subscriptions/${id}`)).body.confirmed).toBe(true);
    await t.call('post', '/v2/queues/cq/messages').send({ messages: [{ body: 'now' }] });
    await t.deliver();
    await hooks.waitFor(2);
    expect(hooks.received.map((h) => (h.json as { body?: string }).body)).toEqual([undefined, 'now']);
  });

  test('unsubscribing with confirmed=false sends the unsubscribe notice and stops notifications', async () => {
    const id = (await t.call('post', '/v2/queues/cq/subscriptions').send({ subscriber: hooks.url })).body
      .subscription_id;
    await t.call('put', `/v2/queues/cq/subscriptions/${id}/confirm`).send({ confirmed: true });
    expect((await t.call('put', `/v2/queues/cq/subscriptions/${id}/confirm`).send({ confirmed: false })).status).toBe(
      204,
    );
    await t.call('post', '/v2/queues/cq/messages').send({ messages: [{ body: 'ignored' }] });
    await t.deliver();
    await hooks.waitFor(2);
    const types = hooks.received.map((h) => (h.json as { Message_Type: string }).Message_Type);
    expect(types).toEqual(['SubscriptionConfirmation', 'UnsubscribeConfirmation']);
  });
});

describe('email subscribers', () => {
  let t: ReturnType<typeof testApp>;
  let smtp: SmtpServer;
  beforeEach(async () => {
    smtp = await startSmtpServer();
    t = testApp({
      signedUrlKey: 'k',
      notification: {
        email: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          user: '',
          password: '',
          sender: 'qgate <qgate@example.com>',
          externalConfirmationUrl: 'https://confirm.example/confirm',
          timeoutMs: 2000,
        },
      },
    });
  });
  afterEach(async () => {
    await t.close();
    await smtp.close();
  });

  test('a posted message is mailed as JSON, with the subject from the mailto URI', async () => {
    await t
      .call('post', '/v2/queues/mq/subscriptions')
      .send({ subscriber: 'mailto:ops@example.com?subject=Queue%20news', options: { from: 'alerts@example.com' } });
    await t.call('post', '/v2/queues/mq/messages').send({ messages: [{ body: { alert: 'disk' }, ttl: 120 }] });
    await t.deliver();
    await smtp.waitFor(1);
    const mail = smtp.mails[0];
    expect(mail.to).toEqual(['ops@example.com']);
    expect(mail.from).toBe('alerts@example.com');
    expect(mail.raw).toMatch(/Subject: Queue news/);
    expect(mail.raw).toContain('"alert":"disk"');
    expect(mail.raw).toContain('"queue_name":"mq"');
  });

  test('a temporary SMTP failure is retried', async () => {
    smtp.failNext(1);
    await t.call('post', '/v2/queues/mq/subscriptions').send({ subscriber: 'mailto:ops@example.com' });
    await t.call('post', '/v2/queues/mq/messages').send({ messages: [{ body: 'again' }] });
    await t.deliver();
    expect(smtp.mails).toHaveLength(0);
    await t.deliver();
    await smtp.waitFor(1);
    expect(smtp.mails[0].raw).toContain('"body":"again"');
  });
});
