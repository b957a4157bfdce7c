// Which MongoDB failures mean "the store cannot serve now" (503) rather than a bug, and how they are worded.

import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import { QgateError, ServiceUnavailable } from '../../core/errors';

/** Server error codes of a deployment that is failing over, shutting down, overloaded or cut off. */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * Socket errors of Node itself. The official driver lets some escape unwrapped: a command written on a pooled
 * connection the server has just closed fails with a plain EPIPE ("This socket has been ended by the other
 * party") rather than a MongoNetworkError.
 */
const SOCKET_ERROR_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Whether the error says the deployment is unreachable or not serving (as opposed to a bad request or a bug). */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof MongoError) && typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoWriteConcernError
  ) {
    return true;
  }
  if (!(err instanceof MongoError)) return false;
  if (typeof err.code === 'number' && UNAVAILABLE_CODES.has(err.code)) return true;
  return err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('ResetPool');
}

/** Turns an unavailable-store failure into ServiceUnavailable naming the store; anything else passes through. */
export function translateMongoError(err: unknown, label: string): unknown {
  if (err instanceof QgateError) return err;
  if (err instanceof MongoWriteConcernError) {
    return new ServiceUnavailable(
      `${label} did not confirm the write (write concern: ${err.message}); it may not be kept.`,
    );
  }
  if (isUnavailable(err)) return new ServiceUnavailable(`${label} is unreachable.`);
  return err;
}

/** Whether a write failed on a unique index (E11000): the conditional steps read it as "someone else holds this". */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}
