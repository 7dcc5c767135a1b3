import { MongoServerError } from 'mongodb';
import { testDatabase } from '../../test/mongo';
import { DUPLICATE_KEY } from './bulkWrite';
import { serverQuirks } from './serverQuirks';

/** Server features the read models and queries use beyond guarded upserts. */
const mongo = testDatabase('features');

describe('unique compound index', () => {
  it('rejects a second document with the same key pair with 11000, accepts other pairs', async () => {
    const daily = mongo.db.collection('dailyPlays');
    await daily.createIndex({ trackId: 1, day: 1 }, { unique: true, name: 'trackId_day' });
    await daily.insertOne({ trackId: 'a', day: '2026-11-26', plays: 1 });
    await daily.insertOne({ trackId: 'a', day: '2026-11-27', plays: 1 });
    await daily.insertOne({ trackId: 'b', day: '2026-11-26', plays: 1 });

    const error = await daily
      .insertOne({ trackId: 'a', day: '2026-11-26', plays: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(DUPLICATE_KEY);
    expect(await daily.countDocuments()).toBe(3);
    expect((await daily.indexes()).find((i) => i.name === 'trackId_day')).toMatchObject({
      unique: true,
    });
  });
});

describe('aggregate $match + $group with $sum', () => {
  const seed = async (name: string) => {
    const daily = mongo.db.collection(name);
    await daily.insertMany([
      { artistId: 'x', day: new Date('2026-11-24'), plays: 4 },
      { artistId: 'x', day: new Date('2026-11-25'), plays: 3 },
      { artistId: 'y', day: new Date('2026-11-25'), plays: 10 },
      { artistId: 'x', day: new Date('2026-11-26'), plays: 2 },
      { artistId: 'y', day: new Date('2026-11-20'), plays: 100 },
    ]);
    return daily;
  };
  const inRange = {
    $match: { day: { $gte: new Date('2026-11-24'), $lt: new Date('2026-11-26') } },
  };

  it('sums a field per group over a filtered range', async () => {
    const daily = await seed('artistDailySum');
    const rows = await daily
      .aggregate([
        inRange,
        { $group: { _id: '$artistId', plays: { $sum: '$plays' } } },
        { $sort: { plays: -1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: 'y', plays: 10 },
      { _id: 'x', plays: 7 },
    ]);
  });

  it('counts with $sum: 1', async () => {
    const daily = await seed('artistDailyCount');
    const rows = await daily
      .aggregate([
        inRange,
        { $group: { _id: '$artistId', days: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: 'x', days: 2 },
      { _id: 'y', days: 1 },
    ]);
  });

  it('computes only the FIRST accumulator of a $group on FerretDB (use one accumulator per $group)', async () => {
    // Quiet divergence measured on FerretDB 1.24.2: later accumulators come back as 0.
    const daily = await seed('artistDailyTwo');
    const rows = await daily
      .aggregate([
        inRange,
        { $group: { _id: '$artistId', plays: { $sum: '$plays' }, days: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    const days = (await serverQuirks(mongo.db)).ferretdb ? [0, 0] : [2, 1];
    expect(rows).toEqual([
      { _id: 'x', plays: 7, days: days[0] },
      { _id: 'y', plays: 10, days: days[1] },
    ]);
  });
});

describe('pointer-document swap (instead of renameCollection with dropTarget)', () => {
  it('moves readers to the rebuilt collection only if the pointer is where we left it', async () => {
    const pointers = mongo.db.collection<{ _id: string; active: string }>('readModelPointers');
    await pointers.insertOne({ _id: 'topTracks', active: 'topTracks_v1' });
    await mongo.db.collection('topTracks_v2').insertOne({ _id: 'rebuilt' } as never);

    const swapped = await pointers.findOneAndUpdate(
      { _id: 'topTracks', active: 'topTracks_v1' },
      { $set: { active: 'topTracks_v2' } },
      { returnDocument: 'after' },
    );
    expect(swapped).toEqual({ _id: 'topTracks', active: 'topTracks_v2' });

    // A second rebuilder that still believes v1 is active loses: no document matched.
    const stale = await pointers.findOneAndUpdate(
      { _id: 'topTracks', active: 'topTracks_v1' },
      { $set: { active: 'topTracks_v3' } },
      { returnDocument: 'after' },
    );
    expect(stale).toBeNull();

    const active = (await pointers.findOne({ _id: 'topTracks' }))!.active;
    expect(await mongo.db.collection(active).findOne({})).toEqual({ _id: 'rebuilt' });
  });
});
