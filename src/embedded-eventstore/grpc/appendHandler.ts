import type { sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import type { AppendReq } from '@eventstore/db-client/generated/streams_pb';
import { AppendResp } from '@eventstore/db-client/generated/streams_pb';
import type { NewEvent } from '../log/record';
import { storedSize } from '../store/appendSize';
import type { Store } from '../store/eventStore';
import type { AppendOutcome, ExpectedRevision } from '../store/types';
import { expectedFrom, RequestError, streamName, toNewEvent } from './convert';
import { internalError, maxAppendSizeError, streamDeletedError } from './errors';
import type { GrpcError } from './errors';

/** Streams.Append: one options message, then the proposed events; one response. */
export function appendHandler(store: Store) {
  return (
    call: ServerReadableStream<AppendReq, AppendResp>,
    callback: sendUnaryData<AppendResp>,
  ): void => {
    let stream: string | undefined;
    let expected: ExpectedRevision | undefined;
    const events: NewEvent[] = [];
    let size = 0;
    let done = false;
    const fail = (err: GrpcError): void => {
      if (done) return;
      done = true;
      callback(err);
    };
    call.on('data', (req: AppendReq) => {
      if (done) return;
      try {
        if (req.hasOptions()) {
          const o = req.getOptions()!;
          stream = streamName(o.getStreamIdentifier());
          expected = expectedFrom(o, () => o.getRevision());
        } else if (req.hasProposedMessage()) {
          const e = toNewEvent(req.getProposedMessage()!);
          size += storedSize(e);
          if (size > store.maxAppendSize) return fail(maxAppendSizeError(store.maxAppendSize));
          events.push(e);
        }
      } catch (err) {
        fail(err instanceof RequestError ? err.grpc : internalError(String(err)));
      }
    });
    call.on('error', () => {
      done = true;
    });
    call.on('end', () => {
      if (done) return;
      if (stream === undefined || expected === undefined)
        return fail(internalError('append options missing'));
      store.append(stream, expected, events).then(
        (outcome) => {
          if (done) return;
          done = true;
          const resp = toAppendResp(stream!, expected!, outcome);
          if (resp instanceof AppendResp) callback(null, resp);
          else callback(resp);
        },
        (err: unknown) => fail(internalError(`append failed: ${String(err)}`)),
      );
    });
  };
}

function toAppendResp(
  stream: string,
  expected: ExpectedRevision,
  outcome: AppendOutcome,
): AppendResp | GrpcError {
  const resp = new AppendResp();
  if (outcome.ok) {
    const success = new AppendResp.Success();
    if (outcome.revision >= 0) success.setCurrentRevision(String(outcome.revision));
    else success.setNoStream(new Empty());
    if (outcome.position !== null) {
      const pos = new AppendResp.Position();
      pos.setCommitPosition(String(outcome.position));
      pos.setPreparePosition(String(outcome.position));
      success.setPosition(pos);
    } else success.setNoPosition(new Empty());
    resp.setSuccess(success);
    return resp;
  }
  switch (outcome.reason) {
    case 'stream_deleted':
      return streamDeletedError(stream);
    case 'too_big':
      return maxAppendSizeError(outcome.maxAppendSize);
    case 'wrong_expected_version': {
      const w = new AppendResp.WrongExpectedVersion();
      if (outcome.current >= 0) w.setCurrentRevision(String(outcome.current));
      else w.setCurrentNoStream(new Empty());
      if (expected.kind === 'any') w.setExpectedAny(new Empty());
      else if (expected.kind === 'no_stream') w.setExpectedNoStream(new Empty());
      else if (expected.kind === 'stream_exists') w.setExpectedStreamExists(new Empty());
      else w.setExpectedRevision(String(expected.revision));
      resp.setWrongExpectedVersion(w);
      return resp;
    }
  }
}
