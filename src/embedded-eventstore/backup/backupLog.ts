import fs from 'node:fs';
import path from 'node:path';
import { KIND_SYSTEM } from '../log/record';
import { recoverLog } from '../log/recovery';
import { SegmentFiles } from '../log/segmentFiles';
import { readSnapshot, SNAPSHOT_FILE } from '../store/indexSnapshot';
import { fsyncPath, MANIFEST_FILE, sha256File, type BackupManifest } from './manifest';

const SEGMENT_FILE = /^chunk-\d{6}\.log$/;
const COPY_CHUNK = 4 << 20;

export type BackupOptions = {
  /** The embedded store's data directory (DATA_DIR/eventstore); the server may be running. */
  sourceDir: string;
  /** Created; must not exist or be empty. */
  targetDir: string;
  /** Segment size of the store (default 256 MiB, as the service runs it). */
  segmentSize?: number;
  /** Commit position of the newest event acknowledged before the copy began (from the server). */
  headAtStart?: bigint;
  onProgress?: (bytesCopied: number, bytesTotal: number) => void;
};

/**
 * A consistent copy of a (possibly running) embedded event store: the committed prefix of its log.
 *
 * The log is append-only and an append is acknowledged only once fsynced, so every byte
 * acknowledged before the copy starts is in the page cache and read as it is. Appends that land
 * while the copy runs may be caught half-way; the copy is then recovered exactly as the server
 * recovers after a crash (log/recovery.ts): cut after the last complete append. The index snapshot
 * is copied first (it is replaced by rename, so it is read whole) and only describes positions
 * that were durable when it was written, hence inside the copy; it is checked against the copy
 * all the same, and dropped if it does not fit (the restored server then scans the whole log).
 */
export function backupEventStore(options: BackupOptions): BackupManifest {
  const { sourceDir, targetDir } = options;
  if (!fs.existsSync(sourceDir)) throw new Error(`no event store at ${sourceDir}`);
  fs.mkdirSync(targetDir, { recursive: true });
  if (fs.readdirSync(targetDir).length > 0) throw new Error(`${targetDir} is not empty`);
  const snapshotCopied = copyWhole(path.join(sourceDir, SNAPSHOT_FILE), targetDir);
  const segments = fs
    .readdirSync(sourceDir)
    .filter((f) => SEGMENT_FILE.test(f))
    .sort();
  const total = segments.reduce((n, f) => n + fs.statSync(path.join(sourceDir, f)).size, 0);
  let copied = 0;
  for (const name of segments) {
    copied += copyPrefix(path.join(sourceDir, name), path.join(targetDir, name), (n) =>
      options.onProgress?.(copied + n, total),
    );
  }
  const files = new SegmentFiles(targetDir, options.segmentSize ?? 256 * 1024 * 1024);
  let events = 0;
  const recovered = (() => {
    try {
      return recoverLog(files, 0, (records) => {
        for (const r of records) if (r.kind !== KIND_SYSTEM) events++;
      });
    } finally {
      files.closeAll();
    }
  })();
  if (options.headAtStart !== undefined && BigInt(recovered.end) <= options.headAtStart) {
    throw new Error(
      `the copy ends at ${recovered.end}, before the acknowledged head ${options.headAtStart}: ` +
        'not a consistent backup (was the store moved or truncated during the copy?)',
    );
  }
  if (snapshotCopied) dropSnapshotPastEnd(targetDir, recovered.end);
  const manifest: BackupManifest = {
    format: 'embedded-eventstore-backup/1',
    createdAt: new Date().toISOString(),
    logEnd: recovered.end,
    events,
    headAtStart: options.headAtStart?.toString() ?? null,
    files: fs
      .readdirSync(targetDir)
      .sort()
      .map((name) => {
        const file = path.join(targetDir, name);
        fsyncPath(file);
        return { name, bytes: fs.statSync(file).size, sha256: sha256File(file) };
      }),
  };
  const manifestFile = path.join(targetDir, MANIFEST_FILE);
  fs.writeFileSync(`${manifestFile}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  fsyncPath(`${manifestFile}.tmp`);
  fs.renameSync(`${manifestFile}.tmp`, manifestFile);
  fsyncPath(targetDir);
  return manifest;
}

function copyWhole(file: string, targetDir: string): boolean {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return false;
  }
  fs.writeFileSync(path.join(targetDir, path.basename(file)), data);
  return true;
}

/** Copies the bytes the file holds now (it may keep growing); returns how many. */
function copyPrefix(from: string, to: string, onChunk: (bytes: number) => void): number {
  const src = fs.openSync(from, 'r');
  const dst = fs.openSync(to, 'w');
  try {
    const size = fs.fstatSync(src).size;
    const buf = Buffer.allocUnsafe(COPY_CHUNK);
    let at = 0;
    while (at < size) {
      const n = fs.readSync(src, buf, 0, Math.min(buf.length, size - at), at);
      if (n === 0) break;
      fs.writeSync(dst, buf, 0, n, at);
      at += n;
      onChunk(at);
    }
    return at;
  } finally {
    fs.closeSync(src);
    fs.closeSync(dst);
  }
}

function dropSnapshotPastEnd(dir: string, logEnd: number): void {
  const snap = (() => {
    try {
      return readSnapshot(dir);
    } catch {
      return null;
    }
  })();
  if (!snap || snap.logEnd > logEnd) fs.rmSync(path.join(dir, SNAPSHOT_FILE), { force: true });
}
