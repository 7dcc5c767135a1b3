import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Empty as PbEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import type { NewEvent } from '../log/record';
import type { Store } from '../store/eventStore';
import type { AppendOutcome, ExpectedRevision } from '../store/types';
import type { BatchAppendRequest } from './batchAppendDecoder';
import { encodeBatchAppendSuccess } from './batchAppendResp';
import {
  batchMaxAppendSize,
  batchOtherError,
  batchStreamDeleted,
  batchWrongExpectedVersion,
} from './errors';
import { FramedResponses } from './sink';

interface OpenBatch {
  /** Raw content of the request's correlation_id (a UUID message), copied out of the request. */
  correlationIdBytes: Buffer;
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
export function batchAppendHandler(store: Store, framed = true) {
  return (call: ServerDuplexStream<BatchAppendRequest, Buffer>): void => {
    const open = new Map<string, OpenBatch>();
    const responses = new FramedResponses(call, framed);
    let inFlight = 0;
    let ended = false;
    const maybeEnd = (): void => {
      if (ended && inFlight === 0) {
        responses.flush();
        call.end();
      }
    };
    call.on('data', (req: BatchAppendRequest) => {
      const key = req.correlationId.toString('latin1');
      let batch = open.get(key);
      if (!batch) {
        if (!req.options) return;
        batch = {
          correlationIdBytes: Buffer.from(req.correlationId),
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
        responses.send(Buffer.from(resp.serializeBinary()));
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
          (outcome) => responses.send(toResp(batch, outcome)),
          (err: unknown) => {
            const resp = baseResp(batch);
            resp.setError(batchOtherError(Code.INTERNAL, `append failed: ${String(err)}`));
            responses.send(Buffer.from(resp.serializeBinary()));
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
  resp.setCorrelationId(UUID.deserializeBinary(batch.correlationIdBytes));
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

function toResp(batch: OpenBatch, outcome: AppendOutcome): Buffer {
  if (outcome.ok) {
    return encodeBatchAppendSuccess(
      batch.correlationIdBytes,
      Buffer.from(batch.stream, 'utf8'),
      batch.expected,
      outcome.revision,
      outcome.position,
    );
  }
  const resp = baseResp(batch);
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
  return Buffer.from(resp.serializeBinary());
}
