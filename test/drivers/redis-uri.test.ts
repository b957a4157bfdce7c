// Redis store URIs: every form operators write parses to the right target; a bad one is a BadRequest naming the problem.

import { BadRequest } from '../../src/core/errors';
import { createDriver } from '../../src/drivers/factory';
import { clientOptions } from '../../src/drivers/redis/connection';
import { parseRedisUri, redact } from '../../src/drivers/redis/uri';

describe('Redis URIs', () => {
  test('redis://host:port/db with a password', () => {
    expect(parseRedisUri('redis://:s3cret@cache.local:6380/2')).toMatchObject({
      mode: 'tcp',
      server: { host: 'cache.local', port: 6380 },
      password: 's3cret',
      db: 2,
      tls: false,
      label: 'Redis at cache.local:6380',
    });
  });

  test('defaults: port 6379, db 0, no password; user:password for ACL users', () => {
    expect(parseRedisUri('redis://127.0.0.1')).toMatchObject({ server: { host: '127.0.0.1', port: 6379 }, db: 0 });
    expect(parseRedisUri('redis://127.0.0.1').password).toBeUndefined();
    expect(parseRedisUri('redis://app:p%40ss@h:1')).toMatchObject({ username: 'app', password: 'p@ss' });
    expect(parseRedisUri('redis://h?db=3').db).toBe(3);
    expect(parseRedisUri('redis://h?dbid=4').db).toBe(4);
    expect(parseRedisUri('redis://[::1]:7000')).toMatchObject({
      server: { host: '::1', port: 7000 },
      label: 'Redis at [::1]:7000',
    });
  });

  test('rediss:// turns TLS on, with the host as the server name', () => {
    const target = parseRedisUri('rediss://secure.example:6380');
    expect(target.tls).toBe(true);
    expect(clientOptions(target, 2000).tls).toEqual({ servername: 'secure.example' });
  });

  test('unix sockets: redis:///path.sock and redis://unix/path.sock', () => {
    expect(parseRedisUri('redis:///var/run/redis/redis.sock')).toMatchObject({
      mode: 'unix',
      socketPath: '/var/run/redis/redis.sock',
      db: 0,
    });
    expect(parseRedisUri('redis://unix/tmp/r.sock?db=5')).toMatchObject({
      mode: 'unix',
      socketPath: '/tmp/r.sock',
      db: 5,
    });
    expect(parseRedisUri('redis:/tmp/r.sock').socketPath).toBe('/tmp/r.sock');
    expect(clientOptions(parseRedisUri('redis:///tmp/r.sock'), 2000).path).toBe('/tmp/r.sock');
  });

  test('Sentinel: a host list and ?master=', () => {
    const target = parseRedisUri('redis://:pw@s1:26379,s2,[::1]:26380/1?master=mymaster&sentinel_password=spw');
    expect(target).toMatchObject({
      mode: 'sentinel',
      master: 'mymaster',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      password: 'pw',
      sentinelPassword: 'spw',
      db: 1,
    });
    const options = clientOptions(target, 2000);
    expect(options).toMatchObject({ name: 'mymaster', failoverDetector: true, enableOfflineQueue: false });
    expect(parseRedisUri('redis://s1?master=m').sentinels).toEqual([{ host: 's1', port: 26379 }]);
  });

  test('wait_replicas asks for replicated acknowledgements', () => {
    expect(parseRedisUri('redis://h').waitReplicas).toBe(0);
    expect(parseRedisUri('redis://h?wait_replicas=1').waitReplicas).toBe(1);
  });

  test.each([
    ['redis://', /host is missing/],
    ['redis://h:port', /port "port" is not a whole number/],
    ['redis://h:70000', /port 70000 is out of range/],
    ['redis://h/x', /database number in the path "x"/],
    ['redis://h?db=-1', /db "-1" is not a whole number/],
    ['redis://h1,h2', /add \?master=/],
    ['redis://h?master=', /names no master group/],
    ['redis://h?colour=blue', /unknown parameter "colour"/],
    ['redis://h?sentinel_password=x', /only valid with \?master=/],
    ['redis://h#frag', /fragment/],
    ['redis://h?wait_replicas=many', /wait_replicas "many"/],
    ['redis://%zz@h', /percent-encoding/],
  ])('%s is a BadRequest', (uri, problem) => {
    let error: unknown;
    try {
      parseRedisUri(uri);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).description).toMatch(/^Invalid Redis URI/);
    expect((error as BadRequest).description).toMatch(problem);
  });

  test('a password never appears in an error', () => {
    expect(redact('redis://:topsecret@h:1')).toBe('redis://:***@h:1');
    expect(redact('redis://user:topsecret@h:1')).toBe('redis://user:***@h:1');
    expect(() => parseRedisUri('redis://:topsecret@h:bad')).toThrow(/redis:\/\/:\*\*\*@h:bad/);
    expect(() => parseRedisUri('redis://:topsecret@h:bad')).not.toThrow(/topsecret/);
  });

  test('createDriver turns a bad Redis URI or an unknown scheme into a BadRequest before connecting', async () => {
    await expect(createDriver('redis://h:0', { timeoutMs: 100, gcIntervalMs: 0 })).rejects.toBeInstanceOf(BadRequest);
    await expect(createDriver('cassandra://h', { timeoutMs: 100, gcIntervalMs: 0 })).rejects.toThrow(
      /Unsupported store URI scheme "cassandra:"/,
    );
  });
});
