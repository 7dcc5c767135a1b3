import { batchLength } from './batcher';

const ev = (commit: number, prepare = commit) => ({
  position: { commit: BigInt(commit), prepare: BigInt(prepare) },
});

describe('batchLength', () => {
  it('waits on an empty buffer', () => {
    expect(batchLength([], { maxEvents: 10, quiet: true })).toBe(0);
  });

  it('cuts at maxEvents when that is a commit boundary', () => {
    const buffer = [ev(1), ev(2), ev(3), ev(4)];
    expect(batchLength(buffer, { maxEvents: 2, quiet: false })).toBe(2);
    expect(batchLength(buffer, { maxEvents: 10, quiet: false })).toBe(4);
  });

  it('never splits events sharing a commit position', () => {
    const buffer = [ev(1), ev(5, 2), ev(5, 3), ev(5, 4), ev(6)];
    expect(batchLength(buffer, { maxEvents: 2, quiet: false })).toBe(4);
  });

  it('holds back a trailing group that may still be arriving, unless the log is quiet', () => {
    const buffer = [ev(1), ev(5, 2), ev(5, 3)];
    expect(batchLength(buffer, { maxEvents: 10, quiet: false })).toBe(1);
    expect(batchLength(buffer, { maxEvents: 10, quiet: true })).toBe(3);
    expect(batchLength([ev(5, 2)], { maxEvents: 10, quiet: false })).toBe(0);
  });

  it('reproduces a crashed batch exactly: ends after the whole group at the forced cut', () => {
    const buffer = [ev(1), ev(2), ev(7, 3), ev(7, 4), ev(8), ev(9)];
    expect(batchLength(buffer, { maxEvents: 1, forcedCut: 7n, quiet: false })).toBe(4);
    // Not everything up to the cut has arrived yet: wait, even past maxEvents.
    expect(batchLength(buffer.slice(0, 3), { maxEvents: 1, forcedCut: 7n, quiet: false })).toBe(0);
    // The log ends exactly at the cut: once quiet, the whole buffer is the batch.
    expect(batchLength(buffer.slice(0, 4), { maxEvents: 1, forcedCut: 7n, quiet: true })).toBe(4);
    expect(batchLength(buffer.slice(0, 2), { maxEvents: 1, forcedCut: 7n, quiet: true })).toBe(0);
  });
});
