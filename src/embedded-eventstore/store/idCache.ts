/**
 * Recently appended event ids → log position. Like the real server's cache, it makes retried appends
 * with expected revision `any` idempotent on a best-effort basis; with an exact expected revision
 * the check reads the events at those revisions instead, so it does not depend on this cache.
 *
 * A ring of `capacity` slots (the newest id overwrites the oldest: raw id bytes, position, hash)
 * and an open-addressing hash table (linear probing, backward-shift deletion) from an id to its
 * ring slot. Every append sets one id per event, so this is on the hot path: no strings, no Map,
 * no allocation per id, O(1) eviction. (A Map evicting with `keys().next()` was quadratic: V8
 * keeps deleted entries as holes at the front of a Map until it rehashes, and every call skipped
 * all of them again.)
 */
export class IdCache {
  private readonly ids: Buffer;
  private readonly positions: Float64Array;
  private readonly hashes: Int32Array;
  /** Ring slot + 1 of the id hashed here, 0 = empty. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Next slot to write; the oldest entry when the ring is full. */
  private head = 0;
  private used = 0;
  private live = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`id cache capacity must be at least 1, got ${capacity}`);
    this.ids = Buffer.alloc(capacity * 16);
    this.positions = new Float64Array(capacity);
    this.hashes = new Int32Array(capacity);
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  get(id: Buffer): number | undefined {
    const i = this.find(id, hashId(id, 0));
    return i < 0 ? undefined : this.positions[this.table[i]! - 1];
  }

  set(id: Buffer, position: number): void {
    const h = hashId(id, 0);
    const existing = this.find(id, h);
    if (existing >= 0) this.removeAt(existing); // the newest place wins
    const slot = this.head;
    if (this.used === this.capacity) {
      const old = this.indexOfSlot(slot);
      if (old >= 0) this.removeAt(old);
    } else this.used++;
    id.copy(this.ids, slot * 16, 0, 16);
    this.positions[slot] = position;
    this.hashes[slot] = h;
    let i = h & this.mask;
    while (this.table[i] !== 0) i = (i + 1) & this.mask;
    this.table[i] = slot + 1;
    this.live++;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** Calls `fn(id, position)` oldest first (an id set twice comes once, at its newest place). */
  forEach(fn: (id: Buffer, position: number) => void): void {
    let slot = (this.head - this.used + this.capacity) % this.capacity;
    for (let n = 0; n < this.used; n++) {
      if (this.indexOfSlot(slot) >= 0)
        fn(this.ids.subarray(slot * 16, slot * 16 + 16), this.positions[slot]!);
      slot = slot + 1 === this.capacity ? 0 : slot + 1;
    }
  }

  get size(): number {
    return this.live;
  }

  /** Table index holding `id`, or -1. */
  private find(id: Buffer, h: number): number {
    const { table, mask, ids } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = table[i]!;
      if (s === 0) return -1;
      const slot = s - 1;
      if (this.hashes[slot] === h && ids.compare(id, 0, 16, slot * 16, slot * 16 + 16) === 0)
        return i;
    }
  }

  /** Table index pointing at ring `slot`, or -1 (its id was set again since, or evicted). */
  private indexOfSlot(slot: number): number {
    const { table, mask } = this;
    for (let i = this.hashes[slot]! & mask; ; i = (i + 1) & mask) {
      const s = table[i]!;
      if (s === 0) return -1;
      if (s === slot + 1) return i;
    }
  }

  /** Empties table index `i`, moving later entries of its probe run back (no tombstones). */
  private removeAt(i: number): void {
    const { table, mask } = this;
    let hole = i;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[table[j]! - 1]! & mask;
      // move j into the hole unless its home lies cyclically in (hole, j]
      const inRun = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRun) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
    this.live--;
  }
}

/** 32-bit hash of the 16 id bytes at `at` (any UUID version: time-ordered ids hash well too). */
function hashId(b: Buffer, at: number): number {
  let h = Math.imul(b.readInt32LE(at) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b.readInt32LE(at + 4), 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ b.readInt32LE(at + 8), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b.readInt32LE(at + 12), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
