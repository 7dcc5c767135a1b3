/**
 * The real service (client/test/serviceProcess.ts: `tsx src/main.ts` on embedded defaults, own
 * ports and data directory) with the demo data set imported, and tokens for its users.
 */
import { signToken } from '../../src/auth/token';
import { startService, type RunningService } from '../../client/test/serviceProcess';
import { demoCatalog, seedHistory, seedService, type SeedTrack } from './seed';

const SECRET = 'dashboard-e2e-secret-0123456789';

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
    const quietBand = { beforeMin: 2, afterMin: 30 };
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
