import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { readFrameAt } from '../log/frameCursor';
import {
  FLAG_COMMIT_END,
  FLAG_TOMBSTONE,
  FRAME_HEADER,
  KIND_SYSTEM,
  recordSize,
  writeRecord,
} from '../log/record';
import type { NewEvent } from '../log/record';
import { SegmentFiles } from '../log/segmentFiles';
import { SegmentLog } from '../log/segmentLog';
import { storedSize } from './appendSize';
import { epochInformationEvent, EPOCH_INFORMATION } from './epochInformation';
import { IdCache } from './idCache';
import { loadIndex, reloadMetadata, SnapshotScheduler } from './startup';
import type { StreamIndex } from './streamIndex';
import type { StreamState } from './streamIndex';
import { metaWithTruncateBefore, parseStreamMeta } from './streamMeta';
import type { AppendOutcome, DeleteOutcome, ExpectedRevision, StoreLogger } from './types';
import { silentLogger } from './types';

export interface StoreOptions {
  dataDir: string;
  /** Bytes per segment file (default 256 MiB). */
  segmentSize?: number;
  /** Largest append accepted, in stored bytes (appendSize.ts; the real server's default: 1 MiB). */
  maxAppendSize?: number;
  idCacheSize?: number;
  /** Write an index snapshot after this many new events (default 50,000). */
  snapshotEvery?: number;
  logger?: StoreLogger;
  clock?: () => number;
}

interface Pending {
  stream: string;
  revision: number;
  flags: number;
  event: NewEvent;
}

const JSON_TYPE = 'application/json';

/** The storage engine: validates appends against the in-memory index and writes them to the log. */
export class Store {
  readonly index: StreamIndex;
  readonly log: SegmentLog;
  readonly maxAppendSize: number;
  readonly clock: () => number;
  private readonly ids: IdCache;
  private readonly listeners = new Set<() => void>();
  private waiters: { position: number; resolve: () => void }[] = [];
  private readonly snapshots: SnapshotScheduler;

  private constructor(opts: StoreOptions) {
    const files = new SegmentFiles(opts.dataDir, opts.segmentSize ?? 256 * 1024 * 1024);
    this.maxAppendSize = opts.maxAppendSize ?? 1024 * 1024;
    this.clock = opts.clock ?? Date.now;
    this.ids = new IdCache(opts.idCacheSize ?? 100_000);
    const logger = opts.logger ?? silentLogger;
    const started = Date.now();
    const { index, recovered } = loadIndex(files, opts.dataDir, this.ids, logger);
    this.index = index;
    if (recovered.truncatedBytes > 0) {
      logger.warn({ truncatedBytes: recovered.truncatedBytes }, 'cut a torn log tail');
    }
    this.log = new SegmentLog(files, recovered.end, recovered.sealed, (end) => this.durable(end));
    reloadMetadata(this.index, this.log);
    this.snapshots = new SnapshotScheduler(
      opts.dataDir,
      opts.snapshotEvery ?? 50_000,
      logger,
      () => ({ index: this.index, log: this.log, ids: this.ids }),
      this.index.all.count,
    );
    logger.info(
      { events: index.all.count, scanned: recovered.scannedRecords, ms: Date.now() - started },
      'event log recovered',
    );
  }

  static async open(opts: StoreOptions): Promise<Store> {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const store = new Store(opts);
    if (store.log.end === 0) {
      await store.writeHeader();
      const epoch = epochInformationEvent(store.clock());
      await store.append(EPOCH_INFORMATION, { kind: 'no_stream' }, [epoch]);
    }
    return store;
  }

  /** The first record is a system record, so no event ever sits at position 0. */
  private writeHeader(): Promise<void> {
    const event: NewEvent = {
      id: Buffer.alloc(16),
      type: '$log-created',
      contentType: JSON_TYPE,
      data: Buffer.from('{"version":1}'),
      metadata: Buffer.alloc(0),
    };
    const buf = Buffer.allocUnsafe(recordSize('$log', event));
    writeRecord(
      buf,
      0,
      { stream: '$log', revision: 0, created: this.clock(), flags: FLAG_COMMIT_END, event },
      KIND_SYSTEM,
    );
    return this.log.write(this.log.allocate(buf.length), buf);
  }

  get durableEnd(): number {
    return this.log.durableEnd;
  }

  /** Called after each group commit; returns an unsubscribe function. */
  onDurable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private durable(end: number): void {
    if (this.waiters.length > 0) {
      const still = [];
      for (const w of this.waiters) {
        if (w.position < end) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
    for (const l of this.listeners) l();
    this.snapshots.tick(this.index.all.count);
  }

  private waitDurable(position: number): Promise<void> {
    if (position < this.log.durableEnd) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  async append(
    stream: string,
    expected: ExpectedRevision,
    events: NewEvent[],
  ): Promise<AppendOutcome> {
    this.throwIfFailed();
    let size = 0;
    for (const e of events) size += storedSize(e);
    if (size > this.maxAppendSize)
      return { ok: false, reason: 'too_big', maxAppendSize: this.maxAppendSize };
    const s = this.index.get(stream);
    if (s && s.tombstone >= 0) return { ok: false, reason: 'stream_deleted' };
    const last = s ? s.lastRevision : -1;
    if (!expectationHolds(s, expected)) {
      const from =
        expected.kind === 'revision'
          ? expected.revision + 1
          : expected.kind === 'no_stream'
            ? 0
            : undefined;
      const dup = from === undefined ? null : this.idempotentRevision(s, events, from);
      if (dup !== null) return this.duplicateOutcome(s!, dup);
      return { ok: false, reason: 'wrong_expected_version', current: last };
    }
    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      const dup = this.idempotentRevision(s, events);
      if (dup !== null) return this.duplicateOutcome(s!, dup);
    }
    if (events.length === 0) return { ok: true, revision: last, position: null };
    const pending: Pending[] = events.map((event, i) => ({
      stream,
      revision: last + 1 + i,
      flags: 0,
      event,
    }));
    if (s?.softDeleted) {
      // Appending to a soft-deleted stream brings it back from the next revision on.
      pending.push(this.metadataRecord(stream, metaWithTruncateBefore(s.meta, last + 1)));
    }
    const target = stream.startsWith('$$') ? this.index.get(stream.slice(2)) : undefined;
    if (target?.softDeleted && target.lastRevision >= 0) {
      // New metadata on a soft-deleted stream keeps its old events hidden, as the real server does.
      const meta = parseStreamMeta(events[events.length - 1]!.data);
      const tb = metaWithTruncateBefore(meta, target.lastRevision + 1);
      pending.push({ ...this.metadataRecord(target.name, tb), revision: last + 1 + events.length });
    }
    const positions = await this.commit(pending);
    return { ok: true, revision: last + events.length, position: positions[events.length - 1]! };
  }

  async delete(stream: string, expected: ExpectedRevision, hard: boolean): Promise<DeleteOutcome> {
    this.throwIfFailed();
    const s = this.index.get(stream);
    if (s && s.tombstone >= 0) return { ok: false, reason: 'stream_deleted' };
    if (!expectationHolds(s, expected))
      return { ok: false, reason: 'wrong_expected_version', current: s ? s.lastRevision : -1 };
    const rec: Pending = hard
      ? {
          stream,
          revision: Number.MAX_SAFE_INTEGER,
          flags: FLAG_TOMBSTONE,
          event: {
            id: randomId(),
            type: '$streamDeleted',
            contentType: JSON_TYPE,
            data: Buffer.alloc(0),
            metadata: Buffer.alloc(0),
          },
        }
      : this.metadataRecord(stream, metaWithTruncateBefore(s?.meta ?? null, 'deleted'));
    const [position] = await this.commit([rec]);
    return { ok: true, position: position! };
  }

  private metadataRecord(stream: string, data: Buffer): Pending {
    const meta = this.index.get(`$$${stream}`);
    return {
      stream: `$$${stream}`,
      revision: meta ? meta.lastRevision + 1 : 0,
      flags: 0,
      event: {
        id: randomId(),
        type: '$metadata',
        contentType: JSON_TYPE,
        data,
        metadata: Buffer.alloc(0),
      },
    };
  }

  /** Encodes, indexes (visible to writers at once, to readers once durable) and writes one append. */
  private async commit(records: Pending[]): Promise<number[]> {
    let total = 0;
    for (const r of records) total += recordSize(r.stream, r.event);
    const buf = Buffer.allocUnsafe(total);
    const start = this.log.allocate(total);
    const created = this.clock();
    const positions: number[] = [];
    let at = 0;
    records.forEach((r, i) => {
      const flags = r.flags | (i === records.length - 1 ? FLAG_COMMIT_END : 0);
      positions.push(start + at);
      at = writeRecord(buf, at, {
        stream: r.stream,
        revision: r.revision,
        created,
        flags,
        event: r.event,
      });
    });
    records.forEach((r, i) => {
      const p = positions[i]!;
      if (r.flags & FLAG_TOMBSTONE) return this.index.addTombstone(r.stream, p);
      this.index.addEvent(r.stream, p);
      this.ids.set(r.event.id, p);
      if (r.stream.startsWith('$$')) this.index.applyMetadata(r.stream, r.event.data);
    });
    await this.log.write(start, buf);
    return positions;
  }

  /**
   * Revision of the last event when `events` were already appended, in order, to this stream
   * (at `fromRevision` when given, else wherever the id cache finds the first one); otherwise null.
   */
  private idempotentRevision(
    s: StreamState | undefined,
    events: NewEvent[],
    fromRevision?: number,
  ): number | null {
    if (!s || events.length === 0) return null;
    let r0 = fromRevision;
    if (r0 === undefined) {
      const p = this.ids.get(events[0]!.id);
      if (p === undefined) return null;
      r0 = s.revisionAt(p);
      if (r0 < 0) return null;
    }
    if (r0 + events.length - 1 > s.lastRevision) return null;
    for (let i = 0; i < events.length; i++) {
      if (!this.hasIdAt(s.positions[r0 + i]!, events[i]!.id)) return null;
    }
    return r0 + events.length - 1;
  }

  private hasIdAt(position: number, id: Buffer): boolean {
    const cached = this.ids.get(id);
    if (cached !== undefined) return cached === position;
    if (position >= this.log.durableEnd) return false;
    const f = readFrameAt(this.log, position);
    const o = f.at + FRAME_HEADER + 24;
    return f.buf.compare(id, 0, 16, o, o + 16) === 0;
  }

  private async duplicateOutcome(s: StreamState, revision: number): Promise<AppendOutcome> {
    const position = s.positions[revision]!;
    await this.waitDurable(position);
    return { ok: true, revision, position };
  }

  private throwIfFailed(): void {
    if (this.log.failed) throw this.log.failed;
  }

  async close(): Promise<void> {
    await this.log.drain();
    if (!this.log.failed) await this.snapshots.run(true);
    this.listeners.clear();
    this.log.close();
  }
}

function expectationHolds(s: StreamState | undefined, expected: ExpectedRevision): boolean {
  const last = s ? s.lastRevision : -1;
  const deleted = s?.softDeleted === true;
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no_stream':
      return last === -1 || deleted;
    case 'stream_exists':
      return last >= 0 && !deleted;
    case 'revision':
      return last === expected.revision;
  }
}

function randomId(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}
