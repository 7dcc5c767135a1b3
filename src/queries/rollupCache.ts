import type { Db } from 'mongodb';
import type { ListenerSketch } from '../../projections/lib/listenerSketch';
import type { RollupStats } from '../../projections/lib/rollupStats';
import { foldRollups, type RollupView } from '../../projections/lib/rollupView';
import { trackRollupsCollection, type TrackRollupDoc } from '../../projections/trackRollups';
import { checkpointStore } from '../projector/checkpointStore';
import type { ReadModelResolver } from '../projector/readModelPointers';
import type { RollupCell } from './rollupCells';
import { RoundTrips } from './roundTrips';
import { fromStats, type Tally } from './tally';

export type CellStats = { tally: Tally; sketch?: ListenerSketch };

/** One (track, month|year) as folded at `checkpoint`: exactly the events with position ≤ it. */
type CachedView = {
  checkpoint: number;
  view?: RollupView;
  loadedAt: number;
  cells: Map<string, CellStats>;
};

type Wanted = { trackId: string; granularity: 'm' | 'y'; period: string };

const viewKey = (collection: string, trackId: string, g: 'm' | 'y', period: string) =>
  `${collection}|${trackId}|${g}|${period}`;

function statsAt(view: RollupView | undefined, path: string): RollupStats | undefined {
  if (!view) return undefined;
  if (path === 'total') return view.total;
  const [field, key] = path.split('.') as ['days' | 'hours' | 'weeks', string];
  return view[field][key];
}

/**
 * `wait`: a request reads the rollup documents it lacks before answering. `background`: it
 * answers at once, replaying the raw events of the cells not loaded yet (exact all the same),
 * while one background read loads them for the next requests. FerretDB scans a collection for
 * anything but an `_id` lookup and reads nested documents slowly, so a cold read of rollups
 * costs seconds there; the raw streams are already in memory.
 */
export type RollupReadMode = 'wait' | 'background';

export type CellLookup = (
  trackId: string,
  cell: RollupCell,
) => (CellStats & { checkpoint: number }) | undefined;

/**
 * Reads rollup documents and keeps their folded views. A view folded at checkpoint P holds
 * exactly the events with position ≤ P, whenever it was read; the caller adds the raw events
 * after P from the streams, so a cached view is never wrong, only older (re-read after `ttlMs`
 * to keep the replayed tail short). Every bucket of a document read is served from memory.
 */
export function rollupCache(
  db: Db,
  resolver: ReadModelResolver,
  options: {
    maxViews: number;
    ttlMs: number;
    clock?: () => number;
    onBackgroundError?: (err: unknown) => void;
  },
) {
  const clock = options.clock ?? Date.now;
  const views = new Map<string, CachedView>();
  const pending = new Map<string, Wanted & { collection: string }>();
  let loading: Promise<void> | undefined;

  let generation = 0;

  async function load(collection: string, wanted: Wanted[], rt: RoundTrips) {
    const checkpointId = await resolver.checkpointId(trackRollupsCollection, 'trackRollups');
    const checkpoint = Number((await rt.count(checkpointStore(db).load(checkpointId))).position);
    const loadedAt = clock();
    // Views already folded at this checkpoint are current: nothing to read for them.
    const stale = wanted.filter((w) => {
      const cached = views.get(viewKey(collection, w.trackId, w.granularity, w.period));
      if (cached?.checkpoint !== checkpoint) return true;
      cached.loadedAt = loadedAt;
      return false;
    });
    if (stale.length === 0) return;
    const tracks = new Set(stale.map((w) => w.trackId));
    const periods = new Set(stale.map((w) => w.period));
    // One query for months and years (the period tells them apart): FerretDB answers anything
    // but an `_id` lookup with a scan of the collection, so every query is a whole scan.
    const docs = await rt.count(
      db
        .collection<TrackRollupDoc>(collection)
        .find({ trackId: { $in: [...tracks] }, period: { $in: [...periods] } })
        .toArray(),
    );
    const folded = new Map(
      foldRollups(docs, checkpoint).map((v) => [
        viewKey(collection, v.trackId, v.granularity, v.period),
        v,
      ]),
    );
    // Everything the query returned is cached, not only what was asked: the read is paid.
    for (const [key, view] of folded) {
      views.delete(key);
      views.set(key, { checkpoint, view, loadedAt, cells: new Map() });
    }
    for (const w of stale) {
      const key = viewKey(collection, w.trackId, w.granularity, w.period);
      if (!folded.has(key)) views.set(key, { checkpoint, loadedAt, cells: new Map() });
    }
    for (const [key] of views) {
      if (views.size <= options.maxViews) break;
      views.delete(key);
    }
    generation += 1;
  }

  /** One background read at a time, for everything requests found missing meanwhile. */
  function kick() {
    if (loading || pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    const byCollection = new Map<string, Wanted[]>();
    for (const w of batch)
      byCollection.set(w.collection, [...(byCollection.get(w.collection) ?? []), w]);
    loading = (async () => {
      for (const [collection, wanted] of byCollection) {
        await load(collection, wanted, new RoundTrips());
      }
    })()
      .catch((err) => options.onBackgroundError?.(err))
      .finally(() => {
        loading = undefined;
        kick();
      });
  }

  return {
    /**
     * The statistics of each cell for each track, with the checkpoint each is exact at, or
     * `undefined` for a cell not loaded (background mode only).
     */
    async cells(
      trackIds: readonly string[],
      cells: readonly RollupCell[],
      rt: RoundTrips,
      mode: RollupReadMode,
    ): Promise<CellLookup> {
      const collection = await resolver.collection(trackRollupsCollection);
      const now = clock();
      const periods = new Map<string, { granularity: 'm' | 'y'; period: string }>();
      for (const c of cells) periods.set(`${c.granularity}|${c.period}`, c);
      const missing: Wanted[] = [];
      const pinned = new Map<string, CachedView>();
      for (const trackId of trackIds) {
        for (const p of periods.values()) {
          const key = viewKey(collection, trackId, p.granularity, p.period);
          const cached = views.get(key);
          if (cached) {
            views.delete(key); // LRU: most recently used last
            views.set(key, cached);
            pinned.set(key, cached);
          }
          if (!cached || now - cached.loadedAt > options.ttlMs) missing.push({ trackId, ...p });
        }
      }
      if (missing.length > 0 && mode === 'wait') {
        await load(collection, missing, rt);
        for (const w of missing) {
          const key = viewKey(collection, w.trackId, w.granularity, w.period);
          pinned.set(key, views.get(key)!);
        }
      } else if (missing.length > 0) {
        for (const w of missing) {
          pending.set(viewKey(collection, w.trackId, w.granularity, w.period), {
            ...w,
            collection,
          });
        }
        kick();
      }
      return (trackId, cell) => {
        const cached = pinned.get(viewKey(collection, trackId, cell.granularity, cell.period));
        if (!cached) return undefined;
        let stats = cached.cells.get(cell.path);
        if (!stats) {
          stats = fromStats(statsAt(cached.view, cell.path));
          cached.cells.set(cell.path, stats);
        }
        return { ...stats, checkpoint: cached.checkpoint };
      };
    },
    /** Resolves when no background read is running (tests, benchmarks). */
    idle: async () => {
      while (loading) await loading;
    },
    stats: () => ({ views: views.size, pending: pending.size }),
    /** Changes whenever views are (re)loaded: what was looked up before may differ now. */
    generation: () => generation,
  };
}

export type RollupCache = ReturnType<typeof rollupCache>;
