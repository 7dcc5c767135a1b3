import type { Db } from 'mongodb';
import type { ReadModelResolver } from '../projector/readModelPointers';
import { readTrackCounters, type TrackCountersView } from '../projector/readTrackCounters';
import type { ResolvedRange } from './queryParams';
import { planRange, planSeriesCached } from './rangePlanner';
import type { RollupCache, RollupReadMode } from './rollupCache';
import {
  completeStats,
  planCells,
  stableKey,
  stableStats,
  type RangeStats,
  type SeriesPlan,
  type StableStats,
} from './rangeStats';
import type { RoundTrips } from './roundTrips';
import { floorTo, type Granularity } from './timeBuckets';
import type { TrackStreamCache } from './trackStreams';

export type TrackInfo = {
  trackId: string;
  artistId?: string;
  title?: string;
  firstEventAt?: string;
};

export type RangeReaderDeps = {
  db: Db;
  resolver: ReadModelResolver;
  rollups: RollupCache;
  streams: TrackStreamCache;
  rollupReadMode: RollupReadMode;
  /** How long an artist's track list (from the catalog read model) is reused. */
  catalogTtlMs: number;
  clock: () => Date;
};

const trackInfo = (d: TrackCountersView): TrackInfo => ({
  trackId: d.trackId,
  ...(d.artistId !== undefined ? { artistId: d.artistId } : {}),
  ...(d.title !== undefined ? { title: d.title } : {}),
  ...(d.firstEventAt !== undefined ? { firstEventAt: d.firstEventAt } : {}),
});

const iso = (t: number) => new Date(t).toISOString();

/** Stable parts kept (each a few series tallies and one listener sketch). */
const maxStableParts = 4096;
/** Newer events looked at past a stable part's thresholds before it is rebuilt. */
const maxSuffix = 2000;

type RollupRun = { granularity: Granularity; from: string; to: string; buckets: number };

/** Runs of contiguous rollup buckets of one granularity (a raw piece between breaks a run). */
function rollupRuns(plan: SeriesPlan): RollupRun[] {
  const runs: RollupRun[] = [];
  let last: { granularity: Granularity; end: number; run: RollupRun } | undefined;
  for (const b of plan) {
    for (const p of b.pieces) {
      if (p.kind === 'raw') continue;
      if (last && last.granularity === p.granularity && last.end === p.start) {
        last.run.buckets += 1;
        last.end = p.end;
        continue;
      }
      if (last) last.run.to = iso(last.end);
      const run = { granularity: p.granularity, from: iso(p.start), to: '', buckets: 1 };
      runs.push(run);
      last = { granularity: p.granularity, end: p.end, run };
    }
  }
  if (last) last.run.to = iso(last.end);
  return runs;
}

/**
 * What came from where, for the answer's `coverage`. The rollup runs depend only on the plan's
 * rollup pieces: pass `memo` (kept with the stable part) to compute them once.
 */
export function coverageOf(
  plan: SeriesPlan,
  rollupsUntil: number,
  replayed: RangeStats['replayed'],
  memo: { runs?: RollupRun[] } = {},
) {
  const raw: { from: string; to: string; reason: string }[] = [];
  const openFrom = floorTo(rollupsUntil, 'hour');
  for (const b of plan) {
    for (const p of b.pieces) {
      if (p.kind !== 'raw') continue;
      raw.push({
        from: iso(p.start),
        to: iso(p.end),
        reason: p.end > openFrom ? 'open hour' : 'partial hour',
      });
    }
  }
  memo.runs ??= rollupRuns(plan);
  return {
    rollups: memo.runs,
    raw,
    /** Raw events replayed for the raw parts, and those past a rollup's checkpoint. */
    replayedEvents: replayed,
  };
}

/**
 * Reads one range for a set of tracks: plans it, reads the rollup cells (cached) and the
 * tracks' streams (only what was appended since the last read), and stitches them.
 */
export function rangeReader(deps: RangeReaderDeps) {
  /**
   * Stable parts (whole rollup cells) by (tracks, plan cells), tagged with the versions of the
   * rollup periods they were built from. Exact whenever used (completeStats adds what is newer),
   * rebuilt when views were reloaded or when too many newer events pile up after them.
   */
  const stableParts = new Map<
    string,
    { periods: string[]; version: string; stable: StableStats; coverage: { runs?: RollupRun[] } }
  >();
  const catalog = new Map<
    string,
    { at: number; tracks: Promise<TrackInfo[]>; refreshing?: true }
  >();
  let catalogChangedAt = -Infinity;

  /**
   * Catalog reads (a FerretDB scan of the catalog collection) are reused: a catalog event seen
   * by the stream subscription drops them all (and none are kept for 2 s after it, while the
   * read model catches up); past `catalogTtlMs` an entry is still answered while one
   * background read replaces it.
   */
  function cachedCatalog(
    key: string,
    rt: RoundTrips,
    read: () => Promise<TrackCountersView[]>,
  ): Promise<TrackInfo[]> {
    const now = Date.now();
    const cached = catalog.get(key);
    if (cached) {
      if (now - cached.at >= deps.catalogTtlMs && !cached.refreshing) {
        cached.refreshing = true;
        const tracks = read().then((docs) => docs.map(trackInfo));
        tracks.then(
          () => {
            if (catalog.get(key) === cached) catalog.set(key, { at: Date.now(), tracks });
          },
          () => {
            if (catalog.get(key) === cached) catalog.delete(key);
          },
        );
      }
      return cached.tracks;
    }
    const tracks = rt.count(read()).then((docs) => docs.map(trackInfo));
    if (now - catalogChangedAt > 2000) {
      const entry = { at: now, tracks };
      catalog.set(key, entry);
      tracks.catch(() => {
        if (catalog.get(key) === entry) catalog.delete(key);
      });
    }
    if (catalog.size > 10_000) catalog.delete(catalog.keys().next().value!);
    return tracks;
  }

  return {
    /**
     * A catalog event was appended: forget every artist's track list, and do not keep new
     * ones for a while (the catalog read model is updated a little later).
     */
    catalogChanged(): void {
      catalog.clear();
      catalogChangedAt = Date.now();
    },

    /** The artist's tracks from the catalog read model (cached, see `cachedCatalog`). */
    tracksOfArtist(artistId: string, rt: RoundTrips): Promise<TrackInfo[]> {
      return cachedCatalog(`artist:${artistId}`, rt, () =>
        readTrackCounters(deps.db, { artistId }, { counters: false }),
      );
    },

    /** One track's catalog fields (cached like an artist's list). */
    async track(trackId: string, rt: RoundTrips): Promise<TrackInfo | undefined> {
      const [info] = await cachedCatalog(`track:${trackId}`, rt, () =>
        readTrackCounters(deps.db, { trackIds: [trackId] }, { counters: false }),
      );
      return info;
    },

    /**
     * Statistics of each range (the first with a series of `series` granularity, the others
     * as one bucket), over the same tracks. Streams are read once for all of them.
     */
    async read(
      trackIds: readonly string[],
      ranges: { range: ResolvedRange; series?: Granularity }[],
      rt: RoundTrips,
    ) {
      const rollupsUntil = deps.clock().getTime();
      const merged: SeriesPlan[] = ranges.map(({ range, series }) =>
        series
          ? planSeriesCached(range.from, range.to, { rollupsUntil, series })
          : range.from < range.to
            ? [
                {
                  start: range.from,
                  end: range.to,
                  pieces: planRange(range.from, range.to, { rollupsUntil }),
                },
              ]
            : [],
      );
      const events = await deps.streams.read(trackIds, rt);
      // Raw events stand in for rollups only where the stream still holds the whole history.
      const mode = trackIds.every((id) => deps.streams.complete(id)) ? deps.rollupReadMode : 'wait';
      const collection = await deps.rollups.collection();
      const scope = `${collection}|${mode}|${trackIds.join(',')}`;
      return Promise.all(
        merged.map(async (plan) => {
          const key = `${scope}|${stableKey(plan)}`;
          let part = stableParts.get(key);
          if (part && deps.rollups.versionOf(part.periods) === part.version) {
            stableParts.delete(key); // LRU: most recently used last
          } else {
            const cells = planCells(plan).flatMap((c) => c.cells);
            const periods = deps.rollups.periodKeys(collection, cells);
            // Versions before the lookups: a load finishing meanwhile makes this part stale.
            const version = deps.rollups.versionOf(periods);
            const lookup = await deps.rollups.cells(trackIds, cells, rt, mode);
            part = {
              periods,
              version,
              stable: stableStats(trackIds, plan, lookup, events),
              coverage: {},
            };
          }
          stableParts.set(key, part);
          while (stableParts.size > maxStableParts) {
            stableParts.delete(stableParts.keys().next().value!);
          }
          const scanned = { suffixScanned: 0 };
          const stats = completeStats(trackIds, plan, part.stable, events, scanned);
          const memo = part.coverage;
          if (scanned.suffixScanned > maxSuffix) stableParts.delete(key);
          return {
            events,
            plan,
            stats,
            coverage: (s: RangeStats) => coverageOf(plan, rollupsUntil, s.replayed, memo),
          };
        }),
      );
    },

    /**
     * Earliest event time of these tracks (for `all`): from the streams, and from the counters'
     * `firstEventAt` where retention removed a stream's start.
     */
    async earliest(tracks: readonly TrackInfo[], rt: RoundTrips): Promise<number | undefined> {
      const trackIds = tracks.map((t) => t.trackId);
      const events = await deps.streams.read(trackIds, rt);
      let min = Infinity;
      const truncated = trackIds.filter((id) => !deps.streams.complete(id));
      if (truncated.length > 0) {
        for (const t of await rt.count(readTrackCounters(deps.db, { trackIds: truncated }))) {
          if (t.firstEventAt) min = Math.min(min, Date.parse(t.firstEventAt));
        }
      }
      for (const stream of events.values()) min = Math.min(min, stream.byTime[0]?.at ?? Infinity);
      return Number.isFinite(min) ? min : undefined;
    },
  };
}

export type RangeReader = ReturnType<typeof rangeReader>;
