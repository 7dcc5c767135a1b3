import type { NewEvent } from '../log/record';
import type { ExpectedRevision } from '../store/types';
import { PbReader, readUuid } from './pbReader';

/**
 * BatchAppendReq decoded straight from the wire (field numbers from the client's streams_pb.js):
 * event data and metadata stay views into the request buffer, so an event is copied once, into
 * the log record. jspb's generic decoder built several objects per event and was the largest
 * server-side cost of an append.
 */
export interface BatchAppendRequest {
  /** Raw bytes of the correlation id message, echoed back in the response. */
  correlationId: Buffer;
  options: BatchOptions | null;
  events: NewEvent[];
  isFinal: boolean;
  /** Set when an event is malformed (bad id, missing type or content-type). */
  error: string | null;
}

export interface BatchOptions {
  stream: string;
  expected: ExpectedRevision;
  /**
   * The client's deadline: `at` a wall-clock time (field 6, a Timestamp, what client 6.x sends)
   * or `in` a span from now (field 7, a Duration, newer clients); null when none was sent.
   */
  deadline: { kind: 'at' | 'in'; ms: number } | null;
}

const EMPTY = Buffer.alloc(0);

export function decodeBatchAppendReq(buf: Buffer): BatchAppendRequest {
  const r = new PbReader(buf);
  const req: BatchAppendRequest = {
    correlationId: EMPTY,
    options: null,
    events: [],
    isFinal: false,
    error: null,
  };
  while (!r.done) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) | 2: {
        const [s, e] = r.delimited();
        req.correlationId = buf.subarray(s, e);
        break;
      }
      case (2 << 3) | 2: {
        const [s, e] = r.delimited();
        req.options = decodeOptions(new PbReader(buf, s, e));
        break;
      }
      case (3 << 3) | 2: {
        const [s, e] = r.delimited();
        const ev = decodeProposed(new PbReader(buf, s, e));
        if (typeof ev === 'string') req.error ??= ev;
        else req.events.push(ev);
        break;
      }
      case (4 << 3) | 0:
        req.isFinal = r.varint() !== 0;
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return req;
}

function decodeOptions(r: PbReader): BatchOptions {
  let stream = '';
  let expected: ExpectedRevision = { kind: 'any' };
  let deadline: BatchOptions['deadline'] = null;
  while (!r.done) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) | 2: {
        const [s, e] = r.delimited();
        const id = new PbReader(r.buf, s, e);
        while (!id.done) {
          const t = id.varint();
          if (t === ((3 << 3) | 2)) {
            const [ns, ne] = id.delimited();
            stream = r.buf.toString('utf8', ns, ne);
          } else id.skip(t & 7);
        }
        break;
      }
      case (2 << 3) | 0:
        expected = { kind: 'revision', revision: r.varint() };
        break;
      case (3 << 3) | 2:
        r.delimited();
        expected = { kind: 'no_stream' };
        break;
      case (4 << 3) | 2:
        r.delimited();
        expected = { kind: 'any' };
        break;
      case (5 << 3) | 2:
        r.delimited();
        expected = { kind: 'stream_exists' };
        break;
      case (6 << 3) | 2:
        deadline = { kind: 'at', ms: readSecondsNanos(r) };
        break;
      case (7 << 3) | 2:
        deadline = { kind: 'in', ms: readSecondsNanos(r) };
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return { stream, expected, deadline };
}

/** google.protobuf.Timestamp / Duration `{ int64 seconds = 1; int32 nanos = 2 }` as milliseconds. */
function readSecondsNanos(r: PbReader): number {
  const [s, e] = r.delimited();
  const t = new PbReader(r.buf, s, e);
  let seconds = 0;
  let nanos = 0;
  while (!t.done) {
    const tag = t.varint();
    if (tag === ((1 << 3) | 0)) seconds = Number(BigInt.asIntN(64, t.varintBig()));
    else if (tag === ((2 << 3) | 0)) nanos = Number(BigInt.asIntN(32, t.varintBig()));
    else t.skip(tag & 7);
  }
  return seconds * 1000 + nanos / 1e6;
}

function decodeProposed(r: PbReader): NewEvent | string {
  let id: Buffer | null = null;
  let type: string | undefined;
  let contentType: string | undefined;
  let data: Buffer = EMPTY;
  let metadata: Buffer = EMPTY;
  while (!r.done) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3) | 2: {
        const [s, e] = r.delimited();
        id = readUuid(r, s, e);
        break;
      }
      case (2 << 3) | 2: {
        const [s, e] = r.delimited();
        const [k, v] = mapEntry(new PbReader(r.buf, s, e));
        if (k === 'type') type = v;
        else if (k === 'content-type') contentType = v;
        break;
      }
      case (3 << 3) | 2: {
        const [s, e] = r.delimited();
        metadata = r.buf.subarray(s, e);
        break;
      }
      case (4 << 3) | 2: {
        const [s, e] = r.delimited();
        data = r.buf.subarray(s, e);
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  if (id === null) return 'event id is missing or not a UUID';
  if (type === undefined || contentType === undefined)
    return 'Required metadata properties are missing';
  return { id, type, contentType, data, metadata };
}

function mapEntry(r: PbReader): [string, string] {
  let k = '';
  let v = '';
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | 2)) {
      const [s, e] = r.delimited();
      k = r.buf.toString('utf8', s, e);
    } else if (tag === ((2 << 3) | 2)) {
      const [s, e] = r.delimited();
      v = r.buf.toString('utf8', s, e);
    } else r.skip(tag & 7);
  }
  return [k, v];
}
