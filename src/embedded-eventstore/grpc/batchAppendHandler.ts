import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Empty as PbEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { AllStreamPosition, StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import type { NewEvent } from '../log/record';
import type { Store } from '../store/eventStore';
import type { AppendOutcome, ExpectedRevision } from '../store/types';
import type { BatchAppendRequest } from './batchAppendDecoder';
import {
  batchMaxAppendSize,
  batchOtherError,
  batchStreamDeleted,
  batchWrongExpectedVersion,
} from './errors';

interface OpenBatch {
  correlationId: UUID;
  stream: string;
  expected: ExpectedRevision;
  events: NewEvent[];
  size: number;
  error: string | null;
}

/**
 * Streams.BatchAppend: one long-lived duplex call carrying many appends, each identified by a
 * correlation id, possibly split over several messages (is_final marks the last). Appends are
 * validated in arrival order and answered as each becomes durable.
 */
export function batchAppendHandler(store: Store) {
  return (call: ServerDuplexStream<BatchAppendRequest, BatchAppendResp>): void => {
    const open = new Map<string, OpenBatch>();
    let inFlight = 0;
    let ended = false;
    const maybeEnd = (): void => {
      if (ended && inFlight === 0) call.end();
    };
    call.on('data', (req: BatchAppendRequest) => {
      const key = req.correlationId.toString('latin1');
      let batch = open.get(key);
      if (!batch) {
        if (!req.options) return;
        batch = {
          correlationId: UUID.deserializeBinary(req.correlationId),
          stream: req.options.stream,
          expected: req.options.expected,
          events: [],
          size: 0,
          error: null,
        };
        open.set(key, batch);
      }
      for (const e of req.events) {
        batch.size += e.data.length + e.metadata.length;
        batch.events.push(e);
      }
      batch.error ??= req.error;
      if (!req.isFinal) return;
      open.delete(key);
      run(batch);
    });
    const run = (batch: OpenBatch): void => {
      if (batch.error !== null) {
        const resp = baseResp(batch);
        resp.setError(batchOtherError(Code.INVALID_ARGUMENT, batch.error));
        call.write(resp);
        return;
      }
      inFlight++;
      const append =
        batch.size > store.maxAppendSize
          ? Promise.resolve<AppendOutcome>({
              ok: false,
              reason: 'too_big',
              maxAppendSize: store.maxAppendSize,
            })
          : store.append(batch.stream, batch.expected, batch.events);
      append
        .then(
          (outcome) => call.write(toResp(batch, outcome)),
          (err: unknown) => {
            const resp = baseResp(batch);
            resp.setError(batchOtherError(Code.INTERNAL, `append failed: ${String(err)}`));
            call.write(resp);
          },
        )
        .finally(() => {
          inFlight--;
          maybeEnd();
        });
    };
    call.on('end', () => {
      ended = true;
      maybeEnd();
    });
    call.on('error', () => {
      ended = true;
    });
  };
}

function baseResp(batch: OpenBatch): BatchAppendResp {
  const resp = new BatchAppendResp();
  resp.setCorrelationId(batch.correlationId);
  const id = new StreamIdentifier();
  id.setStreamName(Buffer.from(batch.stream, 'utf8'));
  resp.setStreamIdentifier(id);
  const e = batch.expected;
  if (e.kind === 'any') resp.setAny(new PbEmpty());
  else if (e.kind === 'no_stream') resp.setNoStream(new PbEmpty());
  else if (e.kind === 'stream_exists') resp.setStreamExists(new PbEmpty());
  else resp.setStreamPosition(String(e.revision));
  return resp;
}

function toResp(batch: OpenBatch, outcome: AppendOutcome): BatchAppendResp {
  const resp = baseResp(batch);
  if (outcome.ok) {
    const success = new BatchAppendResp.Success();
    if (outcome.revision >= 0) success.setCurrentRevision(String(outcome.revision));
    else success.setNoStream(new PbEmpty());
    if (outcome.position !== null) {
      const pos = new AllStreamPosition();
      pos.setCommitPosition(String(outcome.position));
      pos.setPreparePosition(String(outcome.position));
      success.setPosition(pos);
    } else success.setNoPosition(new PbEmpty());
    resp.setSuccess(success);
    return resp;
  }
  switch (outcome.reason) {
    case 'stream_deleted':
      resp.setError(batchStreamDeleted(batch.stream));
      break;
    case 'too_big':
      resp.setError(batchMaxAppendSize(outcome.maxAppendSize));
      break;
    case 'wrong_expected_version':
      resp.setError(batchWrongExpectedVersion(batch.expected, outcome.current));
      break;
  }
  return resp;
}
