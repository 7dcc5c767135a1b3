import fc from 'fast-check';
import { listenerEventTypes, type TrackEvent } from '../../src/events/stored';

// Around a year, a month and an ISO week boundary (2026-01-01 is a Thursday: week 2026-W01).
const from = Date.parse('2025-12-27T00:00:00.000Z');
const span = 40 * 86_400_000;

const eventArb = fc.record({
  type: fc.constantFrom(...listenerEventTypes, 'TrackRegistered' as const),
  track: fc.integer({ min: 1, max: 3 }),
  listener: fc.integer({ min: 1, max: 25 }),
  at: fc.integer({ min: 0, max: span - 1 }),
  source: fc.constantFrom('landing', 'playlist', 'search', 'direct', 'share', 'player'),
  platform: fc.constantFrom('twitter', 'facebook', 'copy_link'),
  playlist: fc.constantFrom('pl-1', 'pl.2', '$pl%3'),
  duration: fc.integer({ min: 0, max: 400 }),
  completion: fc.integer({ min: 0, max: 100 }),
  replayed: fc.boolean(),
});

/** A log of stored events with increasing positions: a random mix over 3 tracks. */
export const logArb = (maxLength = 80, minLength = 0): fc.Arbitrary<TrackEvent[]> =>
  fc.array(eventArb, { maxLength, minLength }).map((raw) =>
    raw.map((r, i) => {
      const trackId = `t${r.track}`;
      const occurredAt = new Date(from + r.at).toISOString();
      const position = BigInt(1000 + i * 7);
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      if (r.type === 'TrackRegistered') {
        return {
          type: r.type,
          id,
          revision: 0n,
          position,
          data: { trackId, artistId: `a${r.track}`, title: 'Song', occurredAt },
        } as TrackEvent;
      }
      const listener = {
        trackId,
        listenerId: `l${r.listener}`,
        sessionId: `s${r.listener}`,
        occurredAt,
        receivedAt: occurredAt,
      };
      const extra =
        r.type === 'TrackPlayed' || r.type === 'TrackSkipped'
          ? {
              source: r.source,
              durationSeconds: r.duration,
              completionRate: r.completion,
              replayed: r.replayed,
            }
          : r.type === 'TrackSaved' || r.type === 'TrackUnsaved'
            ? { playlistId: r.playlist }
            : r.type === 'TrackShared'
              ? { platform: r.platform }
              : {};
      return {
        type: r.type,
        id,
        revision: 0n,
        position,
        data: { ...listener, ...extra },
      } as TrackEvent;
    }),
  );

/** Cut points that split a log into consecutive batches (sorted, unique, inside the log). */
export const cutsArb = (length: number): fc.Arbitrary<number[]> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 6 })
    .map((cuts) => cuts.filter((c) => c < length).sort((a, b) => a - b));

export function splitAt<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const c of [...cuts, items.length]) {
    if (c > at) out.push(items.slice(at, c));
    at = c;
  }
  return out;
}
