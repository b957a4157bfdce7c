// qgate-manage: usage, dry runs, and refusing to "apply" to an in-process store it cannot reach.

import { join } from 'node:path';
import { runManage } from '../../src/cli/manage';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const FILE = join(__dirname, '../../catalog/local-redis.json');

describe('qgate-manage', () => {
  test('bad usage exits 2 with the usage text', async () => {
    const c = capture();
    expect(await runManage(['catalog', 'apply'], {}, c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('usage: qgate-manage catalog apply FILE [--dry-run]');
    expect(await runManage(['pools'], {}, capture().io)).toBe(2);
  });

  test('a dry run prints what it would change', async () => {
    const c = capture();
    expect(await runManage(['catalog', 'apply', FILE, '--dry-run'], {}, c.io)).toBe(0);
    expect(c.out).toEqual([
      'would change flavor fast: created',
      'would change pool redis-a: created (redis://127.0.0.1:6379/0, weight 100, flavor none)',
      'would change pool redis-b: created (redis://127.0.0.1:6380/0, weight 100, flavor fast)',
    ]);
  });

  test('applying to the in-process memory: store is refused with a clear line', async () => {
    const c = capture();
    expect(await runManage(['catalog', 'apply', FILE], {}, c.io)).toBe(1);
    expect(c.err[0]).toContain('the management store is memory:');
  });
});
