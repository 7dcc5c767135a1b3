import fc from 'fast-check';
import type { TrackEvent } from '../src/events/stored';
import { bucketStart } from './lib/buckets';
import { decodeKey, uniqueListeners, type RollupStats } from './lib/rollupStats';
import { bucketStats, foldRollups, type RollupView } from './lib/rollupView';
import { cutsArb, logArb, splitAt } from './testing/arbitraries';
import { trackEvent } from './testing/events';
import { projectionSpec, type Docs } from './testing/inMemoryReadModel';
import { bucketOf, oracle, type BucketRef } from './testing/rollupOracle';
import { trackRollups, trackRollupsCollection, type TrackRollupDoc } from './trackRollups';

const spec = projectionSpec(trackRollups);

const views = (docs: Docs, checkpoint?: number): RollupView[] =>
  foldRollups(
    Object.values(docs[trackRollupsCollection] ?? {}) as unknown as TrackRollupDoc[],
    checkpoint,
  );

const at = (iso: string) => new Date(iso);

describe('trackRollups', () => {
  it('rolls plays up by hour, day, ISO week, month and year, UTC', () => {
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
        const v = views(docs);
        expect(bucketStats(v, 't1', 'h', at('2026-01-31T23:00:00Z'))).toMatchObject({
          plays: 1,
          durationSum: 100,
        });
        expect(bucketStats(v, 't1', 'd', at('2026-02-01T00:00:00Z'))).toMatchObject({
          plays: 1,
          skips: 1,
          replays: 1,
          sources: { playlist: 1 },
        });
        expect(bucketStats(v, 't1', 'm', at('2026-01-01T00:00:00Z')).plays).toBe(1);
        // 2026-01-26 is the Monday of ISO week 2026-W05, which runs into February.
        const week = bucketStats(v, 't1', 'w', at('2026-01-26T00:00:00Z'));
        expect(week).toMatchObject({ plays: 2, skips: 1, durationSum: 150 });
        expect(uniqueListeners(week)).toBe(2);
        expect(bucketStats(v, 't1', 'y', at('2026-01-01T00:00:00Z')).plays).toBe(2);
      });
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
        const month = bucketStats(views(docs), 't1', 'm', at('2026-01-01T00:00:00Z'));
        expect(month).toEqual({
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

  it('counts unique listeners over a range by merging buckets, not summing them', () => {
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
        const v = views(docs);
        const day5 = bucketStats(v, 't1', 'd', at('2026-01-05T00:00:00Z'));
        const day6 = bucketStats(v, 't1', 'd', at('2026-01-06T00:00:00Z'));
        expect(uniqueListeners(day5) + uniqueListeners(day6)).toBe(3);
        expect(uniqueListeners(bucketStats(v, 't1', 'm', at('2026-01-01T00:00:00Z')))).toBe(2);
      });
  });

  it('writes only inserts whose ids come from log positions (a replayed batch is skipped)', () => {
    const batch = [
      trackEvent('TrackPlayed', { trackId: 't1' }),
      trackEvent('TrackLiked', { trackId: 't2' }),
    ];
    const ops = trackRollups.project(batch);
    expect(ops.every((op) => op.insert !== undefined)).toBe(true);
    expect(ops.map((op) => op.id).sort()).toEqual(
      [
        `t1|m|2026-01|${batch[1]!.position}`,
        `t1|y|2026|${batch[1]!.position}`,
        `t2|m|2026-01|${batch[1]!.position}`,
        `t2|y|2026|${batch[1]!.position}`,
      ].sort(),
    );
    expect(spec.run([batch, batch])).toEqual(spec.run([batch]));
  });

  it('hides deltas past the checkpoint and deltas already compacted', () => {
    const first = [trackEvent('TrackPlayed', { trackId: 't1' })];
    const second = [trackEvent('TrackPlayed', { trackId: 't1' })];
    const docs = spec.run([first, second]);
    const end1 = Number(first[0]!.position);
    const month = (v: RollupView[]) => bucketStats(v, 't1', 'm', bucketStart('m', '2026-01'));
    expect(month(views(docs, end1)).plays).toBe(1);
    expect(month(views(docs)).plays).toBe(2);
    const compacted: TrackRollupDoc = {
      ...(docs[trackRollupsCollection]![`t1|m|2026-01|${end1}`] as unknown as TrackRollupDoc),
      _id: 't1|m|2026-01',
      kind: 'compacted',
      upTo: end1,
    };
    delete compacted.pos;
    const withCompacted = [
      ...(Object.values(docs[trackRollupsCollection]!) as unknown as TrackRollupDoc[]),
      compacted,
    ];
    expect(month(foldRollups(withCompacted)).plays).toBe(2);
  });

  it('reads version-2 month documents (days, weeks and total stored) as they were written', () => {
    const v2: TrackRollupDoc = {
      _id: 't1|m|2026-01|7',
      kind: 'delta',
      trackId: 't1',
      granularity: 'm',
      period: '2026-01',
      periodStart: bucketStart('m', '2026-01'),
      pos: 7,
      total: { plays: 3 },
      days: { '05': { plays: 3 } },
      hoursJson: JSON.stringify({ '0510': { plays: 3 } }),
      weeksJson: JSON.stringify({ '2026-W02': { plays: 3 } }),
    };
    const v = foldRollups([v2]);
    expect(bucketStats(v, 't1', 'm', bucketStart('m', '2026-01')).plays).toBe(3);
    expect(bucketStats(v, 't1', 'd', at('2026-01-05T00:00:00Z')).plays).toBe(3);
    expect(bucketStats(v, 't1', 'w', at('2026-01-05T00:00:00Z')).plays).toBe(3);
    expect(bucketStats(v, 't1', 'h', at('2026-01-05T10:00:00Z')).plays).toBe(3);
  });

  it('derives a version-3 month from its hours and adds the corrections stored beside them', () => {
    const docs = spec.run([
      [
        trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-05T10:00:00Z' }),
        trackEvent('TrackPlayed', { trackId: 't1', occurredAt: '2026-01-12T23:59:59Z' }),
      ],
    ]);
    const [month] = (
      Object.values(docs[trackRollupsCollection]!) as unknown as TrackRollupDoc[]
    ).filter((d) => d.granularity === 'm');
    expect(month).toMatchObject({ v: 3 });
    expect(month!.total).toBeUndefined();
    expect(month!.days).toBeUndefined();
    // Reconciliation's `$inc` of `total.plays` and `days.05.plays` on the stored document.
    const corrected: TrackRollupDoc = {
      ...month!,
      total: { plays: 2 },
      days: { '05': { plays: 2 } },
    };
    const v = foldRollups([corrected]);
    expect(bucketStats(v, 't1', 'm', bucketStart('m', '2026-01')).plays).toBe(4);
    expect(bucketStats(v, 't1', 'd', at('2026-01-05T00:00:00Z')).plays).toBe(3);
    expect(bucketStats(v, 't1', 'd', at('2026-01-12T00:00:00Z')).plays).toBe(1);
    expect(bucketStats(v, 't1', 'w', at('2026-01-05T00:00:00Z')).plays).toBe(1);
    expect(bucketStats(v, 't1', 'w', at('2026-01-12T00:00:00Z')).plays).toBe(1);
  });

  describe('properties', () => {
    const refsOf = (events: readonly TrackEvent[]): BucketRef[] => {
      const refs = new Map<string, BucketRef>();
      for (const e of events) {
        for (const g of ['h', 'd', 'w', 'm', 'y'] as const) {
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
        case 'h':
          return new Date(`${ref.key}:00:00Z`);
        case 'w':
          return bucketStart('w', ref.key);
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

    it('every bucket equals a recomputation from the raw events, however the log is batched', () => {
      fc.assert(
        fc.property(
          logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
          ([log, cuts]) => {
            const v = views(spec.run(splitAt(log, cuts)));
            for (const ref of refsOf(log)) {
              expect(
                comparable(bucketStats(v, ref.trackId, ref.granularity, startOfRef(ref))),
              ).toEqual(oracle(log, ref));
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('replaying any batch again changes nothing', () => {
      fc.assert(
        fc.property(
          logArb().chain((log) => fc.tuple(fc.constant(log), cutsArb(log.length))),
          ([log, cuts]) => {
            const batches = splitAt(log, cuts);
            const once = spec.run(batches);
            const twice = spec.run(batches.flatMap((b) => [b, b]));
            expect(twice).toEqual(once);
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
