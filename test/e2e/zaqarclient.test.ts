// End to end: the stock OpenStack client (python3-zaqarclient, Debian) drives the real server over HTTP.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
    server = await startServerProcess({ QGATE_LOG_ACCESS: 'false', QGATE_ADMIN_MODE: 'true' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('queues, messages and claims round trip with the v2 client', async () => {
    const script = join(__dirname, 'zaqarclient_roundtrip.py');
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(PYTHON, [script, server.url, 'client-project'], { timeout: 60000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
    const steps = stdout.split('\n').filter((l) => l.startsWith('OK ') || l.startsWith('FAIL '));
    if (code !== 0) throw new Error(`client failed after: ${steps.join(' | ')}\n${stderr}`);
    expect(steps.filter((s) => s.startsWith('FAIL'))).toEqual([]);
    expect(steps).toContain('OK claim update');
    expect(steps).toContain('OK message delete under claim');
    expect(steps).toContain('OK queue delete');
    expect(stdout).toContain('{"done": true}');
  });
});
