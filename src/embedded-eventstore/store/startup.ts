import { readFrameAt } from '../log/frameCursor';
import { decodeRecord, FLAG_TOMBSTONE, KIND_SYSTEM } from '../log/record';
import type { DecodedRecord } from '../log/record';
import { recoverLog } from '../log/recovery';
import type { Recovered } from '../log/recovery';
import type { SegmentFiles } from '../log/segmentFiles';
import type { SegmentLog } from '../log/segmentLog';
import type { IdCache } from './idCache';
import {
  encodeSnapshot,
  encodeSnapshotInSlices,
  readSnapshot,
  writeSnapshot,
} from './indexSnapshot';
import { loadSnapshot, StreamIndex } from './streamIndex';
import type { StoreLogger } from './types';

/**
 * Builds the in-memory index at start-up: from the index snapshot plus a scan of the log after it,
 * or from a scan of the whole log when there is no usable snapshot. Torn tails are cut by the scan.
 */
export function loadIndex(
  files: SegmentFiles,
  dataDir: string,
  ids: IdCache,
  logger: StoreLogger,
): { index: StreamIndex; recovered: Recovered } {
  const snap = readSnapshot(dataDir);
  if (snap) {
    const index = new StreamIndex();
    try {
      loadSnapshot(index, snap);
      for (const { id, position } of snap.ids) ids.set(id, position);
      const recovered = recoverLog(files, snap.logEnd, (rs) => applyRecords(index, ids, rs));
      return { index, recovered };
    } catch (err) {
      logger.warn({ err: String(err) }, 'index snapshot unusable, scanning the whole log');
    }
  }
  const index = new StreamIndex();
  const recovered = recoverLog(files, 0, (rs) => applyRecords(index, ids, rs));
  return { index, recovered };
}

function applyRecords(index: StreamIndex, ids: IdCache, records: DecodedRecord[]): void {
  for (const r of records) {
    if (r.kind === KIND_SYSTEM) continue;
    if (r.flags & FLAG_TOMBSTONE) {
      index.addTombstone(r.stream, r.position);
      continue;
    }
    index.addEvent(r.stream, r.position);
    ids.set(r.id, r.position);
    if (r.stream.startsWith('$$')) index.applyMetadata(r.stream, r.data);
  }
}

/** Stream metadata is not in the snapshot: re-read the last event of every `$$` stream. */
export function reloadMetadata(index: StreamIndex, log: SegmentLog): void {
  for (const s of index.streams.values()) {
    if (!s.name.startsWith('$$') || s.positions.length === 0) continue;
    const f = readFrameAt(log, s.positions[s.positions.length - 1]!);
    index.applyMetadata(s.name, decodeRecord(f.buf, f.at, f.position).data);
  }
}

/** Writes an index snapshot every `every` durable events (in the background) and on demand. */
export class SnapshotScheduler {
  private snapshotAt: number;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly every: number,
    private readonly logger: StoreLogger,
    private readonly state: () => { index: StreamIndex; log: SegmentLog; ids: IdCache },
    indexedEvents: number,
  ) {
    this.snapshotAt = indexedEvents;
  }

  /** Called after each group commit. */
  tick(indexedEvents: number): void {
    if (indexedEvents - this.snapshotAt >= this.every) void this.run(false);
  }

  run(force: boolean): Promise<void> {
    if (this.running) return force ? this.running.then(() => this.run(true)) : this.running;
    const { index, log, ids } = this.state();
    const count = index.all.durableCount(log.durableEnd);
    if (count === this.snapshotAt || (!force && count - this.snapshotAt < this.every)) {
      return Promise.resolve();
    }
    // on close nothing else runs: encode at once; otherwise in slices, between appends
    const encoded = force
      ? Promise.resolve(encodeSnapshot(index, log.durableEnd, ids))
      : encodeSnapshotInSlices(index, log.durableEnd, ids);
    this.running = encoded
      .then((buf) => writeSnapshot(this.dataDir, buf))
      .then(() => {
        this.snapshotAt = count;
      })
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'index snapshot failed'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
