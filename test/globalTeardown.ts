import { rm } from 'node:fs/promises';
import { takeTestServers } from './testServers';

/** Stops what test/globalSetup.ts started and deletes its temp dir. */
export default async function globalTeardown(): Promise<void> {
  const servers = takeTestServers();
  if (servers === undefined) return;
  const results = await Promise.allSettled([servers.eventStore?.close(), servers.mongo?.stop()]);
  await rm(servers.root, { recursive: true, force: true });
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0)
    throw new AggregateError(
      failures.map((f) => f.reason),
      'test servers did not stop cleanly',
    );
}
