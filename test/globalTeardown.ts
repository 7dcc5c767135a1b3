import { rm } from 'node:fs/promises';
import { takeTestServers } from './testServers';

const STOP_TIMEOUT_MS = 15_000;

/** Stops what test/globalSetup.ts started and deletes its temp dir. */
export default async function globalTeardown(): Promise<void> {
  const servers = takeTestServers();
  if (servers === undefined) return;
  const results = await Promise.allSettled([
    withTimeout('embedded event store', servers.eventStore?.close()),
    withTimeout('MongoDB', servers.mongo?.stop()),
  ]);
  await rm(servers.root, { recursive: true, force: true });
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((f) => f.reason),
      'test servers did not stop cleanly',
    );
  }
}

/** A hung close must not hang the run: report it instead (FerretDB also dies with our stdin). */
async function withTimeout(what: string, stopping: Promise<void> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not stop within ${STOP_TIMEOUT_MS} ms`)),
      STOP_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([stopping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
