/** The slice of the Web Storage API the collector uses; inject any implementation (tests, cookies, IndexedDB shims). */
export type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** A store that lives as long as the page: the fallback when localStorage is unusable. */
export function memoryStore(): Store {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, String(v)),
    removeItem: (k) => void map.delete(k),
  };
}

/**
 * `localStorage`, switching to a memory store for good on the first exception: reading
 * `window.localStorage` itself throws in sandboxed iframes and with storage blocked, Safari's old
 * private mode throws on every write, and any browser throws once the quota is full.
 */
export function browserStore(): Store {
  const memory = memoryStore();
  let local: Store | undefined;
  try {
    local = globalThis.localStorage;
  } catch {
    /* blocked: stay in memory */
  }
  const use =
    <A extends unknown[], R>(op: (s: Store, ...a: A) => R) =>
    (...a: A): R => {
      if (local) {
        try {
          return op(local, ...a);
        } catch {
          local = undefined;
        }
      }
      return op(memory, ...a);
    };
  return {
    getItem: use((s, k: string) => s.getItem(k)),
    setItem: use((s, k: string, v: string) => s.setItem(k, v)),
    removeItem: use((s, k: string) => s.removeItem(k)),
  };
}
