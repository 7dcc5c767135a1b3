import { FRAME_HEADER, frameSize } from './record';
import type { SegmentLog } from './segmentLog';

export interface Frame {
  buf: Buffer;
  at: number;
  position: number;
  size: number;
}

/**
 * Sequential reader over durable frames, reading the log in large chunks so that a catch-up costs
 * one syscall per megabyte rather than one per event. Every chunk is a fresh buffer: frames handed
 * out stay valid while the consumer still holds views into them.
 */
export class FrameCursor {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;

  constructor(
    private readonly log: SegmentLog,
    public position: number,
    private readonly chunkSize = 1 << 20,
  ) {}

  /** The frame at the cursor if it starts below `limit` (and is durable); advances past it. */
  next(limit = Infinity): Frame | null {
    const pos = this.log.normalize(this.position);
    this.position = pos;
    const end = Math.min(limit, this.log.durableEnd);
    if (pos >= end) return null;
    let at = pos - this.chunkStart;
    if (at < 0 || at + FRAME_HEADER > this.chunk.length) {
      this.load(pos, this.chunkSize);
      at = 0;
    }
    let size = frameSize(this.chunk, at);
    if (size < 0 || at + size > this.chunk.length) {
      this.load(pos, Math.max(size, this.chunkSize));
      at = 0;
      size = frameSize(this.chunk, at);
      if (size < 0 || size > this.chunk.length)
        throw new Error(`truncated record at position ${pos}`);
    }
    this.position = pos + size;
    return { buf: this.chunk, at, position: pos, size };
  }

  private load(pos: number, want: number): void {
    const length = Math.min(want, this.log.readableEnd(pos) - pos);
    this.chunk = this.log.files.read(pos, length);
    this.chunkStart = pos;
  }
}

/** Reads the single frame at `position` (two small reads at most). */
export function readFrameAt(log: SegmentLog, position: number): Frame {
  let buf = log.files.read(position, 4096);
  const size = frameSize(buf, 0);
  if (size < 0) throw new Error(`no record at position ${position}`);
  if (size > buf.length) buf = log.files.read(position, size);
  return { buf, at: 0, position, size };
}
