import type { ServerWritableStream } from '@grpc/grpc-js';
import type { DecodedRecord } from '../log/record';
import type { GrpcError } from './errors';
import {
  encodeEventResp,
  encodeEventRespInto,
  encodeReadEvent,
  encodeReadEventInto,
} from './readRespEncoder';

/**
 * A server-streaming call seen as a back-pressured sink: a slow reader holds the producer instead
 * of growing the server's memory, and every wait also ends when the client goes away.
 *
 * Fast path (`framed`): grpc-js sends each `call.write()` as its own HTTP/2 write — one
 * serialize-and-frame copy, one write request, one completion callback and usually one socket
 * write per message, one message per event-loop turn. For reads and subscriptions (hundreds of
 * ~400-byte events) that cost more server CPU than the events themselves and paced the stream.
 * So events are encoded straight into a batch buffer, each with its 5-byte gRPC frame header
 * (compressed flag 0, u32 big-endian length), and the batch goes to the call's HTTP/2 stream in
 * one write once it holds BATCH_BYTES, or as soon as the producer runs out of events (a live
 * subscriber gets each group commit at once). The bytes on the wire are exactly what one
 * `call.write()` per message produces; only the number of writes changes. The HTTP/2 stream is
 * grpc-js's (1.14) `call.call.stream`; if a grpc-js version no longer exposes it, `framed` is
 * false and every message goes through `call.write()` as before.
 */
export interface ReadStats {
  /** Events written to read and subscription calls (accepted by the call, not yet delivered). */
  eventsSent: number;
  /** Times a call's buffer was full and the producer waited for 'drain'. */
  drainWaits: number;
  /** Batched writes on the fast path (0 when grpc-js internals were not found). */
  framedWrites: number;
  activeSubscriptions: number;
}

export const newReadStats = (): ReadStats => ({
  eventsSent: 0,
  drainWaits: 0,
  framedWrites: 0,
  activeSubscriptions: 0,
});

/** Bytes of encoded messages gathered before one write (half the client's 64 KiB stream window). */
export const BATCH_BYTES = 32 * 1024;
/** Bytes buffered in the HTTP/2 stream beyond which the producer waits for 'drain'. */
const HIGH_WATER = 2 * BATCH_BYTES;
/** gRPC message framing: u8 compressed flag + u32 big-endian length. */
export const FRAME_HEADER = 5;

/** The parts of grpc-js's BaseServerInterceptingCall the fast path uses. */
export interface RawCall {
  stream: NodeJS.WritableStream & {
    destroyed: boolean;
    closed?: boolean;
    writableLength: number;
  };
  maybeSendMetadata(): void;
}

/** grpc-js's HTTP/2 side of a server call, or null when this grpc-js does not expose it. */
export function rawCallOf(call: unknown): RawCall | null {
  const base = (call as { call?: unknown }).call as Partial<RawCall> | undefined;
  if (
    base &&
    typeof base.maybeSendMetadata === 'function' &&
    base.stream &&
    typeof base.stream.write === 'function' &&
    typeof base.stream.once === 'function'
  )
    return base as RawCall;
  return null;
}

type Message = Buffer | { serializeBinary(): Uint8Array };

export class Sink<Req> {
  closed = false;
  private wakers: (() => void)[] = [];
  private readonly raw: RawCall | null;
  /** Current batch buffer and how much of it is filled. */
  private batch: Buffer = Buffer.alloc(0);
  private filled = 0;
  /** Set while the HTTP/2 stream's buffer is over its mark (fast path). */
  private full = false;

  constructor(
    private readonly call: ServerWritableStream<Req, unknown>,
    private readonly stats: ReadStats = newReadStats(),
    framed = true,
  ) {
    this.raw = framed ? rawCallOf(call) : null;
    const close = (): void => {
      this.closed = true;
      this.wakeAll();
    };
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
    call.on('drain', () => this.wakeAll());
    this.raw?.stream.on('drain', () => {
      this.full = false;
      this.wakeAll();
    });
    // grpc-js listens for one 'error' only; a write racing a reset could emit another
    this.raw?.stream.on('error', close);
  }

  /** True when events are batched into direct HTTP/2 writes. */
  get framed(): boolean {
    return this.raw !== null;
  }

  /**
   * Sends one event. Returns true when the producer may go on at once, false when it must
   * `await ready()` first (the call's buffer is full, or the call is gone).
   */
  event(rec: DecodedRecord, structured: boolean): boolean {
    if (this.closed) return false;
    this.stats.eventsSent++;
    if (!this.raw) return this.callWrite(encodeEventResp(rec, structured));
    encodeEventRespInto(rec, structured, this.reserve);
    if (this.filled >= BATCH_BYTES) this.flush();
    return !this.full && !this.closed;
  }

  /**
   * Sends a `$>` link resolved: `target` as the event and `link` as the link, or the link alone
   * when `target` is null. Same contract as `event()`.
   */
  resolvedLink(target: DecodedRecord | null, link: DecodedRecord, structured: boolean): boolean {
    if (this.closed) return false;
    this.stats.eventsSent++;
    if (!this.raw) return this.callWrite(encodeReadEvent(target, link, structured));
    encodeReadEventInto(target, link, structured, this.reserve);
    if (this.filled >= BATCH_BYTES) this.flush();
    return !this.full && !this.closed;
  }

  /** Resolves once the producer may continue; false when the call is gone. */
  async ready(): Promise<boolean> {
    while (!this.closed && this.isFull()) await this.wait();
    return !this.closed;
  }

  /**
   * Adds a control message (a checkpoint) to the batch like an event, without flushing; same
   * contract as `event()`.
   */
  message(msg: { serializeBinary(): Uint8Array }): boolean {
    if (this.closed) return false;
    if (!this.raw) return this.callWrite(msg);
    const bytes = msg.serializeBinary();
    const [buf, at] = this.reserve(bytes.length);
    buf.set(bytes, at);
    if (this.filled >= BATCH_BYTES) this.flush();
    return !this.full && !this.closed;
  }

  /** Sends a control message (confirmation, caught-up, ...) and everything batched before it. */
  async write(msg: Message): Promise<boolean> {
    if (this.closed) return false;
    if (!this.raw) {
      if (Buffer.isBuffer(msg)) this.stats.eventsSent++;
      if (!this.callWrite(msg)) await this.ready();
      return !this.closed;
    }
    const bytes = Buffer.isBuffer(msg) ? msg : msg.serializeBinary();
    const [buf, at] = this.reserve(bytes.length);
    buf.set(bytes, at);
    this.flush();
    return this.ready();
  }

  /** Writes what is batched. Producers call it before they wait for new events. */
  flush(): void {
    if (!this.raw || this.filled === 0 || this.closed) return;
    const out = this.batch.subarray(0, this.filled);
    this.batch = this.batch.subarray(this.filled);
    this.filled = 0;
    const stream = this.raw.stream;
    if (stream.destroyed || stream.closed === true) {
      this.closed = true;
      this.wakeAll();
      return;
    }
    this.raw.maybeSendMetadata();
    this.stats.framedWrites++;
    // Keep writing past the stream's own 16 KiB mark up to HIGH_WATER, so that the next batch is
    // encoded while the previous one is on the wire; 'drain' still comes (write returned false).
    if (!stream.write(out) && stream.writableLength >= HIGH_WATER) {
      this.full = true;
      this.stats.drainWaits++;
    }
  }

  /** Reserves `size` bytes after a frame header in the batch buffer. */
  private readonly reserve = (size: number): [Buffer, number] => {
    const need = FRAME_HEADER + size;
    if (this.filled + need > this.batch.length) {
      this.flush();
      // the previous batch buffer now belongs to the stream: start a fresh one
      this.batch = Buffer.allocUnsafe(Math.max(BATCH_BYTES * 2, need));
      this.filled = 0;
    }
    const b = this.batch;
    const at = this.filled;
    b[at] = 0;
    b.writeUInt32BE(size, at + 1);
    this.filled += need;
    return [b, at + FRAME_HEADER];
  };

  private isFull(): boolean {
    return this.raw ? this.full : this.call.writableNeedDrain;
  }

  private callWrite(msg: Message): boolean {
    if (this.call.write(msg)) return true;
    this.stats.drainWaits++;
    return false;
  }

  /** Waits for 'drain', cancellation, or `wake()`. */
  wait(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  wake(): void {
    this.wakeAll();
  }

  private wakeAll(): void {
    const ws = this.wakers;
    this.wakers = [];
    for (const w of ws) w();
  }

  end(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.call.end();
    this.wakeAll();
  }

  fail(err: GrpcError): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.call.emit('error', err);
    this.wakeAll();
  }
}

/**
 * Answers of one bidirectional call (BatchAppend). With grpc-js's HTTP/2 stream at hand (sink.ts), the answers
 * released by one group commit (up to one per concurrent writer) are framed into a single write at
 * the end of the event-loop turn, instead of one HTTP/2 write per answer; otherwise each goes
 * through `call.write()`.
 */
export class FramedResponses {
  private readonly raw: RawCall | null;
  private pending: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly call: { write(resp: Buffer): boolean },
    framed: boolean,
  ) {
    this.raw = framed ? rawCallOf(call) : null;
    // grpc-js listens for one 'error' only; a write racing a reset could emit another
    this.raw?.stream.on('error', () => undefined);
  }

  send(resp: Buffer): void {
    if (!this.raw) {
      this.call.write(resp);
      return;
    }
    this.pending.push(resp);
    this.bytes += FRAME_HEADER + resp.length;
    if (this.bytes >= BATCH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (!this.raw || this.pending.length === 0) return;
    const out = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    for (const b of this.pending) {
      out[at] = 0;
      out.writeUInt32BE(b.length, at + 1);
      b.copy(out, at + FRAME_HEADER);
      at += FRAME_HEADER + b.length;
    }
    this.pending = [];
    this.bytes = 0;
    const stream = this.raw.stream;
    if (stream.destroyed || stream.closed === true) return;
    this.raw.maybeSendMetadata();
    stream.write(out);
  };
}
