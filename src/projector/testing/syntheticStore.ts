import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedEventStore } from '../../embedded-eventstore/server';
import { connectEventStore } from '../../eventstore/esdbEventStore';
import type { EventStore } from '../../eventstore/eventStore';
import { loadLog } from './loadLog';
import { syntheticLog, type SyntheticLogOptions } from './syntheticLog';

export type SyntheticStore = {
  /** The embedded server's connection string (for child processes). */
  connectionString: string;
  /** A client of it, for the test process. */
  store: EventStore;
  close(): Promise<void>;
};

/**
 * An embedded event store in a temp directory holding a synthetic log (the projector tests'
 * fixture), and a client of it. `close()` stops both and removes the directory.
 */
export async function syntheticStore(
  name: string,
  log: SyntheticLogOptions,
): Promise<SyntheticStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-es-`));
  const server = await startEmbeddedEventStore({ dataDir: dir, port: 0 });
  const store = connectEventStore(server.connectionString);
  await loadLog(store, syntheticLog(log), { chunkSize: 500 });
  return {
    connectionString: server.connectionString,
    store,
    async close() {
      await store.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
