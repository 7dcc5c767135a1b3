import type { Db } from 'mongodb';
import type { ListenerSketch } from '../../projections/lib/listenerSketch';
import type { RollupStats } from '../../projections/lib/rollupStats';
import { foldInSlices, type RollupView } from '../../projections/lib/rollupView';
import { trackRollupsCollection, type TrackRollupDoc } from '../../projections/trackRollups';
import { checkpointStore } from '../projector/checkpointStore';
import type { ReadModelResolver } from '../projector/readModelPointers';
import type { RollupCell } from './rollupCells';
import { RoundTrips } from './roundTrips';
import { fromStats, type Tally } from './tally';

export type CellStats = { tally: Tally; sketch?: ListenerSketch };

/** One (track, month|year) as folded at its period's checkpoint. */
type CachedView = { view: RollupView; cells: Map<string, CellStats> };

/**
 * One month or year of every track, folded at `checkpoint`: exactly the events with position
 * ≤ it. A track without a view here had no event in the period up to the checkpoint.
 */
type CachedPeriod = {
  checkpoint: number;
  loadedAt: number;
  /** Read with its hour buckets (they are most of a month document; left out when not needed). */
  hours: boolean;
  views: Map<string, CachedView>;
};

type Wanted = { granularity: 'm' | 'y'; period: string; hours: boolean };

/** A cached period serves a want if it is as complete. */
const serves = (cached: CachedPeriod | undefined, w: Wanted): cached is CachedPeriod =>
  cached !== undefined && (cached.hours || !w.hours);

const periodKey = (collection: string, g: 'm' | 'y', period: string) =>
  `${collection}|${g}|${period}`;

const emptyCell: CellStats = { tally: fromStats(undefined).tally };

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
 * Reads rollup documents a whole period (month or year, every track) at a time and keeps the
 * folded views. A period folded at checkpoint P holds exactly the events with position ≤ P,
 * whenever it was read; the caller adds the raw events after P from the streams, so a cached
 * period is never wrong, only older (re-checked after `ttlMs`: read again only if the
 * checkpoint moved). FerretDB answers any filtered find with a scan of the collection, so a
 * read costs the same for one track as for all of them: one read serves every artist.
 */
export function rollupCache(
  db: Db,
  resolver: ReadModelResolver,
  options: {
    /** Views (track × period) kept; least recently used periods are dropped whole. */
    maxViews: number;
    ttlMs: number;
    clock?: () => number;
    onBackgroundError?: (err: unknown) => void;
  },
) {
  const clock = options.clock ?? Date.now;
  const periods = new Map<string, CachedPeriod>();
  let viewCount = 0;
  const pending = new Map<string, Wanted & { collection: string }>();
  let loading: Promise<void> | undefined;
  /** Per period, bumped whenever it is (re)loaded or dropped. */
  const versions = new Map<string, number>();
  const bump = (key: string) => versions.set(key, (versions.get(key) ?? 0) + 1);

  async function load(collection: string, wanted: Wanted[], rt: RoundTrips) {
    const checkpointId = await resolver.checkpointId(trackRollupsCollection, 'trackRollups');
    const checkpoint = Number((await rt.count(checkpointStore(db).load(checkpointId))).position);
    const loadedAt = clock();
    // Periods already folded at this checkpoint are current: nothing to read for them.
    const stale = wanted.filter((w) => {
      const cached = periods.get(periodKey(collection, w.granularity, w.period));
      if (!serves(cached, w) || cached.checkpoint !== checkpoint) return true;
      cached.loadedAt = loadedAt;
      return false;
    });
    if (stale.length === 0) return;
    // One query for every stale period, months and years alike (the period string tells them
    // apart): FerretDB scans the collection for each query. `hoursJson` is always read (version
    // 3 derives days from it); only version 1's unpacked `hours` are left out when no period
    // needs hours. The views keep hours only for periods that need them.
    const periodsToRead = [...new Set(stale.map((w) => w.period))];
    const needHours = stale.some((w) => w.hours);
    const docs = await rt.count(
      db
        .collection<TrackRollupDoc>(collection)
        .find({ period: { $in: periodsToRead } }, needHours ? {} : { projection: { hours: 0 } })
        .toArray(),
    );
    const fresh = new Map<string, CachedPeriod>(
      stale.map((w) => [
        periodKey(collection, w.granularity, w.period),
        { checkpoint, loadedAt, hours: w.hours, views: new Map() },
      ]),
    );
    for await (const view of foldInSlices(docs, checkpoint)) {
      const period = fresh.get(periodKey(collection, view.granularity, view.period));
      if (!period) continue;
      if (!period.hours) view.hours = {};
      period.views.set(view.trackId, { view, cells: new Map() });
    }
    for (const [key, period] of fresh) {
      viewCount -= periods.get(key)?.views.size ?? 0;
      periods.delete(key);
      periods.set(key, period);
      viewCount += period.views.size;
      bump(key);
    }
    for (const [key, period] of periods) {
      if (viewCount <= options.maxViews || periods.size <= fresh.size) break;
      periods.delete(key);
      viewCount -= period.views.size;
      bump(key);
    }
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
     * `undefined` for a cell whose period is not loaded (background mode only).
     */
    async cells(
      trackIds: readonly string[],
      cells: readonly RollupCell[],
      rt: RoundTrips,
      mode: RollupReadMode,
    ): Promise<CellLookup> {
      const collection = await resolver.collection(trackRollupsCollection);
      const now = clock();
      const wanted = new Map<string, Wanted>();
      for (const c of cells) {
        const key = periodKey(collection, c.granularity, c.period);
        const hours = c.path.startsWith('hours.') || wanted.get(key)?.hours === true;
        wanted.set(key, { granularity: c.granularity, period: c.period, hours });
      }
      const missing: Wanted[] = [];
      const pinned = new Map<string, CachedPeriod>();
      for (const [key, w] of wanted) {
        const cached = periods.get(key);
        if (serves(cached, w)) {
          periods.delete(key); // LRU: most recently used last
          periods.set(key, cached);
          pinned.set(key, cached);
        }
        if (!serves(cached, w) || now - cached.loadedAt > options.ttlMs) missing.push(w);
      }
      if (missing.length > 0 && mode === 'wait') {
        await load(collection, missing, rt);
        for (const w of missing) {
          const key = periodKey(collection, w.granularity, w.period);
          pinned.set(key, periods.get(key)!);
        }
      } else if (missing.length > 0) {
        for (const w of missing) {
          const key = periodKey(collection, w.granularity, w.period);
          const hours = w.hours || pending.get(key)?.hours === true;
          pending.set(key, { ...w, hours, collection });
        }
        kick();
      }
      return (trackId, cell) => {
        const period = pinned.get(periodKey(collection, cell.granularity, cell.period));
        if (!period) return undefined;
        const cached = period.views.get(trackId);
        if (!cached) return { ...emptyCell, checkpoint: period.checkpoint };
        let stats = cached.cells.get(cell.path);
        if (!stats) {
          stats = fromStats(statsAt(cached.view, cell.path));
          cached.cells.set(cell.path, stats);
        }
        return { ...stats, checkpoint: period.checkpoint };
      };
    },
    /** Resolves when no background read is running (tests, benchmarks). */
    idle: async () => {
      while (loading) await loading;
    },
    stats: () => ({ periods: periods.size, views: viewCount, pending: pending.size }),
    /** The physical rollups collection now read (changes when a rebuild is swapped in). */
    collection: () => resolver.collection(trackRollupsCollection),
    /** The keys of the periods the cells lie in. */
    periodKeys: (collection: string, cells: readonly RollupCell[]): string[] => [
      ...new Set(cells.map((c) => periodKey(collection, c.granularity, c.period))),
    ],
    /**
     * Versions of these periods (each changes when it is loaded, reloaded or dropped): lookups
     * made at equal versions give equal answers.
     */
    versionOf: (keys: readonly string[]): string => keys.map((k) => versions.get(k) ?? 0).join(','),
  };
}

export type RollupCache = ReturnType<typeof rollupCache>;
