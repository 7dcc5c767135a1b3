/**
 * Several instances on shared stores, as separate processes: one embedded event store
 * (`npm run eventstore`), one MongoDB-compatible server (`npm run mongo`), API and projector
 * instances (`npm start` with SERVICE_ROLES). Used by test/multiInstance.int.spec.ts and
 * scripts/soak-instances.ts.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { allProjections } from '../../projections/all';
import {
  spawnEventStore,
  type ChildEventStore,
} from '../../src/embedded-eventstore/testing/childProcess';
import { spawnMongo, type ChildMongo } from '../../src/mongo/testing/mongoChild';
import { leasesCollection } from '../../src/projector/lease';
import { spawnService, type SpawnedService } from './service';

export const JWT_SECRET = 'instances-secret-0123456789abcdef';

export type InstancesOptions = {
  apis: number;
  projectors: number;
  leaseTtlMs: number;
  pollMs: number;
  /** SERVICE_ROLES of the projector-capable instances (default `projector`). */
  projectorRoles?: string;
  /** Environment of every instance, over the shared defaults below. */
  env?: Record<string, string>;
  /** Sees each line of every instance's output (see `spawnService`). */
  onOutput?: (line: string) => void;
};

export type Instances = Awaited<ReturnType<typeof startInstances>>;

export async function startInstances(options: InstancesOptions) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'instances-'));
  let es: ChildEventStore | undefined;
  let mongo: ChildMongo | undefined;
  const services: SpawnedService[] = [];
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
    await mongo?.stop();
    await es?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    es = await spawnEventStore(path.join(root, 'eventstore'));
    mongo = await spawnMongo(path.join(root, 'mongo'));
    const mongoDb = `inst_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const shared = {
      EVENTSTORE_URL: es.connectionString,
      MONGODB_URL: mongo.url,
      MONGODB_DB: mongoDb,
      AUTH_JWT_SECRET: JWT_SECRET,
      PROJECTOR_LEASE_TTL_MS: String(options.leaseTtlMs),
      PROJECTOR_POLL_MS: String(options.pollMs),
      // Answers straight from the read models, so that the final comparison sees their state.
      QUERY_FRESH_MS: '0',
      // FerretDB's pool is shared by every process writing one database (README, update budget).
      MONGODB_UPDATE_BUDGET: '30',
      CATALOG_CACHE_TTL_SECONDS: '0',
      ...options.env,
    };
    const spawnRole = async (role: string, env: Record<string, string> = {}) => {
      const s = await spawnService({
        name: `inst-${role}`,
        env: { ...shared, SERVICE_ROLES: role, ...env },
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      });
      services.push(s);
      return s;
    };
    const apis = await Promise.all(Array.from({ length: options.apis }, () => spawnRole('api')));
    const client = await MongoClient.connect(mongo.url);
    const db = client.db(mongoDb);
    const projectors: SpawnedService[] = [];
    const spawnProjector = async () => {
      const p = await spawnRole(options.projectorRoles ?? 'projector');
      projectors.push(p);
      return p;
    };
    // The first one takes every lease; the others stand by.
    await spawnProjector();
    await until(async () => (await leaseHolders(db)).size === allProjections.length, 30_000);
    for (let i = 1; i < options.projectors; i++) await spawnProjector();
    return {
      root,
      es,
      mongo,
      db,
      mongoDb,
      env: shared,
      apis,
      projectors,
      spawnProjector,
      spawnRole,
      leaseHolders: () => leaseHolders(db),
      async stop() {
        await client.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Live projector leases: projection checkpoint id → pid of the instance holding it. */
export async function leaseHolders(
  db: ReturnType<MongoClient['db']>,
): Promise<Map<string, number>> {
  const docs = await db
    .collection<{ _id: string; owner: string; expiresAt: Date }>(leasesCollection)
    .find({ _id: { $regex: '^projector:' }, expiresAt: { $gt: new Date() } })
    .toArray();
  return new Map(docs.map((d) => [d._id, Number(d.owner.split(':').at(-2))]));
}

/**
 * kill -9 of the projector holding the leases; resolves with the milliseconds until another
 * instance holds all of them (the takeover time).
 */
export async function killLeaseHolder(instances: Instances, timeoutMs: number) {
  const holders = await instances.leaseHolders();
  const pid = [...holders.values()][0]!;
  const victim = instances.projectors.find((p) => p.pid === pid);
  if (!victim) throw new Error(`lease holder ${pid} is not one of the projector instances`);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  await victim.stop(); // reaps it (and anything it left)
  instances.projectors.splice(instances.projectors.indexOf(victim), 1);
  await until(async () => {
    const now = await instances.leaseHolders();
    return now.size === holders.size && [...now.values()].every((p) => p !== pid);
  }, timeoutMs);
  const next = [...(await instances.leaseHolders()).values()][0]!;
  return { killedPid: pid, takeoverMs: Date.now() - killedAt, newHolder: next };
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
