import type { Db } from 'mongodb';
import {
  mergeCells,
  mergeRecent,
  type TrackCells,
  type TrackRecent,
} from '../../../projections/lib/rollupCells';
import {
  bindingsCollection,
  compactedCollection,
  deltaCollection,
  directoryCollection,
  loadBindings,
  rollupFamily,
  trackRollups,
  type BindingDoc,
} from '../../../projections/trackRollups';
import type { LogPosition } from '../../eventstore/eventStore';
import type { RoundTrips } from '../../queries/roundTrips';
import { checkpointStore } from '../checkpointStore';
import type { ReadModelResolver } from '../pointers';
import { deletionGraceMs } from './compaction';
import {
  containerField,
  type CompactedDoc,
  type DirectoryDoc,
  type RollupDeltaDoc,
  unpackRollup,
} from './documents';

export type PartitionData = { cells: TrackCells; recent: TrackRecent };

/** The entries of `map` for these tracks (the map itself when it holds no other). */
function only<V>(map: Map<string, V>, tracks: ReadonlySet<string>): Map<string, V> {
  let others = false;
  for (const trackId of map.keys()) {
    if (!tracks.has(trackId)) {
      others = true;
      break;
    }
  }
  if (!others) return map;
  const out = new Map<string, V>();
  for (const trackId of tracks) {
    const v = map.get(trackId);
    if (v !== undefined) out.set(trackId, v);
  }
  return out;
}

type Parsed = { container: string; pos: number; data: PartitionData; bytes: number };

const parse = (d: {
  container: string;
  cellsJson: string;
  recentJson?: string;
  pos?: number;
  upTo?: number;
}): Parsed => ({
  container: d.container,
  pos: d.pos ?? d.upTo ?? 0,
  data: unpackRollup(d),
  bytes: d.cellsJson.length + (d.recentJson?.length ?? 0),
});

export type RollupReaderOptions = {
  /** Parsed compacted documents kept (they never change: a new version has a new id). */
  cacheBytes: number;
  /** The checkpoint is re-read at most this often. */
  freshMs: number;
  clock?: () => number;
};

/**
 * Reads the rollup store (one small collection per partition, see projections/trackRollups.ts):
 * a partition's cells for some containers are the containers' current compacted documents
 * (read by `_id`, cached) plus the partition's deltas past them up to the checkpoint. Every
 * read is bounded by its partition, never by the length of the history.
 */
export function rollupReader(db: Db, resolver: ReadModelResolver, options: RollupReaderOptions) {
  const clock = options.clock ?? Date.now;
  const compacted = new Map<string, Parsed | null>();
  let cachedBytes = 0;
  let head:
    | {
        at: number;
        value: Promise<{ checkpoint: number; position: LogPosition; physical: string }>;
      }
    | undefined;
  const directory = new Map<string, { at: number; value: Promise<DirectoryDoc | null> }>();
  const deltaCache = new Map<string, Promise<Parsed[]>>();
  let deltaCheckpoint = -1;

  /** The live generation's family name and checkpoint (cached `freshMs`). */
  function live(rt: RoundTrips) {
    if (head && clock() - head.at < options.freshMs) return head.value;
    const value = (async () => {
      const [physical, checkpointId] = await Promise.all([
        resolver.collection(rollupFamily),
        resolver.checkpointId(rollupFamily, trackRollups.name),
      ]);
      const cp = await rt.count(checkpointStore(db).load(checkpointId));
      const position = { commit: cp.position, prepare: cp.prepare ?? cp.position };
      return { checkpoint: Number(cp.position), position, physical };
    })();
    head = { at: clock(), value };
    value.catch(() => (head = undefined));
    return value;
  }

  /**
   * One partition's directory entry, by `_id`. Any recent entry reads exactly (its versions and
   * the deltas after them are kept `deletionGraceMs` after a newer compaction), so it is reused
   * for a third of that grace: few round trips on warm requests.
   */
  function directoryEntry(physical: string, partition: string, rt: RoundTrips) {
    const key = `${physical}|${partition}`;
    const hit = directory.get(key);
    if (hit && clock() - hit.at < deletionGraceMs / 3) return hit.value;
    const name = physical + directoryCollection.slice(rollupFamily.length);
    const value = rt.count(db.collection<DirectoryDoc>(name).findOne({ _id: partition }));
    directory.set(key, { at: clock(), value });
    value.catch(() => directory.delete(key));
    if (directory.size > 10_000) directory.delete(directory.keys().next().value!);
    return value;
  }

  async function compactedDoc(collection: string, id: string, rt: RoundTrips) {
    const key = `${collection}|${id}`;
    const hit = compacted.get(key);
    if (hit !== undefined) {
      compacted.delete(key); // LRU: most recently used last
      compacted.set(key, hit);
      return hit;
    }
    const doc = await rt.count(db.collection<CompactedDoc>(collection).findOne({ _id: id }));
    const parsed = doc ? parse(doc) : null;
    compacted.set(key, parsed);
    cachedBytes += parsed?.bytes ?? 0;
    while (cachedBytes > options.cacheBytes && compacted.size > 1) {
      const [oldKey, old] = compacted.entries().next().value!;
      compacted.delete(oldKey);
      cachedBytes -= old?.bytes ?? 0;
    }
    return parsed;
  }

  /**
   * A partition's deltas with pos in (after, checkpoint], parsed; shared while the checkpoint
   * holds. Entries of older checkpoints are dropped as soon as a newer one is asked for: only
   * requests already in flight still hold them.
   */
  function deltas(collection: string, after: number, checkpoint: number, rt: RoundTrips) {
    if (checkpoint > deltaCheckpoint) {
      deltaCache.clear();
      deltaCheckpoint = checkpoint;
    }
    const key = `${collection}|${after}|${checkpoint}`;
    let hit = deltaCache.get(key);
    if (!hit) {
      hit = rt
        .count(
          db
            .collection<RollupDeltaDoc>(collection)
            .find({ pos: { $gt: after, $lte: checkpoint } })
            .toArray(),
        )
        .then((docs) => docs.map(parse));
      deltaCache.set(key, hit);
      hit.catch(() => deltaCache.delete(key));
      if (deltaCache.size > 2000) deltaCache.delete(deltaCache.keys().next().value!);
    }
    return hit;
  }

  return {
    /**
     * The live generation (its family's physical name) and its checkpoint: every event at or
     * before it is in the rollups, none after it.
     */
    live,

    /** Track → artist and containers, as of the rollups' checkpoint. */
    async bindings(rt: RoundTrips) {
      const head = await live(rt);
      const name = await resolver.collection(bindingsCollection);
      const docs = await rt.count(db.collection<BindingDoc>(name).find({}).toArray());
      return { ...head, bindings: loadBindings(docs, head.checkpoint) };
    },

    /**
     * The cells (and recent activity) of `tracks` in one partition, read from their
     * `containers`, exact up to `checkpoint` (the caller's, read once per request so all
     * partitions agree). Only those tracks are merged: a container can hold many more (`~`
     * holds every track projected before its catalog entry). `cells: false` when only the
     * recent activity is wanted.
     */
    async partition(
      partition: string,
      want: { containers: readonly string[]; tracks: ReadonlySet<string>; cells?: boolean },
      checkpoint: number,
      rt: RoundTrips,
    ): Promise<PartitionData> {
      const { containers, tracks } = want;
      const { physical } = await live(rt);
      const dir = await directoryEntry(physical, partition, rt);
      const rel = (logical: string) => physical + logical.slice(rollupFamily.length);
      const upTo = (c: string) => dir?.containers[containerField(c)] ?? -1;
      if (containers.length === 0) return { cells: new Map(), recent: new Map() };
      const after = Math.min(...containers.map(upTo));
      const [bases, fresh] = await Promise.all([
        Promise.all(
          containers
            .filter((c) => upTo(c) >= 0)
            .map((c) => compactedDoc(rel(compactedCollection(partition)), `${c}|c${upTo(c)}`, rt)),
        ),
        deltas(rel(deltaCollection(partition)), after, checkpoint, rt),
      ]);
      const wanted = new Set(containers);
      const parts = [
        ...bases.filter((b): b is Parsed => b !== null),
        ...fresh.filter((d) => wanted.has(d.container) && d.pos > upTo(d.container)),
      ];
      if (parts.length === 0) return { cells: new Map(), recent: new Map() };
      return {
        cells:
          want.cells === false
            ? new Map()
            : mergeCells(parts.map((p) => only(p.data.cells, tracks))),
        // Only hour partitions keep recent activity.
        recent: partition.startsWith('h')
          ? mergeRecent(parts.map((p) => only(p.data.recent, tracks)))
          : new Map(),
      };
    },
  };
}

export type RollupReader = ReturnType<typeof rollupReader>;
