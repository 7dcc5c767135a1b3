import type { Db } from 'mongodb';
import type { Projection } from '../../projections/types';
import {
  isStoredEventType,
  parseStoredEvent,
  trackStreamPrefix,
  type TrackEvent,
} from '../events/stored';
import type { EventStore, LogPosition, RecordedEvent } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import type { WriteBudget } from '../mongo/writeBudget';
import { batchLength } from './batcher';
import type { Checkpoint, CheckpointStore } from '../readModels/checkpointStore';
import type { ProjectorMetrics } from './metrics';
import { partitionIndexes } from './partitionIndexes';
import { batchSizeFor, flushDecision } from './pipeline/batchTiming';
import { CheckpointMovedError, commitBatch } from './pipeline/checkpointCommit';
import { lagEvents, rateWindow } from './pipeline/rateWindow';
import { defaultRetryPolicy, withRetry } from './pipeline/retryPolicy';
import { writeBatch } from './readModelWriter';

/**
 * What to do with an event that does not parse. `stop` (default): the projector stops and
 * reports itself failed (readiness, metrics, an error log): skipping silently would break
 * exact statistics. `skip`: count it (`outcome="invalid"`) and go on.
 */
export type FailurePolicy = 'stop' | 'skip';

export type ProjectorOptions = {
  store: EventStore;
  /**
   * Where the events come from: the store's own `$all` subscription by default, or a shared
   * feed (`eventFeed`) so that several projectors read and decode the log once.
   */
  source?: Pick<EventStore, 'subscribeToAll'>;
  db: Db;
  checkpoints: CheckpointStore;
  projection: Projection;
  logger: Logger;
  /** Most events per batch once caught up (a batch is extended to the end of its commit group). */
  batchSize: number;
  /**
   * Most events per batch while catching up (defaults to `batchSize`): bigger batches,
   * pre-aggregated, cost fewer document writes per event.
   */
  catchUpBatchSize?: number;
  /**
   * Once caught up, a partial batch is written when the log has been quiet this long (a lone
   * play is projected at once)...
   */
  batchDelayMs: number;
  /**
   * ...or when its oldest event has waited this long (defaults to `batchDelayMs`). Under steady
   * load the log is never quiet: batches then gather this long, so each batch's fixed cost
   * (checkpoint writes, one document per touched track and period) is spread over more events.
   */
  batchMaxDelayMs?: number;
  bulkChunkSize: number;
  /** The process's update budget (see `WriteBudget`), shared by every writer. */
  writeBudget: WriteBudget;
  /** Checkpoint document id (generation-specific); defaults to the projection name. */
  checkpointId?: string;
  /** Maps a logical collection name to the physical one (rebuilds write elsewhere). */
  physicalName?: (logical: string) => string;
  failurePolicy?: FailurePolicy;
  /** Attempts per batch write before the projector stops (writes are idempotent). */
  writeAttempts?: number;
  metrics?: ProjectorMetrics;
  clock?: () => number;
  /** Waits between write retries (tests pass a fake one). */
  sleep?: (ms: number) => Promise<void>;
};

export type ProjectorStatus = {
  name: string;
  checkpointId: string;
  /** Commit position of the last event applied. */
  checkpoint: bigint;
  eventsApplied: number;
  /** Events handled per second over the last 10 s. */
  eventsPerSecond: number;
  /** Events received from the log and not yet applied. */
  eventsPending: number;
  /**
   * Events behind the head of the log: exact once caught up (the pending ones); during
   * catch-up, pending plus the unread part of the log estimated from the average event size.
   */
  lagEvents: number;
  /** Age of the oldest event received and not yet applied (0 when idle and caught up). */
  lagSeconds: number;
  lastBatchAt?: Date;
  caughtUp: boolean;
  failed: boolean;
  failure?: string;
};

export class ProjectionFailure extends Error {
  readonly type = 'ProjectionFailure';
}

export const unparsable = (projection: Projection, e: RecordedEvent, err: unknown) =>
  new ProjectionFailure(
    `${projection.name}: event ${e.id} (${e.type}) at ${e.position.commit} does not parse: ${String(err)}`,
  );

/** Parsed once per recorded event, however many projectors share it (see eventFeed). */
const parsed = new WeakMap<RecordedEvent, TrackEvent>();

export function toTrackEvent(e: RecordedEvent): TrackEvent {
  const cached = parsed.get(e);
  if (cached) return cached;
  const type = e.type as TrackEvent['type'];
  const event = {
    type,
    id: e.id,
    data: parseStoredEvent(type, e.data),
    revision: e.revision,
    position: e.position.commit,
  } as TrackEvent;
  parsed.set(e, event);
  return event;
}

/** How long the log must be silent during catch-up before a partial batch is written. */
const catchUpQuietMs = 2000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * subscription → batcher → projection → readModelWriter → checkpointStore.
 * Returns once started; `stop()` finishes the batch in hand and stores the checkpoint.
 */
export async function startProjector(options: ProjectorOptions) {
  const { store, db, checkpoints, projection, logger, batchDelayMs } = options;
  const clock = options.clock ?? Date.now;
  const checkpointId = options.checkpointId ?? projection.name;
  const log = logger.child({ projection: projection.name, checkpointId });
  const physicalName = options.physicalName ?? ((n: string) => n);
  const policy = options.failurePolicy ?? 'stop';
  const metrics = options.metrics;
  const start = await checkpoints.load(checkpointId);
  // A stateful projection's state as of the checkpoint (its documents of a crashed batch,
  // past the checkpoint, are ignored: the replay recomputes them).
  const state = projection.state
    ? projection.state.load(
        await db.collection(physicalName(projection.state.collection)).find({}).toArray(),
        Number(start.position),
      )
    : undefined;
  const ensurePartitionIndexes = partitionIndexes(db, projection, physicalName);
  let checkpoint: LogPosition = {
    commit: start.position,
    prepare: start.prepare ?? start.position,
  };
  /** What the checkpoint document holds as far as this instance knows (compare-and-set). */
  let stored: Checkpoint = start;
  /** Another instance moved the checkpoint: this one stopped writing (see commitBatch). */
  let superseded = false;
  let applied = 0;
  let lastBatchAt: Date | undefined;
  let caughtUp = false;
  let failure: unknown;
  let inFlight: RecordedEvent[] = [];
  const rate = rateWindow(clock);
  // After a crash mid-batch, the first batch must end exactly where the crashed one did.
  let forcedCut =
    start.pending !== undefined && start.pending > start.position ? start.pending : undefined;
  if (forcedCut !== undefined)
    log.warn(
      { position: start.position.toString(), pending: forcedCut.toString() },
      'replaying an interrupted batch',
    );
  let buffer: RecordedEvent[] = [];
  let lastArrival = 0;
  /** When the oldest buffered event arrived (approximately, for leftovers of a cut batch). */
  let firstArrival = 0;
  const maxDelayMs = Math.max(batchDelayMs, options.batchMaxDelayMs ?? batchDelayMs);
  let received = 0;
  let lastReceived = checkpoint.commit;
  let head: bigint | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let fullQueued = false;

  /** Stops writing for good: the supervisor restarts it from the stored checkpoint. */
  const supersede = () => {
    superseded = true;
    buffer = [];
    log.warn('checkpoint moved by another instance (lease lost): this projector stops writing');
  };

  const fail = (err: unknown) => {
    if (failure) return;
    failure = err;
    metrics?.failures.inc({ projection: projection.name });
    log.error({ err }, 'projector stopped: needs attention');
  };

  const project = (batch: RecordedEvent[]): TrackEvent[] => {
    const events: TrackEvent[] = [];
    let ignored = 0;
    let invalid = 0;
    for (const e of batch) {
      if (!isStoredEventType(e.type) || !projection.canHandle.includes(e.type)) {
        ignored++;
        continue;
      }
      try {
        events.push(toTrackEvent(e));
      } catch (err) {
        if (policy === 'stop') throw unparsable(projection, e, err);
        invalid++;
        log.warn(
          { position: e.position.commit.toString(), eventType: e.type },
          'unparsable event skipped',
        );
      }
    }
    metrics?.events.inc({ projection: projection.name, outcome: 'ignored' }, ignored);
    if (invalid) metrics?.events.inc({ projection: projection.name, outcome: 'invalid' }, invalid);
    return events;
  };

  const applyBatch = async (batch: RecordedEvent[]) => {
    const started = clock();
    const end = batch[batch.length - 1]!.position;
    const events = project(batch);
    const ops = projection.project(events, state);
    const { result, stored: now } = await commitBatch({
      checkpoints,
      checkpointId,
      stored,
      from: checkpoint,
      end,
      handled: events.length,
      write: () =>
        withRetry(
          async () => {
            await ensurePartitionIndexes(ops);
            return writeBatch(db, physicalName, ops, end.commit, options);
          },
          { ...defaultRetryPolicy, attempts: options.writeAttempts ?? defaultRetryPolicy.attempts },
          {
            sleep: options.sleep ?? sleep,
            onRetry: (err, attempt) =>
              log.warn({ err, attempt }, 'batch write failed, retrying (writes are idempotent)'),
          },
        ),
    });
    stored = now;
    checkpoint = end;
    applied += events.length;
    lastBatchAt = new Date(clock());
    rate.add(events.length);
    metrics?.events.inc({ projection: projection.name, outcome: 'handled' }, events.length);
    metrics?.writes.inc({ projection: projection.name, outcome: 'applied' }, result.applied);
    if (result.skipped)
      metrics?.writes.inc({ projection: projection.name, outcome: 'replayed' }, result.skipped);
    metrics?.batchDuration.observe({ projection: projection.name }, (clock() - started) / 1000);
    log.debug(
      { position: end.commit.toString(), events: batch.length, ops: ops.length, ...result },
      'batch applied',
    );
  };

  /** Queues the next batch the cut rules allow; resolves when it is written. */
  const flush = (mode: 'full' | 'timer' | 'quiet'): Promise<void> => {
    chain = chain.then(async () => {
      if (failure || superseded) return;
      const maxEvents = currentBatchSize();
      // A full-batch flush queued while the previous batch was written: only a full batch.
      if (mode === 'full' && buffer.length < maxEvents && forcedCut === undefined) return;
      const n = batchLength(buffer, { maxEvents, forcedCut, quiet: mode === 'quiet' });
      if (n === 0) return;
      inFlight = buffer.slice(0, n);
      buffer = buffer.slice(n);
      if (buffer.length > 0) firstArrival = clock();
      forcedCut = undefined;
      try {
        await applyBatch(inFlight);
      } catch (err) {
        if (err instanceof CheckpointMovedError) supersede();
        else fail(err);
      } finally {
        inFlight = [];
      }
    });
    return chain;
  };

  const timing = { batchDelayMs, maxDelayMs, catchUpQuietMs };
  const arm = () => {
    if (timer || failure) return;
    timer = setTimeout(() => {
      timer = undefined;
      const decision = flushDecision(clock(), { caughtUp, lastArrival, firstArrival }, timing);
      if (decision === 'wait') return arm();
      void flush(decision === 'quiet' ? 'quiet' : 'timer').then(() => {
        if (buffer.length > 0) arm();
      });
    }, batchDelayMs);
  };

  const currentBatchSize = () => batchSizeFor(caughtUp, buffer.length, options);

  const subscription = (options.source ?? store).subscribeToAll({
    from: checkpoint.commit > 0n ? checkpoint : undefined,
    streamPrefixes: [trackStreamPrefix],
  });
  void subscription.caughtUp.then(() => {
    caughtUp = true;
    log.info({ position: checkpoint.commit.toString() }, 'caught up');
  });

  const consuming = (async () => {
    for await (const event of subscription) {
      if (failure || superseded) break;
      if (buffer.length === 0) firstArrival = clock();
      buffer.push(event);
      lastArrival = clock();
      received++;
      lastReceived = event.position.commit;
      const size = currentBatchSize();
      if (forcedCut !== undefined) {
        if (event.position.commit > forcedCut) await flush('full');
      } else if (buffer.length >= size && !fullQueued) {
        // Pipelining: the next batch is read (and decoded) while this one is written.
        fullQueued = true;
        void flush('full').finally(() => (fullQueued = false));
      }
      // Backpressure: with one batch being written and the next one full, wait.
      while (!failure && forcedCut === undefined && buffer.length >= 2 * size) {
        const before = buffer.length;
        await flush('full');
        lastArrival = clock(); // time spent waiting on our own writes is not a quiet log
        if (buffer.length >= before) break;
      }
      arm();
    }
  })().catch((err) => fail(err));

  const status = (): ProjectorStatus => {
    const oldest = inFlight[0] ?? buffer[0];
    const pending = inFlight.length + buffer.length;
    return {
      name: projection.name,
      checkpointId,
      checkpoint: checkpoint.commit,
      eventsApplied: applied,
      eventsPerSecond: rate.perSecond(),
      eventsPending: pending,
      lagEvents: lagEvents({
        pending,
        received,
        startPosition: start.position,
        lastReceived,
        ...(head !== undefined ? { head } : {}),
      }),
      lagSeconds: oldest ? Math.max(0, (clock() - oldest.created.getTime()) / 1000) : 0,
      ...(lastBatchAt ? { lastBatchAt } : {}),
      caughtUp,
      failed: failure !== undefined,
      ...(failure ? { failure: String(failure instanceof Error ? failure.message : failure) } : {}),
    };
  };
  metrics?.register(projection.name, status);

  return {
    name: projection.name,
    checkpointId,
    status,
    /** Whether another instance moved the checkpoint (this one stopped writing). */
    superseded: () => superseded,
    /** Latest head of the log (commit position), for the lag estimate during catch-up. */
    setHead(position: bigint): void {
      head = position;
    },
    /** Resolves when everything received so far is applied (tests, rebuild swaps). */
    async drain(): Promise<void> {
      while (!failure && (buffer.length > 0 || inFlight.length > 0)) await flush('quiet');
    },
    async stop(): Promise<void> {
      await subscription.close();
      await consuming;
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (!failure && buffer.length > 0) {
        const before = buffer.length;
        await flush('quiet');
        if (buffer.length === before) break;
      }
      await chain;
      metrics?.unregister(projection.name, status);
      log.info({ position: checkpoint.commit.toString() }, 'projector stopped');
    },
  };
}

export type RunningProjector = Awaited<ReturnType<typeof startProjector>>;
