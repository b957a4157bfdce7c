// A private, real OpenStack Keystone (Debian's keystone under uWSGI) on a free loopback port, with test users and tokens.
//
// How a test file uses it (one Keystone per test file; it takes ~10 s to start, so only a few files should):
//
//   import { keystoneAvailable, keystoneMissingMessage, sharedKeystone, stopSharedKeystone } from '../support/keystone';
//   const describeKeystone = keystoneAvailable() ? describe : describe.skip;
//   if (!keystoneAvailable()) console.warn(keystoneMissingMessage());
//   describeKeystone('...', () => {
//     let ks: KeystoneFixture;
//     beforeAll(async () => { ks = await sharedKeystone(); }, 120_000);
//     afterAll(() => stopSharedKeystone());
//     test('...', async () => { const token = await ks.token('alice', 'tenant-a'); ... });
//   });
//
// Jest gives each test file its own module registry, so `sharedKeystone()` is shared by the tests of one file.
// Short-lived tokens: `[token] expiration` has min=0 in keystone 22 (keystone/conf/token.py), but Keystone cuts
// the expiry down to the whole second, so a token of N seconds lives between N-1 and N seconds: use N >= 2. Rather
// than a second Keystone started with `startKeystone({ tokenExpirationSeconds })`, a test can take
// `expiringToken(user, project, seconds)` from the shared one: it comes from an application credential that
// expires then, and Keystone caps the token at its credential's expiry (CVE-2022-2447).

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-server';

const MANAGE = '/usr/bin/keystone-manage';
const WSGI_PUBLIC = '/usr/bin/keystone-wsgi-public';
const UWSGI = '/usr/bin/uwsgi-core';
const UWSGI_PLUGINS = '/usr/lib/uwsgi/plugins';
const PYTHON = '/usr/bin/python3';
const REQUIRED = [MANAGE, WSGI_PUBLIC, UWSGI, join(UWSGI_PLUGINS, 'python3_plugin.so'), PYTHON];

/** The users the fixture creates (admin comes from `keystone-manage bootstrap`), with their fixed passwords. */
export const KEYSTONE_USERS = {
  admin: 'admin-secret',
  qgate: 'qgate-service-secret',
  alice: 'alice-secret',
  bob: 'bob-secret',
  carol: 'carol-secret',
} as const;

/** Name of a fixture user. */
export type KeystoneUserName = keyof typeof KEYSTONE_USERS;

/** Credentials of the `qgate` service user, as a gateway's keystone settings would hold them. */
export interface KeystoneServiceCredentials {
  username: string;
  password: string;
  /** Project name (`service`). */
  project: string;
  /** Domain name of both user and project (`Default`). */
  domain: string;
}

/** Options of `startKeystone`. */
export interface KeystoneOptions {
  /** `[token] expiration`: lifetime of every token in seconds (whole seconds, cut down; use >= 2). Default 900. */
  tokenExpirationSeconds?: number;
  /** How long to wait for `GET /v3` to answer once uWSGI runs. Default 60000. */
  startTimeoutMs?: number;
}

/** A running Keystone with `service`, `tenant-a`, `tenant-b` projects and the users of `KEYSTONE_USERS`. */
export interface KeystoneFixture {
  /** Identity API root, `http://127.0.0.1:PORT/v3`. */
  readonly url: string;
  readonly port: number;
  /** The temp directory holding keystone.conf, the sqlite database, keys and logs; removed by `stop()`. */
  readonly dir: string;
  /** The `qgate` user: `service` role on the `service` project (enough to validate others' tokens). */
  readonly service: KeystoneServiceCredentials;
  /** Project ids: `a` = tenant-a (alice member, carol admin), `b` = tenant-b (bob member), `service`, `admin`. */
  readonly projects: { a: string; b: string; service: string; admin: string };
  /** User ids by name. */
  readonly users: Record<KeystoneUserName, string>;
  /** Lifetime of a token in seconds (`[token] expiration`). */
  readonly tokenExpirationSeconds: number;
  /** Milliseconds `startKeystone` took. */
  readonly startedInMs: number;
  /** Password auth scoped to a project (name in the Default domain, or id); resolves with the X-Subject-Token. */
  token(user: KeystoneUserName, project: string): Promise<string>;
  /** Like `token`, but the token expires in about `seconds` (>= 1) through an application credential. */
  expiringToken(user: KeystoneUserName, project: string, seconds: number): Promise<string>;
  /** GET /v3/auth/tokens as the service user: status (200, or 404 for an invalid token) and body. */
  validate(token: string, options?: { allowExpired?: boolean }): Promise<{ status: number; body: KeystoneBody }>;
  /** DELETE /v3/auth/tokens (as admin); rejects unless Keystone answers 204. */
  revoke(token: string): Promise<void>;
  /** Stops uWSGI and its workers and removes the temp directory. */
  stop(): Promise<void>;
  /** The last `lines` lines of the uWSGI and Keystone logs, for error messages. */
  logTail(lines?: number): Promise<string>;
}

/** A decoded Keystone JSON body. */
// biome-ignore lint/suspicious/noExplicitAny: tests read Keystone bodies of every shape
export type KeystoneBody = any;

/** Whether Debian's keystone, uwsgi-core and uwsgi-plugin-python3 are installed (sync: `describe` needs it at load). */
export function keystoneAvailable(): boolean {
  return REQUIRED.every((path) => existsSync(path));
}

/** One line saying what is missing and how to get it, for the skip message. */
export function keystoneMissingMessage(): string {
  const missing = REQUIRED.filter((path) => !existsSync(path));
  return `Keystone tests skipped: ${missing.join(', ') || 'nothing'} missing; install with \`apt-get install -y keystone uwsgi-core uwsgi-plugin-python3\`.`;
}

let shared: Promise<KeystoneFixture> | undefined;

/** Starts a Keystone on the first call and hands the same one to later calls (per test file; see the header). */
export function sharedKeystone(): Promise<KeystoneFixture> {
  shared ??= startKeystone();
  return shared;
}

/** Stops the shared Keystone if one was started (call it from `afterAll`). */
export async function stopSharedKeystone(): Promise<void> {
  const current = shared;
  shared = undefined;
  const fixture = await current?.catch(() => undefined);
  await fixture?.stop();
}

/** Child processes see Debian's /usr/bin/python3 world, not an interpreter first on the caller's PATH. */
function debianEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `/usr/bin:/bin:/usr/sbin:/sbin:${process.env.PATH ?? ''}` };
  for (const name of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV', 'PYENV_VERSION']) delete env[name];
  return { ...env, ...extra };
}

/** Runs a command in `dir` (never in a directory where keystone's `token` package shadows the stdlib module). */
function run(dir: string, command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: dir, env: debianEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60000);
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code}): ${stderr.trim().slice(-2000)}`));
    });
  });
}

function keystoneConf(dir: string, tokenExpirationSeconds: number): string {
  return [
    '[DEFAULT]',
    `log_file = ${join(dir, 'keystone.log')}`,
    'use_stderr = false',
    '[database]',
    `connection = sqlite:///${join(dir, 'keystone.db')}`,
    // A throwaway database: no fsync per commit.
    'sqlite_synchronous = false',
    '[token]',
    'provider = fernet',
    `expiration = ${tokenExpirationSeconds}`,
    '[fernet_tokens]',
    `key_repository = ${join(dir, 'fernet-keys')}`,
    '[credential]',
    `key_repository = ${join(dir, 'credential-keys')}`,
    '[identity]',
    // bcrypt's minimum: every password auth hashes, and the default (12) costs ~250 ms of CPU each time.
    'password_hash_rounds = 4',
    '',
  ].join('\n');
}

/** Starts uWSGI serving keystone-wsgi-public on `port` in its own process group. */
function spawnUwsgi(dir: string, port: number): ChildProcess {
  const conf = join(dir, 'keystone.conf');
  const args = [
    ...['--strict', '--master', '--die-on-term', '--need-app', '--plugin-dir', UWSGI_PLUGINS, '--plugin', 'python3'],
    ...['--http-socket', `127.0.0.1:${port}`, '--wsgi-file', WSGI_PUBLIC, '--chdir', dir],
    ...['--processes', '1', '--threads', '4', '--buffer-size', '32768', '--env', `OS_KEYSTONE_CONFIG_FILES=${conf}`],
    // uWSGI's http-socket closes after each response without saying so; telling clients avoids reusing a dead socket.
    ...['--add-header', 'Connection: close', '--logto', join(dir, 'uwsgi.log')],
  ];
  const proc = spawn(UWSGI, args, { cwd: dir, env: debianEnv(), detached: true, stdio: 'ignore' });
  // A spawn failure then shows as a start timeout with the log, instead of an unhandled 'error' event.
  proc.on('error', () => undefined);
  return proc;
}

function exitedPromise(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
}

/** Signals uWSGI's whole process group (master and workers). */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid) process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

async function tail(dir: string, lines: number): Promise<string> {
  const parts: string[] = [];
  for (const name of ['uwsgi.log', 'keystone.log']) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    parts.push(`--- ${name} ---\n${text.split('\n').slice(-lines).join('\n')}`);
  }
  return parts.join('\n');
}

/** A JSON request to Keystone; resolves with status, headers and body (undefined when empty). */
async function call(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: KeystoneBody }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Like `call`, but rejects unless the status is `expected`. */
async function must(expected: number, ...args: Parameters<typeof call>): Promise<KeystoneBody> {
  const result = await call(...args);
  if (result.status !== expected) {
    throw new Error(
      `Keystone ${args[1]} ${args[0]}: ${result.status} (wanted ${expected}) ${JSON.stringify(result.body)}`,
    );
  }
  return result.body;
}

/** Waits until GET /v3 answers 200; rejects if uWSGI exits first or `timeoutMs` passes. */
async function waitForKeystone(url: string, proc: ChildProcess, timeoutMs: number): Promise<'up' | 'exited'> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null || proc.signalCode !== null) return 'exited';
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.text().then(() => r.status === 200),
      () => false,
    );
    if (ok) return 'up';
    await sleep(200);
  }
  throw new Error(`Keystone at ${url} did not answer within ${timeoutMs} ms`);
}

/** Starts a private Keystone in a fresh temp directory and creates the fixture's projects, users and roles. */
export async function startKeystone(options: KeystoneOptions = {}): Promise<KeystoneFixture> {
  if (!keystoneAvailable()) throw new Error(keystoneMissingMessage());
  const began = Date.now();
  const tokenExpirationSeconds = options.tokenExpirationSeconds ?? 900;
  const dir = await mkdtemp(join(tmpdir(), 'qgate-keystone-'));
  const conf = join(dir, 'keystone.conf');
  let proc: ChildProcess | undefined;
  // If a test file dies without afterAll, do not leave uWSGI behind the jest worker.
  const onExit = () => proc && signalGroup(proc, 'SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (proc) {
      const p = proc;
      const exited = exitedPromise(p);
      signalGroup(p, 'SIGTERM');
      const force = setTimeout(() => signalGroup(p, 'SIGKILL'), 10000);
      await exited;
      clearTimeout(force);
      // Workers may outlive the master by a moment; nothing of the group may survive the fixture.
      signalGroup(p, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  let bootstrap: Promise<Error | undefined> | undefined;
  try {
    await writeFile(conf, keystoneConf(dir, tokenExpirationSeconds));
    const owner = ['--keystone-user', String(userInfo().uid), '--keystone-group', String(userInfo().gid)];
    const manage = (...args: string[]) => run(dir, MANAGE, ['--config-file', conf, ...args]);
    await Promise.all([
      manage('db_sync').then(() =>
        // WAL sticks to the database file, so one PRAGMA after the schema exists is enough.
        run(dir, PYTHON, [
          '-c',
          'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")',
          join(dir, 'keystone.db'),
        ]),
      ),
      manage('fernet_setup', ...owner),
      manage('credential_setup', ...owner),
    ]);
    // Settled to its error (or undefined) at once, so a failure while uWSGI starts is never an unhandled rejection.
    bootstrap = manage(
      ...['bootstrap', '--bootstrap-username', 'admin', '--bootstrap-password', KEYSTONE_USERS.admin],
      ...['--bootstrap-project-name', 'admin', '--bootstrap-role-name', 'admin', '--bootstrap-region-id', 'RegionOne'],
    ).then(
      () => undefined,
      (err: Error) => err,
    );
    // uWSGI loads the app while bootstrap runs; the endpoint is registered through the API once the port is known.
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      proc = spawnUwsgi(dir, port);
      const state = await waitForKeystone(`http://127.0.0.1:${port}/v3`, proc, options.startTimeoutMs ?? 60000);
      if (state === 'up') break;
      const log = await tail(dir, 30);
      // Someone took the port between the probe and the bind: take another.
      if (attempt < 4 && log.includes('Address already in use')) continue;
      throw new Error(`uWSGI exited before Keystone answered on port ${port}`);
    }
    const failed = await bootstrap;
    if (failed) throw failed;
    const fixture = await populate(`http://127.0.0.1:${port}/v3`, port, dir, tokenExpirationSeconds, began, stop);
    return fixture;
  } catch (err) {
    await bootstrap;
    const log = await tail(dir, 40);
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
}

/** Creates the catalog entry, roles, projects, users and assignments through the v3 API; returns the fixture. */
async function populate(
  url: string,
  port: number,
  dir: string,
  tokenExpirationSeconds: number,
  began: number,
  stop: () => Promise<void>,
): Promise<KeystoneFixture> {
  const projects: Record<string, string> = {};
  const users = {} as Record<KeystoneUserName, string>;

  const authenticate = async (identity: unknown, scope?: unknown): Promise<{ token: string; body: KeystoneBody }> => {
    const result = await call(`${url}/auth/tokens?nocatalog`, 'POST', undefined, { auth: { identity, scope } });
    const token = result.headers.get('x-subject-token');
    if (result.status !== 201 || !token)
      throw new Error(`Keystone auth: ${result.status} ${JSON.stringify(result.body)}`);
    return { token, body: result.body };
  };
  const scopeOf = (project: string) => ({
    project: Object.values(projects).includes(project) ? { id: project } : { name: project, domain: { id: 'default' } },
  });
  const login = (user: KeystoneUserName, project: string) =>
    authenticate(
      {
        methods: ['password'],
        password: { user: { name: user, domain: { id: 'default' }, password: KEYSTONE_USERS[user] } },
      },
      scopeOf(project),
    );
  const token = async (user: KeystoneUserName, project: string) => (await login(user, project)).token;
  // The admin token is reused while it has a few seconds left; with a tiny `[token] expiration` every step logs in.
  let adminToken = { token: '', until: 0 };
  const admin = async () => {
    if (Date.now() >= adminToken.until) {
      const until = Date.now() + (tokenExpirationSeconds - 5) * 1000;
      adminToken = { token: await token('admin', 'admin'), until };
    }
    return adminToken.token;
  };
  const post = async (path: string, body: unknown) => must(201, `${url}${path}`, 'POST', await admin(), body);

  const existing = await must(200, `${url}/roles`, 'GET', await admin());
  const roles: Record<string, string> = {};
  for (const role of existing.roles) roles[role.name] = role.id;
  for (const name of ['member', 'service']) roles[name] ??= (await post('/roles', { role: { name } })).role.id;

  const service = (await post('/services', { service: { type: 'identity', name: 'keystone' } })).service.id;
  await post('/endpoints', { endpoint: { interface: 'public', url, service_id: service, region_id: 'RegionOne' } });

  const adminInfo = await login('admin', 'admin');
  projects.admin = adminInfo.body.token.project.id;
  users.admin = adminInfo.body.token.user.id;
  for (const name of ['service', 'tenant-a', 'tenant-b']) {
    projects[name] = (await post('/projects', { project: { name, domain_id: 'default' } })).project.id;
  }
  const grants: [KeystoneUserName, string, string][] = [
    ['qgate', 'service', 'service'],
    ['alice', 'tenant-a', 'member'],
    ['bob', 'tenant-b', 'member'],
    ['carol', 'tenant-a', 'admin'],
  ];
  for (const [user, project, role] of grants) {
    const body = {
      user: { name: user, password: KEYSTONE_USERS[user], domain_id: 'default', default_project_id: projects[project] },
    };
    users[user] = (await post('/users', body)).user.id;
    await must(
      204,
      `${url}/projects/${projects[project]}/users/${users[user]}/roles/${roles[role]}`,
      'PUT',
      await admin(),
    );
  }

  return {
    url,
    port,
    dir,
    service: { username: 'qgate', password: KEYSTONE_USERS.qgate, project: 'service', domain: 'Default' },
    projects: { a: projects['tenant-a'], b: projects['tenant-b'], service: projects.service, admin: projects.admin },
    users,
    tokenExpirationSeconds,
    startedInMs: Date.now() - began,
    token,
    expiringToken: async (user, project, seconds) => {
      const owner = await token(user, project);
      const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
      const credential = { name: `expiring-${randomUUID()}`, expires_at: expiresAt };
      const body = await must(201, `${url}/users/${users[user]}/application_credentials`, 'POST', owner, {
        application_credential: credential,
      });
      const { id, secret } = body.application_credential;
      return (await authenticate({ methods: ['application_credential'], application_credential: { id, secret } }))
        .token;
    },
    validate: async (subject, options = {}) => {
      const query = options.allowExpired ? '?allow_expired=1&nocatalog' : '?nocatalog';
      const result = await call(`${url}/auth/tokens${query}`, 'GET', await token('qgate', 'service'), undefined, {
        'x-subject-token': subject,
      });
      return { status: result.status, body: result.body };
    },
    revoke: async (subject) => {
      await must(204, `${url}/auth/tokens`, 'DELETE', await admin(), undefined, { 'x-subject-token': subject });
    },
    stop,
    logTail: (lines = 40) => tail(dir, lines),
  };
}
