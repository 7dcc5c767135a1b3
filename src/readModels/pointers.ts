import type { Db } from 'mongodb';
import { checkpointStore } from './checkpointStore';

/**
 * Which physical collections (and which checkpoint) currently serve each projection.
 * A rebuild writes into a fresh generation (`<logical>__g<n>`, checkpoint `<name>__g<n>`) and,
 * once caught up, swaps by rewriting the projection's single pointer document: one document
 * update, so readers see either the old generation or the new one, never a mix. (FerretDB has
 * no `renameCollection` with `dropTarget`, and a rename would not be atomic across collections.)
 * No pointer document means generation 0: logical names, checkpoint id = projection name.
 */
export const pointersCollection = 'read_model_pointers';

export type ReadModelPointer = {
  _id: string; // projection name
  generation: number;
  version: number;
  /** logical collection name → physical collection name */
  collections: Record<string, string>;
  checkpointId: string;
  swappedAt: Date;
  /** Highest generation a rebuild has started (a new rebuild takes the next one). */
  lastBuilt?: number;
  /** Generations swapped out, dropped by the cleanup job after a grace period. */
  retired?: { generation: number; collections: string[]; checkpointId: string; retiredAt: Date }[];
};

/**
 * Physical name of a logical collection in a generation. A partitioned read model names its
 * collections `<family>.<partition>[.<part>]` (e.g. `track_rollups.h2026-11.d`): the
 * generation goes on the family, `track_rollups__g2.h2026-11.d`.
 */
export const physicalName = (logical: string, generation: number): string => {
  if (generation === 0) return logical;
  const dot = logical.indexOf('.');
  return dot < 0
    ? `${logical}__g${generation}`
    : `${logical.slice(0, dot)}__g${generation}${logical.slice(dot)}`;
};

/** The family a logical (or physical) collection name belongs to: the part before the first dot. */
export const familyOf = (name: string): string => name.split('.', 1)[0]!;

/**
 * Drops physical collections and, for each, every partition of it (`<name>.…`). Idempotent.
 * Returns the names dropped.
 */
export async function dropCollections(db: Db, names: readonly string[]): Promise<string[]> {
  const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const doomed = existing.filter((e) => names.some((n) => e === n || e.startsWith(`${n}.`)));
  for (const name of doomed)
    await db
      .collection(name)
      .drop()
      .catch(() => false);
  return doomed;
}

export const checkpointIdOf = (projection: string, generation: number): string =>
  generation === 0 ? projection : `${projection}__g${generation}`;

export function pointerFor(
  projection: { name: string; version: number; collections: readonly string[] },
  generation: number,
  now: Date,
): ReadModelPointer {
  return {
    _id: projection.name,
    generation,
    version: projection.version,
    collections: Object.fromEntries(
      projection.collections.map((c) => [c, physicalName(c, generation)]),
    ),
    checkpointId: checkpointIdOf(projection.name, generation),
    swappedAt: now,
  };
}

export async function loadPointer(db: Db, projection: string): Promise<ReadModelPointer | null> {
  return db.collection<ReadModelPointer>(pointersCollection).findOne({ _id: projection });
}

/** The generation now serving `projection`, and the commit position its checkpoint has reached. */
export async function liveGeneration(
  db: Db,
  projection: string,
): Promise<{ generation: number; position: number }> {
  const generation = (await loadPointer(db, projection))?.generation ?? 0;
  const checkpoint = await checkpointStore(db).load(checkpointIdOf(projection, generation));
  return { generation, position: Number(checkpoint.position) };
}

/**
 * For readers: resolves a logical collection to its live physical name, cached for `ttlMs`
 * (a swap becomes visible within that time; the old generation is dropped only after a grace
 * period far longer than it, so a reader holding the old name still finds its data).
 */
export function readModelResolver(db: Db, ttlMs = 1000, clock: () => number = Date.now) {
  let cache: { at: number; byLogical: Map<string, ReadModelPointer> } | undefined;
  const load = async () => {
    if (cache && clock() - cache.at < ttlMs) return cache.byLogical;
    const pointers = await db.collection<ReadModelPointer>(pointersCollection).find({}).toArray();
    const byLogical = new Map<string, ReadModelPointer>();
    for (const p of pointers)
      for (const logical of Object.keys(p.collections)) byLogical.set(logical, p);
    cache = { at: clock(), byLogical };
    return byLogical;
  };
  return {
    /** Physical collection name now serving `logical`. */
    async collection(logical: string): Promise<string> {
      const family = familyOf(logical);
      const physical = (await load()).get(family)?.collections[family];
      return physical === undefined ? logical : physical + logical.slice(family.length);
    },
    /** Checkpoint document id of the generation now serving `logical`. */
    async checkpointId(logical: string, projection: string): Promise<string> {
      return (await load()).get(logical)?.checkpointId ?? projection;
    },
    invalidate(): void {
      cache = undefined;
    },
  };
}

export type ReadModelResolver = ReturnType<typeof readModelResolver>;
