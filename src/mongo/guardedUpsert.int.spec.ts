import { MongoServerError, type Document } from 'mongodb';
import { testDatabase } from '../../test/mongo';
import { DUPLICATE_KEY } from './bulkWrite';

/**
 * The write pattern read models rely on (no transactions): each document remembers the log
 * position it last applied, and a write is guarded by it. Measured on FerretDB 1.24.2; these
 * tests keep it true there and on MongoDB.
 */
interface TrackStats extends Document {
  _id: string;
  pos: number;
  title?: string;
  counts?: { play?: number; skip?: number };
  byDay?: Record<string, { play?: number }>;
  lastPlayedAt?: Date;
}

const mongo = testDatabase('guarded');
const stats = () => mongo.db.collection<TrackStats>('trackStats');

function apply(id: string, pos: number, day: string, playedAt: Date) {
  return stats().updateOne(
    { _id: id, pos: { $lt: pos } },
    {
      $inc: { 'counts.play': 1, [`byDay.${day}.play`]: 1 },
      $set: { pos, title: `title@${pos}` },
      $max: { lastPlayedAt: playedAt },
    },
    { upsert: true },
  );
}

describe('guarded upsert {_id, pos: {$lt: n}}', () => {
  it('creates the document, then applies $inc on dotted nested paths, $set and $max', async () => {
    const first = await apply('t1', 5, '2026-11-25', new Date('2026-11-25T10:00:00Z'));
    expect(first.upsertedId).toBe('t1');
    const second = await apply('t1', 9, '2026-11-26', new Date('2026-11-24T10:00:00Z'));
    expect(second).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    await apply('t1', 12, '2026-11-26', new Date('2026-11-26T08:00:00Z'));

    expect(await stats().findOne({ _id: 't1' })).toEqual({
      _id: 't1',
      pos: 12,
      title: 'title@12',
      counts: { play: 3 },
      byDay: { '2026-11-25': { play: 1 }, '2026-11-26': { play: 2 } },
      lastPlayedAt: new Date('2026-11-26T08:00:00Z'),
    });
  });

  it('answers duplicate key 11000 when the guard fails (replay), and changes nothing', async () => {
    await apply('t2', 5, '2026-11-26', new Date('2026-11-26T10:00:00Z'));
    const before = await stats().findOne({ _id: 't2' });

    for (const stalePos of [5, 3]) {
      const error = await apply('t2', stalePos, '2026-11-26', new Date()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(DUPLICATE_KEY);
    }
    expect(await stats().findOne({ _id: 't2' })).toEqual(before);
  });

  it('makes replaying a batch after a crash harmless (stands in for transactions)', async () => {
    // Crash between read-model write and checkpoint: the batch is applied again on restart.
    const batch = [
      { id: 't3', pos: 20 },
      { id: 't4', pos: 21 },
    ];
    const run = () =>
      Promise.allSettled(
        batch.map(({ id, pos }) => apply(id, pos, '2026-11-26', new Date('2026-11-26T00:00:00Z'))),
      );
    expect((await run()).every((r) => r.status === 'fulfilled')).toBe(true);
    const replay = await run();
    expect(
      replay.every(
        (r) => r.status === 'rejected' && (r.reason as MongoServerError).code === DUPLICATE_KEY,
      ),
    ).toBe(true);
    const docs = await stats()
      .find({ _id: { $in: ['t3', 't4'] } })
      .sort({ _id: 1 })
      .toArray();
    expect(docs.map((d) => [d._id, d.pos, d.counts?.play])).toEqual([
      ['t3', 20, 1],
      ['t4', 21, 1],
    ]);
  });
});
