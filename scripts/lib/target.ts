import type { Config } from '../../src/config/config';
import { readDiscovery, type DiscoveryRead } from '../../src/service/discovery';

/** Where an operator command finds the service and its stores, and how it learnt it. */
export type Target = {
  eventStoreUrl: string;
  mongoUrl: string;
  mongoDb: string;
  serviceUrl: string;
  /** Per address: `env` (EVENTSTORE_URL, MONGODB_URL, SERVICE_URL) or `discovery` (service.json). */
  from: { eventStore: Source; mongo: Source; service: Source };
};
type Source = 'env' | 'discovery';

/**
 * The environment wins (a deployment: EVENTSTORE_URL, MONGODB_URL, SERVICE_URL); whatever it
 * leaves out comes from DATA_DIR/service.json, written by a running `npm start`. Only the
 * addresses `need` names are required; a missing one is a clear error saying what to set.
 */
export function resolveTarget(
  config: Config,
  need: readonly ('eventStore' | 'mongo' | 'service')[],
): Target {
  const discovery = readDiscovery(config.dataDir);
  const found = discovery.found ? discovery.info : undefined;
  const missing = (what: string, variable: string) =>
    new Error(
      `${what}: set ${variable}, or start the service (npm start) with this DATA_DIR ` +
        `(${config.dataDir}): ${whyNot(discovery)}`,
    );
  const pick = (envValue: string | undefined, discovered: string | undefined) =>
    envValue
      ? { url: envValue, from: 'env' as const }
      : discovered
        ? { url: discovered, from: 'discovery' as const }
        : undefined;
  const eventStore = pick(config.eventStoreUrl, found?.eventStoreUrl);
  const mongo = pick(config.mongoUrl, found?.mongoUrl);
  const service = pick(config.serviceUrl, found?.url);
  if (need.includes('eventStore') && !eventStore)
    throw missing('no event store address', 'EVENTSTORE_URL');
  if (need.includes('mongo') && !mongo) throw missing('no MongoDB address', 'MONGODB_URL');
  if (need.includes('service') && !service) throw missing('no service address', 'SERVICE_URL');
  return {
    eventStoreUrl: eventStore?.url ?? '',
    mongoUrl: mongo?.url ?? '',
    // The database the running service uses, unless MongoDB itself was given.
    mongoDb: mongo?.from === 'discovery' ? found!.mongoDb : config.mongoDb,
    serviceUrl: service?.url ?? '',
    from: {
      eventStore: eventStore?.from ?? 'env',
      mongo: mongo?.from ?? 'env',
      service: service?.from ?? 'env',
    },
  };
}

function whyNot(discovery: DiscoveryRead): string {
  return discovery.found ? 'it does not say' : discovery.message;
}
