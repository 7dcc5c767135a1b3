import { serialize, sketchOf } from '../../projections/lib/listenerSketch';
import type { RollupDelta } from '../../projections/trackRollups';
import { documentCodec } from './documentCodecs';

const at = new Date('2026-01-05T10:00:00.000Z');
const play = {
  eventId: 'e1',
  trackId: 't.1',
  listenerId: 'l1',
  at,
  source: 'direct',
  durationSeconds: 120,
  completionRate: 50.5,
};

describe('documentCodec', () => {
  it('stores a rollup delta packed, under the field names existing documents have', () => {
    const codec = documentCodec('track_rollups.h2026-01.d')!;
    const delta: RollupDelta = {
      _id: 'a1|100',
      container: 'a1',
      pos: 100,
      cells: new Map([
        [
          't.1',
          { '0510': { plays: 1, sources: { direct: 1 }, listeners: serialize(sketchOf(['l1'])) } },
        ],
      ]),
      recent: new Map([['t.1', { plays: [play], likes: [] }]]),
    };
    const stored = codec.encode(delta, delta._id);
    expect(Object.keys(stored).sort()).toEqual([
      '_id',
      'cellsJson',
      'container',
      'pos',
      'recentJson',
    ]);
    expect(typeof stored.cellsJson).toBe('string');
    expect(typeof stored.recentJson).toBe('string');
    expect(codec.decode(stored)).toEqual(delta);
    // Without recent lists (day, month and year partitions) there is no `recentJson`.
    const { recent: _r, ...dayDelta } = delta;
    expect(codec.encode(dayDelta, delta._id)).not.toHaveProperty('recentJson');
    expect(codec.decode(codec.encode(dayDelta, delta._id))).toEqual(dayDelta);
  });

  it('reads a delta stored by an earlier version of the projection', () => {
    const codec = documentCodec('track_rollups.d2026-01.d')!;
    const stored = {
      _id: 'a1|7',
      container: 'a1',
      pos: 7,
      cellsJson: JSON.stringify({ t1: { '05': { plays: 2, durationSum: 30 } } }),
    };
    expect(codec.decode(stored)).toEqual({
      _id: 'a1|7',
      container: 'a1',
      pos: 7,
      cells: new Map([['t1', { '05': { plays: 2, durationSum: 30 } }]]),
    });
  });

  it('leaves other collections as the projections emit them', () => {
    for (const logical of [
      'track_counters',
      'track_catalog',
      'track_rollup_bindings',
      'track_rollups.dir',
      'recent_activity',
    ])
      expect(documentCodec(logical)).toBeUndefined();
  });
});
