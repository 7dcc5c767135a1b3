import type { ServerWritableStream } from '@grpc/grpc-js';
import { StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { DecodedRecord } from '../log/record';
import type { Store } from '../store/eventStore';
import {
  firstEventAtOrAfter,
  readAllBackwards,
  readAllForwards,
  readStream,
} from '../store/reader';
import { RequestError, streamName, u64 } from './convert';
import { internalError, streamDeletedError } from './errors';
import { eventWriter } from './eventWriter';
import type { WriteEvent } from './eventWriter';
import type { EventFilter } from './filter';
import { filterFrom } from './filter';
import { Sink } from './sink';
import type { ReadStats } from './sink';
import { subscribeToAll, subscribeToStream } from './subscriptions';

type ReadCall = ServerWritableStream<ReadReq, unknown>;

/** Streams.Read: reads of a stream or of $all, and catch-up subscriptions to either. */
export function readHandler(store: Store, stats: ReadStats, framed = true) {
  return (call: ReadCall): void => {
    const sink = new Sink(call, stats, framed);
    const subscription = call.request.getOptions()?.hasSubscription() === true;
    if (subscription) stats.activeSubscriptions++;
    dispatch(store, call, sink)
      .catch((err: unknown) => {
        sink.fail(err instanceof RequestError ? err.grpc : internalError(String(err)));
      })
      .finally(() => {
        if (subscription) stats.activeSubscriptions--;
      });
  };
}

async function dispatch(store: Store, call: ReadCall, sink: Sink<unknown>): Promise<void> {
  const o = call.request.getOptions();
  if (!o) throw new RequestError(internalError('read options are required'));
  const structured = o.getUuidOption()?.hasStructured() ?? false;
  const write = eventWriter(store, sink, structured, o.getResolveLinks());
  const backwards = o.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const filter = filterFrom(o);
  if (o.hasStream()) {
    const so = o.getStream()!;
    const stream = streamName(so.getStreamIdentifier());
    const from = so.hasStart() ? 'start' : so.hasEnd() ? 'end' : u64(so.getRevision());
    if (o.hasSubscription()) return subscribeToStream(store, sink, stream, from, write);
    const result = readStream(store, stream, { from, backwards, count: u64(o.getCount()) });
    if (result.kind === 'deleted') return sink.fail(streamDeletedError(stream));
    if (result.kind === 'not_found') {
      await sink.write(streamNotFound(stream));
      return sink.end();
    }
    return sendAll(sink, result.records, write, null, Infinity);
  }
  const ao = o.getAll();
  if (!ao) throw new RequestError(internalError('stream or all options are required'));
  const from = ao.hasStart()
    ? 'start'
    : ao.hasEnd()
      ? 'end'
      : u64(ao.getPosition()!.getCommitPosition());
  if (o.hasSubscription()) return subscribeToAll(store, sink, from, filter, write);
  const count = u64(o.getCount());
  if (backwards) {
    const before = from === 'start' ? 0 : from === 'end' ? Infinity : from;
    return sendAll(sink, readAllBackwards(store, before), write, filter, count);
  }
  const start =
    from === 'start' ? 0 : from === 'end' ? firstEventAtOrAfter(store, store.durableEnd) : from;
  return sendAll(sink, readAllForwards(store, start), write, filter, count);
}

async function sendAll(
  sink: Sink<unknown>,
  records: Iterable<DecodedRecord>,
  write: WriteEvent,
  filter: EventFilter | null,
  count: number,
): Promise<void> {
  let n = 0;
  if (count > 0) {
    for (const rec of records) {
      if (filter !== null && !filter.matches(rec)) continue;
      if (!write(rec) && !(await sink.ready())) return;
      if (++n >= count) break;
    }
  }
  sink.end();
}

function streamNotFound(stream: string): ReadResp {
  const resp = new ReadResp();
  const nf = new ReadResp.StreamNotFound();
  const id = new StreamIdentifier();
  id.setStreamName(Buffer.from(stream, 'utf8'));
  nf.setStreamIdentifier(id);
  resp.setStreamNotFound(nf);
  return resp;
}
