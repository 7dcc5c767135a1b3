import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GrpcError } from './errors';

/**
 * A server-streaming call seen as a back-pressured sink: `write` resolves at once while the call's
 * buffer has room, and otherwise only after 'drain', so a slow reader holds the producer instead of
 * growing the server's memory. Every wait also ends when the client goes away.
 */
export interface ReadStats {
  /** Events written to read and subscription calls (accepted by the call, not yet delivered). */
  eventsSent: number;
  /** Times a call's buffer was full and the producer waited for 'drain'. */
  drainWaits: number;
  activeSubscriptions: number;
}

export const newReadStats = (): ReadStats => ({
  eventsSent: 0,
  drainWaits: 0,
  activeSubscriptions: 0,
});

export class Sink<Req> {
  closed = false;
  private wakers: (() => void)[] = [];

  constructor(
    private readonly call: ServerWritableStream<Req, unknown>,
    private readonly stats: ReadStats = newReadStats(),
  ) {
    const close = (): void => {
      this.closed = true;
      this.wakeAll();
    };
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
    call.on('drain', () => this.wakeAll());
  }

  /** Resolves false when the call is gone. */
  async write(msg: Buffer | { serializeBinary(): Uint8Array }): Promise<boolean> {
    if (this.closed) return false;
    if (Buffer.isBuffer(msg)) this.stats.eventsSent++;
    if (!this.call.write(msg)) {
      this.stats.drainWaits++;
      await this.wait();
    }
    return !this.closed;
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
    this.closed = true;
    this.call.end();
    this.wakeAll();
  }

  fail(err: GrpcError): void {
    if (this.closed) return;
    this.closed = true;
    this.call.emit('error', err);
    this.wakeAll();
  }
}
