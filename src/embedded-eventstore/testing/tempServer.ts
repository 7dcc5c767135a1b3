import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { startEmbeddedEventStore } from '../server';
import type { EmbeddedEventStoreOptions, EmbeddedEventStoreWithStats } from '../server';

export interface TempServer {
  dir: string;
  server: EmbeddedEventStoreWithStats;
  client: EventStoreDBClient;
  /** Stops server and client, keeping the data directory. */
  stop(): Promise<void>;
  /** Stops and deletes the data directory. */
  dispose(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-es-'));
}

/** A server on a random port over `dir` (a fresh temp dir by default) plus a client for it. */
export async function startTempServer(
  dir = tempDir(),
  opts: Partial<EmbeddedEventStoreOptions> = {},
): Promise<TempServer> {
  const server = await startEmbeddedEventStore({ dataDir: dir, port: 0, ...opts });
  const client = EventStoreDBClient.connectionString(server.connectionString);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await client.dispose();
    await server.close();
  };
  return {
    dir,
    server,
    client,
    stop,
    async dispose() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
