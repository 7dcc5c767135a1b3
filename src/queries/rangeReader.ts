import type { Db } from 'mongodb';
import type { ReadModelResolver } from '../projector/readModelPointers';
import { readTrackCounters, type TrackCountersView } from '../projector/readTrackCounters';
import type { ResolvedRange } from './queryParams';
import { planRange, planSeries, type Piece } from './rangePlanner';
import type { RollupCache, RollupReadMode } from './rollupCache';
import { planCells, rangeStats, type RangeStats, type SeriesPlan } from './rangeStats';
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

/** What came from where, for the answer's `coverage`. */
export function coverageOf(
  plan: SeriesPlan,
  rollupsUntil: number,
  replayed: RangeStats['replayed'],
) {
  const rollups: { granularity: Granularity; from: string; to: string; buckets: number }[] = [];
  const raw: { from: string; to: string; reason: string }[] = [];
  let last: { granularity: Granularity; end: number; entry: (typeof rollups)[number] } | undefined;
  const pieces: Piece[] = plan.flatMap((b) => b.pieces);
  for (const p of pieces) {
    if (p.kind === 'raw') {
      const openHour = p.end > floorTo(rollupsUntil, 'hour');
      raw.push({
        from: iso(p.start),
        to: iso(p.end),
        reason: openHour ? 'open hour' : 'partial hour',
      });
      last = undefined;
    } else if (last && last.granularity === p.granularity && last.end === p.start) {
      last.entry.to = iso(p.end);
      last.entry.buckets += 1;
      last.end = p.end;
    } else {
      const entry = { granularity: p.granularity, from: iso(p.start), to: iso(p.end), buckets: 1 };
      rollups.push(entry);
      last = { granularity: p.granularity, end: p.end, entry };
    }
  }
  return {
    rollups,
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
  const artists = new Map<string, { at: number; tracks: Promise<TrackInfo[]> }>();
  let catalogChangedAt = -Infinity;
  return {
    /**
     * A catalog event was appended: forget every artist's track list, and do not keep new
     * ones for a while (the catalog read model is updated a little later).
     */
    catalogChanged(): void {
      artists.clear();
      catalogChangedAt = Date.now();
    },

    /** The artist's tracks from the catalog read model, reused for `catalogTtlMs`. */
    async tracksOfArtist(artistId: string, rt: RoundTrips): Promise<TrackInfo[]> {
      const now = Date.now();
      const cached = artists.get(artistId);
      if (cached && now - cached.at < deps.catalogTtlMs) return cached.tracks;
      const tracks = this.readTracksOfArtist(artistId, rt);
      if (now - catalogChangedAt > 2000) artists.set(artistId, { at: now, tracks });
      tracks.catch(() => artists.delete(artistId));
      if (artists.size > 10_000) artists.delete(artists.keys().next().value!);
      return tracks;
    },

    async readTracksOfArtist(artistId: string, rt: RoundTrips): Promise<TrackInfo[]> {
      const docs = await rt.count(readTrackCounters(deps.db, { artistId }));
      return docs.map(trackInfo);
    },

    async track(trackId: string, rt: RoundTrips): Promise<TrackInfo | undefined> {
      const [doc] = await rt.count(readTrackCounters(deps.db, { trackIds: [trackId] }));
      return doc ? trackInfo(doc) : undefined;
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
          ? planSeries(range.from, range.to, { rollupsUntil, series })
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
      const cells = merged.flatMap((plan) => planCells(plan).flatMap((c) => c.cells));
      const events = await deps.streams.read(trackIds, rt);
      // Raw events stand in for rollups only where the stream still holds the whole history.
      const mode = trackIds.every((id) => deps.streams.complete(id)) ? deps.rollupReadMode : 'wait';
      const lookup = await deps.rollups.cells(trackIds, cells, rt, mode);
      return merged.map((plan) => ({
        events,
        plan,
        stats: rangeStats(trackIds, plan, lookup, events),
        coverage: (s: RangeStats) => coverageOf(plan, rollupsUntil, s.replayed),
      }));
    },

    /** Earliest event time of these tracks (for `all`), from the counters and the streams. */
    async earliest(tracks: readonly TrackInfo[], rt: RoundTrips): Promise<number | undefined> {
      const events = await deps.streams.read(
        tracks.map((t) => t.trackId),
        rt,
      );
      let min = Infinity;
      for (const t of tracks) if (t.firstEventAt) min = Math.min(min, Date.parse(t.firstEventAt));
      for (const list of events.values()) for (const e of list) min = Math.min(min, e.at);
      return Number.isFinite(min) ? min : undefined;
    },
  };
}

export type RangeReader = ReturnType<typeof rangeReader>;
