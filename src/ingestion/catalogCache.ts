export type CatalogEntry = { artistId: string; title: string; durationSeconds?: number };

/** Reads catalog entries for some tracks (from the track counters read model in production). */
export type CatalogLookup = (trackIds: string[]) => Promise<Map<string, CatalogEntry>>;

export type CatalogCacheOptions = {
  lookup: CatalogLookup;
  ttlMs: number;
  clock?: () => number;
  /** A slow read model must not hold ingestion up: past this, lengths count as unknown. */
  lookupTimeoutMs?: number;
  maxEntries?: number;
};

type Cached = { entry: CatalogEntry | undefined; at: number };

/**
 * Track lengths for completion rates, in memory. Entries written through this process are exact
 * at once; others come from the read model and are refreshed after `ttlMs` (absent ones too).
 */
export class CatalogCache {
  private readonly entries = new Map<string, Cached>();
  private readonly clock: () => number;

  constructor(private readonly options: CatalogCacheOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get(trackId: string): CatalogEntry | undefined {
    return this.entries.get(trackId)?.entry;
  }

  set(trackId: string, entry: CatalogEntry): void {
    this.entries.delete(trackId);
    this.entries.set(trackId, { entry, at: this.clock() });
    this.trim();
  }

  /** Makes `get` current for these tracks; a failed or slow lookup leaves them unknown. */
  async prefetch(trackIds: Iterable<string>, force = false): Promise<void> {
    const now = this.clock();
    const missing = [...new Set(trackIds)].filter((id) => {
      const c = this.entries.get(id);
      return force || !c || now - c.at > this.options.ttlMs;
    });
    if (missing.length === 0) return;
    let found: Map<string, CatalogEntry>;
    try {
      found = await withTimeout(this.options.lookup(missing), this.options.lookupTimeoutMs ?? 1000);
    } catch {
      return;
    }
    const at = this.clock();
    for (const id of missing) {
      // Catalog entries are never removed: a read model lagging behind our own write keeps ours.
      const entry = found.get(id) ?? this.entries.get(id)?.entry;
      this.entries.delete(id);
      this.entries.set(id, { entry, at });
    }
    this.trim();
  }

  private trim(): void {
    const max = this.options.maxEntries ?? 100_000;
    for (const id of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(id);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
