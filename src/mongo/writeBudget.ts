import { Semaphore } from 'async-mutex';
import type { ServerQuirks } from './serverQuirks';

/**
 * How many update operations (plus one per command) a process keeps in flight against the
 * read-model server by default. FerretDB 1.24 holds one pooled backend connection per update of a
 * command until the command ends, plus one for its write, and hangs for good once concurrent
 * commands need more than its pool (100 on SQLite, 50 on PostgreSQL): 48 lets two processes
 * share the SQLite pool. Real MongoDB has no such limit; 10,000 only bounds memory.
 * Decided by what the server says it is (`serverQuirks`), so a FerretDB given as MONGODB_URL
 * counts too.
 */
export function defaultUpdateBudget(server: Pick<ServerQuirks, 'ferretdb'>): number {
  return server.ferretdb ? 48 : 10_000;
}

/** Smallest budget: one command with one update. */
export const MIN_UPDATE_BUDGET = 2;

/**
 * A process-wide budget of update operations in flight, shared by every writer of one
 * MongoClient (built once in the composition root and passed to the parts that write).
 * A command carrying `u` update operations holds `u + 1` permits from before it is sent until
 * its reply (or error) arrives; inserts, deletes and drops hold 1. Waiters are served first come,
 * first served: a large command at the head is not overtaken by small ones behind it.
 */
export class WriteBudget {
  private readonly semaphore: Semaphore;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < MIN_UPDATE_BUDGET)
      throw new RangeError(
        `update budget must be an integer >= ${MIN_UPDATE_BUDGET}, got ${capacity}`,
      );
    this.semaphore = new Semaphore(capacity);
  }

  /** The most update operations one command may carry under this budget. */
  get maxUpdatesPerCommand(): number {
    return this.capacity - 1;
  }

  /** Permits free right now. */
  get available(): number {
    return this.semaphore.getValue();
  }

  /**
   * Runs `send`, one command carrying `updates` update operations (0 for inserts, deletes,
   * drops, index builds), holding `updates + 1` permits until it settles. Throws a RangeError
   * without waiting when the command could never fit: callers split larger commands.
   */
  async command<R>(updates: number, send: () => Promise<R>): Promise<R> {
    if (!Number.isInteger(updates) || updates < 0)
      throw new RangeError(`update count must be a non-negative integer, got ${updates}`);
    const weight = updates + 1;
    if (weight > this.capacity)
      throw new RangeError(
        `a command of ${updates} updates needs ${weight} permits; the update budget is ${this.capacity} (split it)`,
      );
    return this.semaphore.runExclusive(() => send(), weight);
  }
}
