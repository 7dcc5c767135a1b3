import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.eventStoreUrl).toBeUndefined();
    expect(c.trustProxy).toBe(false);
    expect(c.corsOrigins).toBe('*');
  });
  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ MONGODB_URL: 'http://x' })).toThrow(/MONGODB_URL/);
  });
  it('takes MONGODB_UPDATE_BUDGET as an integer of at least 2, unset by default', () => {
    expect(loadConfig({}).mongoUpdateBudget).toBeUndefined();
    expect(loadConfig({ MONGODB_UPDATE_BUDGET: '96' }).mongoUpdateBudget).toBe(96);
    expect(() => loadConfig({ MONGODB_UPDATE_BUDGET: '1' })).toThrow(
      /MONGODB_UPDATE_BUDGET: must be at least 2 \(one command with one update\)/,
    );
    expect(() => loadConfig({ MONGODB_UPDATE_BUDGET: '4.5' })).toThrow(
      /MONGODB_UPDATE_BUDGET: must be an integer/,
    );
    expect(() => loadConfig({ MONGODB_UPDATE_BUDGET: 'lots' })).toThrow(/MONGODB_UPDATE_BUDGET/);
  });
  it('parses lists and switches', () => {
    const c = loadConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: 'on',
    });
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.trustProxy).toBe(true);
  });
});

describe('SERVICE_ROLES', () => {
  it('defaults to every role', () => {
    expect([...loadConfig({}).roles]).toEqual(['api', 'projector', 'jobs']);
  });
  it('takes a comma-separated subset, spaces and case aside', () => {
    expect([...loadConfig({ SERVICE_ROLES: ' Projector , jobs' }).roles]).toEqual([
      'projector',
      'jobs',
    ]);
  });
  it('names the variable and the allowed roles when one is unknown', () => {
    expect(() => loadConfig({ SERVICE_ROLES: 'api,worker' })).toThrow(
      /SERVICE_ROLES.*one of api, projector, jobs/s,
    );
  });
  it('rejects an empty entry and a role given twice', () => {
    expect(() => loadConfig({ SERVICE_ROLES: 'api,' })).toThrow(/SERVICE_ROLES/);
    expect(() => loadConfig({ SERVICE_ROLES: 'api,api' })).toThrow(
      /SERVICE_ROLES: a role is listed twice/,
    );
  });
});

describe('projector leases', () => {
  it('renews a lease at least twice within its lifetime', () => {
    expect(loadConfig({ PROJECTOR_LEASE_TTL_MS: '4000', PROJECTOR_POLL_MS: '1000' })).toMatchObject(
      { projectorLeaseTtlMs: 4000, projectorPollMs: 1000 },
    );
    expect(() => loadConfig({ PROJECTOR_LEASE_TTL_MS: '3000', PROJECTOR_POLL_MS: '2000' })).toThrow(
      /PROJECTOR_POLL_MS: must be at most half of PROJECTOR_LEASE_TTL_MS/,
    );
  });
});

describe('EVENTSTORE_URL', () => {
  it('accepts single-node, cluster and discover connection strings', () => {
    for (const url of [
      'esdb://127.0.0.1:2113?tls=false',
      'esdb://esdb1:2113,esdb2:2113,esdb3:2113?tls=false&nodePreference=leader',
      'esdb+discover://admin:changeit@cluster.example.com:2113',
      'esdb://localhost',
    ])
      expect(loadConfig({ EVENTSTORE_URL: url }).eventStoreUrl).toBe(url);
  });
  it('names the variable for anything else', () => {
    for (const url of ['http://x:2113', 'esdb://', 'esdb://a:2113,,b:2113', 'esdb://a b'])
      expect(() => loadConfig({ EVENTSTORE_URL: url })).toThrow(
        /EVENTSTORE_URL: must be an EventStoreDB/,
      );
  });
});
