import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Empty as PbEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import type { Status } from '@eventstore/db-client/generated/status_pb';
import type { NewEvent } from '../log/record';
import { storedSize } from '../store/appendSize';
import type { Store } from '../store/eventStore';
import type { AppendOutcome, ExpectedRevision } from '../store/types';
import type { BatchAppendRequest, BatchOptions } from './batchAppendDecoder';
import { encodeBatchAppendSuccess } from './batchAppendResp';
import {
  batchMaxAppendSize,
  batchOtherError,
  batchStreamDeleted,
  batchTimeout,
  batchWrongExpectedVersion,
} from './errors';
import { FramedResponses } from './sink';

export interface BatchAppendConfig {
  /** Batch answers into direct HTTP/2 writes (sink.ts). */
  framed: boolean;
  /** Longest an append may take from its first message to its last, whatever the client's deadline. */
  writeTimeoutMs: number;
}

/** EventStoreDB's default `WriteTimeoutMs`. */
export const DEFAULT_WRITE_TIMEOUT_MS = 2000;

interface OpenBatch {
  key: string;
  /** Raw content of the request's correlation_id (a UUID message), copied out of the request. */
  correlationIdBytes: Buffer;
  stream: string;
  expected: ExpectedRevision;
  events: NewEvent[];
  size: number;
  error: string | null;
  timer: NodeJS.Timeout | null;
  answered: boolean;
}

/**
 * Streams.BatchAppend: one long-lived duplex call carrying many appends, each identified by a
 * correlation id, possibly split over several messages (is_final marks the last). As in
 * EventStoreDB's BatchAppend worker: an append whose min(client deadline, write timeout) has
 * passed when its first message arrives is answered Timeout at once; one still incomplete when
 * that time runs out is answered Timeout then; its stored size is checked as each message arrives;
 * an append answered early (Timeout, too big) ignores its later messages. A complete append goes
 * to the store and is answered when durable: EventStoreDB's storage-level commit timeout has no
 * counterpart here (one group commit, nothing to give up on), so a slow disk delays the answer
 * instead of turning it into an unknown outcome. Every append gets exactly one answer.
 */
export function batchAppendHandler(
  store: Store,
  config: BatchAppendConfig = { framed: true, writeTimeoutMs: DEFAULT_WRITE_TIMEOUT_MS },
) {
  return (call: ServerDuplexStream<BatchAppendRequest, Buffer>): void => {
    new BatchAppendCall(store, call, config).listen();
  };
}

class BatchAppendCall {
  private readonly open = new Map<string, OpenBatch>();
  private readonly responses: FramedResponses;
  private inFlight = 0;
  private ended = false;

  constructor(
    private readonly store: Store,
    private readonly call: ServerDuplexStream<BatchAppendRequest, Buffer>,
    private readonly config: BatchAppendConfig,
  ) {
    this.responses = new FramedResponses(call, config.framed);
  }

  listen(): void {
    this.call.on('data', (req: BatchAppendRequest) => this.receive(req));
    this.call.on('end', () => {
      this.ended = true;
      this.maybeEnd();
    });
    this.call.on('error', () => {
      this.ended = true;
      this.dropOpen();
    });
  }

  private receive(req: BatchAppendRequest): void {
    const key = req.correlationId.toString('latin1');
    const batch = this.open.get(key) ?? (req.options ? this.begin(key, req, req.options) : null);
    if (!batch) return;
    for (const e of req.events) {
      batch.size += storedSize(e);
      batch.events.push(e);
    }
    if (batch.size > this.store.maxAppendSize) {
      this.open.delete(key);
      this.answerError(batch, batchMaxAppendSize(this.store.maxAppendSize));
      return;
    }
    batch.error ??= req.error;
    if (!req.isFinal) return;
    this.open.delete(key);
    this.run(batch);
  }

  /** Opens an append, or answers Timeout at once (and returns null) when its deadline has passed. */
  private begin(key: string, req: BatchAppendRequest, o: BatchOptions): OpenBatch | null {
    const batch: OpenBatch = {
      key,
      correlationIdBytes: Buffer.from(req.correlationId),
      stream: o.stream,
      expected: o.expected,
      events: [],
      size: 0,
      error: null,
      timer: null,
      answered: false,
    };
    const requested = o.deadline === null ? Infinity : remainingMs(o.deadline);
    const timeout = Math.min(requested, this.config.writeTimeoutMs);
    if (!(timeout > 0)) {
      this.answerError(batch, batchTimeout());
      return null;
    }
    batch.timer = setTimeout(() => {
      this.open.delete(key);
      this.answerError(batch, batchTimeout());
    }, timeout);
    this.open.set(key, batch);
    return batch;
  }

  private run(batch: OpenBatch): void {
    if (batch.timer !== null) clearTimeout(batch.timer); // complete: the deadline no longer applies
    batch.timer = null;
    if (batch.error !== null) {
      this.answerError(batch, batchOtherError(Code.INVALID_ARGUMENT, batch.error));
      return;
    }
    this.inFlight++;
    this.store
      .append(batch.stream, batch.expected, batch.events)
      .then(
        (outcome) => this.answer(batch, () => toResp(batch, outcome)),
        (err: unknown) =>
          this.answerError(batch, batchOtherError(Code.INTERNAL, `append failed: ${String(err)}`)),
      )
      .finally(() => {
        this.inFlight--;
        this.maybeEnd();
      });
  }

  /** Sends the append's one answer (a later one, which cannot happen today, would be dropped). */
  private answer(batch: OpenBatch, encode: () => Buffer): void {
    if (batch.answered) return;
    batch.answered = true;
    if (batch.timer !== null) clearTimeout(batch.timer);
    this.responses.send(encode());
  }

  private answerError(batch: OpenBatch, error: Status): void {
    this.answer(batch, () => {
      const resp = baseResp(batch);
      resp.setError(error);
      return Buffer.from(resp.serializeBinary());
    });
  }

  private maybeEnd(): void {
    if (!this.ended || this.inFlight > 0) return;
    this.dropOpen();
    this.responses.flush();
    this.call.end();
  }

  /** Appends whose last message never came: nothing was stored, and nobody waits for an answer. */
  private dropOpen(): void {
    for (const b of this.open.values()) if (b.timer !== null) clearTimeout(b.timer);
    this.open.clear();
  }
}

function remainingMs(deadline: NonNullable<BatchOptions['deadline']>): number {
  return deadline.kind === 'in' ? deadline.ms : deadline.ms - Date.now();
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
