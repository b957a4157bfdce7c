// Parses the Redis store URIs operators write (TCP, TLS, unix socket, Sentinel) into a connection target.
//
// Accepted forms (a bad one is a BadRequest that names the problem):
//   redis://[[user]:password@]host[:port][/db]            TCP, port 6379 by default, db 0 by default
//   rediss://…                                            the same over TLS (Node's CA store; NODE_EXTRA_CA_CERTS adds one)
//   redis:///path/to/redis.sock[?db=N]                    unix socket (Zaqar's form: no host, the path is the socket)
//   redis://unix/path/to/redis.sock[?db=N]                unix socket, for tools that insist on a host part
//   redis://[:password@]h1:26379,h2:26379[/db]?master=M   Sentinel: ask these sentinels (port 26379 by default) for M
// Query parameters: master, db (or Zaqar's dbid), sentinel_password, wait_replicas (after each write, WAIT until
// that many replicas have it, else 503), and socket_timeout (Zaqar's; accepted and ignored: store.timeout_ms rules).

import { BadRequest } from '../../core/errors';

/** One host:port. */
export interface HostPort {
  host: string;
  port: number;
}

/** Where and how to connect, as the URI says. */
export interface RedisTarget {
  mode: 'tcp' | 'unix' | 'sentinel';
  /** TCP: the server. */
  server?: HostPort;
  /** Unix socket path. */
  socketPath?: string;
  /** Sentinel: the sentinels to ask, and the master group name. */
  sentinels?: HostPort[];
  master?: string;
  sentinelPassword?: string;
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
  /** Replicas every write must reach before it is acknowledged (0: do not wait). */
  waitReplicas: number;
  /** How errors name this Redis: "Redis at host:port", never with the password. */
  label: string;
}

const DEFAULT_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;
const KNOWN_PARAMS = ['master', 'db', 'dbid', 'sentinel_password', 'wait_replicas', 'socket_timeout'];

/** Whether the URI names a Redis store (redis:// or rediss://). */
export function isRedisUri(uri: string): boolean {
  return /^rediss?:/i.test(uri);
}

function invalid(uri: string, problem: string): BadRequest {
  return new BadRequest(`Invalid Redis URI "${redact(uri)}": ${problem}`);
}

/** The URI with any password replaced by ***, for messages and logs. */
export function redact(uri: string): string {
  return uri.replace(/^(rediss?:\/\/)([^@/?#]*)@/i, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${auth.slice(0, colon)}:***`}@`;
  });
}

function parseInteger(uri: string, text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw invalid(uri, `${what} "${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw invalid(uri, `${what} ${n} is out of range (${min}-${max})`);
  return n;
}

/** Parses host[:port] or [ipv6][:port]. */
function parseHostPort(uri: string, text: string, defaultPort: number): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(.*))?$/.exec(text);
  if (!match) throw invalid(uri, `"${text}" is not host[:port]`);
  const host = match[1] ?? match[2];
  const port = match[3] === undefined ? defaultPort : parseInteger(uri, match[3], 'port', 1, 65535);
  return { host, port };
}

function decode(uri: string, text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(uri, `the ${what} is not valid percent-encoding`);
  }
}

/** Parses a redis:// or rediss:// URI; throws BadRequest naming what is wrong. */
export function parseRedisUri(uri: string): RedisTarget {
  const match = /^(rediss?):(\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(#.*)?$/i.exec(uri.trim());
  if (!match) throw invalid(uri, 'use redis://host:port, rediss://…, redis:///path.sock or redis://h1,h2?master=name');
  const [, scheme, hasAuthority, authorityText = '', pathText = '', queryText = '', fragment] = match;
  if (fragment) throw invalid(uri, 'a fragment (#…) means nothing here');
  const tls = scheme.toLowerCase() === 'rediss';
  const params = new URLSearchParams(queryText);
  for (const key of params.keys()) {
    if (!KNOWN_PARAMS.includes(key)) {
      throw invalid(uri, `unknown parameter "${key}" (known: ${KNOWN_PARAMS.join(', ')})`);
    }
  }

  let authority = authorityText;
  let username: string | undefined;
  let password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const auth = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = auth.indexOf(':');
    const user = colon < 0 ? '' : decode(uri, auth.slice(0, colon), 'user name');
    const pass = decode(uri, colon < 0 ? auth : auth.slice(colon + 1), 'password');
    if (user) username = user;
    if (pass) password = pass;
  }

  const dbParam = params.get('db') ?? params.get('dbid');
  const waitText = params.get('wait_replicas');
  const waitReplicas = waitText === null ? 0 : parseInteger(uri, waitText, 'wait_replicas', 0, 64);
  const master = params.get('master') ?? undefined;
  const sentinelPassword = params.get('sentinel_password') ?? undefined;
  const base = { username, password, tls, waitReplicas };

  const socketForm = !hasAuthority || authority === '' || authority.toLowerCase() === 'unix';
  if (socketForm && master === undefined) {
    const socketPath = decode(uri, pathText, 'socket path');
    if (!socketPath.startsWith('/') || socketPath.length < 2) {
      throw invalid(uri, 'a host is missing (redis://host:port), or a socket path (redis:///path/to/redis.sock)');
    }
    const db = dbParam === null ? 0 : parseInteger(uri, dbParam, 'db', 0, 1_000_000);
    return { ...base, mode: 'unix', socketPath, db, label: `Redis at ${socketPath}` };
  }

  let db = 0;
  if (pathText !== '' && pathText !== '/') {
    db = parseInteger(uri, pathText.slice(1), 'database number in the path', 0, 1_000_000);
  }
  if (dbParam !== null) db = parseInteger(uri, dbParam, 'db', 0, 1_000_000);
  if (authority === '')
    throw invalid(uri, 'the Sentinel form needs sentinel hosts: redis://h1:26379,h2:26379?master=name');
  const hosts = authority.split(',');
  if (master !== undefined) {
    if (master === '') throw invalid(uri, 'master= names no master group');
    const sentinels = hosts.map((h) => parseHostPort(uri, h, DEFAULT_SENTINEL_PORT));
    const where = sentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return {
      ...base,
      mode: 'sentinel',
      sentinels,
      master,
      sentinelPassword,
      db,
      label: `Redis master ${master} (sentinels ${where})`,
    };
  }
  if (hosts.length > 1) {
    throw invalid(uri, 'several hosts are only valid for Sentinel: add ?master=<name of the master group>');
  }
  if (sentinelPassword !== undefined) throw invalid(uri, 'sentinel_password is only valid with ?master=');
  const server = parseHostPort(uri, hosts[0], DEFAULT_PORT);
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return { ...base, mode: 'tcp', server, db, label: `Redis at ${host}:${server.port}` };
}
