import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Cross-process lock: a directory (mkdir is atomic) holding the owner's pid. Taken over when the
 * owner is gone or the lock is older than `staleAfterMs`. Resolves to the release function.
 */
export async function acquireDirLock(
  lockDir: string,
  options: { staleAfterMs: number; pollMs?: number },
): Promise<() => Promise<void>> {
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockDir, options.staleAfterMs)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    await sleep(options.pollMs ?? 500);
  }
}

async function isStale(lockDir: string, staleAfterMs: number): Promise<boolean> {
  try {
    const info = await stat(lockDir);
    if (Date.now() - info.mtimeMs > staleAfterMs) return true;
    const pid = Number(await readFile(join(lockDir, 'pid'), 'utf8'));
    // No pid yet: the owner is between mkdir and writeFile; give it a moment.
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 10_000;
    return !isAlive(pid);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? false : Promise.reject(error);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
