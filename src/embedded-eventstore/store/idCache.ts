/**
 * Recently appended event ids → log position. Like the real server's cache, it makes retried appends
 * with expected revision `any` idempotent on a best-effort basis; with an exact expected revision
 * the check reads the events at those revisions instead, so it does not depend on this cache.
 * Keys are the 16 raw id bytes as a latin1 string (compact). Eviction is oldest-first.
 */
export class IdCache {
  private readonly map = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  static key(id: Buffer): string {
    return id.toString('latin1', 0, 16);
  }

  get(id: Buffer): number | undefined {
    return this.map.get(IdCache.key(id));
  }

  set(id: Buffer, position: number): void {
    // no delete-then-set to refresh the order: ids are new in all but rare retries, and the
    // delete doubled the cost of the most frequent call on the append path
    this.map.set(IdCache.key(id), position);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  /** [key, position], oldest first. */
  entries(): IterableIterator<[string, number]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }
}
