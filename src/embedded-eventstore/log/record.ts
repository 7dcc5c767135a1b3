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

/**
 * A view of one (checked) frame: fixed fields are read on access, strings are decoded once on
 * first access, and `data`/`metadata`/`id` are views into the buffer, not copies. Readers that
 * only forward bytes (readRespEncoder.ts) never decode strings at all.
 */
export class DecodedRecord {
  private _stream: string | undefined;
  private _type: string | undefined;
  private _contentType: string | undefined;

  constructor(
    readonly buf: Buffer,
    readonly at: number,
    readonly position: number,
  ) {}

  private get p(): number {
    return this.at + FRAME_HEADER;
  }
  get size(): number {
    return FRAME_HEADER + this.buf.readUInt32LE(this.at);
  }
  get flags(): number {
    return this.buf[this.p]!;
  }
  get kind(): number {
    return this.buf[this.p + 1]!;
  }
  get revision(): number {
    return this.buf.readDoubleLE(this.p + 8);
  }
  get created(): number {
    return this.buf.readDoubleLE(this.p + 16);
  }
  get idStart(): number {
    return this.p + 24;
  }
  get id(): Buffer {
    return this.buf.subarray(this.p + 24, this.p + 40);
  }
  get streamStart(): number {
    return this.p + PAYLOAD_HEADER;
  }
  get streamLength(): number {
    return this.buf.readUInt16LE(this.p + 2);
  }
  get typeStart(): number {
    return this.streamStart + this.streamLength;
  }
  get typeLength(): number {
    return this.buf.readUInt16LE(this.p + 4);
  }
  get contentTypeStart(): number {
    return this.typeStart + this.typeLength;
  }
  get contentTypeLength(): number {
    return this.buf[this.p + 6]!;
  }
  get dataStart(): number {
    return this.contentTypeStart + this.contentTypeLength;
  }
  get dataLength(): number {
    return this.buf.readUInt32LE(this.p + 40);
  }
  get metadataStart(): number {
    return this.dataStart + this.dataLength;
  }
  get metadataLength(): number {
    return this.buf.readUInt32LE(this.p + 44);
  }
  get stream(): string {
    return (this._stream ??= this.buf.toString('utf8', this.streamStart, this.typeStart));
  }
  get type(): string {
    return (this._type ??= this.buf.toString('utf8', this.typeStart, this.contentTypeStart));
  }
  get contentType(): string {
    return (this._contentType ??= this.buf.toString(
      'latin1',
      this.contentTypeStart,
      this.dataStart,
    ));
  }
  get data(): Buffer {
    const s = this.dataStart;
    return this.buf.subarray(s, s + this.dataLength);
  }
  get metadata(): Buffer {
    const s = this.metadataStart;
    return this.buf.subarray(s, s + this.metadataLength);
  }
}

export function decodeRecord(buf: Buffer, at: number, position: number): DecodedRecord {
  return new DecodedRecord(buf, at, position);
}

/** Stream name of a (checked) frame, without decoding the rest. */
export function readStreamName(buf: Buffer, at: number): string {
  const p = at + FRAME_HEADER;
  const o = p + PAYLOAD_HEADER;
  return buf.toString('utf8', o, o + buf.readUInt16LE(p + 2));
}
