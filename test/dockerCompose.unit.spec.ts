import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariables, loadConfig } from '../src/config/config';
import { connectEventStore } from '../src/eventstore/esdbEventStore';

type Service = {
  image?: string;
  build?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  command?: string[];
  configs?: { source: string }[];
};
type Compose = {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
};

const compose = parse(fs.readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as Compose;
const services = compose.services;

/** Compose interpolation as `docker compose` does it: defaults, or a value for required ones. */
const interpolate = (v: string) =>
  v
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_m, _name, def: string) => def)
    .replace(/\$\{(\w+):\?[^}]*\}/g, 'a-secret-of-at-least-16-chars');

const ofProfile = (profile: string | undefined) =>
  Object.entries(services).filter(([, s]) =>
    profile ? s.profiles?.includes(profile) : !s.profiles,
  );
const appServices = Object.entries(services).filter(([, s]) => s.build === '.');
const appEnv = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
  );

describe('docker-compose.yml', () => {
  it('keeps the single-node stack as the default', () => {
    expect(ofProfile(undefined).map(([n]) => n)).toEqual(['eventstore', 'mongo', 'app']);
    expect(services.eventstore!.environment!.EVENTSTORE_CLUSTER_SIZE).toBe('1');
  });

  it('has a cluster profile: 3 EventStoreDB nodes, 3 MongoDB members, 2 APIs, 2 projectors, a load balancer', () => {
    expect(ofProfile('cluster').map(([n]) => n)).toEqual([
      'esdb1',
      'esdb2',
      'esdb3',
      'mongo1',
      'mongo2',
      'mongo3',
      'api1',
      'api2',
      'projector1',
      'projector2',
      'lb',
    ]);
  });

  it('uses official images only (the app is built from this repository)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect([name, s.image]).toEqual([
        name,
        expect.stringMatching(/^(eventstore\/eventstore|mongo|nginx):[\w.-]+$/),
      ]);
    }
  });

  it('gives every service a health check', () => {
    for (const [name, s] of Object.entries(services))
      expect([name, (s.healthcheck?.test?.length ?? 0) > 0]).toEqual([name, true]);
  });

  it('configures the app only with variables the service accepts, and valid values', () => {
    for (const [name] of appServices) {
      const env = appEnv(name);
      expect([name, Object.keys(env).filter((k) => !configVariables.includes(k))]).toEqual([
        name,
        [],
      ]);
      expect(() => loadConfig(env)).not.toThrow();
    }
  });

  it('runs the cluster roles as documented', () => {
    const roles = (n: string) => [
      ...loadConfig({ SERVICE_ROLES: services[n]!.environment!.SERVICE_ROLES }).roles,
    ];
    expect(roles('api1')).toEqual(['api']);
    expect(roles('api2')).toEqual(['api']);
    expect(roles('projector1')).toEqual(['projector', 'jobs']);
    expect(roles('projector2')).toEqual(['projector', 'jobs']);
    expect(roles('app')).toEqual(['api', 'projector', 'jobs']);
  });

  it('names every node in the connection strings, prefers the leader, waits for healthy stores', async () => {
    for (const n of ['api1', 'api2', 'projector1', 'projector2']) {
      const env = services[n]!.environment!;
      const es = new URL(env.EVENTSTORE_URL!.replace(/^esdb:\/\/[^?]*/, 'http://x/'));
      expect(env.EVENTSTORE_URL).toMatch(/^esdb:\/\/esdb1:2113,esdb2:2113,esdb3:2113\?/);
      expect(es.searchParams.get('nodePreference')).toBe('leader');
      // The official client parses it (it connects lazily, on first use).
      await connectEventStore(env.EVENTSTORE_URL!).close();
      expect(env.MONGODB_URL).toMatch(/^mongodb:\/\/mongo1:27017,mongo2:27017,mongo3:27017\/\?/);
      expect(env.MONGODB_URL).toContain('replicaSet=rs0');
      expect(Object.keys(services[n]!.depends_on as object).sort()).toEqual([
        'esdb1',
        'esdb2',
        'esdb3',
        'mongo1',
      ]);
    }
  });

  it('forms the clusters: gossip seeds name the other nodes, the replica set all members', () => {
    const nodes = ['esdb1', 'esdb2', 'esdb3'];
    for (const n of nodes) {
      const env = services[n]!.environment!;
      expect(env.EVENTSTORE_CLUSTER_SIZE).toBe('3');
      expect(env.EVENTSTORE_NODE_HOST_ADVERTISE_AS).toBe(n);
      expect(env.EVENTSTORE_GOSSIP_SEED!.split(',').sort()).toEqual(
        nodes.filter((o) => o !== n).map((o) => `${o}:2113`),
      );
    }
    const initiate = services.mongo1!.healthcheck!.test.join(' ');
    for (const m of ['mongo1', 'mongo2', 'mongo3']) {
      expect(initiate).toContain(`host: '${m}:27017'`);
      expect(services[m]!.command).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
    }
  });

  it('balances over both APIs by client address, which the APIs trust as one proxy hop', () => {
    const conf = compose.configs[services.lb!.configs![0]!.source]!.content;
    expect(conf).toMatch(/hash \$\$remote_addr consistent;/);
    expect(conf).toContain('server api1:3000');
    expect(conf).toContain('server api2:3000');
    expect(conf).toContain('proxy_set_header X-Forwarded-For $$remote_addr;');
    for (const n of ['api1', 'api2']) {
      const c = loadConfig(appEnv(n));
      expect([c.trustProxy, c.trustProxyHops]).toEqual([true, 1]);
    }
  });
});
