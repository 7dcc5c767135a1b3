/**
 * A bounded FIFO of unsent events. When it is full the **oldest** entries are dropped, and every
 * mutating call returns how many were dropped so the caller can count them.
 */
export class BoundedQueue<T> {
  private _items: T[] = [];
  private readonly _capacity: number;

  /** @param capacity - most entries kept, including `reserved` ones held elsewhere (in flight). */
  constructor(capacity: number) {
    this._capacity = capacity;
  }

  get size(): number {
    return this._items.length;
  }

  /**
   * Appends `item`, then drops the oldest entries until `size + reserved <= capacity`.
   * `reserved` counts entries that are out of the queue but not yet settled (a batch in flight),
   * so the total of unsettled events never exceeds the capacity. Returns the number dropped.
   */
  push(item: T, reserved = 0): number {
    this._items.push(item);
    return this._trim(reserved);
  }

  /** Puts a failed batch back at the front, keeping its place (oldest first). Returns the number dropped. */
  unshift(items: readonly T[]): number {
    this._items.unshift(...items);
    return this._trim(0);
  }

  /** Removes and returns up to `n` entries from the front. */
  take(n: number): T[] {
    return this._items.splice(0, n);
  }

  /** A copy of the entries, oldest first. */
  toArray(): T[] {
    return this._items.slice();
  }

  private _trim(reserved: number): number {
    const over = Math.min(this._items.length, this._items.length + reserved - this._capacity);
    if (over <= 0) return 0;
    this._items.splice(0, over);
    return over;
  }
}
