import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../log/record';

/** The stream (and event type) where EventStoreDB records each epoch it starts. */
export const EPOCH_INFORMATION = '$epoch-information';

/**
 * The one event a fresh log holds before any client writes: what a fresh EventStoreDB node writes
 * into `$all` when it starts its first epoch (stream and type `$epoch-information`, JSON data with
 * the fields of its `EpochRecordDto`). Clients reading `$all` from the start therefore see a
 * system event first, as on the real server; projectors never do (they subscribe to `track-`
 * streams only and handle only their own event types). The real server writes one more at every start and leader election; this
 * server writes only the first, since it has no elections and a restart changes nothing for clients.
 */
export function epochInformationEvent(nowMs: number): NewEvent {
  const data = {
    epochPosition: 0,
    epochNumber: 0,
    epochId: randomUUID(),
    prevEpochPosition: -1,
    timeStamp: new Date(nowMs).toISOString(),
    leaderInstanceId: randomUUID(),
  };
  return {
    id: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    type: EPOCH_INFORMATION,
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(data)),
    metadata: Buffer.alloc(0),
  };
}
