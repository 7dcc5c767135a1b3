/**
 * The real service (client/test/serviceProcess.ts: `npm start` on embedded defaults, own
 * ports and data directory) with the demo data set imported, and tokens for its users.
 */
import { signToken } from '../../src/auth/token';
import { startService, type RunningService } from '../../client/test/serviceProcess';
import { demoCatalog, seedHistory, seedService, type SeedTrack } from './seed';

const SECRET = 'dashboard-e2e-secret-0123456789';
const SKIP_THRESHOLD_SECONDS = 20; // the service's default

/**
 * Waits until the read side counts every imported play (the projectors catch up on the
 * import in the background), so each test sees the whole data set.
 */
async function caughtUp(url: string, token: string, plays: number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/dashboard/stats?timeRange=all`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.ok)
      seen = ((await res.json()) as { overview: { totalPlays: number } }).overview.totalPlays;
    if (seen === plays) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `the service counts ${seen} of the ${plays} imported plays after ${timeoutMs} ms`,
  );
}

export type SeededService = {
  service: RunningService;
  url: string;
  catalog: { a: SeedTrack[]; b: SeedTrack[] };
  artistA: string;
  artistB: string;
  events: number;
  token(
    claims: { role: 'admin' | 'artist' | 'listener'; artistId?: string },
    expires?: string,
  ): string;
};

export async function startSeededService(
  opts: { days?: number; playsPerDay?: number } = {},
): Promise<SeededService> {
  const service = await startService({ AUTH_JWT_SECRET: SECRET });
  try {
    const token: SeededService['token'] = (claims, expires = '1h') =>
      signToken(SECRET, { sub: `${claims.role}-e2e`, ...claims }, expires);
    const catalog = demoCatalog(`d${Date.now().toString(36)}`);
    const now = Date.now();
    // Named ranges start on the hour before `now - length` (SPEC "Time zones"): keep events
    // out of that hour and of the next one, which a run crossing the hour starts in.
    const quietBand = { beforeMin: Math.ceil((now % 3_600_000) / 60_000) + 2, afterMin: 75 };
    const history = [
      ...seedHistory(catalog.a, {
        days: opts.days ?? 400,
        playsPerDay: opts.playsPerDay ?? 40,
        now,
        seed: 7,
        quietBand,
      }),
      ...seedHistory(catalog.b, { days: 60, playsPerDay: 6, now, seed: 11, quietBand }),
    ];
    await seedService(service.url, token({ role: 'admin' }), [...catalog.a, ...catalog.b], history);
    for (const tracks of [catalog.a, catalog.b]) {
      const artistId = tracks[0]!.artistId;
      const ids = new Set(tracks.map((t) => t.trackId));
      const plays = history.filter(
        (e) => e.type === 'play' && ids.has(e.trackId) && e.duration >= SKIP_THRESHOLD_SECONDS,
      ).length;
      await caughtUp(service.url, token({ role: 'artist', artistId }), plays);
    }
    return {
      service,
      url: service.url,
      catalog,
      artistA: catalog.a[0]!.artistId,
      artistB: catalog.b[0]!.artistId,
      events: history.length,
      token,
    };
  } catch (err) {
    await service.stop();
    throw err;
  }
}
