import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { IdCache } from './idCache';
import type { StreamIndex } from './streamIndex';

/**
 * The in-memory index written to disk so that start-up reads it instead of rescanning the whole
 * log; recovery then scans only the log after `logEnd`. Layout:
 *   "ESIDX001" | u32 headerLength | header JSON | pad to 8 | f64[allCount] $all positions |
 *   f64[...] each stream's positions, in header order | f64[idCount] positions of recent ids |
 *   idCount x 16 bytes: the recent event ids themselves | u32 crc32(everything before)
 * The snapshot only describes durable data (positions below `logEnd`), so it can be taken while
 * appends are in flight. Stream metadata is not stored: it is re-read from each `$$` stream. The
 * recent-id cache is stored, so that idempotency of retried appends survives a restart.
 */
const MAGIC = Buffer.from('ESIDX001');
export const SNAPSHOT_FILE = 'index.snapshot';

interface Header {
  logEnd: number;
  allCount: number;
  idCount: number;
  /** [name, number of revisions, tombstone position or -1] */
  streams: [string, number, number][];
}

export interface LoadedSnapshot {
  logEnd: number;
  allPositions: Float64Array;
  streams: { name: string; positions: Float64Array; tombstone: number }[];
  /** Recent event ids (16 bytes each) and their positions, oldest first. */
  ids: { id: Buffer; position: number }[];
}

export function encodeSnapshot(
  index: StreamIndex,
  durableEnd: number,
  recentIds: Pick<IdCache, 'forEach'> = { forEach: () => undefined },
): Buffer {
  const steps = encodeSteps(index, durableEnd, recentIds);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same bytes as encodeSnapshot, but the event loop gets a turn after each slice of work, so a
 * snapshot of a large index (~100 ms of copying and checksumming at 1M events) does not stall
 * appends and live subscribers. Appends may go on meanwhile: everything the snapshot describes
 * (positions below `durableEnd`, the ids as they were when it started) is captured first or never
 * changes (position arrays only grow).
 */
export async function encodeSnapshotInSlices(
  index: StreamIndex,
  durableEnd: number,
  recentIds: Pick<IdCache, 'forEach'>,
): Promise<Buffer> {
  const steps = encodeSteps(index, durableEnd, recentIds);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Values copied (or bytes checksummed, / 8) between two yields. */
const SLICE = 128 * 1024;

function* encodeSteps(
  index: StreamIndex,
  durableEnd: number,
  recentIds: Pick<IdCache, 'forEach'>,
): Generator<void, Buffer> {
  // captured before the first yield: the id cache changes with every append
  let idCount = 0;
  recentIds.forEach((_id, position) => {
    if (position < durableEnd) idCount++;
  });
  const idPositions = new Float64Array(idCount);
  const idBytes = Buffer.allocUnsafe(idCount * 16);
  let captured = 0;
  recentIds.forEach((id, position) => {
    if (position >= durableEnd) return;
    idPositions[captured] = position;
    id.copy(idBytes, captured * 16, 0, 16);
    captured++;
  });
  const allCount = index.all.durableCount(durableEnd);
  const streams: Header['streams'] = [];
  const positions: number[][] = [];
  let total = 0;
  for (const s of index.streams.values()) {
    const count = s.lastDurableRevision(durableEnd) + 1;
    const tombstone = s.tombstone >= 0 && s.tombstone < durableEnd ? s.tombstone : -1;
    if (count === 0 && tombstone < 0) continue;
    streams.push([s.name, count, tombstone]);
    positions.push(s.positions);
    total += count;
  }
  const header = Buffer.from(
    JSON.stringify({ logEnd: durableEnd, allCount, idCount, streams } satisfies Header),
  );
  const headerEnd = 12 + header.length;
  const dataStart = Math.ceil(headerEnd / 8) * 8;
  const f64Count = allCount + total + idCount;
  const buf = Buffer.alloc(dataStart + f64Count * 8 + idCount * 16 + 4);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(header.length, 8);
  header.copy(buf, 12);
  const f64 = new Float64Array(buf.buffer, buf.byteOffset + dataStart, f64Count);
  f64.set(index.all.snapshot(allCount), 0);
  let o = allCount;
  let sinceYield = 0;
  for (let k = 0; k < streams.length; k++) {
    const count = streams[k]![1];
    const ps = positions[k]!;
    for (let i = 0; i < count; i++) f64[o++] = ps[i]!;
    sinceYield += count;
    if (sinceYield >= SLICE) {
      sinceYield = 0;
      yield;
    }
  }
  f64.set(idPositions, o);
  idBytes.copy(buf, dataStart + f64Count * 8);
  const end = buf.length - 4;
  let sum = 0;
  for (let at = 0; at < end; at += SLICE * 8) {
    yield;
    sum = crc32(buf.subarray(at, Math.min(end, at + SLICE * 8)), sum);
  }
  buf.writeUInt32LE(sum, end);
  return buf;
}

export function decodeSnapshot(buf: Buffer): LoadedSnapshot | null {
  if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) return null;
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) return null;
  const headerLength = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as Header;
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  const idCount = header.idCount ?? 0;
  const count = (buf.length - 4 - dataStart - idCount * 16) / 8;
  // copy into an aligned buffer: `buf` may not be 8-byte aligned in its ArrayBuffer
  const f64 = new Float64Array(count);
  Buffer.from(f64.buffer).set(buf.subarray(dataStart, dataStart + count * 8));
  let o = header.allCount;
  const streams = header.streams.map(([name, n, tombstone]) => {
    const positions = f64.subarray(o, o + n);
    o += n;
    return { name, positions, tombstone };
  });
  const idStart = dataStart + count * 8;
  const ids = Array.from({ length: idCount }, (_, i) => ({
    id: buf.subarray(idStart + i * 16, idStart + (i + 1) * 16),
    position: f64[o + i]!,
  }));
  return { logEnd: header.logEnd, allPositions: f64.subarray(0, header.allCount), streams, ids };
}

export function readSnapshot(dir: string): LoadedSnapshot | null {
  const file = path.join(dir, SNAPSHOT_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    return decodeSnapshot(fs.readFileSync(file));
  } catch {
    return null;
  }
}

/** Writes durably and atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeSnapshot(dir: string, buf: Buffer): Promise<void> {
  const tmp = path.join(dir, `${SNAPSHOT_FILE}.tmp`);
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(buf);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, path.join(dir, SNAPSHOT_FILE));
  const d = await fs.promises.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
