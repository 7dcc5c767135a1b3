/**
 * Recently appended event ids → log position. Like the real server's cache, it makes retried appends
 * with expected revision `any` idempotent on a best-effort basis; with an exact expected revision
 * the check reads the events at those revisions instead, so it does not depend on this cache.
 *
 * A ring of `capacity` slots (the newest id overwrites the oldest) plus a Map from the id (its 16
 * raw bytes as a latin1 string) to its slot. Eviction is O(1): the ring says which key is oldest.
 * (Evicting with `map.keys().next()` instead looked free but was not: V8 keeps deleted entries as
 * holes at the front of a Map until it rehashes, and every call skipped all of them again — it was
 * the largest server-side cost of an append once the cache was full.)
 */
export class IdCache {
  private readonly map = new Map<string, number>();
  private readonly keys: string[];
  private readonly positions: Float64Array;
  /** Next slot to write; the oldest entry when the ring is full. */
  private head = 0;
  private used = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`id cache capacity must be at least 1, got ${capacity}`);
    this.keys = new Array<string>(capacity).fill('');
    this.positions = new Float64Array(capacity);
  }

  static key(id: Buffer): string {
    return id.toString('latin1', 0, 16);
  }

  get(id: Buffer): number | undefined {
    const slot = this.map.get(IdCache.key(id));
    return slot === undefined ? undefined : this.positions[slot];
  }

  set(id: Buffer, position: number): void {
    this.setKey(IdCache.key(id), position);
  }

  private setKey(key: string, position: number): void {
    const slot = this.head;
    if (this.used === this.capacity) {
      const old = this.keys[slot]!;
      // the same id set again later owns a newer slot: leave that one alone
      if (this.map.get(old) === slot) this.map.delete(old);
    } else this.used++;
    this.keys[slot] = key;
    this.positions[slot] = position;
    this.map.set(key, slot);
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** Calls `fn(key, position)` oldest first (an id set twice comes once, at its newest place). */
  forEach(fn: (key: string, position: number) => void): void {
    let slot = (this.head - this.used + this.capacity) % this.capacity;
    for (let i = 0; i < this.used; i++) {
      const key = this.keys[slot]!;
      if (this.map.get(key) === slot) fn(key, this.positions[slot]!);
      slot = slot + 1 === this.capacity ? 0 : slot + 1;
    }
  }

  /** [key, position], oldest first (an id set twice appears once, at its newest place). */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    this.forEach((key, position) => out.push([key, position]));
    return out;
  }

  get size(): number {
    return this.map.size;
  }
}
