import fs from 'node:fs';
import path from 'node:path';
import { fsyncPath, MANIFEST_FILE, verifyBackup, type BackupManifest } from './manifest';

export type RestoreResult = {
  manifest: BackupManifest;
  /** Where the event store that was there before went (nothing is deleted), if there was one. */
  movedAside?: string;
};

/**
 * Puts a verified backup in place as `storeDir` (DATA_DIR/eventstore) of a stopped service:
 * copied into a sibling staging directory, fsynced, then renamed into place, so an interrupted
 * restore leaves either the old store or the restored one. A store already there is moved aside.
 */
export function restoreEventStore(
  backupDir: string,
  storeDir: string,
  stamp: string,
): RestoreResult {
  const manifest = verifyBackup(backupDir);
  const parent = path.dirname(storeDir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = `${storeDir}.restoring`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  for (const f of manifest.files) {
    const to = path.join(staging, f.name);
    fs.copyFileSync(path.join(backupDir, f.name), to);
    fsyncPath(to);
  }
  fs.copyFileSync(path.join(backupDir, MANIFEST_FILE), path.join(staging, 'restored-from.json'));
  fsyncPath(staging);
  const movedAside = moveAside(storeDir, stamp);
  fs.renameSync(staging, storeDir);
  fsyncPath(parent);
  return { manifest, ...(movedAside ? { movedAside } : {}) };
}

/** Renames `dir` to `<dir>.before-restore-<stamp>` if it holds anything; returns the new name. */
export function moveAside(dir: string, stamp: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  if (fs.readdirSync(dir).length === 0) {
    fs.rmdirSync(dir);
    return undefined;
  }
  const aside = `${dir}.before-restore-${stamp}`;
  fs.renameSync(dir, aside);
  return aside;
}
