import { checkFrame, decodeRecord, FLAG_COMMIT_END, frameSize } from './record';
import type { DecodedRecord } from './record';
import type { SegmentFiles } from './segmentFiles';

export interface Recovered {
  /** End of the last complete append: the next position to write. */
  end: number;
  /** Data end of every segment before the one holding `end`. */
  sealed: Map<number, number>;
  /** Bytes cut from a torn tail (0 after a clean shutdown). */
  truncatedBytes: number;
  scannedRecords: number;
}

const CHUNK = 4 << 20;

/**
 * Scans the log from `from` (a record boundary: 0, or where an index snapshot ends), hands every
 * complete append to `onAppend`, and cuts whatever follows the last complete append: a record with a
 * bad checksum or length, or the records of an append whose last record (COMMIT_END) never made it
 * to disk. An append is therefore either entirely in the log after recovery or not at all.
 */
export function recoverLog(
  files: SegmentFiles,
  from: number,
  onAppend: (records: DecodedRecord[]) => void,
): Recovered {
  const segments = files.list();
  const startSegment = files.segmentOf(from);
  if (segments.length === 0 || !segments.includes(startSegment)) {
    if (from !== 0) throw new Error(`log has no segment for position ${from}`);
    files.create(0);
    return { end: 0, sealed: new Map(), truncatedBytes: 0, scannedRecords: 0 };
  }
  if (files.size(startSegment) < from - files.base(startSegment)) {
    throw new Error(`log is shorter than position ${from}`);
  }
  let committedEnd = from;
  let scanned = 0;
  let torn = false;
  let tx: DecodedRecord[] = [];
  for (const n of segments.filter((s) => s >= startSegment)) {
    const base = files.base(n);
    const fileSize = files.size(n);
    let p = n === startSegment ? from - base : 0;
    let want = CHUNK;
    while (!torn && p < fileSize) {
      const chunk = files.read(base + p, Math.min(want, fileSize - p));
      const moreInFile = p + chunk.length < fileSize;
      let at = 0;
      for (;;) {
        if (at === chunk.length) break;
        const check = checkFrame(chunk, at);
        if (!check.ok) {
          if (check.reason === 'short' && moreInFile) {
            want = Math.max(CHUNK, frameSize(chunk, at, chunk.length) + 8);
            break;
          }
          torn = true;
          break;
        }
        const rec = decodeRecord(chunk, at, base + p + at);
        tx.push(rec);
        scanned++;
        at += check.size;
        if (rec.flags & FLAG_COMMIT_END) {
          onAppend(tx);
          tx = [];
          committedEnd = base + p + at;
        }
      }
      p += at;
    }
    // An append never straddles segments: an open one at a segment's end was torn.
    if (tx.length > 0) torn = true;
    if (torn) break;
  }
  return finish(files, segments, committedEnd, scanned);
}

function finish(files: SegmentFiles, segments: number[], end: number, scanned: number): Recovered {
  const endSegment = files.segmentOf(end);
  let truncatedBytes = 0;
  for (const n of segments) {
    if (n > endSegment) {
      truncatedBytes += files.size(n);
      files.remove(n);
    }
  }
  if (!segments.includes(endSegment)) files.create(endSegment);
  const keep = end - files.base(endSegment);
  const size = files.size(endSegment);
  if (size > keep) {
    truncatedBytes += size - keep;
    files.truncate(endSegment, keep);
  }
  const sealed = new Map<number, number>();
  for (const n of segments) if (n < endSegment) sealed.set(n, files.base(n) + files.size(n));
  return { end, sealed, truncatedBytes, scannedRecords: scanned };
}
