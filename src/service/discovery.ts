import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * `DATA_DIR/service.json`: where a running service can be reached, written once it listens and
 * removed when it stops, so that the operator commands (projections:*, import, backup) find an
 * `npm start` on embedded defaults with no environment. Readable by the owner only: an external
 * MONGODB_URL may carry a password.
 */
export const DISCOVERY_FILE = 'service.json';

const discoverySchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  roles: z.array(z.string()),
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:3000. */
  url: z.string(),
  eventStoreUrl: z.string(),
  /** True when the event store is the embedded one, whose files are in DATA_DIR/eventstore. */
  eventStoreEmbedded: z.boolean(),
  mongoUrl: z.string(),
  mongoDb: z.string(),
});

export type Discovery = z.infer<typeof discoverySchema>;

export function discoveryPath(dataDir: string): string {
  return path.join(dataDir, DISCOVERY_FILE);
}

/** Written to a temp file and renamed: a reader sees the old file or the new, never half. */
export function writeDiscovery(dataDir: string, info: Discovery): void {
  const file = discoveryPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Removes the file if it is still this process's (a newer instance may have replaced it). */
export function removeDiscovery(dataDir: string, pid: number = process.pid): void {
  const current = readDiscoveryFile(dataDir);
  if (current?.pid === pid) fs.rmSync(discoveryPath(dataDir), { force: true });
}

export type DiscoveryRead =
  | { found: true; info: Discovery }
  | { found: false; reason: 'MISSING' | 'STALE' | 'INVALID'; message: string };

/** The running service's file in `dataDir`; a file whose process is gone is STALE (crash). */
export function readDiscovery(dataDir: string): DiscoveryRead {
  const file = discoveryPath(dataDir);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return {
      found: false,
      reason: 'MISSING',
      message: `no running service found (${file} is absent)`,
    };
  }
  const parsed = discoverySchema.safeParse(safeJson(raw));
  if (!parsed.success) return { found: false, reason: 'INVALID', message: `${file} is not valid` };
  if (!processAlive(parsed.data.pid)) {
    return {
      found: false,
      reason: 'STALE',
      message: `${file} names process ${parsed.data.pid}, which is not running`,
    };
  }
  return { found: true, info: parsed.data };
}

function readDiscoveryFile(dataDir: string): Discovery | undefined {
  try {
    const parsed = discoverySchema.safeParse(
      safeJson(fs.readFileSync(discoveryPath(dataDir), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
