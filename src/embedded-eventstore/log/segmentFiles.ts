import fs from 'node:fs';
import path from 'node:path';

/**
 * The log is one logical byte space split into files of `segmentSize` bytes: segment n holds
 * positions [n * segmentSize, (n + 1) * segmentSize). A position is therefore a byte offset that
 * survives restarts unchanged. An append never straddles two segments; when it does not fit, the
 * rest of the segment stays unused and its data ends at the file's length.
 */
export class SegmentFiles {
  private readonly fds = new Map<number, number>();

  constructor(
    readonly dir: string,
    readonly segmentSize: number,
  ) {}

  static fileName(n: number): string {
    return `chunk-${String(n).padStart(6, '0')}.log`;
  }

  list(): number[] {
    return fs
      .readdirSync(this.dir)
      .map((f) => /^chunk-(\d{6})\.log$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  segmentOf(position: number): number {
    return Math.floor(position / this.segmentSize);
  }

  base(n: number): number {
    return n * this.segmentSize;
  }

  fd(n: number): number {
    let fd = this.fds.get(n);
    if (fd === undefined) {
      fd = fs.openSync(
        path.join(this.dir, SegmentFiles.fileName(n)),
        fs.constants.O_RDWR | fs.constants.O_CREAT,
        0o644,
      );
      this.fds.set(n, fd);
    }
    return fd;
  }

  /** Creates segment n durably (the directory entry is fsynced too). */
  create(n: number): void {
    this.fd(n);
    this.syncDir();
  }

  size(n: number): number {
    return fs.fstatSync(this.fd(n)).size;
  }

  truncate(n: number, length: number): void {
    fs.ftruncateSync(this.fd(n), length);
    fs.fsyncSync(this.fd(n));
  }

  remove(n: number): void {
    const fd = this.fds.get(n);
    if (fd !== undefined) fs.closeSync(fd);
    this.fds.delete(n);
    fs.rmSync(path.join(this.dir, SegmentFiles.fileName(n)), { force: true });
    this.syncDir();
  }

  /** Reads up to `length` bytes at a logical position (within one segment). */
  read(position: number, length: number, into?: Buffer): Buffer {
    const n = this.segmentOf(position);
    const buf = into && into.length >= length ? into : Buffer.allocUnsafe(length);
    const got = fs.readSync(this.fd(n), buf, 0, length, position - this.base(n));
    return buf.subarray(0, got);
  }

  write(n: number, buffers: Buffer[], fileOffset: number): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.writev(this.fd(n), buffers, fileOffset, (err) => (err ? reject(err) : resolve()));
    });
  }

  sync(n: number): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.fdatasync(this.fd(n), (err) => (err ? reject(err) : resolve()));
    });
  }

  syncDir(): void {
    const fd = fs.openSync(this.dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  closeAll(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
