// Unit tests of configuration loading: defaults, env vars, the config file, and one-line errors.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';

describe('loadConfig', () => {
  test('defaults: 127.0.0.1:8888 on the embedded store with Zaqar limits', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8888);
    expect(config.store.uri).toBe('memory:');
    expect(config.admin_mode).toBe(false);
    expect(config.auth_strategy).toBe('noauth');
    expect(config.limits.max_message_ttl).toBe(1209600);
    expect(config.limits.max_messages_post_size).toBe(262144);
  });

  test('environment variables set options, typed', () => {
    const config = loadConfig({
      QGATE_HOST: '0.0.0.0',
      QGATE_PORT: '9999',
      QGATE_STORE_URI: 'redis://127.0.0.1:6379',
      QGATE_ADMIN_MODE: 'true',
      QGATE_MIN_MESSAGE_TTL: '1',
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9999, admin_mode: true });
    expect(config.store.uri).toBe('redis://127.0.0.1:6379');
    expect(config.limits.min_message_ttl).toBe(1);
  });

  test('QGATE_CONFIG names a file; env vars win over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgate-config-'));
    const file = join(dir, 'qgate.json');
    writeFileSync(file, JSON.stringify({ port: 7000, limits: { max_messages_per_page: 50 }, log: { level: 'warn' } }));
    const config = loadConfig({ QGATE_CONFIG: file, QGATE_PORT: '7001' });
    expect(config.port).toBe(7001);
    expect(config.limits.max_messages_per_page).toBe(50);
    expect(config.log.level).toBe('warn');
  });

  test('the example config file is complete and valid', () => {
    const config = loadConfig({ QGATE_CONFIG: join(__dirname, '../../etc/qgate.example.json') });
    expect(config.port).toBe(8888);
  });

  test.each([
    [{ QGATE_PORT: 'abc' }, 'port'],
    [{ QGATE_MAX_MESSAGE_TTL: '-5' }, 'limits.max_message_ttl'],
    [{ QGATE_LOG_LEVEL: 'loud' }, 'log.level'],
    [{ QGATE_AUTH_STRATEGY: 'magic' }, 'auth_strategy'],
    [{ QGATE_CONFIG: '/nonexistent/qgate.json' }, 'QGATE_CONFIG'],
  ])('%j is one line naming %s', (env, option) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(option);
    expect(message).not.toContain('\n');
  });

  test('an unknown option in the file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qgate-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ QGATE_CONFIG: file })).toThrow(/prot/);
  });
});
