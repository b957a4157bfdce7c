// The ioredis client of one Redis store: bounded failures (503 within timeoutMs), endless reconnection, no replays.
//
// - enableOfflineQueue false: while disconnected a call fails at once instead of queueing; a queued write
//   could otherwise reach Redis after its caller was told 503 ("nothing was changed").
// - maxRetriesPerRequest 0 and autoResendUnfulfilledCommands false: a command in flight when the connection
//   drops fails; it is never sent a second time behind the caller's back.
// - commandTimeout: a Redis that accepts the connection but stops answering still fails within timeoutMs.
// - retryStrategy never gives up, so the store comes back by itself; Sentinel mode asks the sentinels for
//   the current master on every reconnect and listens for +switch-master (failoverDetector).

import { Redis, type RedisOptions } from 'ioredis';
import { QgateError, ServiceUnavailable } from '../../core/errors';
import type { RedisTarget } from './uri';

/** Reconnect backoff: 50 ms doubling to at most 1 s, forever. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 5), 1000);
}

/** The ioredis options for a target. */
export function clientOptions(target: RedisTarget, timeoutMs: number): RedisOptions {
  const common: RedisOptions = {
    username: target.username,
    password: target.password,
    db: target.db,
    protocol: 2,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    retryStrategy: reconnectDelay,
    // A demoted master answers READONLY: reconnect, which in Sentinel mode finds the new master.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    connectionName: 'qgate',
  };
  if (target.mode === 'sentinel') {
    return {
      ...common,
      name: target.master,
      sentinels: target.sentinels,
      sentinelPassword: target.sentinelPassword,
      sentinelRetryStrategy: reconnectDelay,
      sentinelReconnectStrategy: reconnectDelay,
      sentinelCommandTimeout: timeoutMs,
      failoverDetector: true,
      ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    };
  }
  if (target.mode === 'unix') return { ...common, path: target.socketPath };
  return {
    ...common,
    host: target.server?.host,
    port: target.server?.port,
    ...(target.tls ? { tls: { servername: target.server?.host } } : {}),
  };
}

/** A connected-or-connecting client; it keeps reconnecting until closed. Errors are kept, never thrown. */
export function createClient(target: RedisTarget, timeoutMs: number): { client: Redis; lastError: () => string } {
  const client = new Redis(clientOptions(target, timeoutMs));
  let last = '';
  // Without a listener ioredis prints every connection error; the driver reports them through 503s and health().
  client.on('error', (err: Error) => {
    last = err.message;
  });
  return { client, lastError: () => last };
}

/** Resolves once the client is ready, or after `timeoutMs` (it goes on connecting in the background). */
export function waitUntilReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    client.on('ready', onReady);
  });
}

/** Redis replies that mean "not now" (failover, loading, out of memory) rather than a bug. */
const UNAVAILABLE_REPLIES = [
  'READONLY',
  'LOADING',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'BUSY',
  'NOREPLICAS',
  'MISCONF',
  'OOM',
];

/** Errors of our own code (a bad reply decoded, a bug): they must surface as they are, never as a 503. */
const PROGRAMMING_ERRORS = [TypeError, SyntaxError, RangeError, ReferenceError];

/** Turns a client failure into ServiceUnavailable naming the store; domain errors and bugs pass through. */
export function translateError(err: unknown, label: string): unknown {
  if (err instanceof QgateError) return err;
  if (!(err instanceof Error)) return err;
  if (PROGRAMMING_ERRORS.some((kind) => err instanceof kind)) return err;
  if (err.name === 'ReplyError') {
    const code = err.message.split(' ')[0];
    if (!UNAVAILABLE_REPLIES.includes(code)) return err;
    return new ServiceUnavailable(`${label} cannot serve the request now (${code}).`);
  }
  // What is left is the client's own: connection closed or refused, not writeable, command timed out,
  // MaxRetriesPerRequestError, no sentinel answering.
  return new ServiceUnavailable(`${label} is unreachable.`);
}
