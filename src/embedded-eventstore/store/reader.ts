import { FrameCursor } from '../log/frameCursor';
import { decodeRecord, KIND_SYSTEM } from '../log/record';
import type { DecodedRecord } from '../log/record';
import type { SegmentLog } from '../log/segmentLog';
import type { Store } from './eventStore';
import { firstVisibleRevision, isExpired } from './streamMeta';

const WINDOW = 64 * 1024;

/**
 * Reads records at arbitrary positions through a small window, so that neighbouring events of one
 * stream (the common case: a stream's events are appended close together) cost one read.
 */
export class RandomReader {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;

  constructor(private readonly log: SegmentLog) {}

  at(position: number, backwards = false): DecodedRecord {
    let off = position - this.start;
    if (
      off < 0 ||
      off + 8 > this.buf.length ||
      off + 8 + this.buf.readUInt32LE(off) > this.buf.length
    ) {
      this.load(position, backwards);
      off = position - this.start;
      if (off + 8 + this.buf.readUInt32LE(off) > this.buf.length) {
        this.buf = this.log.files.read(position, 8 + this.buf.readUInt32LE(off));
        this.start = position;
        off = 0;
      }
    }
    return decodeRecord(this.buf, off, position);
  }

  private load(position: number, backwards: boolean): void {
    const base = this.log.files.base(this.log.files.segmentOf(position));
    const end = this.log.readableEnd(position);
    const from = backwards ? Math.max(base, position + 4096 - WINDOW) : position;
    this.buf = this.log.files.read(from, Math.min(WINDOW, end - from));
    this.start = from;
  }
}

export type StreamRead =
  { kind: 'not_found' } | { kind: 'deleted' } | { kind: 'ok'; records: Iterable<DecodedRecord> };

export interface StreamReadOptions {
  from: 'start' | 'end' | number;
  backwards: boolean;
  count: number;
}

export function readStream(store: Store, stream: string, opts: StreamReadOptions): StreamRead {
  const s = store.index.get(stream);
  const durableEnd = store.durableEnd;
  if (s && s.tombstone >= 0 && s.tombstone < durableEnd) return { kind: 'deleted' };
  if (stream.startsWith('$$')) {
    const target = store.index.get(stream.slice(2));
    if (target && target.tombstone >= 0 && target.tombstone < durableEnd)
      return { kind: 'deleted' };
  }
  if (!s || s.softDeleted) return { kind: 'not_found' };
  const last = s.lastDurableRevision(durableEnd);
  if (last < 0) return { kind: 'not_found' };
  const first = firstVisibleRevision(s.meta, last);
  const reader = new RandomReader(store.log);
  const now = store.clock();
  function* forwards(): Generator<DecodedRecord> {
    let n = 0;
    const start = opts.from === 'start' ? 0 : opts.from === 'end' ? last + 1 : opts.from;
    for (let r = Math.max(first, start); r <= last && n < opts.count; r++) {
      const rec = reader.at(s!.positions[r]!);
      if (isExpired(s!.meta, rec.created, now)) continue;
      n++;
      yield rec;
    }
  }
  function* backwards(): Generator<DecodedRecord> {
    let n = 0;
    const start =
      opts.from === 'end' ? last : opts.from === 'start' ? 0 : Math.min(last, opts.from);
    for (let r = start; r >= first && n < opts.count; r--) {
      const rec = reader.at(s!.positions[r]!, true);
      if (isExpired(s!.meta, rec.created, now)) continue;
      n++;
      yield rec;
    }
  }
  return { kind: 'ok', records: opts.backwards ? backwards() : forwards() };
}

/** Events of $all at or after `position`, in log order, up to what is durable now. */
export function* readAllForwards(
  store: Store,
  position: number,
  limit = Infinity,
): Generator<DecodedRecord> {
  const cursor = new FrameCursor(store.log, firstEventAtOrAfter(store, position));
  const end = store.durableEnd;
  for (;;) {
    const f = cursor.next(end);
    if (!f || f.position >= limit) return;
    const rec = decodeRecord(f.buf, f.at, f.position);
    if (rec.kind !== KIND_SYSTEM) yield rec;
  }
}

/** Events of $all strictly before `position`, newest first. */
export function* readAllBackwards(store: Store, position: number): Generator<DecodedRecord> {
  const all = store.index.all;
  const reader = new RandomReader(store.log);
  let i = Math.min(all.lowerBound(position), all.durableCount(store.durableEnd)) - 1;
  for (; i >= 0; i--) yield reader.at(all.at(i), true);
}

/** Position of the first event record at or after `position` (the log end when none). */
export function firstEventAtOrAfter(store: Store, position: number): number {
  const all = store.index.all;
  const i = all.lowerBound(position);
  return i < all.count ? all.at(i) : store.log.end;
}

/** Position of the first event record strictly after `position`. */
export function firstEventAfter(store: Store, position: number): number {
  return firstEventAtOrAfter(store, position + 1);
}
