import type { SegmentFiles } from './segmentFiles';

interface PendingWrite {
  position: number;
  buf: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Append-only log with group commit: every append is queued, and one flush writes everything queued
 * since the previous flush with a single writev + fdatasync per segment. While one flush is on disk,
 * the next group builds up, so throughput grows with concurrency instead of collapsing into one
 * fsync per append. An append's promise resolves only once its bytes are durable.
 */
export class SegmentLog {
  /** Next position to allocate (includes appends not yet durable). */
  end: number;
  /** Everything below this position is on disk and fsynced; readers never look past it. */
  durableEnd: number;
  /** Logical end of data of each segment that is no longer written to. */
  private readonly dataEnds = new Map<number, number>();
  private queue: PendingWrite[] = [];
  private flushing = false;
  private failure: Error | null = null;
  private idle: (() => void)[] = [];
  /** Number of writev + fdatasync rounds so far (one per group commit). */
  flushes = 0;

  constructor(
    readonly files: SegmentFiles,
    end: number,
    sealed: Map<number, number>,
    private readonly onDurable: (durableEnd: number) => void,
  ) {
    this.end = end;
    this.durableEnd = end;
    for (const [n, e] of sealed) this.dataEnds.set(n, e);
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Reserves `size` contiguous bytes inside one segment and returns their position. */
  allocate(size: number): number {
    if (size > this.files.segmentSize)
      throw new Error(`record group of ${size} bytes exceeds the segment size`);
    const n = this.files.segmentOf(this.end);
    if (this.end + size > this.files.base(n + 1)) {
      this.dataEnds.set(n, this.end);
      this.end = this.files.base(n + 1);
      this.files.create(n + 1);
    }
    const position = this.end;
    this.end += size;
    return position;
  }

  /** Queues bytes allocated at `position`; resolves once they are durable. */
  write(position: number, buf: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ position, buf, resolve, reject });
      if (!this.flushing) {
        // Start from idle one event-loop turn later: appends that arrived in the same socket read
        // (e.g. 50 writers answered by the previous fsync) then share one fsync instead of two.
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0 && !this.failure) {
      const batch = this.queue;
      this.queue = [];
      this.flushes++;
      try {
        await this.writeBatch(batch);
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
        for (const w of batch) w.reject(this.failure);
        for (const w of this.queue) w.reject(this.failure);
        this.queue = [];
        break;
      }
      const last = batch[batch.length - 1]!;
      this.durableEnd = last.position + last.buf.length;
      for (const w of batch) w.resolve();
      this.onDurable(this.durableEnd);
    }
    this.flushing = false;
    for (const cb of this.idle.splice(0)) cb();
  }

  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    let i = 0;
    while (i < batch.length) {
      const n = this.files.segmentOf(batch[i]!.position);
      const start = batch[i]!.position;
      const bufs: Buffer[] = [];
      let expected = start;
      while (
        i < batch.length &&
        batch[i]!.position === expected &&
        this.files.segmentOf(expected) === n
      ) {
        bufs.push(batch[i]!.buf);
        expected += batch[i]!.buf.length;
        i++;
      }
      await this.files.write(n, bufs, start - this.files.base(n));
      await this.files.sync(n);
    }
  }

  /** Resolves when nothing is queued or being written. */
  drain(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Readable end of the segment holding `position`. */
  readableEnd(position: number): number {
    const n = this.files.segmentOf(position);
    const sealed = this.dataEnds.get(n);
    return sealed === undefined ? this.durableEnd : Math.min(sealed, this.durableEnd);
  }

  /** Moves a position sitting at the end of a sealed segment to the start of the next one. */
  normalize(position: number): number {
    let p = position;
    for (;;) {
      const n = this.files.segmentOf(p);
      const sealed = this.dataEnds.get(n);
      if (sealed === undefined || p < sealed) return p;
      p = this.files.base(n + 1);
    }
  }

  close(): void {
    this.files.closeAll();
  }
}
