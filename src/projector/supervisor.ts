import type { Db } from 'mongodb';
import type { Projection } from '../../projections/types';
import { trackStreamPrefix } from '../events/stored';
import type { EventStore } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import type { WriteBudget } from '../mongo/writeBudget';
import { checkpointStore, checkpointsCollection } from '../readModels/checkpointStore';
import { eventFeed, type EventFeed } from './eventFeed';
import type { Leases } from './lease';
import type { ProjectorMetrics } from './metrics';
import {
  startProjector,
  type FailurePolicy,
  type ProjectorStatus,
  type RunningProjector,
} from './projector';
import {
  checkpointIdOf,
  loadPointer,
  dropCollections,
  physicalName,
  pointerFor,
  pointersCollection,
  type ReadModelPointer,
} from '../readModels/pointers';
import type { ProjectionRegistry } from './registry';

export type SupervisorOptions = {
  store: EventStore;
  db: Db;
  registry: ProjectionRegistry;
  logger: Logger;
  leases: Leases;
  /** Batch size of live projectors once caught up. */
  batchSize: number;
  /**
   * Batch size of rebuilds and of live projectors while they catch up (from far behind:
   * bigger batches, fewer document writes per event).
   */
  rebuildBatchSize: number;
  batchDelayMs: number;
  /** See `ProjectorOptions.batchMaxDelayMs`. */
  batchMaxDelayMs?: number;
  bulkChunkSize: number;
  /** The process's update budget (see `WriteBudget`), shared with the jobs. */
  writeBudget: WriteBudget;
  failurePolicy?: FailurePolicy;
  metrics?: ProjectorMetrics;
  /** How often pointers (swaps by another process) and the log head are polled. */
  pollMs?: number;
  leaseTtlMs?: number;
};

export type RebuildResult =
  | { ok: true; projection: string; generation: number; events: number; seconds: number }
  | { ok: false; projection: string; reason: 'ALREADY_RUNNING' | 'FAILED'; message: string };

type Slot = { projection: Projection; generation: number; running?: RunningProjector };

/** Retired generations are dropped by the cleanup job after a grace period. */
export type RetiredGeneration = NonNullable<ReadModelPointer['retired']>[number];

export async function ensureIndexes(
  db: Db,
  projection: Projection,
  generation: number,
): Promise<void> {
  for (const c of projection.collections) {
    const name = physicalName(c, generation);
    // createCollection is idempotent here: an existing one answers NamespaceExists (48).
    await db.createCollection(name).catch((err: { code?: number }) => {
      if (err.code !== 48) throw err;
    });
  }
  for (const index of projection.indexes ?? []) {
    // Patterns (`family.*.d`) are created on each partition when it is first written.
    if (index.collection.includes('*')) continue;
    await db.collection(physicalName(index.collection, generation)).createIndex(index.keys);
  }
}

/**
 * Runs one projector per registered projection on the generation its pointer names (taking a
 * lease so only one instance writes it), follows swaps made by other processes, rebuilds into
 * a fresh generation and swaps atomically, and reports status.
 */
export function projectorSupervisor(options: SupervisorOptions) {
  const { db, registry, logger, leases } = options;
  const { writeBudget: budget } = options;
  const checkpoints = checkpointStore(options.db, budget);
  const pollMs = options.pollMs ?? 2000;
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const slots = new Map<string, Slot>(
    registry.all().map((p) => [p.name, { projection: p, generation: 0 }]),
  );
  const rebuilding = new Set<string>();
  let poller: NodeJS.Timeout | undefined;
  let stopped = false;
  let tick: Promise<void> = Promise.resolve();

  // One $all subscription (and one decoding of each event) for every live projector.
  const feed = eventFeed(options.store, { streamPrefixes: [trackStreamPrefix], logger });

  /** Live projectors read the shared feed; a rebuild reads the log on its own (or `source`). */
  const launch = (
    projection: Projection,
    generation: number,
    mode: 'live' | 'rebuild',
    source?: EventFeed,
  ) =>
    startProjector({
      store: options.store,
      ...(mode === 'live' ? { source: feed } : source ? { source } : {}),
      db,
      checkpoints,
      projection,
      logger,
      batchSize: mode === 'live' ? options.batchSize : options.rebuildBatchSize,
      catchUpBatchSize: options.rebuildBatchSize,
      batchDelayMs: options.batchDelayMs,
      ...(options.batchMaxDelayMs !== undefined
        ? { batchMaxDelayMs: options.batchMaxDelayMs }
        : {}),
      bulkChunkSize: options.bulkChunkSize,
      writeBudget: budget,
      checkpointId: checkpointIdOf(projection.name, generation),
      physicalName: (logical) => physicalName(logical, generation),
      ...(options.failurePolicy ? { failurePolicy: options.failurePolicy } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });

  const leaseName = (slot: Slot) =>
    `projector:${checkpointIdOf(slot.projection.name, slot.generation)}`;

  /** Brings one slot in line with its pointer and its lease. */
  const reconcile = async (slot: Slot) => {
    if (stopped) return;
    const pointer = await loadPointer(db, slot.projection.name);
    const generation = pointer?.generation ?? 0;
    if (slot.running && generation !== slot.generation) {
      logger.info(
        { projection: slot.projection.name, generation },
        'following swap to new generation',
      );
      await slot.running.stop();
      await leases.release(leaseName(slot));
      slot.running = undefined;
    }
    slot.generation = generation;
    if (slot.running?.superseded()) {
      // Another instance wrote the checkpoint while this one held the lease in its own view:
      // start over from what is stored, if the lease is (still or again) ours.
      await slot.running.stop();
      slot.running = undefined;
    }
    const held = await leases.acquire(leaseName(slot), leaseTtlMs);
    if (!held) {
      if (slot.running) {
        logger.warn({ projection: slot.projection.name }, 'projector lease lost: stopping');
        await slot.running.stop();
        slot.running = undefined;
      }
      return;
    }
    if (!slot.running && !stopped) {
      await ensureIndexes(db, slot.projection, generation);
      slot.running = await launch(slot.projection, generation, 'live');
    }
  };

  const poll = async () => {
    try {
      for (const slot of slots.values()) await reconcile(slot);
      const head = await options.store.headPosition([trackStreamPrefix]);
      if (head) for (const slot of slots.values()) slot.running?.setHead(head.commit);
    } catch (err) {
      logger.warn({ err }, 'projector supervision poll failed');
    }
  };

  const schedule = () => {
    if (stopped) return;
    poller = setTimeout(() => {
      tick = tick.then(poll).finally(schedule);
    }, pollMs);
  };

  async function rebuild(name: string, source?: EventFeed): Promise<RebuildResult> {
    const projection = registry.get(name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    const lock = `rebuild:${name}`;
    if (rebuilding.has(name) || !(await leases.acquire(lock, 10 * 60_000))) {
      return {
        ok: false,
        projection: name,
        reason: 'ALREADY_RUNNING',
        message: `a rebuild of ${name} is running`,
      };
    }
    rebuilding.add(name);
    const started = Date.now();
    const log = logger.child({ projection: name });
    let builder: RunningProjector | undefined;
    try {
      const pointer = await loadPointer(db, name);
      const current = pointer?.generation ?? 0;
      const generation = Math.max(current, pointer?.lastBuilt ?? 0) + 1;
      // Leftovers of an abandoned attempt at this generation are thrown away.
      await dropCollections(
        db,
        projection.collections.map((c) => physicalName(c, generation)),
      );
      await checkpoints.reset(checkpointIdOf(name, generation));
      await budget.command(1, () =>
        db
          .collection<ReadModelPointer>(pointersCollection)
          .updateOne({ _id: name }, { $max: { lastBuilt: generation } }, { upsert: false }),
      );
      await ensureIndexes(db, projection, generation);
      log.info({ generation }, 'rebuild started');
      builder = await launch(projection, generation, 'rebuild', source);
      const renew = setInterval(
        () => void leases.acquire(lock, 10 * 60_000).catch(() => undefined),
        60_000,
      );
      try {
        for (;;) {
          const s: ProjectorStatus = builder.status();
          if (s.failed) throw new Error(s.failure ?? 'rebuild projector failed');
          // Caught up: stopping writes what it holds (under live load the buffer is hardly
          // ever empty at a given instant, so waiting for that could last forever).
          if (s.caughtUp) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        clearInterval(renew);
      }
      // Stop before the swap: the live side must be the only writer of the new generation.
      await builder.stop();
      const events = builder.status().eventsApplied;
      builder = undefined;
      await swap(projection, current, generation);
      const slot = slots.get(name);
      // Through the poll's chain: two concurrent reconciles could start two projectors.
      if (slot && (slot.running || poller)) await (tick = tick.then(() => reconcile(slot)));
      const seconds = (Date.now() - started) / 1000;
      log.info({ generation, events, seconds }, 'rebuild swapped in');
      return { ok: true, projection: name, generation, events, seconds };
    } catch (err) {
      log.error({ err }, 'rebuild failed');
      return {
        ok: false,
        projection: name,
        reason: 'FAILED',
        message: String(err instanceof Error ? err.message : err),
      };
    } finally {
      if (builder) await builder.stop().catch(() => undefined);
      rebuilding.delete(name);
      await leases.release(lock);
    }
  }

  /** One document write: readers see the old generation or the new one, never a mix. */
  async function swap(projection: Projection, from: number, to: number) {
    const next = pointerFor(projection, to, new Date());
    const retired: RetiredGeneration = {
      generation: from,
      collections: projection.collections.map((c) => physicalName(c, from)),
      checkpointId: checkpointIdOf(projection.name, from),
      retiredAt: new Date(),
    };
    const { _id, ...fields } = next;
    await budget.command(1, () =>
      db
        .collection<ReadModelPointer>(pointersCollection)
        .updateOne({ _id }, { $set: fields, $push: { retired } }, { upsert: true }),
    );
  }

  return {
    registry,
    /** Starts the live projectors and the poll that follows swaps and the log head. */
    async start(): Promise<void> {
      await (tick = tick.then(async () => {
        for (const slot of slots.values()) await reconcile(slot);
      }));
      schedule();
    },
    rebuild: (name: string) => rebuild(name),
    /**
     * Rebuilds every projection at once, reading the log once: the builders share a feed of
     * their own (each still has its generation, checkpoint, lease and swap).
     */
    async rebuildAll(): Promise<RebuildResult[]> {
      const shared = eventFeed(options.store, { streamPrefixes: [trackStreamPrefix], logger });
      try {
        return await Promise.all(registry.names().map((name) => rebuild(name, shared)));
      } finally {
        await shared.close();
      }
    },
    status(): (ProjectorStatus & { generation: number; running: boolean; rebuilding: boolean })[] {
      return [...slots.values()].map((slot) => ({
        ...(slot.running?.status() ?? {
          name: slot.projection.name,
          checkpointId: checkpointIdOf(slot.projection.name, slot.generation),
          checkpoint: 0n,
          eventsApplied: 0,
          eventsPerSecond: 0,
          eventsPending: 0,
          lagEvents: 0,
          lagSeconds: 0,
          caughtUp: false,
          failed: false,
        }),
        generation: slot.generation,
        running: slot.running !== undefined,
        rebuilding: rebuilding.has(slot.projection.name),
      }));
    },
    /**
     * The shared `$all` feed of track streams the live projectors read: other in-process
     * consumers can `feed.subscribeToAll({ from, streamPrefixes: [trackStreamPrefix] })`.
     */
    feed,
    running(): RunningProjector[] {
      return [...slots.values()].flatMap((s) => (s.running ? [s.running] : []));
    },
    async stop(): Promise<void> {
      stopped = true;
      if (poller) clearTimeout(poller);
      await tick;
      for (const slot of slots.values()) {
        if (!slot.running) continue;
        await slot.running.stop();
        await leases.release(leaseName(slot));
        slot.running = undefined;
      }
      await feed.close();
    },
  };
}

export type ProjectorSupervisor = ReturnType<typeof projectorSupervisor>;

export { checkpointsCollection };
