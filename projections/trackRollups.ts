import { listenerEventTypes, type StoredEventType, type TrackEvent } from '../src/events/stored';
import { cellAt, floorTo, levels, type CellAddress } from './lib/cells';
import type { TrackCells, TrackRecent } from './lib/rollupCells';
import {
  accumulate,
  mergeAccumulators,
  newAccumulator,
  toStats,
  type RollupStats,
  type StatsAccumulator,
} from './lib/rollupStats';
import { keepNewest, recentLike, recentLikesKept, recentPlay, recentPlaysKept } from './lib/recent';
import type { Projection, ReadModelOp } from './types';

/**
 * Time rollups (hour, day, month, year; UTC) grouped by **artist**, in small collections per
 * period, so that an artist's answer costs one document read per period whatever the number of
 * its tracks, and no read costs more than its period (docs/READ-MODELS.md).
 *
 * Each batch inserts, per partition (`h2026-11`: the hours of a month, `d2026-11` its days,
 * `m2026` the months of a year, `y` the years; see `lib/cells.ts`) and per *container* (the
 * track's artist when the event was projected, `~` while the track has no catalog entry), one
 * delta document holding that batch's cells of every track of the container. Cells stay per
 * track inside the container, so attribution follows the *current* catalog at read time: the
 * bindings collection says which containers hold each track's cells.
 * The compaction job folds deltas into one document per (partition, container).
 */
export const rollupFamily = 'track_rollups';
export const bindingsCollection = 'track_rollup_bindings';
/** Container of tracks without a catalog entry. */
export const unassigned = '~';

/** Logical collection of a partition's deltas (`<family>.<partition>.d`). */
export const deltaCollection = (partition: string) => `${rollupFamily}.${partition}.d`;
/** Logical collection of a partition's compacted documents. */
export const compactedCollection = (partition: string) => `${rollupFamily}.${partition}`;
/** The directory: which compacted version of each (partition, container) is current. */
export const directoryCollection = `${rollupFamily}.dir`;

/**
 * One delta: what a batch adds to a (partition, container). Structured content; how it is
 * stored (`RollupDeltaDoc`, packed) is the adapter's choice (src/readModels/rollups/documents.ts).
 */
export type RollupDelta = {
  /** `<container>|<pos>`: replaying a batch collides with its own insert. */
  _id: string;
  container: string;
  /** Commit position of the batch's last event of this projection. */
  pos: number;
  /** Per track, per cell key (`DDHH`, `DD`, `MM`, `YYYY`), the statistics. */
  cells: TrackCells;
  /** Hour partitions only: per track, its newest plays and likes in this batch. */
  recent?: TrackRecent;
};

export type TrackBinding = {
  trackId: string;
  artistId?: string;
  title?: string;
  /** Containers holding cells of this track (its artists over time, `~` before the catalog). */
  containers: string[];
  /** Start of the earliest hour with an event of this track. */
  firstAt?: number;
};

export type BindingDoc = TrackBinding & { _id: string; pos: number };

export type Bindings = Map<string, TrackBinding>;

/** The bindings as of `checkpoint`: per track, its newest document with `pos` ≤ checkpoint. */
export function loadBindings(docs: readonly BindingDoc[], checkpoint: number): Bindings {
  const best = new Map<string, BindingDoc>();
  for (const d of docs) {
    if (d.pos > checkpoint) continue;
    const b = best.get(d.trackId);
    if (!b || b.pos < d.pos) best.set(d.trackId, d);
  }
  const out: Bindings = new Map();
  for (const { trackId, artistId, title, containers, firstAt } of best.values()) {
    out.set(trackId, {
      trackId,
      ...(artistId !== undefined ? { artistId } : {}),
      ...(title !== undefined ? { title } : {}),
      containers: [...containers],
      ...(firstAt !== undefined ? { firstAt } : {}),
    });
  }
  return out;
}

const catalogTypes: readonly StoredEventType[] = ['TrackRegistered', 'TrackUpdated'];
/** Start of the hour a stat event happened in (0 for catalog events, which have no time). */
const hourOf = (e: TrackEvent) =>
  catalogTypes.includes(e.type)
    ? 0
    : Math.floor(Date.parse(e.data.occurredAt) / 3_600_000) * 3_600_000;

/**
 * Applies one event to the bindings (catalog events move the track; a stat event puts its
 * container on the track's list and may move `firstAt` earlier). Returns the container the
 * event's cells go to (stat events), and whether the binding changed.
 */
export function bindEvent(
  bindings: Bindings,
  e: TrackEvent,
  hour = hourOf(e),
): { container?: string; changed: boolean } {
  const { trackId } = e.data;
  let b = bindings.get(trackId);
  const isNew = !b;
  if (!b) bindings.set(trackId, (b = { trackId, containers: [] }));
  if (catalogTypes.includes(e.type)) {
    const { artistId, title } = e.data as { artistId: string; title: string };
    if (b.artistId === artistId && b.title === title) return { changed: isNew };
    b.artistId = artistId;
    b.title = title;
    return { changed: true };
  }
  const container = b.artistId ?? unassigned;
  let changed = isNew;
  if (!b.containers.includes(container)) {
    b.containers.push(container);
    changed = true;
  }
  if (b.firstAt === undefined || hour < b.firstAt) {
    b.firstAt = hour;
    changed = true;
  }
  return { container, changed };
}

type ContainerAcc = {
  cells: Map<string, Map<string, StatsAccumulator>>;
  recent?: Map<string, { plays: TrackEvent[]; likes: TrackEvent[] }>;
};

function into<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

const DAY = 86_400_000;

/**
 * One track's cells in one container during a batch, keyed by each level's cell start (numbers:
 * cheap to look up per event; turned into partition and key once per cell at the end). Events
 * go into hour cells only; `rollUp` makes the day, month and year cells from them.
 */
type TrackAcc = {
  container: string;
  trackId: string;
  hours: Map<number, StatsAccumulator>;
  /** Per month (an hour partition), the newest plays and likes. */
  recent?: Map<number, { plays: TrackEvent[]; likes: TrackEvent[] }>;
};

/** Month and year starts of a UTC day, memoized per batch (few distinct days per batch). */
function periodStarts(memo: Map<number, [number, number]>, day: number): [number, number] {
  let p = memo.get(day);
  if (!p) memo.set(day, (p = [floorTo(day, 'm'), floorTo(day, 'y')]));
  return p;
}

const dayOf = (t: number) => Math.floor(t / DAY) * DAY;

/** Adds one stat event to its track's hour cell and recent lists. */
function addEvent(
  acc: TrackAcc,
  event: TrackEvent,
  hour: number,
  memo: Map<number, [number, number]>,
) {
  let cell = acc.hours.get(hour);
  if (!cell) acc.hours.set(hour, (cell = newAccumulator()));
  accumulate(cell, event);
  if (event.type === 'TrackPlayed' || event.type === 'TrackLiked') {
    const [month] = periodStarts(memo, dayOf(hour));
    const r = into((acc.recent ??= new Map()), month, () => ({ plays: [], likes: [] }));
    if (event.type === 'TrackPlayed') keepNewest(r.plays, event, recentPlaysKept);
    else keepNewest(r.likes, event, recentLikesKept);
  }
}

/**
 * The cells of the next level up (by `parentOf` each cell's start), made from these: a cell
 * with one child is that child's very accumulator (a live batch, all in one hour, has the same
 * statistics in its hour, day, month and year cells, computed and packed once), otherwise the
 * children merged. Once per batch and cell, instead of once per event and level.
 */
function rollUp(
  cells: Map<number, StatsAccumulator>,
  parentOf: (start: number) => number,
): Map<number, StatsAccumulator> {
  const children = new Map<number, StatsAccumulator[]>();
  for (const [start, cell] of cells) into(children, parentOf(start), () => []).push(cell);
  const out = new Map<number, StatsAccumulator>();
  for (const [start, list] of children) {
    out.set(start, list.length === 1 ? list[0]! : mergeAccumulators(list));
  }
  return out;
}

/** A track's cells of every level, hours first (the order of `levels`). */
function cellsByLevel(t: TrackAcc, memo: Map<number, [number, number]>) {
  const days = rollUp(t.hours, dayOf);
  const months = rollUp(days, (day) => periodStarts(memo, day)[0]);
  const years = rollUp(months, (month) => periodStarts(memo, month)[1]);
  return [t.hours, days, months, years];
}

/** The batch's cells grouped by partition and container, as `deltaDocs` writes them. */
function byPartition(tracks: Iterable<TrackAcc>, memo: Map<number, [number, number]>) {
  const partitions = new Map<string, Map<string, ContainerAcc>>();
  const addresses = levels.map(() => new Map<number, CellAddress>());
  const address = (level: number, start: number) =>
    into(addresses[level]!, start, () => cellAt(levels[level]!, start));
  const containerAcc = (partition: string, container: string) =>
    into(
      into(partitions, partition, () => new Map()),
      container,
      () => ({ cells: new Map() }),
    );
  for (const t of tracks) {
    cellsByLevel(t, memo).forEach((byStart, level) => {
      for (const [start, cell] of byStart) {
        const { partition, key } = address(level, start);
        into(containerAcc(partition, t.container).cells, t.trackId, () => new Map()).set(key, cell);
      }
    });
    for (const [month, r] of t.recent ?? []) {
      const acc = containerAcc(address(0, month).partition, t.container);
      (acc.recent ??= new Map()).set(t.trackId, r);
    }
  }
  return partitions;
}

function deltaDocs(partitions: Map<string, Map<string, ContainerAcc>>, pos: number) {
  const ops: ReadModelOp[] = [];
  // An accumulator shared by several levels (see `rollUp`) gives one statistics object.
  const stats = new Map<StatsAccumulator, RollupStats>();
  const statsOf = (a: StatsAccumulator) => into(stats, a, () => toStats(a));
  for (const [partition, containers] of partitions) {
    for (const [container, acc] of containers) {
      const cells: TrackCells = new Map();
      for (const [trackId, byKey] of acc.cells) {
        cells.set(trackId, Object.fromEntries([...byKey].map(([k, a]) => [k, statsOf(a)])));
      }
      const doc: RollupDelta = { _id: `${container}|${pos}`, container, pos, cells };
      if (acc.recent) {
        const recent: TrackRecent = new Map();
        for (const [trackId, r] of acc.recent) {
          recent.set(trackId, { plays: r.plays.map(recentPlay), likes: r.likes.map(recentLike) });
        }
        doc.recent = recent;
      }
      ops.push({ collection: deltaCollection(partition), id: doc._id, insert: doc });
    }
  }
  return ops;
}

export const trackRollups: Projection<Bindings> = {
  name: 'trackRollups',
  version: 4,
  canHandle: [...listenerEventTypes, ...catalogTypes],
  collections: [rollupFamily, bindingsCollection],
  indexes: [
    { collection: bindingsCollection, keys: { trackId: 1, pos: 1 } },
    // Every partition's deltas (`<family>.<partition>.d`): what compaction and readers ask.
    { collection: `${rollupFamily}.*.d`, keys: { container: 1, pos: 1 } },
    { collection: `${rollupFamily}.*.d`, keys: { pos: 1 } },
  ],
  state: {
    collection: bindingsCollection,
    load: (docs, checkpoint) => loadBindings(docs as BindingDoc[], checkpoint),
  },
  project(events, bindings = new Map()): ReadModelOp[] {
    if (events.length === 0) return [];
    const pos = Number(events[events.length - 1]!.position);
    const tracks = new Map<string, TrackAcc>();
    const memo = new Map<number, [number, number]>();
    const changed = new Set<string>();
    for (const event of events) {
      const hour = hourOf(event);
      const bound = bindEvent(bindings, event, hour);
      if (bound.changed) changed.add(event.data.trackId);
      if (bound.container === undefined) continue;
      const { trackId } = event.data;
      const id = `${bound.container}|${trackId}`;
      let acc = tracks.get(id);
      if (!acc) tracks.set(id, (acc = { container: bound.container, trackId, hours: new Map() }));
      addEvent(acc, event, hour, memo);
    }
    const partitions = byPartition(tracks.values(), memo);
    const ops = deltaDocs(partitions, pos);
    for (const trackId of changed) {
      const b = bindings.get(trackId)!;
      const doc: BindingDoc = {
        _id: `${trackId}|${pos}`,
        pos,
        ...b,
        containers: [...b.containers],
      };
      ops.push({ collection: bindingsCollection, id: doc._id, insert: doc });
    }
    return ops;
  },
};
