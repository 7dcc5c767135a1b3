import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnService, type SpawnedService } from '../scripts/lib/service';
import { runCli } from './cliProcess';

const TRACKS = 20;
const EVENTS = 3000;

/** NDJSON history: EVENTS plays spread over TRACKS tracks (playCount per track = EVENTS / TRACKS). */
function writeHistory(file: string, prefix: string): void {
  const lines = [];
  for (let i = 0; i < EVENTS; i++) {
    lines.push(
      JSON.stringify({
        id: randomUUID(),
        type: 'play',
        trackId: `${prefix}-${i % TRACKS}`,
        sessionId: `s-${i % 97}`,
        timestamp: new Date(Date.now() - 3600_000 + i).toISOString(),
        duration: 120,
        completionRate: 80,
        source: 'search',
      }),
    );
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

const playCount = async (service: SpawnedService, trackId: string) => {
  const res = await fetch(`${service.url}/api/tracks/${trackId}`);
  return res.ok ? ((await res.json()) as { playCount: number }).playCount : 0;
};

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('operator commands against a running npm start on embedded defaults', () => {
  const prefix = `op-${randomUUID().slice(0, 6)}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'op-cmds-'));
  let service: SpawnedService;
  let env: Record<string, string>;

  beforeAll(async () => {
    // No MONGODB_URL, no EVENTSTORE_URL, no AUTH_JWT_SECRET: what `npm start` does on its own.
    service = await spawnService({
      name: 'op-cmds',
      env: { MONGODB_URL: '', EVENTSTORE_URL: '', AUTH_JWT_SECRET: '', NODE_ENV: 'development' },
    });
    env = { DATA_DIR: service.dataDir };
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('finds the service through DATA_DIR/service.json', () => {
    const info = JSON.parse(fs.readFileSync(path.join(service.dataDir, 'service.json'), 'utf8'));
    expect(info).toMatchObject({ pid: service.pid, url: service.url, eventStoreEmbedded: true });
    expect(info.mongoUrl).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+/);
    expect(fs.statSync(path.join(service.dataDir, 'service.json')).mode & 0o077).toBe(0);
  });

  it('npm run import posts a file with plain progress lines off a terminal', async () => {
    const file = path.join(work, 'history.ndjson');
    writeHistory(file, prefix);
    const r = await runCli('scripts/import.ts', [file, '--batch', '500'], env);
    expect(r.stderr).toContain(`${EVENTS} events: ${EVENTS} accepted, 0 duplicates, 0 rejected`);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('import: '));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatch(/^import: 3,000 events · 100\.0% · [\d,]+ events\/s · ETA/);
    expect(r.stderr.includes('\r') || r.stderr.includes('\x1b')).toBe(false);
    await until(async () => (await playCount(service, `${prefix}-0`)) === EVENTS / TRACKS, 20_000);
  }, 120_000);

  it('npm run projections:status shows every projection', async () => {
    const r = await runCli('scripts/projections-status.ts', [], env);
    expect(r.code).toBe(0);
    for (const name of ['trackCounters', 'trackRollups']) expect(r.stdout).toContain(name);
    // A deployment: addresses from the environment, nothing from DATA_DIR.
    const info = JSON.parse(fs.readFileSync(path.join(service.dataDir, 'service.json'), 'utf8'));
    const given = await runCli('scripts/projections-status.ts', [], {
      DATA_DIR: work,
      EVENTSTORE_URL: info.eventStoreUrl,
      MONGODB_URL: info.mongoUrl,
    });
    expect(given.code).toBe(0);
    // After the import: a checkpoint past the start of the log.
    expect(given.stdout).toMatch(/'trackCounters'\s*│\s*0\s*│\s*'[1-9]\d*'/);
  }, 60_000);

  it('npm run projections:rebuild -- all swaps in new generations with equal counts', async () => {
    const r = await runCli('scripts/projections-rebuild.ts', ['all'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trackCounters: generation 1 swapped in, \d+ events/);
    expect(r.stdout).toMatch(/trackRollups: generation 1 swapped in/);
    expect(r.stderr).toMatch(/^rebuild all: [\d,]+ events · 100\.0% · [\d,]+ events\/s · ETA/m);
    // The service follows the swap and still counts every play once.
    await new Promise((res) => setTimeout(res, 2500));
    for (let t = 0; t < TRACKS; t += 7)
      expect(await playCount(service, `${prefix}-${t}`)).toBe(EVENTS / TRACKS);
  }, 120_000);

  it('names what to set when no service runs on DATA_DIR', async () => {
    const r = await runCli('scripts/projections-status.ts', [], { DATA_DIR: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/set EVENTSTORE_URL, or start the service .*service\.json is absent/);
    const i = await runCli('scripts/import.ts', ['x.ndjson'], { DATA_DIR: work });
    expect(i.stderr).toMatch(/no service address: set SERVICE_URL/);
  }, 60_000);
});
