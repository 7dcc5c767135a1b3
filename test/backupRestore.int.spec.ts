import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectEventStore } from '../src/eventstore/esdbEventStore';
import { spawnService, type SpawnedService } from '../scripts/lib/service';
import { runCli } from './cliProcess';

const TRACKS = 8;
const embeddedDefaults = { MONGODB_URL: '', EVENTSTORE_URL: '', AUTH_JWT_SECRET: '' };

/** Posts batches of plays from `writers` concurrent clients until stopped; records acked ids. */
function loadGenerator(url: string, prefix: string, writers = 4) {
  const acked = new Set<string>();
  const posted = new Set<string>();
  let running = true;
  let failures = 0;
  const writer = async (w: number) => {
    for (let n = 0; running; n++) {
      const events = Array.from({ length: 20 }, (_, i) => ({
        id: randomUUID(),
        type: 'play',
        trackId: `${prefix}-${(w + n + i) % TRACKS}`,
        sessionId: `s-${w}`,
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        duration: 120,
        completionRate: 70,
        source: 'search',
      }));
      for (const e of events) posted.add(e.id);
      const res = await fetch(`${url}/api/stats/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sentAt: new Date().toISOString(), events }),
      }).catch(() => undefined);
      if (res?.status === 200) for (const e of events) acked.add(e.id);
      else failures++;
    }
  };
  const done = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  return {
    acked,
    posted,
    failures: () => failures,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Every play id in the tracks' streams, with repeats, through the official client. */
async function idsInLog(esdb: string, prefix: string): Promise<Map<string, string[]>> {
  const store = connectEventStore(esdb);
  const byTrack = new Map<string, string[]>();
  try {
    for (let t = 0; t < TRACKS; t++) {
      const ids: string[] = [];
      for await (const e of store.readStream(`track-${prefix}-${t}`))
        if (!e.type.startsWith('$')) ids.push(e.id);
      byTrack.set(`${prefix}-${t}`, ids);
    }
  } finally {
    await store.close();
  }
  return byTrack;
}

describe('backup while the service takes writes, restore into a fresh DATA_DIR', () => {
  const prefix = `bk-${randomUUID().slice(0, 6)}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-'));
  const backupDir = path.join(work, 'backup');
  const freshDir = path.join(work, 'fresh');
  const services: SpawnedService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('keeps every event acknowledged before the backup began, each once', async () => {
    const service = await spawnService({ name: 'backup-src', env: embeddedDefaults });
    services.push(service);
    const load = loadGenerator(service.url, prefix);
    // Enough acknowledged events to be worth checking, however busy the machine is.
    for (let waited = 0; load.acked.size < 500 && waited < 60_000; waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    const ackedBefore = new Set(load.acked);
    const backup = await runCli('scripts/backup.ts', [backupDir], { DATA_DIR: service.dataDir });
    const ackedAfterBackup = load.acked.size;
    await load.stop();
    expect(backup.stderr).toMatch(/^backup: [\d,]+ MB · 100\.0% · [\d,]+ MB\/s · ETA/m);
    expect(backup.stdout).toMatch(/^backup of \d+ events .* while the service ran; restore:/);
    expect(backup.code).toBe(0);
    expect(ackedBefore.size).toBeGreaterThanOrEqual(500);
    // Writes went on while the copy was taken.
    expect(ackedAfterBackup).toBeGreaterThan(ackedBefore.size);
    expect(load.failures()).toBe(0);
    await service.stop();

    // Refused while a service runs on the target; done once it is stopped.
    const restore = await runCli('scripts/restore.ts', [backupDir], { DATA_DIR: freshDir });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^restored \d+ events/);
    expect(restore.stdout).toContain('the next npm start projects the restored log');

    const restored = await spawnService({ dataDir: freshDir, env: embeddedDefaults });
    services.push(restored);
    const log = await idsInLog(restored.esdb, prefix);
    const all = [...log.values()].flat();
    expect(new Set(all).size).toBe(all.length); // none twice
    expect(all.every((id) => load.posted.has(id))).toBe(true); // nothing invented
    const inLog = new Set(all);
    expect([...ackedBefore].filter((id) => !inLog.has(id))).toEqual([]); // nothing lost
    expect(all.length).toBeLessThanOrEqual(load.acked.size);

    // Read models rebuilt from the restored log on start: counters equal the log.
    for (const [trackId, ids] of log) {
      const deadline = Date.now() + 30_000;
      let count = -1;
      while (count !== ids.length && Date.now() < deadline) {
        const res = await fetch(`${restored.url}/api/tracks/${trackId}`);
        count = res.ok ? ((await res.json()) as { playCount: number }).playCount : 0;
        if (count !== ids.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect({ trackId, count }).toEqual({ trackId, count: ids.length });
    }
  }, 240_000);

  it('refuses to restore over a running service and names why', async () => {
    const restored = services[1];
    if (!restored) throw new Error('needs the restored service of the test before');
    const r = await runCli('scripts/restore.ts', [backupDir], { DATA_DIR: restored.dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the service \(pid \d+\) runs on .*: stop it first/);
  }, 60_000);

  it('refuses a damaged backup', async () => {
    const chunk = fs.readdirSync(backupDir).find((f) => f.startsWith('chunk-'))!;
    fs.appendFileSync(path.join(backupDir, chunk), 'x');
    const r = await runCli('scripts/restore.ts', [backupDir], {
      DATA_DIR: path.join(work, 'other'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not match its checksum/);
  }, 60_000);
});
