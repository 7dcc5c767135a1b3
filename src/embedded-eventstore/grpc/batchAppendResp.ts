import type { ExpectedRevision } from '../store/types';
import { varintSize, Writer } from './readRespEncoder';

/**
 * `BatchAppendResp { correlation_id, success { current_revision | no_stream, position |
 * no_position }, stream_identifier, expected_stream_position }` encoded straight into wire format
 * (field numbers of streams.proto as shipped with the client). Every append is answered with one
 * of these, so building it through the generated classes (five message objects and a
 * serializeBinary per append) was a visible part of a single-event append's server cost.
 *
 * `correlationId` is the raw content of the request's correlation_id field, echoed back as is.
 * `revision` -1 means no stream; `position` null means no position.
 */
export function encodeBatchAppendSuccess(
  correlationId: Buffer,
  stream: Buffer,
  expected: ExpectedRevision,
  revision: number,
  position: number | null,
): Buffer {
  const revisionPart = revision >= 0 ? 1 + varintSize(revision) : 2;
  const positionInner = position === null ? 0 : 2 + 2 * varintSize(position);
  const positionPart = position === null ? 2 : 1 + varintSize(positionInner) + positionInner;
  const success = revisionPart + positionPart;
  const streamId = 1 + varintSize(stream.length) + stream.length;
  const expectedPart = expected.kind === 'revision' ? 1 + varintSize(expected.revision) : 2;
  const total =
    1 +
    varintSize(correlationId.length) +
    correlationId.length +
    1 +
    varintSize(success) +
    success +
    1 +
    varintSize(streamId) +
    streamId +
    expectedPart;
  const w = new Writer(Buffer.allocUnsafe(total));
  w.tag(1, 2).varint(correlationId.length).bytes(correlationId);
  w.tag(3, 2).varint(success);
  if (revision >= 0) w.tag(1, 0).varint(revision);
  else w.tag(2, 2).varint(0);
  if (position === null) w.tag(4, 2).varint(0);
  else w.tag(3, 2).varint(positionInner).tag(1, 0).varint(position).tag(2, 0).varint(position);
  w.tag(4, 2).varint(streamId).tag(3, 2).varint(stream.length).bytes(stream);
  if (expected.kind === 'revision') w.tag(5, 0).varint(expected.revision);
  else w.tag(EMPTY_FIELD[expected.kind], 2).varint(0);
  if (w.at !== total) throw new Error(`BatchAppendResp size mismatch: ${w.at} != ${total}`);
  return w.buf;
}

const EMPTY_FIELD = { no_stream: 6, any: 7, stream_exists: 8 } as const;
