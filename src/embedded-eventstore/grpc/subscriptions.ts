import { randomUUID } from 'node:crypto';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { FrameCursor } from '../log/frameCursor';
import { decodeRecord, KIND_SYSTEM } from '../log/record';
import type { Store } from '../store/eventStore';
import { firstEventAfter, firstEventAtOrAfter, RandomReader } from '../store/reader';
import { firstVisibleRevision, isExpired } from '../store/streamMeta';
import { streamDeletedError } from './errors';
import type { WriteEvent } from './eventWriter';
import type { EventFilter } from './filter';
import type { Sink } from './sink';

/**
 * Catch-up subscriptions are one loop over a cursor: read what is durable after the cursor, write
 * it (waiting for 'drain' when the client is slow), and when nothing is left say `caught_up` once
 * and sleep until the next group commit. Catch-up and live are the same code path, so the switch
 * can neither skip nor repeat an event.
 */
export async function subscribeToAll(
  store: Store,
  sink: Sink<unknown>,
  from: 'start' | 'end' | number,
  filter: EventFilter | null,
  write: WriteEvent,
): Promise<void> {
  const start =
    from === 'start'
      ? 0
      : from === 'end'
        ? firstEventAtOrAfter(store, store.durableEnd)
        : firstEventAfter(store, from);
  const cursor = new FrameCursor(store.log, start);
  let sinceCheckpoint = 0;
  await live(store, sink, async () => {
    for (;;) {
      const f = cursor.next();
      if (!f) return true;
      const rec = decodeRecord(f.buf, f.at, f.position);
      if (rec.kind === KIND_SYSTEM) continue;
      if (filter === null || filter.matches(rec)) {
        if (!write(rec) && !(await sink.ready())) return false;
      }
      if (filter !== null && ++sinceCheckpoint >= filter.checkpointInterval) {
        sinceCheckpoint = 0;
        if (!sink.message(checkpoint(rec.position)) && !(await sink.ready())) return false;
      }
    }
  });
}

export async function subscribeToStream(
  store: Store,
  sink: Sink<unknown>,
  stream: string,
  from: 'start' | 'end' | number,
  write: WriteEvent,
): Promise<void> {
  const reader = new RandomReader(store.log);
  let next = -1;
  const lastDurable = (): number =>
    store.index.get(stream)?.lastDurableRevision(store.durableEnd) ?? -1;
  next = from === 'start' ? 0 : from === 'end' ? lastDurable() + 1 : from + 1;
  await live(store, sink, async () => {
    for (;;) {
      const s = store.index.get(stream);
      if (s && s.tombstone >= 0 && s.tombstone < store.durableEnd) {
        sink.fail(streamDeletedError(stream));
        return false;
      }
      const last = lastDurable();
      if (!s || next > last) return true;
      next = Math.max(next, firstVisibleRevision(s.meta, last));
      if (next > last) return true;
      const rec = reader.at(s.positions[next]!);
      next++;
      if (isExpired(s.meta, rec.created, store.clock())) continue;
      if (!write(rec) && !(await sink.ready())) return false;
    }
  });
}

/**
 * Runs `drain` (which returns true when it ran out of durable events, false when the call is gone)
 * after the confirmation and again after every group commit, sending `caught_up` the first time
 * it runs dry.
 */
async function live(
  store: Store,
  sink: Sink<unknown>,
  drain: () => Promise<boolean>,
): Promise<void> {
  let dirty = false;
  const off = store.onDurable(() => {
    dirty = true;
    sink.wake();
  });
  try {
    if (!(await sink.write(confirmation()))) return;
    let caughtUp = false;
    while (!sink.closed) {
      dirty = false;
      if (!(await drain())) return;
      if (!caughtUp) {
        caughtUp = true;
        if (!(await sink.write(caughtUpMessage()))) return;
      }
      sink.flush();
      if (!dirty) await sink.wait();
    }
  } finally {
    off();
  }
}

function confirmation(): ReadResp {
  const resp = new ReadResp();
  const c = new ReadResp.SubscriptionConfirmation();
  c.setSubscriptionId(randomUUID());
  resp.setConfirmation(c);
  return resp;
}

function caughtUpMessage(): ReadResp {
  const resp = new ReadResp();
  resp.setCaughtUp(new ReadResp.CaughtUp());
  return resp;
}

function checkpoint(position: number): ReadResp {
  const resp = new ReadResp();
  const c = new ReadResp.Checkpoint();
  c.setCommitPosition(String(position));
  c.setPreparePosition(String(position));
  resp.setCheckpoint(c);
  return resp;
}
