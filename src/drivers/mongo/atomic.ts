// Runs a multi-step change as one transaction where the deployment has them (replica set, sharded), else as is.

import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientSession, MongoError, type MongoClient, type TransactionOptions } from 'mongodb';
import { ServiceUnavailable } from '../../core/errors';
import { isUnavailable } from './errors';

/** Options of every qgate transaction: reads from the primary's snapshot; the client's write concern. */
const TRANSACTION: TransactionOptions = { readPreference: 'primary', readConcern: { level: 'snapshot' } };

/** Jittered backoff after the nth write conflict: 5 ms growing to 250 ms. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(5 * 1.5 ** attempt, 250);
}

/**
 * Every step in `fn` passes the session it is given (undefined without transactions). The steps are written
 * as conditional updates that are safe on their own, so without transactions nothing is handed out twice; a
 * transaction adds that a claim or pop is all-or-nothing under contention (two claims never split a batch).
 */
export class AtomicRunner {
  constructor(
    private readonly client: MongoClient,
    /** How the store is named in errors. */
    private readonly label: string,
    /** How long write conflicts may be retried before the call fails with 503. */
    private readonly budgetMs: number,
  ) {}

  /** Whether changes run in transactions (decided once the deployment has been asked). */
  transactions = false;

  /** Runs `fn` once, inside a transaction retried on write conflicts when transactions are on. */
  async run<T>(fn: (session?: ClientSession) => Promise<T>): Promise<T> {
    if (!this.transactions) return fn(undefined);
    const session = this.client.startSession();
    const deadline = Date.now() + this.budgetMs;
    try {
      for (let attempt = 0; ; attempt++) {
        session.startTransaction(TRANSACTION);
        try {
          const result = await fn(session);
          await this.commit(session, deadline);
          return result;
        } catch (err) {
          if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
          if (!isConflict(err)) throw err;
          if (Date.now() >= deadline) {
            throw new ServiceUnavailable(`${this.label} is too busy: the change kept conflicting with others.`);
          }
          await sleep(backoffMs(attempt));
        }
      }
    } finally {
      await session.endSession().catch(() => undefined);
    }
  }

  /** Commits, retrying while the outcome is unknown (the spec's UnknownTransactionCommitResult rule). */
  private async commit(session: ClientSession, deadline: number): Promise<void> {
    for (;;) {
      try {
        await session.commitTransaction();
        return;
      } catch (err) {
        const unknown = err instanceof MongoError && err.hasErrorLabel('UnknownTransactionCommitResult');
        if (!unknown || isUnavailable(err) || Date.now() >= deadline) throw err;
      }
    }
  }
}

/** A transient transaction error that is a conflict with another writer (retry), not an unreachable store (503). */
function isConflict(err: unknown): boolean {
  return err instanceof MongoError && err.hasErrorLabel('TransientTransactionError') && !isUnavailable(err);
}
