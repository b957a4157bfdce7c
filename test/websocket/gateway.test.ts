// The gateway starts the websocket API next to the HTTP one, logs where it listens, and stops both.

import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load';
import { type Gateway, startGateway } from '../../src/main';
import { createLogger } from '../../src/observability/logger';
import { WsTestClient } from '../support/ws-client';

/** A port that was free a moment ago (the gateway's websocket port 0 means "disabled", not "any"). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A logger writing its JSON lines into an array. */
function capturingLogger() {
  const lines: { msg: string; wsUrl?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('startGateway with the websocket API', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  test('serves the websocket API on websocket.port over the same store as HTTP', async () => {
    const wsPort = await freePort();
    const { logger, lines } = capturingLogger();
    const config = loadConfig({}, { port: 0, log: { access: false }, websocket: { port: wsPort } });
    gateway = await startGateway(config, logger);
    expect(gateway.wsUrl).toBe(`ws://127.0.0.1:${wsPort}`);
    expect(lines.map((l) => l.msg)).toContain(`qgate websocket API listening on ws://127.0.0.1:${wsPort}`);

    const client = await WsTestClient.connect(gateway.wsUrl as string, 'gw-project');
    const created = await client.request('queue_create', { queue_name: 'via-ws' });
    expect(created.headers.status).toBe(201);
    const posted = await client.request('message_post', { queue_name: 'via-ws', messages: [{ body: 'hi' }] });
    expect(posted.headers.status).toBe(201);
    const overHttp = await fetch(`${gateway.url}/v2/queues/via-ws/stats`, {
      headers: { 'Client-ID': client.clientId, 'X-Project-ID': 'gw-project' },
    });
    expect(((await overHttp.json()) as { messages: { total: number } }).messages.total).toBe(1);

    // Stopping the gateway closes open sessions with 1001.
    const closing = client.closed;
    await gateway.close();
    gateway = undefined;
    expect(await closing).toEqual({ code: 1001, reason: 'Server shutting down' });
  });

  test('websocket.port 0 disables the websocket API', async () => {
    const { logger, lines } = capturingLogger();
    gateway = await startGateway(loadConfig({}, { port: 0, websocket: { port: 0 } }), logger);
    expect(gateway.wsUrl).toBeUndefined();
    expect(lines.map((l) => l.msg)).toContain('qgate websocket API disabled (websocket.port is 0)');
  });

  test('a websocket port in use stops the start with a message naming the option', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as { port: number };
    const { logger } = capturingLogger();
    try {
      await expect(startGateway(loadConfig({}, { port: 0, websocket: { port } }), logger)).rejects.toThrow(
        /websocket API could not listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.*QGATE_WS_PORT/,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  test('QGATE_WS_PORT and the other websocket options come from the environment', () => {
    const config = loadConfig({ QGATE_WS_PORT: '9100', QGATE_WS_MAX_CONNECTIONS: '5', QGATE_WS_HOST: '0.0.0.0' });
    expect(config.websocket).toMatchObject({ port: 9100, max_connections: 5, host: '0.0.0.0' });
    expect(loadConfig({}).websocket.port).toBe(9000);
  });
});
