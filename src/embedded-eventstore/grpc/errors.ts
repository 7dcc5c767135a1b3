import { Metadata, status } from '@grpc/grpc-js';
import type { StatusObject } from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as PbEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  BadRequest,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  StreamIdentifier,
  Timeout,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import type { ExpectedRevision } from '../store/types';

/**
 * Errors as the real server sends them: a gRPC status whose trailing metadata carries `exception`
 * plus detail keys; the client's `convertToCommandError` turns these into its typed errors.
 */
export type GrpcError = Partial<StatusObject> & {
  code: status;
  details: string;
  metadata: Metadata;
};

function grpcError(code: status, details: string, meta: Record<string, string>): GrpcError {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(meta)) metadata.set(k, v);
  return { code, details, metadata };
}

export const streamDeletedError = (stream: string): GrpcError =>
  grpcError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });

export const maxAppendSizeError = (max: number): GrpcError =>
  grpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${max} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(max),
  });

/** The real server reports "any" as -2, "no stream" as -1 and "stream exists" as -4 here. */
export function expectedVersionNumber(e: ExpectedRevision): string {
  switch (e.kind) {
    case 'any':
      return '-2';
    case 'no_stream':
      return '-1';
    case 'stream_exists':
      return '-4';
    case 'revision':
      return String(e.revision);
  }
}

export function wrongExpectedVersionError(
  stream: string,
  expected: ExpectedRevision,
  current: number,
): GrpcError {
  const meta: Record<string, string> = {
    exception: 'wrong-expected-version',
    'stream-name': stream,
    'expected-version': expectedVersionNumber(expected),
  };
  if (current >= 0) meta['actual-version'] = String(current);
  return grpcError(
    status.FAILED_PRECONDITION,
    `Append failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersionNumber(expected)}, Actual version: ${current}`,
    meta,
  );
}

export const invalidArgument = (details: string): GrpcError =>
  grpcError(status.INVALID_ARGUMENT, details, {});

export const internalError = (details: string): GrpcError =>
  grpcError(status.INTERNAL, details, {});

/**
 * `google.rpc.Status` with packed details, as BatchAppend reports a failed batch. Codes and
 * messages are EventStoreDB's (`Google.Rpc.Status` in its gRPC transport); the client goes by the
 * details' type only.
 */
export function rpcStatus(
  code: Code,
  message: string,
  details: { serializeBinary(): Uint8Array },
  typeName: string,
): Status {
  const any = new Any();
  any.pack(details.serializeBinary(), typeName);
  const s = new Status();
  s.setCode(code);
  s.setMessage(message);
  s.setDetails(any);
  return s;
}

export function batchWrongExpectedVersion(expected: ExpectedRevision, current: number): Status {
  const w = new WrongExpectedVersion();
  if (current >= 0) w.setCurrentStreamRevision(String(current));
  else w.setCurrentNoStream(new PbEmpty());
  switch (expected.kind) {
    case 'any':
      w.setExpectedAny(new PbEmpty());
      break;
    case 'no_stream':
      w.setExpectedNoStream(new PbEmpty());
      break;
    case 'stream_exists':
      w.setExpectedStreamExists(new PbEmpty());
      break;
    case 'revision':
      w.setExpectedStreamPosition(String(expected.revision));
      break;
  }
  return rpcStatus(
    Code.ALREADY_EXISTS,
    'WrongExpectedVersion',
    w,
    'event_store.client.WrongExpectedVersion',
  );
}

export function batchStreamDeleted(stream: string): Status {
  const d = new StreamDeleted();
  const id = new StreamIdentifier();
  id.setStreamName(Buffer.from(stream, 'utf8'));
  d.setStreamIdentifier(id);
  return rpcStatus(Code.NOT_FOUND, 'StreamDeleted', d, 'event_store.client.StreamDeleted');
}

export function batchMaxAppendSize(max: number): Status {
  const d = new MaximumAppendSizeExceeded();
  d.setMaxappendsize(max);
  return rpcStatus(
    Code.INVALID_ARGUMENT,
    'MaximumAppendSizeExceeded',
    d,
    'event_store.client.MaximumAppendSizeExceeded',
  );
}

/** The deadline passed before the append was complete (or durable); the client's DeadlineExceededError. */
export function batchTimeout(): Status {
  return rpcStatus(Code.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'event_store.client.Timeout');
}

/** Any other failed batch: details the client does not map, so it reports an UnknownError. */
export function batchOtherError(code: Code, message: string): Status {
  const d = new BadRequest();
  d.setMessage(message);
  return rpcStatus(code, message, d, 'event_store.client.BadRequest');
}
