import type { Db } from 'mongodb';
import type { RollupStats } from '../../projections/lib/rollupStats';
import { foldRollups, type RollupView } from '../../projections/lib/rollupView';
import { trackRollupsCollection, type TrackRollupDoc } from '../../projections/trackRollups';
import { checkpointStore } from '../projector/checkpointStore';
import type { ReadModelResolver } from '../projector/readModelPointers';
import type { RoundTrips } from './roundTrips';
import type { RollupCell } from './rollupCells';
import { fromStats, type Tally } from './tally';
import type { ListenerSketch } from '../../projections/lib/listenerSketch';

export type CellStats = { tally: Tally; sketch?: ListenerSketch };

/** One (track, month|year) as folded at `checkpoint`: exactly the events with position ≤ it. */
type CachedView = {
  checkpoint: number;
  view?: RollupView;
  loadedAt: number;
  cells: Map<string, CellStats>;
};

const viewKey = (collection: string, trackId: string, g: 'm' | 'y', period: string) =>
  `${collection}|${trackId}|${g}|${period}`;

function statsAt(view: RollupView | undefined, path: string): RollupStats | undefined {
  if (!view) return undefined;
  if (path === 'total') return view.total;
  const [field, key] = path.split('.') as ['days' | 'hours' | 'weeks', string];
  return view[field][key];
}

/**
 * Reads rollup documents and keeps their folded views. A view folded at checkpoint P holds
 * exactly the events with position ≤ P, whenever it was read; the caller adds the raw events
 * after P from the streams, so a cached view is never wrong, only older (and re-read after
 * `ttlMs` to keep the replayed tail short). FerretDB reads nested documents slowly, so each
 * document is read once and every bucket inside it is served from memory afterwards.
 */
export function rollupCache(
  db: Db,
  resolver: ReadModelResolver,
  options: { maxViews: number; ttlMs: number; clock?: () => number },
) {
  const clock = options.clock ?? Date.now;
  const views = new Map<string, CachedView>();

  async function load(
    collection: string,
    wanted: { trackId: string; granularity: 'm' | 'y'; period: string }[],
    rt: RoundTrips,
  ) {
    const checkpointId = await resolver.checkpointId(trackRollupsCollection, 'trackRollups');
    const checkpoint = Number((await rt.count(checkpointStore(db).load(checkpointId))).position);
    const byGranularity = new Map<'m' | 'y', { tracks: Set<string>; periods: Set<string> }>();
    for (const w of wanted) {
      const g = byGranularity.get(w.granularity) ?? { tracks: new Set(), periods: new Set() };
      g.tracks.add(w.trackId);
      g.periods.add(w.period);
      byGranularity.set(w.granularity, g);
    }
    const docs = (
      await Promise.all(
        [...byGranularity].map(([granularity, g]) =>
          rt.count(
            db
              .collection<TrackRollupDoc>(collection)
              .find({
                trackId: { $in: [...g.tracks] },
                granularity,
                period: { $in: [...g.periods] },
              })
              .toArray(),
          ),
        ),
      )
    ).flat();
    const loadedAt = clock();
    const folded = new Map(
      foldRollups(docs, checkpoint).map((v) => [
        viewKey(collection, v.trackId, v.granularity, v.period),
        v,
      ]),
    );
    // Everything the query returned is cached, not only what was asked: the read is paid.
    for (const [key, view] of folded)
      views.set(key, { checkpoint, view, loadedAt, cells: new Map() });
    for (const w of wanted) {
      const key = viewKey(collection, w.trackId, w.granularity, w.period);
      if (!folded.has(key)) views.set(key, { checkpoint, loadedAt, cells: new Map() });
    }
  }

  return {
    /**
     * The statistics of each cell for each track, each with the checkpoint it is exact at.
     * Reads the documents not cached (or expired) in one query per granularity.
     */
    async cells(
      trackIds: readonly string[],
      cells: readonly RollupCell[],
      rt: RoundTrips,
    ): Promise<(trackId: string, cell: RollupCell) => CellStats & { checkpoint: number }> {
      const collection = await resolver.collection(trackRollupsCollection);
      const now = clock();
      const periods = new Map<string, { granularity: 'm' | 'y'; period: string }>();
      for (const c of cells) periods.set(`${c.granularity}|${c.period}`, c);
      const missing: { trackId: string; granularity: 'm' | 'y'; period: string }[] = [];
      for (const trackId of trackIds) {
        for (const p of periods.values()) {
          const key = viewKey(collection, trackId, p.granularity, p.period);
          const cached = views.get(key);
          if (!cached || now - cached.loadedAt > options.ttlMs) missing.push({ trackId, ...p });
          else {
            views.delete(key); // LRU: most recently used last
            views.set(key, cached);
          }
        }
      }
      if (missing.length > 0) await load(collection, missing, rt);
      for (const [key] of views) {
        if (views.size <= options.maxViews) break;
        views.delete(key);
      }
      const pinned = new Map<string, CachedView>();
      for (const trackId of trackIds) {
        for (const p of periods.values()) {
          const key = viewKey(collection, trackId, p.granularity, p.period);
          pinned.set(key, views.get(key)!);
        }
      }
      return (trackId, cell) => {
        const cached = pinned.get(viewKey(collection, trackId, cell.granularity, cell.period))!;
        let stats = cached.cells.get(cell.path);
        if (!stats)
          cached.cells.set(cell.path, (stats = fromStats(statsAt(cached.view, cell.path))));
        return { ...stats, checkpoint: cached.checkpoint };
      };
    },
    stats: () => ({ views: views.size }),
  };
}

export type RollupCache = ReturnType<typeof rollupCache>;
