// End to end: the stock OpenStack client (python3-zaqarclient, Debian) drives the real server over HTTP.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/redis-server';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const PYTHON = '/usr/bin/python3';
const CLIENT = '/usr/lib/python3/dist-packages/zaqarclient';

describe('python-zaqarclient against qgate', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    if (!existsSync(CLIENT)) {
      throw new Error('python3-zaqarclient is not installed: apt-get install -y python3-zaqarclient');
    }
    // Admin mode: the round trip also reads /v2/health, which Zaqar's policy (and ours) keeps for admins.
    server = await startServerProcess({
      QGATE_LOG_ACCESS: 'false',
      QGATE_ADMIN_MODE: 'true',
      QGATE_WS_PORT: String(await freePort()),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Runs one of the client scripts; resolves its OK/FAIL step lines and output. */
  const runClient = (script: string, url: string) =>
    new Promise<{ steps: string[]; stdout: string }>((resolve, reject) => {
      execFile(PYTHON, [join(__dirname, script), url, 'client-project'], { timeout: 60000 }, (err, stdout, stderr) => {
        const steps = stdout.split('\n').filter((l) => l.startsWith('OK ') || l.startsWith('FAIL '));
        if (err) reject(new Error(`client failed after: ${steps.join(' | ')}\n${stderr}`));
        else resolve({ steps, stdout });
      });
    });

  test('queues, messages and claims round trip with the v2 client', async () => {
    const { steps, stdout } = await runClient('zaqarclient_roundtrip.py', server.url);
    expect(steps.filter((s) => s.startsWith('FAIL'))).toEqual([]);
    expect(steps).toContain('OK claim update');
    expect(steps).toContain('OK message delete under claim');
    expect(steps).toContain('OK queue delete');
    expect(stdout).toContain('{"done": true}');
  });

  const websocketClient = existsSync('/usr/lib/python3/dist-packages/websocket');
  if (!websocketClient) console.warn('python3-websocket is not installed: apt-get install -y python3-websocket');
  (websocketClient ? test : test.skip)('the client’s WebsocketTransport drives the websocket API', async () => {
    const wsUrl = server.lines.map((l) => JSON.parse(l)).find((entry) => entry.wsUrl)?.wsUrl as string;
    const { steps, stdout } = await runClient('zaqarclient_ws_roundtrip.py', wsUrl);
    expect(steps.filter((s) => s.startsWith('FAIL'))).toEqual([]);
    expect(steps).toContain('OK message delete under claim');
    expect(steps).toContain('OK a missing queue raises ResourceNotFound');
    expect(stdout).toContain('{"done": true}');
  });
});
