import fc from 'fast-check';
import type { TrackEvent } from '../src/events/stored';
import { cellAt, type Level } from './lib/cells';
import { mergeCells } from './lib/rollupCells';
import { decodeKey, uniqueListeners, type RollupStats } from './lib/rollupStats';
import { cutsArb, logArb, splitAt } from './testing/arbitraries';
import { trackEvent } from './testing/events';
import { isInsert } from './types';
import { applyOps, projectionSpec, type Docs } from './testing/inMemoryReadModel';
import { bucketOf, oracle, type BucketRef } from './testing/rollupOracle';
import {
  bindingsCollection,
  loadBindings,
  trackRollups,
  type BindingDoc,
  type Bindings,
  type RollupDelta,
} from './trackRollups';

const spec = projectionSpec(trackRollups);

/** A track's cell of `level` at `t`: its cells in every container and delta, merged. */
function cell(docs: Docs, trackId: string, level: Level, t: Date): RollupStats {
  const { partition, key } = cellAt(level, t.getTime());
  const deltas = Object.values(docs[`track_rollups.${partition}.d`] ?? {}) as RollupDelta[];
  const merged = mergeCells(deltas.map((d) => d.cells));
  return merged.get(trackId)?.[key] ?? {};
}

const at = (iso: string) => new Date(iso);

describe('trackRollups', () => {
  it('rolls plays up by hour, day, month and year, UTC', () => {
    spec
      .given([
        trackEvent('TrackPlayed', {
          trackId: 't1',
          listenerId: 'u1',
          occurredAt: '2026-01-31T23:30:00.000Z',
          durationSeconds: 100,
        }),
      ])
      .when([
        trackEvent('TrackPlayed', {
          trackId: 't1',
          listenerId: 'u2',
          occurredAt: '2026-02-01T00:10:00.000+00:00',
          durationSeconds: 50,
          replayed: true,
          source: 'playlist',
        }),
        trackEvent('TrackSkipped', { trackId: 't1', occurredAt: '2026-02-01T00:20:00.000Z' }),
      ])
      .then((docs) => {
        expect(cell(docs, 't1', 'h', at('2026-01-31T23:00:00Z'))).toMatchObject({
          plays: 1,
          durationSum: 100,
        });
        expect(cell(docs, 't1', 'd', at('2026-02-01T00:00:00Z'))).toMatchObject({
          plays: 1,
          skips: 1,
          replays: 1,
          sources: { playlist: 1 },
        });
        expect(cell(docs, 't1', 'm', at('2026-01-01T00:00:00Z')).plays).toBe(1);
        const year = cell(docs, 't1', 'y', at('2026-01-01T00:00:00Z'));
        expect(year).toMatchObject({ plays: 2, skips: 1, durationSum: 150 });
        expect(uniqueListeners(year)).toBe(2);
      });
  });

  it('gives a batch within one hour one statistics object for its hour, day, month and year', () => {
    const ops = trackRollups.project(
      ['00:05', '00:20', '00:50'].map((mmss) =>
        trackEvent('TrackPlayed', { trackId: 't1', occurredAt: `2026-03-04T05:${mmss}.000Z` }),
      ),
      new Map(),
    );
    const stats = ops
      .filter((op) => op.collection.endsWith('.d'))
      .filter(isInsert)
      .map((op) => (op.insert as RollupDelta).cells.get('t1') ?? {})
      .flatMap((byKey) => Object.values(byKey));
    expect(stats).toHaveLength(4);
    expect(new Set(stats).size).toBe(1);
    expect(stats[0]).toMatchObject({ plays: 3 });
  });

  it('counts every kind of fact and keeps breakdowns by source, platform and playlist', () => {
    spec
      .given()
      .when([
        trackEvent('TrackLiked', { trackId: 't1' }),
        trackEvent('TrackUnliked', { trackId: 't1' }),
        trackEvent('TrackSaved', { trackId: 't1', playlistId: 'my.list' }),
        trackEvent('TrackUnsaved', { trackId: 't1', playlistId: 'my.list' }),
        trackEvent('TrackShared', { trackId: 't1', platform: 'whatsapp' }),
        trackEvent('TrackDownloaded', { trackId: 't1' }),
        trackEvent('TrackRegistered', { trackId: 't1' }),
      ])
      .then((docs) => {
        expect(cell(docs, 't1', 'm', at('2026-01-01T00:00:00Z'))).toEqual({
          likes: 1,
          unlikes: 1,
          saves: 1,
          unsaves: 1,
          shares: 1,
          downloads: 1,
          platforms: { whatsapp: 1 },
          playlists: { 'my%2Elist': 1 },
          playlistUnsaves: { 'my%2Elist': 1 },
        });
        expect(decodeKey('my%2Elist')).toBe('my.list');
      });
  });

  it('counts unique listeners over a range by merging cells, not summing them', () => {
    spec
      .given([
        trackEvent('TrackPlayed', {
          trackId: 't1',
          listenerId: 'u1',
          occurredAt: '2026-01-05T10:00:00Z',
        }),
        trackEvent('TrackPlayed', {
          trackId: 't1',
          listenerId: 'u2',
          occurredAt: '2026-01-05T10:00:00Z',
        }),
      ])
      .when([
        trackEvent('TrackPlayed', {
          trackId: 't1',
          listenerId: 'u1',
          occurredAt: '2026-01-06T10:00:00Z',
        }),
      ])
      .then((docs) => {
        const day5 = cell(docs, 't1', 'd', at('2026-01-05T00:00:00Z'));
        const day6 = cell(docs, 't1', 'd', at('2026-01-06T00:00:00Z'));
        expect(uniqueListeners(day5) + uniqueListeners(day6)).toBe(3);
        expect(uniqueListeners(cell(docs, 't1', 'm', at('2026-01-01T00:00:00Z')))).toBe(2);
      });
  });

  it('writes only inserts whose ids come from log positions (a replayed batch is skipped)', () => {
    const batch = [
      trackEvent('TrackPlayed', { trackId: 't1' }),
      trackEvent('TrackLiked', { trackId: 't2' }),
    ];
    const ops = trackRollups.project(batch, new Map());
    const pos = batch[1]!.position;
    expect(ops.every((op) => op.insert !== undefined)).toBe(true);
    expect(ops.map((op) => `${op.collection} ${op.id}`).sort()).toEqual(
      [
        `track_rollups.h2026-01.d ~|${pos}`,
        `track_rollups.d2026-01.d ~|${pos}`,
        `track_rollups.m2026.d ~|${pos}`,
        `track_rollups.y.d ~|${pos}`,
        `track_rollup_bindings t1|${pos}`,
        `track_rollup_bindings t2|${pos}`,
      ].sort(),
    );
    expect(spec.run([batch, batch])).toEqual(spec.run([batch]));
  });

  it('groups cells by the artist known when projected, and the bindings say where each track is', () => {
    const early = trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-05T10:00:00Z' });
    const register = trackEvent('TrackRegistered', { trackId: 't1', artistId: 'a1', title: 'One' });
    const late = trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-05T11:00:00Z' });
    const moved = trackEvent('TrackUpdated', { trackId: 't1', artistId: 'a2', title: 'One' });
    const later = trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-04T09:00:00Z' });
    const docs = spec.run([[early], [register, late], [moved, later]]);
    const containers = Object.values(docs['track_rollups.d2026-01.d']!).map(
      (d) => (d as RollupDelta).container,
    );
    expect(containers.sort()).toEqual(['a1', 'a2', '~']);
    const bindings = loadBindings(
      Object.values(docs[bindingsCollection]!) as BindingDoc[],
      Number.MAX_SAFE_INTEGER,
    );
    expect(bindings.get('t1')).toEqual({
      trackId: 't1',
      artistId: 'a2',
      title: 'One',
      containers: ['~', 'a1', 'a2'],
      firstAt: Date.parse('2026-01-04T09:00:00Z'),
    });
    // As of the second batch's checkpoint, the third batch's binding is not there yet.
    const asOf = loadBindings(
      Object.values(docs[bindingsCollection]!) as BindingDoc[],
      Number(late.position),
    );
    expect(asOf.get('t1')?.containers).toEqual(['~', 'a1']);
    expect(cell(docs, 't1', 'd', at('2026-01-05T00:00:00Z')).plays).toBe(2);
  });

  describe('properties', () => {
    const levels: Record<'h' | 'd' | 'm' | 'y', Level> = { h: 'h', d: 'd', m: 'm', y: 'y' };
    const refsOf = (events: readonly TrackEvent[]): BucketRef[] => {
      const refs = new Map<string, BucketRef>();
      for (const e of events) {
        for (const g of ['h', 'd', 'm', 'y'] as const) {
          const ref = {
            trackId: e.data.trackId,
            granularity: g,
            key: bucketOf(g, e.data.occurredAt),
          };
          refs.set(`${ref.trackId}|${g}|${ref.key}`, ref);
        }
      }
      return [...refs.values()];
    };
    const startOfRef = (ref: BucketRef): Date => {
      switch (ref.granularity) {
        case 'y':
          return new Date(`${ref.key}-01-01T00:00:00Z`);
        case 'm':
          return new Date(`${ref.key}-01T00:00:00Z`);
        case 'd':
          return new Date(`${ref.key}T00:00:00Z`);
        default:
          return new Date(`${ref.key}:00:00Z`);
      }
    };
    const comparable = (s: RollupStats) => ({
      plays: s.plays ?? 0,
      skips: s.skips ?? 0,
      likes: s.likes ?? 0,
      saves: s.saves ?? 0,
      shares: s.shares ?? 0,
      durationSum: s.durationSum ?? 0,
      uniqueListeners: uniqueListeners(s),
      sources: s.sources ?? {},
      playlists: Object.fromEntries(
        Object.entries(s.playlists ?? {}).map(([k, v]) => [decodeKey(k), v]),
      ),
    });

    it('every cell equals a recomputation from the raw events, however the log is batched', () => {
      fc.assert(
        fc.property(
          logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
          ([log, cuts]) => {
            const docs = spec.run(splitAt(log, cuts));
            for (const ref of refsOf(log)) {
              const level = levels[ref.granularity as keyof typeof levels];
              expect(comparable(cell(docs, ref.trackId, level, startOfRef(ref)))).toEqual(
                oracle(log, ref),
              );
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('replaying any batch from the state at its start (as after a crash) changes nothing', () => {
      const clone = (b: Bindings): Bindings =>
        new Map([...b].map(([k, v]) => [k, { ...v, containers: [...v.containers] }]));
      fc.assert(
        fc.property(
          logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
          ([log, cuts]) => {
            const batches = splitAt(log, cuts).filter((b) => b.length > 0);
            const state: Bindings = new Map();
            let docs: Docs = {};
            for (const batch of batches) {
              const before = clone(state);
              docs = applyOps(docs, trackRollups.project(batch, state));
              docs = applyOps(docs, trackRollups.project(batch, before));
            }
            expect(docs).toEqual(spec.run(batches));
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
