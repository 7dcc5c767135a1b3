import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Written last into a backup directory: a directory without it is not a (complete) backup. */
export const MANIFEST_FILE = 'backup.json';

export const manifestSchema = z.object({
  format: z.literal('embedded-eventstore-backup/1'),
  createdAt: z.string(),
  /** End of the last complete append in the copy: the restored log's end. */
  logEnd: z.number().int().min(0),
  /** Events (not system records) in the copy. */
  events: z.number().int().min(0),
  /** Commit position of the newest event the running server had acknowledged when the copy began. */
  headAtStart: z.string().nullable(),
  files: z.array(
    z.object({
      name: z.string().regex(/^(chunk-\d{6}\.log|index\.snapshot)$/),
      bytes: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Reads a backup's manifest and checks every file's size and checksum against it. */
export function verifyBackup(dir: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    throw new Error(`${dir} is not a complete backup (no readable ${MANIFEST_FILE})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path.join(dir, MANIFEST_FILE)} is not a valid manifest`);
  for (const f of parsed.data.files) {
    const file = path.join(dir, f.name);
    if (!fs.existsSync(file)) throw new Error(`backup file ${f.name} is missing`);
    if (fs.statSync(file).size !== f.bytes || sha256File(file) !== f.sha256)
      throw new Error(`backup file ${f.name} does not match its checksum: the backup is damaged`);
  }
  return parsed.data;
}

export function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
