import type { Db } from 'mongodb';
import { cellsAt, floorTo } from '../../projections/lib/cells';
import type { TrackCells, TrackRecent } from '../../projections/lib/rollupCells';
import type { TrackBinding } from '../../projections/trackRollups';
import type { TrackEvent } from '../events/stored';
import type { EventStore } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import { readModelResolver } from '../readModels/pointers';
import { rollupReader } from '../readModels/rollups/reader';
import { catalogView, type CatalogView } from './catalogView';
import { getAnalytics } from './getAnalytics';
import { getDashboard, type Viewer } from './getDashboard';
import { logTail } from './logTail';
import type { AnalyticsQuery, DashboardQuery } from './queryParams';
import {
  foldRange,
  partitionsOf,
  planCells,
  type Bucket,
  type PlannedCell,
  type RangeStats,
} from './rangeStats';
import type { RoundTrips } from './roundTrips';

export type StatsQueryOptions = {
  /** Parsed compacted rollup documents kept in memory (bytes of their JSON). */
  rollupCacheBytes: number;
  /** The rollups' checkpoint and directory are re-read at most this often. */
  freshMs: number;
  /** Most log events past the checkpoint held for the queries (the projector's lag). */
  tailMaxEvents: number;
  /** Folded answers kept for reuse while the checkpoint holds (see `foldKey`). */
  foldCacheEntries: number;
  /** How long a (re)start waits for the tail to read the log up to its head (default 5 s). */
  tailStartWaitMs?: number;
};

/**
 * What a fold of rollup cells depends on: the checkpoint, the tracks and their containers,
 * and the plan (bucket bounds; of `to`, only its hour, which decides the open hour's cell).
 */
export function foldKey(
  checkpoint: number,
  tracks: readonly TrackBinding[],
  buckets: readonly Bucket[],
  to: number,
): string {
  const hour = Math.floor(to / 3_600_000);
  const bounds = buckets.map((b) => `${b.start}-${b.end === to ? `h${hour}` : b.end}`).join(',');
  const scope = tracks.map((t) => `${t.trackId}:${t.containers.join('+')}`).join(',');
  return `${checkpoint}|${scope}|${bounds}`;
}

/** What one request sees: the rollups' checkpoint and the log's events after it. */
export type Snapshot = {
  checkpoint: number;
  tail: readonly TrackEvent[];
  /** Why recent events are missing from the tail, when they are. */
  incomplete?: string;
};

/** What the query handlers read through (built by `createStatsQueries`). */
export type QueryData = {
  catalog: CatalogView;
  ranges(
    tracks: readonly TrackBinding[],
    ranges: readonly { buckets: Bucket[]; to: number }[],
    rt: RoundTrips,
  ): Promise<{ snap: Snapshot; stats: RangeStats[]; plans: PlannedCell[][] }>;
  recent(
    tracks: readonly TrackBinding[],
    snap: Snapshot,
    now: number,
    rt: RoundTrips,
  ): Promise<{ lists: TrackRecent[]; tail: readonly TrackEvent[] }>;
};

/**
 * The query side: rollups read by partition (src/readModels/rollups), the log's tail past
 * their checkpoint, and the catalog as of the head of the log. One per service instance;
 * `start()` before serving.
 */
export function createStatsQueries(deps: {
  db: Db;
  /** Where the tail's `$all` subscription comes from (the store, or the projectors' shared feed). */
  source: Pick<EventStore, 'subscribeToAll'>;
  clock: () => Date;
  logger: Logger;
  options: StatsQueryOptions;
}) {
  const resolver = readModelResolver(deps.db);
  const reader = rollupReader(deps.db, resolver, {
    cacheBytes: deps.options.rollupCacheBytes,
    freshMs: deps.options.freshMs,
  });
  const catalog = catalogView();
  const tail = logTail(deps.source, {
    logger: deps.logger.child({ component: 'query-tail' }),
    maxEvents: deps.options.tailMaxEvents,
    onEvent: (e) => catalog.apply(e),
  });
  let family: string | undefined;
  let restarting: Promise<void> | undefined;

  /**
   * Loads the catalog at the rollups' checkpoint and (re)starts the tail there. A tail with a
   * long backlog to read (the projectors far behind, as after an import) is waited for at most
   * `tailStartWaitMs`; answers meanwhile say they lack what it has not read yet.
   */
  const restart = (rt: RoundTrips) =>
    (restarting ??= (async () => {
      const loaded = await reader.bindings(rt);
      catalog.reset(loaded.bindings);
      await tail.start(loaded.position, deps.options.tailStartWaitMs ?? 5000);
      family = loaded.physical;
    })().finally(() => (restarting = undefined)));

  async function snapshot(rt: RoundTrips): Promise<Snapshot> {
    for (;;) {
      const head = await reader.live(rt);
      const covered = tail.covers(head.checkpoint);
      // Far behind (more than QUERY_TAIL_MAX_EVENTS past the checkpoint): answer with what is
      // held, flagged, rather than re-reading the backlog on every request.
      if (head.physical === family && (covered || tail.overflowed())) {
        // Read synchronously with the checkpoint: nothing can be pruned in between.
        const events = tail.after(head.checkpoint);
        tail.prune(head.checkpoint);
        const incomplete = !covered
          ? 'the projector is behind by more than QUERY_TAIL_MAX_EVENTS'
          : !tail.caughtUp()
            ? "the log past the rollups' checkpoint is still being read"
            : undefined;
        return { checkpoint: head.checkpoint, tail: events, ...(incomplete ? { incomplete } : {}) };
      }
      await restart(rt);
    }
  }

  /** The partitions' cells (or only their recent activity) of these tracks. */
  async function partitions(
    tracks: readonly TrackBinding[],
    names: readonly string[],
    snap: Snapshot,
    rt: RoundTrips,
    cells = true,
  ) {
    const want = {
      containers: [...new Set(tracks.flatMap((t) => t.containers))],
      tracks: new Set(tracks.map((t) => t.trackId)),
      cells,
    };
    const read = await Promise.all(
      names.map(async (p) => [p, await reader.partition(p, want, snap.checkpoint, rt)] as const),
    );
    return {
      cells: new Map<string, TrackCells>(read.map(([p, d]) => [p, d.cells])),
      recent: new Map<string, TrackRecent>(read.map(([p, d]) => [p, d.recent])),
    };
  }

  /** Folded answers by `foldKey`, least recently used dropped (each a few kilobytes). */
  const folds = new Map<string, RangeStats>();
  const remember = (key: string, stats: RangeStats) => {
    folds.set(key, stats);
    while (folds.size > deps.options.foldCacheEntries) folds.delete(folds.keys().next().value!);
  };

  const data: QueryData = {
    catalog,

    /** Statistics of each range (buckets ending at `to`) over the same tracks, one snapshot. */
    async ranges(tracks, ranges, rt) {
      const snap = await snapshot(rt);
      const plans = ranges.map((r) => planCells(r.buckets, r.to));
      const trackIds = tracks.map((t) => t.trackId);
      // Answers at one checkpoint with no event of these tracks past it are reused: the same
      // cells at the same checkpoint fold the same (compaction does not change what they hold).
      const wanted = new Set(trackIds);
      const quiet = !snap.tail.some((e) => wanted.has(e.data.trackId));
      const keys = ranges.map((r) => foldKey(snap.checkpoint, tracks, r.buckets, r.to));
      const hits = keys.map((k) => (quiet ? folds.get(k) : undefined));
      const missing = plans.filter((_, i) => !hits[i]);
      const names = [...new Set(missing.flatMap(partitionsOf))];
      const { cells } = names.length
        ? await partitions(tracks, names, snap, rt)
        : { cells: new Map<string, TrackCells>() };
      const stats = ranges.map((r, i) => {
        const hit = hits[i];
        if (hit) return hit;
        const folded = foldRange({
          trackIds,
          buckets: r.buckets,
          cells: plans[i]!,
          partitions: cells,
          tail: snap.tail,
        });
        if (quiet) remember(keys[i]!, folded);
        return folded;
      });
      return { snap, stats, plans };
    },
    /**
     * Newest plays and likes of these tracks: hour partitions newest first (from the current
     * month back to the tracks' first event) until enough are found, plus the log's tail.
     */
    async recent(tracks, snap, now, rt) {
      const first = Math.min(...tracks.map((t) => t.firstAt ?? Infinity));
      const lists: TrackRecent[] = [];
      let plays = 0;
      let likes = 0;
      for (let t = now; Number.isFinite(first) && t >= floorTo(first, 'm');) {
        const partition = cellsAt(t)[0]!.partition; // the hours of t's month
        const { recent } = await partitions(tracks, [partition], snap, rt, false);
        const r = recent.get(partition)!;
        lists.push(r);
        for (const track of tracks) {
          plays += r.get(track.trackId)?.plays.length ?? 0;
          likes += r.get(track.trackId)?.likes.length ?? 0;
        }
        if (plays >= 10 && likes >= 5) break;
        t = floorTo(t, 'm') - 1;
      }
      return { lists, tail: snap.tail };
    },
  };

  return {
    async start(rt: RoundTrips): Promise<void> {
      await snapshot(rt);
    },
    async stop(): Promise<void> {
      await tail.close();
    },
    analytics: (q: AnalyticsQuery, rt: RoundTrips) => getAnalytics(data, q, deps.clock(), rt),
    dashboard: (viewer: Viewer, q: DashboardQuery, rt: RoundTrips) =>
      getDashboard(data, viewer, q, deps.clock(), rt),
  };
}

export type StatsQueries = ReturnType<typeof createStatsQueries>;
