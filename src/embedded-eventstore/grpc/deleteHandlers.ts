import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { DeleteReq, TombstoneReq } from '@eventstore/db-client/generated/streams_pb';
import { DeleteResp, TombstoneResp } from '@eventstore/db-client/generated/streams_pb';
import type { Store } from '../store/eventStore';
import { expectedFrom, RequestError, streamName } from './convert';
import { internalError, streamDeletedError, wrongExpectedVersionError } from './errors';

/** Streams.Delete (soft: `$tb` = max in the metastream) and Streams.Tombstone (hard, forever). */
export function deleteHandler(store: Store) {
  return (
    call: ServerUnaryCall<DeleteReq, DeleteResp>,
    callback: sendUnaryData<DeleteResp>,
  ): void => {
    run(store, call.request.getOptions(), false, callback, (position) => {
      const resp = new DeleteResp();
      const pos = new DeleteResp.Position();
      pos.setCommitPosition(String(position));
      pos.setPreparePosition(String(position));
      resp.setPosition(pos);
      return resp;
    });
  };
}

export function tombstoneHandler(store: Store) {
  return (
    call: ServerUnaryCall<TombstoneReq, TombstoneResp>,
    callback: sendUnaryData<TombstoneResp>,
  ): void => {
    run(store, call.request.getOptions(), true, callback, (position) => {
      const resp = new TombstoneResp();
      const pos = new TombstoneResp.Position();
      pos.setCommitPosition(String(position));
      pos.setPreparePosition(String(position));
      resp.setPosition(pos);
      return resp;
    });
  };
}

type DeleteOptions = DeleteReq.Options | TombstoneReq.Options;

function run<T>(
  store: Store,
  o: DeleteOptions | undefined,
  hard: boolean,
  callback: sendUnaryData<T>,
  toResp: (position: number) => T,
): void {
  let stream: string;
  let expected;
  try {
    if (!o) throw new Error('options are required');
    stream = streamName(o.getStreamIdentifier());
    expected = expectedFrom(o, () => o.getRevision());
  } catch (err) {
    return callback(err instanceof RequestError ? err.grpc : internalError(String(err)));
  }
  store.delete(stream, expected, hard).then(
    (outcome) => {
      if (outcome.ok) return callback(null, toResp(outcome.position));
      if (outcome.reason === 'stream_deleted') return callback(streamDeletedError(stream));
      return callback(wrongExpectedVersionError(stream, expected, outcome.current));
    },
    (err: unknown) => callback(internalError(`delete failed: ${String(err)}`)),
  );
}
