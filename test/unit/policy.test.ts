// The policy engine: oslo.policy's check language, and the shipped Zaqar-like defaults.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Policy } from '../../src/auth/policy';
import { Forbidden } from '../../src/core/errors';

const member = { roles: ['member'], project_id: 'a', is_admin: false };
const admin = { roles: ['Admin'], project_id: 'ops', is_admin: true };

describe('policy rules', () => {
  const policy = new Policy({
    context_is_admin: 'role:admin',
    admin_or_owner: 'is_admin:True or project_id:%(project_id)s',
    default: 'rule:admin_or_owner',
    open: '',
    always: '@',
    never: '!',
    both: 'role:member and not role:banned',
    grouped: '(role:x or role:member) and project_id:a',
    loop: 'rule:loop',
  });

  test.each([
    ['open', member, true],
    ['always', member, true],
    ['never', admin, false],
    ['context_is_admin', admin, true],
    ['context_is_admin', member, false],
    ['both', member, true],
    ['both', { ...member, roles: ['member', 'banned'] }, false],
    ['grouped', member, true],
    ['grouped', { ...member, project_id: 'b' }, false],
    ['loop', admin, false],
    ['unknown:op', member, true],
  ])('%s for %j is %s', (rule, creds, allowed) => {
    expect(policy.allows(rule, creds, { project_id: 'a' })).toBe(allowed);
  });

  test('the default rule checks the target project', () => {
    expect(policy.allows('unknown:op', member, { project_id: 'b' })).toBe(false);
    expect(policy.allows('unknown:op', admin, { project_id: 'b' })).toBe(true);
  });

  test('enforce throws Forbidden', () => {
    expect(() => policy.enforce('never', admin)).toThrow(Forbidden);
  });

  test('a rule that does not parse is refused when loaded, naming it', () => {
    expect(() => new Policy({ bad: 'role:x and (' })).toThrow('policy rule "bad"');
    expect(() => new Policy({ bad: 'nonsense' })).toThrow('policy rule "bad"');
  });

  test('the shipped etc/policy.json keeps pools admin-only and the data plane open', () => {
    const shipped = new Policy(JSON.parse(readFileSync(join(__dirname, '../../etc/policy.json'), 'utf8')));
    for (const op of ['pools:create', 'pools:get_all', 'flavors:create', 'flavors:delete', 'health:get']) {
      expect(shipped.allows(op, member, { project_id: 'a' })).toBe(false);
      expect(shipped.allows(op, admin, { project_id: 'a' })).toBe(true);
    }
    for (const op of ['queues:create', 'messages:create', 'claims:create', 'flavors:get_all', 'queues:share']) {
      expect(shipped.allows(op, member, { project_id: 'a' })).toBe(true);
    }
  });
});
