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
  /**
   * Least time between the starts of two background refreshes (default 1 s). Where the server
   * scans a collection for any `$in` (FerretDB), each refresh costs a scan of the catalog:
   * refreshing back to back, as ids expire one by one, cost FerretDB ~18 scans a second under
   * load.
   */
  refreshIntervalMs?: number;
};

type Cached = { entry: CatalogEntry | undefined; at: number };

/** Ids per background refresh query. */
const REFRESH_BATCH = 1000;

/**
 * Track lengths for completion rates, in memory. Entries written through this process are exact
 * at once; others come from the read model and are refreshed after `ttlMs` (absent ones too).
 */
export class CatalogCache {
  private readonly entries = new Map<string, Cached>();
  /** Expired ids queued for, or in, a background refresh. */
  private readonly refreshing = new Set<string>();
  private readonly queued = new Set<string>();
  private refreshInFlight = false;
  private lastRefreshAt = -Infinity;
  private refreshTimer: NodeJS.Timeout | undefined;
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

  /**
   * Makes `get` answer for these tracks. Tracks never looked up are awaited (up to the lookup
   * timeout; a failed or slow lookup leaves them unknown); expired ones are refreshed in the
   * background while the cached answer is used, so the read model never sits on the hot path.
   */
  async prefetch(trackIds: Iterable<string>, force = false): Promise<void> {
    const now = this.clock();
    const unknown: string[] = [];
    const expired: string[] = [];
    for (const id of new Set(trackIds)) {
      const c = this.entries.get(id);
      if (force || !c) unknown.push(id);
      else if (now - c.at > this.options.ttlMs && !this.refreshing.has(id)) expired.push(id);
    }
    if (expired.length > 0) {
      for (const id of expired) {
        this.refreshing.add(id);
        this.queued.add(id);
      }
      this.refreshQueued();
    }
    if (unknown.length > 0) await this.load(unknown);
  }

  /**
   * One background refresh in flight at a time, at most one per `refreshIntervalMs`; ids
   * expiring meanwhile wait for the next one. Under load that is one read-model query for many
   * requests' tracks, not one per request.
   */
  private refreshQueued(waited = false): void {
    if (this.refreshInFlight || this.refreshTimer || this.queued.size === 0) return;
    const wait = this.lastRefreshAt + (this.options.refreshIntervalMs ?? 1000) - this.clock();
    if (wait > 0 && !waited) {
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = undefined;
        this.refreshQueued(true);
      }, wait);
      this.refreshTimer.unref();
      return;
    }
    this.lastRefreshAt = this.clock();
    const ids = [...this.queued].slice(0, REFRESH_BATCH);
    for (const id of ids) this.queued.delete(id);
    this.refreshInFlight = true;
    void this.load(ids).finally(() => {
      for (const id of ids) this.refreshing.delete(id);
      this.refreshInFlight = false;
      this.refreshQueued();
    });
  }

  private async load(missing: string[]): Promise<void> {
    let found: Map<string, CatalogEntry>;
    try {
      found = await withTimeout(this.options.lookup(missing), this.options.lookupTimeoutMs ?? 250);
    } catch {
      // Unknown for now: remembered as such, so later requests do not wait again; refreshed later.
      found = new Map();
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
