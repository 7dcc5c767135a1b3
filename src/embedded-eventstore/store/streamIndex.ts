import type { LoadedSnapshot } from './indexSnapshot';
import { parseStreamMeta } from './streamMeta';
import type { StreamMeta } from './streamMeta';

/** In-memory state of one stream. Payloads stay on disk; only positions are kept. */
export class StreamState {
  /** Log position of each revision (index = revision). Includes appends not yet durable. */
  readonly positions: number[] = [];
  /** Position of the tombstone record, or -1. */
  tombstone = -1;
  meta: StreamMeta | null = null;

  constructor(readonly name: string) {}

  get lastRevision(): number {
    return this.positions.length - 1;
  }

  get softDeleted(): boolean {
    return this.meta?.deleted === true;
  }

  /** Last revision whose record is below `durableEnd` (readers never see more). */
  lastDurableRevision(durableEnd: number): number {
    let r = this.positions.length - 1;
    while (r >= 0 && this.positions[r]! >= durableEnd) r--;
    return r;
  }

  /** Revision of the event at `position` in this stream, or -1. */
  revisionAt(position: number): number {
    const ps = this.positions;
    let lo = 0;
    let hi = ps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ps[mid]!;
      if (v === position) return mid;
      if (v < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** The $all index: positions of every event record, in log order, in a growable typed array. */
export class AllIndex {
  private positions = new Float64Array(1 << 16);
  count = 0;

  push(position: number): void {
    if (this.count === this.positions.length) {
      const bigger = new Float64Array(this.positions.length * 2);
      bigger.set(this.positions);
      this.positions = bigger;
    }
    this.positions[this.count++] = position;
  }

  at(i: number): number {
    return this.positions[i]!;
  }

  /** Index of the first event at or after `position` (= count when none). */
  lowerBound(position: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.positions[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of events below `durableEnd`. */
  durableCount(durableEnd: number): number {
    let c = this.count;
    while (c > 0 && this.positions[c - 1]! >= durableEnd) c--;
    return c;
  }

  snapshot(upTo: number): Float64Array {
    return this.positions.slice(0, upTo);
  }

  load(positions: Float64Array): void {
    this.positions = new Float64Array(Math.max(1 << 16, positions.length * 2));
    this.positions.set(positions);
    this.count = positions.length;
  }
}

export class StreamIndex {
  readonly streams = new Map<string, StreamState>();
  readonly all = new AllIndex();

  get(name: string): StreamState | undefined {
    return this.streams.get(name);
  }

  getOrCreate(name: string): StreamState {
    let s = this.streams.get(name);
    if (!s) {
      s = new StreamState(name);
      this.streams.set(name, s);
    }
    return s;
  }

  /** Records an event; the caller assigned `revision` = current length of the stream. */
  addEvent(stream: string, position: number): StreamState {
    const s = this.getOrCreate(stream);
    s.positions.push(position);
    this.all.push(position);
    return s;
  }

  addTombstone(stream: string, position: number): void {
    this.getOrCreate(stream).tombstone = position;
    this.all.push(position);
  }

  /** Applies the data of a `$$<stream>` event as the stream's current metadata. */
  applyMetadata(metastream: string, data: Uint8Array): void {
    this.getOrCreate(metastream.slice(2)).meta = parseStreamMeta(data);
  }
}

/** Fills an empty index from a snapshot (metadata is re-read from the log afterwards). */
export function loadSnapshot(index: StreamIndex, snap: LoadedSnapshot): void {
  index.all.load(snap.allPositions);
  for (const { name, positions, tombstone } of snap.streams) {
    const s = index.getOrCreate(name);
    const ps = s.positions;
    for (let i = 0; i < positions.length; i++) ps.push(positions[i]!);
    s.tombstone = tombstone;
  }
}
