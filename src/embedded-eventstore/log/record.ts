import { crc32 } from 'node:zlib';

/**
 * On-disk framing: `u32 payloadLength | u32 crc32(payload) | payload`. A record whose checksum does
 * not match (a torn write) ends the valid part of the log.
 *
 * Payload of an event record (little endian):
 *   0 u8  flags          (COMMIT_END: last record of one append; TOMBSTONE)
 *   1 u8  kind           (KIND_EVENT | KIND_SYSTEM)
 *   2 u16 streamLength
 *   4 u16 typeLength
 *   6 u8  contentTypeLength
 *   7 u8  reserved
 *   8 f64 revision       (integral, < 2^53)
 *  16 f64 created        (milliseconds since the Unix epoch)
 *  24 16  event id (UUID bytes)
 *  40 u32 dataLength
 *  44 u32 metadataLength
 *  48 ... stream, type, contentType, data, metadata
 */
export const FRAME_HEADER = 8;
export const PAYLOAD_HEADER = 48;
export const FLAG_COMMIT_END = 1;
export const FLAG_TOMBSTONE = 2;
export const KIND_EVENT = 1;
export const KIND_SYSTEM = 2;
/** Larger than any record we ever write: a length above it is garbage. */
export const MAX_RECORD = 64 * 1024 * 1024;

export interface NewEvent {
  id: Buffer; // 16 bytes
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

export interface EncodedEvent {
  stream: string;
  revision: number;
  created: number;
  flags: number;
  event: NewEvent;
}

export interface DecodedRecord {
  position: number;
  /** Bytes from `position` to the next record. */
  size: number;
  flags: number;
  kind: number;
  stream: string;
  type: string;
  contentType: string;
  revision: number;
  created: number;
  id: Buffer;
  data: Buffer;
  metadata: Buffer;
}

export function recordSize(stream: string, ev: NewEvent): number {
  return (
    FRAME_HEADER +
    PAYLOAD_HEADER +
    Buffer.byteLength(stream) +
    Buffer.byteLength(ev.type) +
    Buffer.byteLength(ev.contentType) +
    ev.data.length +
    ev.metadata.length
  );
}

/** Writes one framed record into `buf` at `at`; returns the offset after it. */
export function writeRecord(buf: Buffer, at: number, rec: EncodedEvent, kind = KIND_EVENT): number {
  const p = at + FRAME_HEADER;
  const { event } = rec;
  let o = p + PAYLOAD_HEADER;
  const streamLength = buf.write(rec.stream, o, 'utf8');
  o += streamLength;
  const typeLength = buf.write(event.type, o, 'utf8');
  o += typeLength;
  const contentTypeLength = buf.write(event.contentType, o, 'latin1');
  o += contentTypeLength;
  buf.set(event.data, o);
  o += event.data.length;
  buf.set(event.metadata, o);
  o += event.metadata.length;
  buf.writeUInt8(rec.flags, p);
  buf.writeUInt8(kind, p + 1);
  buf.writeUInt16LE(streamLength, p + 2);
  buf.writeUInt16LE(typeLength, p + 4);
  buf.writeUInt8(contentTypeLength, p + 6);
  buf.writeUInt8(0, p + 7);
  buf.writeDoubleLE(rec.revision, p + 8);
  buf.writeDoubleLE(rec.created, p + 16);
  event.id.copy(buf, p + 24, 0, 16);
  buf.writeUInt32LE(event.data.length, p + 40);
  buf.writeUInt32LE(event.metadata.length, p + 44);
  const payloadLength = o - p;
  buf.writeUInt32LE(payloadLength, at);
  buf.writeUInt32LE(crc32(buf.subarray(p, o)), at + 4);
  return o;
}

export type FrameCheck =
  { ok: true; size: number } | { ok: false; reason: 'short' | 'length' | 'checksum' };

/** Validates the frame at `at` in `buf` without decoding it. */
export function checkFrame(buf: Buffer, at: number, end = buf.length): FrameCheck {
  if (end - at < FRAME_HEADER) return { ok: false, reason: 'short' };
  const length = buf.readUInt32LE(at);
  if (length < PAYLOAD_HEADER || length > MAX_RECORD) return { ok: false, reason: 'length' };
  if (end - at < FRAME_HEADER + length) return { ok: false, reason: 'short' };
  const sum = crc32(buf.subarray(at + FRAME_HEADER, at + FRAME_HEADER + length));
  if (sum !== buf.readUInt32LE(at + 4)) return { ok: false, reason: 'checksum' };
  return { ok: true, size: FRAME_HEADER + length };
}

/** Length of the frame at `at`, or -1 when the header is not fully in `buf`. */
export function frameSize(buf: Buffer, at: number, end = buf.length): number {
  if (end - at < FRAME_HEADER) return -1;
  return FRAME_HEADER + buf.readUInt32LE(at);
}

export function readFlags(buf: Buffer, at: number): number {
  return buf.readUInt8(at + FRAME_HEADER);
}

/** Decodes a (checked) frame. `data`/`metadata` are views into `buf`, not copies. */
export function decodeRecord(buf: Buffer, at: number, position: number): DecodedRecord {
  const p = at + FRAME_HEADER;
  const size = FRAME_HEADER + buf.readUInt32LE(at);
  const streamLength = buf.readUInt16LE(p + 2);
  const typeLength = buf.readUInt16LE(p + 4);
  const contentTypeLength = buf.readUInt8(p + 6);
  const dataLength = buf.readUInt32LE(p + 40);
  const metadataLength = buf.readUInt32LE(p + 44);
  let o = p + PAYLOAD_HEADER;
  const stream = buf.toString('utf8', o, o + streamLength);
  o += streamLength;
  const type = buf.toString('utf8', o, o + typeLength);
  o += typeLength;
  const contentType = buf.toString('latin1', o, o + contentTypeLength);
  o += contentTypeLength;
  const data = buf.subarray(o, o + dataLength);
  o += dataLength;
  const metadata = buf.subarray(o, o + metadataLength);
  return {
    position,
    size,
    flags: buf.readUInt8(p),
    kind: buf.readUInt8(p + 1),
    stream,
    type,
    contentType,
    revision: buf.readDoubleLE(p + 8),
    created: buf.readDoubleLE(p + 16),
    id: buf.subarray(p + 24, p + 40),
    data,
    metadata,
  };
}

/** Stream name of a (checked) frame, without decoding the rest. */
export function readStreamName(buf: Buffer, at: number): string {
  const p = at + FRAME_HEADER;
  const o = p + PAYLOAD_HEADER;
  return buf.toString('utf8', o, o + buf.readUInt16LE(p + 2));
}
