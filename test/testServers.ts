import type { EmbeddedEventStore } from '../src/embedded-eventstore/server';
import type { ProvisionedMongo } from '../src/mongo/provision';

/** Servers started by globalSetup; jest runs globalSetup and globalTeardown in the same process. */
export interface TestServers {
  root: string;
  mongo?: ProvisionedMongo;
  eventStore?: EmbeddedEventStore;
}

const KEY = Symbol.for('music-stats.testServers');

type WithServers = typeof globalThis & { [KEY]?: TestServers };

export function setTestServers(servers: TestServers): void {
  (globalThis as WithServers)[KEY] = servers;
}

export function takeTestServers(): TestServers | undefined {
  const servers = (globalThis as WithServers)[KEY];
  delete (globalThis as WithServers)[KEY];
  return servers;
}
