/**
 * A seeded data set for the dashboard's browser tests, benchmark and screenshots: a catalog of
 * two artists and a year of listening history, imported through the service's own API
 * (`PUT /api/tracks/:id`, `POST /api/admin/import`), like an operator moving history over.
 */
import { randomUUID } from 'node:crypto';
import type { IngestionEventInput } from '../../src/events/ingestion';
import { mulberry32 } from '../../src/projector/testing/syntheticLog';

export type SeedTrack = {
  trackId: string;
  artistId: string;
  title: string;
  durationSeconds: number;
};

export type SeedOptions = {
  /** Days of history before `now`. */
  days: number;
  /** Plays on an average day for the artist's whole catalog (grows through the year). */
  playsPerDay: number;
  now: number;
  seed: number;
  /**
   * No event at a time of day within this band (minutes before and after now's time of day):
   * ranges that end "now" (24h … 1y) then never start within an event while a test runs, so
   * the page and the test's own request count the same events however many seconds apart
   * they ask.
   */
  quietBand?: { beforeMin: number; afterMin: number };
};

const SOURCES = ['landing', 'playlist', 'search', 'direct', 'share', 'player'] as const;
const SOURCE_WEIGHTS = [2, 6, 4, 5, 2, 3];
const PLATFORMS = ['twitter', 'facebook', 'instagram', 'whatsapp', 'copy_link', 'embed'] as const;
const PLATFORM_WEIGHTS = [3, 1, 4, 3, 2, 1];
const PLAYLISTS = ['chill-evenings', 'indie-discoveries', 'morning-run', 'focus-flow', 'road-trip'];
const DAY = 86_400_000;

function pick<T>(rnd: () => number, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((s, w) => s + w, 0);
  let x = rnd() * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i]!;
    if (x < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** One artist's history: plays (some skips), likes, saves to playlists, shares, downloads. */
export function seedHistory(
  tracks: readonly SeedTrack[],
  opts: SeedOptions,
): IngestionEventInput[] {
  // A deterministic generator, so every run seeds the same shape of data.
  const rnd = mulberry32(opts.seed);
  const events: IngestionEventInput[] = [];
  const weights = tracks.map((_, i) => 1 / (i + 1));
  const listeners = Math.max(20, opts.playsPerDay * 6);
  const nowOfDay = opts.now % DAY;
  const quiet = (t: number) => {
    if (!opts.quietBand) return false;
    const d = (((t % DAY) - nowOfDay + DAY) % DAY) / 60_000; // minutes after now's time of day
    return d <= opts.quietBand.afterMin || d >= 1440 - opts.quietBand.beforeMin;
  };
  for (let day = opts.days; day >= 1; day--) {
    const trend = 0.5 + 0.5 * ((opts.days - day) / opts.days); // the artist is growing
    const weekend = new Date(opts.now - day * DAY).getUTCDay() % 6 === 0 ? 1.3 : 1;
    const plays = Math.round(opts.playsPerDay * trend * weekend * (0.7 + 0.6 * rnd()));
    for (let i = 0; i < plays; i++) {
      let at = opts.now - day * DAY + Math.floor(rnd() * DAY);
      if (quiet(at)) at -= (opts.quietBand!.beforeMin + opts.quietBand!.afterMin + 5) * 60_000;
      const track = pick(rnd, tracks, weights);
      const listener = `listener-${Math.floor(rnd() ** 1.5 * listeners)}`;
      const common = {
        trackId: track.trackId,
        sessionId: `${listener}-s${day}`,
        anonymousId: listener,
        timestamp: new Date(at).toISOString(),
      };
      const skipped = rnd() < 0.12;
      const duration = skipped
        ? 5 + Math.floor(rnd() * 12)
        : Math.round(track.durationSeconds * (0.45 + 0.55 * rnd()));
      const source = pick(rnd, SOURCES, SOURCE_WEIGHTS);
      events.push({
        ...common,
        id: randomUUID(),
        type: 'play',
        source,
        ...(source === 'playlist'
          ? { playlistId: PLAYLISTS[Math.floor(rnd() * PLAYLISTS.length)]! }
          : {}),
        duration,
        replayed: rnd() < 0.1,
      });
      const later = (s: number) => ({
        ...common,
        timestamp: new Date(at + s * 1000).toISOString(),
      });
      if (rnd() < 0.09)
        events.push({
          ...later(duration),
          id: randomUUID(),
          type: 'like',
          action: rnd() < 0.08 ? 'unlike' : 'like',
        });
      if (rnd() < 0.05) {
        const playlistId = PLAYLISTS[Math.floor(rnd() ** 2 * PLAYLISTS.length)]!;
        events.push({
          ...later(duration + 1),
          id: randomUUID(),
          type: 'save',
          action: rnd() < 0.1 ? 'unsave' : 'save',
          playlistId,
        });
      }
      if (rnd() < 0.03)
        events.push({
          ...later(duration + 2),
          id: randomUUID(),
          type: 'share',
          platform: pick(rnd, PLATFORMS, PLATFORM_WEIGHTS),
        });
      if (rnd() < 0.02) events.push({ ...later(duration + 3), id: randomUUID(), type: 'download' });
    }
  }
  // Follow-up events (like after the play) must not land in the future either.
  return events.filter((e) => Date.parse(e.timestamp) < opts.now - 60_000);
}

async function call(
  url: string,
  token: string,
  method: string,
  body: unknown,
  contentType = 'application/json',
) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Registers the tracks and imports the events (10,000 per request) into a running service. */
export async function seedService(
  baseUrl: string,
  adminToken: string,
  tracks: readonly SeedTrack[],
  events: readonly IngestionEventInput[],
) {
  for (const t of tracks) {
    await call(`${baseUrl}/api/tracks/${t.trackId}`, adminToken, 'PUT', {
      artistId: t.artistId,
      title: t.title,
      durationSeconds: t.durationSeconds,
    });
  }
  for (let i = 0; i < events.length; i += 10_000) {
    const ndjson = events
      .slice(i, i + 10_000)
      .map((e) => JSON.stringify(e))
      .join('\n');
    const reply = await call(
      `${baseUrl}/api/admin/import`,
      adminToken,
      'POST',
      ndjson,
      'application/x-ndjson',
    );
    if ((reply.rejected as unknown[]).length > 0) {
      throw new Error(
        `import rejected events: ${JSON.stringify((reply.rejected as unknown[]).slice(0, 3))}`,
      );
    }
  }
}

/** The catalog the tests, benchmark and screenshots use: artist A with six tracks, B with two. */
export function demoCatalog(tag: string): { a: SeedTrack[]; b: SeedTrack[] } {
  const t = (artistId: string, n: number, title: string, durationSeconds: number): SeedTrack => ({
    trackId: `${tag}-${artistId}-t${n}`,
    artistId: `${tag}-${artistId}`,
    title,
    durationSeconds,
  });
  return {
    a: [
      t('a', 1, 'Midnight Tram', 214),
      t('a', 2, 'Paper Lanterns', 187),
      t('a', 3, 'Coastline (Live)', 263),
      t('a', 4, 'Static Bloom', 198),
      t('a', 5, 'Northern Lights', 241),
      t('a', 6, 'Small Hours', 176),
    ],
    b: [t('b', 1, 'Other Artist Song', 200), t('b', 2, 'Another B Side', 222)],
  };
}
