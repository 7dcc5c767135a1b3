import type { Checkpoint } from '../../readModels/checkpointStore';
import { batchSizeFor, flushDecision } from './batchTiming';
import { CheckpointMovedError, commitBatch } from './checkpointCommit';
import { lagEvents, rateWindow } from './rateWindow';
import { backoffMs, withRetry } from './retryPolicy';

const timing = { batchDelayMs: 100, maxDelayMs: 1000, catchUpQuietMs: 2000 };

describe('batch timing (fake clock)', () => {
  it('writes a lone event once the log is quiet, and a steady trickle at the maximum delay', () => {
    const live = { caughtUp: true, firstArrival: 0, lastArrival: 0 };
    expect(flushDecision(50, live, timing)).toBe('wait');
    expect(flushDecision(100, live, timing)).toBe('quiet');
    // Events keep arriving every 50 ms: never quiet, due once the oldest has waited 1 s.
    expect(flushDecision(999, { ...live, lastArrival: 950 }, timing)).toBe('wait');
    expect(flushDecision(1000, { ...live, lastArrival: 950 }, timing)).toBe('due');
  });

  it('while catching up, waits for full batches unless the log is quiet for 2 s', () => {
    const catchingUp = { caughtUp: false, firstArrival: 0, lastArrival: 0 };
    expect(flushDecision(1500, catchingUp, timing)).toBe('wait');
    expect(flushDecision(5000, { ...catchingUp, lastArrival: 4000 }, timing)).toBe('wait');
    expect(flushDecision(2000, catchingUp, timing)).toBe('quiet');
  });

  it('uses big batches while catching up or when a backlog has built up', () => {
    const sizes = { batchSize: 5000, catchUpBatchSize: 50_000 };
    expect(batchSizeFor(false, 10, sizes)).toBe(50_000);
    expect(batchSizeFor(true, 10, sizes)).toBe(5000);
    expect(batchSizeFor(true, 20_000, sizes)).toBe(50_000);
    expect(batchSizeFor(true, 20_000, { batchSize: 5000 })).toBe(5000);
  });
});

describe('retry policy', () => {
  it('retries with exponential backoff, then gives up with the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error(`failure ${calls}`));
    };
    await expect(
      withRetry(
        failing,
        { attempts: 4, baseMs: 100, maxMs: 500 },
        {
          sleep: async (ms) => void waits.push(ms),
        },
      ),
    ).rejects.toThrow('failure 4');
    expect(waits).toEqual([200, 400, 500]);
    expect(backoffMs({ attempts: 9, baseMs: 100, maxMs: 5000 }, 8)).toBe(5000);
  });

  it('returns the first success', async () => {
    let calls = 0;
    const flaky = async () => (++calls < 3 ? Promise.reject(new Error('x')) : 'ok');
    const retried: number[] = [];
    await expect(
      withRetry(
        flaky,
        { attempts: 5, baseMs: 1, maxMs: 1 },
        {
          sleep: async () => undefined,
          onRetry: (_e, attempt) => retried.push(attempt),
        },
      ),
    ).resolves.toBe('ok');
    expect(retried).toEqual([1, 2]);
  });
});

describe('checkpoint commit', () => {
  const from = { commit: 10n, prepare: 10n };
  const end = { commit: 20n, prepare: 19n };
  /** An in-memory checkpoint document with the store's compare-and-set rule. */
  const recorder = (initial: Checkpoint = { position: 10n, prepare: 10n }) => {
    const log: (Checkpoint & { applied?: number })[] = [];
    let doc = initial;
    return {
      log,
      move: (to: Checkpoint) => void (doc = to),
      checkpoints: {
        swap: async (_id: string, expected: Checkpoint, next: Checkpoint, applied?: number) => {
          if (doc.position !== expected.position || doc.pending !== expected.pending) return false;
          doc = next;
          log.push({ ...next, ...(applied !== undefined ? { applied } : {}) });
          return true;
        },
      },
    };
  };
  const stored = { position: 10n, prepare: 10n };

  it('stores the intent, writes, then commits the batch end', async () => {
    const { log, checkpoints } = recorder();
    const order: string[] = [];
    const out = await commitBatch({
      checkpoints,
      checkpointId: 'p',
      stored,
      from,
      end,
      handled: 3,
      write: async () => {
        order.push(`write after ${log.length} checkpoint writes`);
        return 'written';
      },
    });
    expect(out.result).toBe('written');
    expect(out.stored).toEqual({ position: 20n, prepare: 19n });
    expect(order).toEqual(['write after 1 checkpoint writes']);
    expect(log).toEqual([
      { position: 10n, prepare: 10n, pending: 20n },
      { position: 20n, prepare: 19n, applied: 3 },
    ]);
  });

  it('commits nothing when the write fails: the intent stays for the replay', async () => {
    const { log, checkpoints } = recorder();
    await expect(
      commitBatch({
        checkpoints,
        checkpointId: 'p',
        stored,
        from,
        end,
        handled: 3,
        write: () => Promise.reject(new Error('down')),
      }),
    ).rejects.toThrow('down');
    expect(log).toEqual([{ position: 10n, prepare: 10n, pending: 20n }]);
  });

  it('writes nothing when another instance moved the checkpoint first', async () => {
    const { log, checkpoints, move } = recorder();
    move({ position: 10n, prepare: 10n, pending: 15n }); // another instance's intent
    let written = false;
    await expect(
      commitBatch({
        checkpoints,
        checkpointId: 'p',
        stored,
        from,
        end,
        handled: 3,
        write: async () => void (written = true),
      }),
    ).rejects.toBeInstanceOf(CheckpointMovedError);
    expect(written).toBe(false);
    expect(log).toEqual([]);
  });

  it('replays an interrupted batch from the intent it left', async () => {
    const intent = { position: 10n, prepare: 10n, pending: 20n };
    const { log, checkpoints } = recorder(intent);
    await commitBatch({
      checkpoints,
      checkpointId: 'p',
      stored: intent,
      from,
      end,
      handled: 3,
      write: async () => undefined,
    });
    expect(log.at(-1)).toEqual({ position: 20n, prepare: 19n, applied: 3 });
  });
});

describe('status', () => {
  it('counts events per second over a sliding window', () => {
    let now = 0;
    const rate = rateWindow(() => now, 10_000);
    rate.add(500);
    now = 5000;
    rate.add(500);
    expect(rate.perSecond()).toBe(100);
    now = 10_001;
    expect(rate.perSecond()).toBe(50);
  });

  it('estimates the lag while catching up from the average event size', () => {
    expect(
      lagEvents({
        pending: 10,
        received: 100,
        startPosition: 0n,
        lastReceived: 1000n,
        head: 3000n,
      }),
    ).toBe(210);
    expect(lagEvents({ pending: 7, received: 0, startPosition: 0n, lastReceived: 0n })).toBe(7);
  });
});
