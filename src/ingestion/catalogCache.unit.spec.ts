import { CatalogCache, type CatalogEntry } from './catalogCache';

describe('CatalogCache', () => {
  const entry: CatalogEntry = { artistId: 'a', title: 't', durationSeconds: 200 };

  it('waits for unknown tracks, serves expired ones while refreshing in the background', async () => {
    let now = 0;
    const lookups: string[][] = [];
    let stored: Map<string, CatalogEntry> = new Map([['t1', entry]]);
    const cache = new CatalogCache({
      ttlMs: 1000,
      clock: () => now,
      lookup: async (ids) => {
        lookups.push(ids);
        return stored;
      },
    });
    await cache.prefetch(['t1', 't2']);
    expect(cache.get('t1')).toEqual(entry);
    expect(cache.get('t2')).toBeUndefined();
    await cache.prefetch(['t1', 't2']);
    expect(lookups).toHaveLength(1); // fresh: no lookup
    now = 5000;
    stored = new Map([['t1', { ...entry, durationSeconds: 300 }]]);
    await cache.prefetch(['t1']);
    expect(cache.get('t1')?.durationSeconds).toBe(200); // stale answer served at once
    await new Promise((r) => setImmediate(r));
    expect(cache.get('t1')?.durationSeconds).toBe(300);
  });

  it('a failing or slow read model leaves lengths unknown without blocking again', async () => {
    const cache = new CatalogCache({
      ttlMs: 60_000,
      lookupTimeoutMs: 10,
      lookup: () => new Promise(() => undefined),
    });
    await cache.prefetch(['x']);
    expect(cache.get('x')).toBeUndefined();
    const t0 = Date.now();
    await cache.prefetch(['x']);
    expect(Date.now() - t0).toBeLessThan(10);
  });

  it('keeps an entry written here when the read model has not caught up', async () => {
    const cache = new CatalogCache({ ttlMs: 0, lookup: async () => new Map() });
    cache.set('t9', entry);
    await cache.prefetch(['t9'], true);
    expect(cache.get('t9')).toEqual(entry);
  });
  it('refreshes expired tracks of concurrent requests in one query at a time', async () => {
    let now = 0;
    const lookups: string[][] = [];
    let release: () => void = () => undefined;
    const cache = new CatalogCache({
      ttlMs: 1000,
      clock: () => now,
      lookup: async (ids) => {
        lookups.push([...ids].sort());
        if (lookups.length === 2) await new Promise<void>((r) => (release = r));
        return new Map(ids.map((id) => [id, { ...entry, title: `v${lookups.length}` }]));
      },
      refreshIntervalMs: 0,
    });
    await cache.prefetch(['a', 'b', 'c', 'd']);
    now = 5000;
    await cache.prefetch(['a']); // starts a refresh of a (held open)
    await cache.prefetch(['b', 'a']); // a is already being refreshed: only b queued
    await cache.prefetch(['c', 'd']);
    expect(lookups).toEqual([['a', 'b', 'c', 'd'], ['a']]);
    release();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(lookups).toEqual([['a', 'b', 'c', 'd'], ['a'], ['b', 'c', 'd']]);
    expect(['a', 'b', 'c', 'd'].map((id) => cache.get(id)?.title)).toEqual([
      'v2',
      'v3',
      'v3',
      'v3',
    ]);
  });

  it('starts at most one background refresh per interval, for every id expired meanwhile', async () => {
    const clock = { now: 7000 };
    const lookups: string[][] = [];
    const cache = new CatalogCache({
      ttlMs: 1000,
      clock: () => clock.now,
      lookup: async (ids) => {
        lookups.push([...ids].sort());
        return new Map(ids.map((id) => [id, entry]));
      },
      refreshIntervalMs: 40,
    });
    for (const id of ['a', 'b', 'c']) cache.set(id, entry);
    clock.now = 9000;
    await cache.prefetch(['a']); // expired: refreshed at once
    await new Promise((r) => setImmediate(r));
    await cache.prefetch(['b']); // expired too, but within the interval: waits
    await cache.prefetch(['c']);
    await new Promise((r) => setTimeout(r, 5));
    expect(lookups).toEqual([['a']]);
    await new Promise((r) => setTimeout(r, 80));
    expect(lookups).toEqual([['a'], ['b', 'c']]);
    expect(cache.get('b')).toEqual(entry);
  });
});
