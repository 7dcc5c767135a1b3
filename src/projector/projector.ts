import type { Db } from 'mongodb';
import type { Projection } from '../../projections/types';
import {
  isStoredEventType,
  parseStoredEvent,
  trackStreamPrefix,
  type TrackEvent,
} from '../events/stored';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore';
import type { Logger } from '../logger';
import type { CheckpointStore } from './checkpointStore';
import { writeBatch } from './readModelWriter';

export type ProjectorOptions = {
  store: EventStore;
  db: Db;
  checkpoints: CheckpointStore;
  projection: Projection;
  logger: Logger;
  batchSize: number;
  /** How long a partial batch may wait for more events before it is written. */
  batchDelayMs: number;
  bulkChunkSize: number;
  /** Maps a logical collection name to the physical one (rebuilds write elsewhere). */
  physicalName?: (logical: string) => string;
};

export type ProjectorStatus = {
  name: string;
  checkpoint: bigint;
  eventsApplied: number;
  lastBatchAt?: Date;
  lastEventCreated?: Date;
  caughtUp: boolean;
};

export class ProjectionFailure extends Error {
  readonly type = 'ProjectionFailure';
}

function toTrackEvent(e: RecordedEvent, projection: Projection): TrackEvent | undefined {
  if (!isStoredEventType(e.type) || !projection.canHandle.includes(e.type)) return undefined;
  try {
    const data = parseStoredEvent(e.type, e.data);
    return {
      type: e.type,
      id: e.id,
      data,
      revision: e.revision,
      position: e.position.commit,
    } as TrackEvent;
  } catch (err) {
    // Default failure policy: stop. Skipping would silently break exact statistics.
    throw new ProjectionFailure(
      `${projection.name}: event ${e.id} (${e.type}) at ${e.position.commit} does not parse: ${String(err)}`,
    );
  }
}

/**
 * subscription → batcher → projection → readModelWriter → checkpointStore.
 * Returns once started; `stop()` finishes the batch in hand and stores the checkpoint.
 */
export async function startProjector(options: ProjectorOptions) {
  const { store, db, checkpoints, projection, logger, batchSize, batchDelayMs } = options;
  const log = logger.child({ projection: projection.name });
  const physicalName = options.physicalName ?? ((n: string) => n);
  const start = await checkpoints.load(projection.name);
  const status: ProjectorStatus = {
    name: projection.name,
    checkpoint: start.position,
    eventsApplied: 0,
    caughtUp: false,
  };
  // After a crash mid-batch, the first batch must end exactly where the crashed one did.
  let forcedCut = start.pending;
  let buffer: RecordedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;

  const flush = (): Promise<void> => {
    chain = chain.then(async () => {
      if (buffer.length === 0 || failure) return;
      const batch = buffer;
      buffer = [];
      const end = batch[batch.length - 1]!.position.commit;
      const events = batch.flatMap((e) => toTrackEvent(e, projection) ?? []);
      const ops = projection.project(events);
      await checkpoints.store(projection.name, { position: status.checkpoint, pending: end });
      await writeBatch(db, physicalName, ops, end, options.bulkChunkSize);
      status.checkpoint = end;
      status.eventsApplied += events.length;
      status.lastBatchAt = new Date();
      status.lastEventCreated = batch[batch.length - 1]!.created;
      if (buffer.length === 0) await checkpoints.store(projection.name, { position: end });
      log.debug(
        { position: end.toString(), events: batch.length, ops: ops.length },
        'batch applied',
      );
    });
    chain = chain.catch((err) => {
      failure = err;
      log.error({ err }, 'projector stopped');
    });
    return chain;
  };

  const subscription = store.subscribeToAll({
    from: start.position > 0n ? { commit: start.position, prepare: start.position } : undefined,
    streamPrefixes: [trackStreamPrefix],
  });
  void subscription.caughtUp.then(() => {
    status.caughtUp = true;
    log.info({ position: status.checkpoint.toString() }, 'caught up');
  });

  const consuming = (async () => {
    for await (const event of subscription) {
      if (failure) break;
      buffer.push(event);
      const cutHere = forcedCut !== undefined && event.position.commit >= forcedCut;
      if (cutHere) forcedCut = undefined;
      if (cutHere || (forcedCut === undefined && buffer.length >= batchSize)) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        await flush();
      } else if (!timer && forcedCut === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          void flush();
        }, batchDelayMs);
      }
    }
  })().catch((err) => {
    failure = err;
    log.error({ err }, 'subscription failed');
  });

  return {
    status: (): ProjectorStatus & { failed: boolean } => ({
      ...status,
      failed: failure !== undefined,
    }),
    async stop(): Promise<void> {
      await subscription.close();
      await consuming;
      if (timer) clearTimeout(timer);
      await flush();
    },
  };
}

export type RunningProjector = Awaited<ReturnType<typeof startProjector>>;
