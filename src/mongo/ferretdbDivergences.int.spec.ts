import { MongoServerError, type Document } from 'mongodb';
import { testDatabase, testMongoKind } from '../../test/mongo';
import { serverQuirks } from './serverQuirks';

/**
 * Known divergences of FerretDB 1.24.2 from MongoDB that our code works around. Each test states
 * both behaviours, so an upgrade that fixes one (or a server that lacks one) shows up here.
 * The update pool limit (commands that never answer) is in ferretdbPoolLimit.int.spec.ts, on a
 * FerretDB of its own: a hung database stays hung.
 */
const mongo = testDatabase('divergences');
// Asked from the server, so a FerretDB given as MONGODB_URL counts too.
let onFerretdb: boolean;
beforeAll(async () => {
  onFerretdb = (await serverQuirks(mongo.db)).ferretdb;
});

describe('server divergences', () => {
  it('is recognised as FerretDB through buildInfo', () => {
    if (testMongoKind() !== 'external') expect(onFerretdb).toBe(testMongoKind() === 'ferretdb');
  });

  it('update command errors: FerretDB says index 0, drops counts and skips the rest', async () => {
    await mongo.db.collection('raw').insertOne({ _id: 'a', pos: 5 } as Document);
    const reply = await mongo.db.command({
      update: 'raw',
      ordered: false,
      updates: [
        { q: { _id: 'n1', pos: { $lt: 1 } }, u: { $set: { pos: 1 } }, upsert: true },
        { q: { _id: 'a', pos: { $lt: 4 } }, u: { $set: { pos: 4 } }, upsert: true },
        { q: { _id: 'n2', pos: { $lt: 1 } }, u: { $set: { pos: 1 } }, upsert: true },
      ],
    });
    const ids = (await mongo.db.collection('raw').find().sort({ _id: 1 }).toArray()).map(
      (d) => d._id,
    );
    expect(reply.writeErrors).toEqual([
      expect.objectContaining({ code: 11000, index: onFerretdb ? 0 : 1 }),
    ]);
    if (onFerretdb) {
      expect(reply.n).toBeUndefined();
      expect(ids).toEqual(['a', 'n1']);
    } else {
      expect(reply.n).toBe(2);
      expect(ids).toEqual(['a', 'n1', 'n2']);
    }
    expect((await serverQuirks(mongo.db)).exactUpdateErrors).toBe(!onFerretdb);
  });

  it('$push with $each + $slice: FerretDB ignores $slice', async () => {
    const recent = mongo.db.collection<{ _id: string; last: number[] }>('recent');
    await recent.insertOne({ _id: 'r', last: [1, 2] });
    await recent.updateOne({ _id: 'r' }, { $push: { last: { $each: [3, 4], $slice: -3 } } });
    const { last } = (await recent.findOne({ _id: 'r' }))!;
    expect(last).toEqual(onFerretdb ? [1, 2, 3, 4] : [2, 3, 4]);
  });

  it('$pull with a condition on array elements: FerretDB removes nothing; the exact element works', async () => {
    type Entry = { generation: number; at: Date };
    const lists = mongo.db.collection<{ _id: string; retired: Entry[] }>('pull');
    const at = new Date();
    await lists.insertOne({
      _id: 'p',
      retired: [
        { generation: 0, at },
        { generation: 1, at },
      ],
    });
    await lists.updateOne({ _id: 'p' }, { $pull: { retired: { generation: 0 } } });
    const after = (await lists.findOne({ _id: 'p' }))!.retired;
    expect(after.map((e) => e.generation)).toEqual(onFerretdb ? [0, 1] : [1]);
    // What dropRetiredGenerations does: pull the element exactly as read.
    await lists.updateOne({ _id: 'p' }, { $pull: { retired: after[after.length - 1]! } });
    expect((await lists.findOne({ _id: 'p' }))!.retired.map((e) => e.generation)).toEqual(
      onFerretdb ? [0] : [],
    );
  });

  it('$group accumulators other than $sum/$count: FerretDB rejects $max', async () => {
    const scores = mongo.db.collection('scores');
    await scores.insertMany([
      { g: 'a', v: 1 },
      { g: 'a', v: 3 },
    ]);
    const run = scores.aggregate([{ $group: { _id: '$g', top: { $max: '$v' } } }]).toArray();
    if (onFerretdb) await expect(run).rejects.toBeInstanceOf(MongoServerError);
    else await expect(run).resolves.toEqual([{ _id: 'a', top: 3 }]);
  });

  it('multi-document transactions: FerretDB has none', async () => {
    if (!onFerretdb) return; // MongoDB has them on replica sets only: nothing to state in general
    const session = mongo.client.startSession();
    try {
      const attempt = session.withTransaction(async () => {
        await mongo.db.collection('tx').insertOne({ a: 1 }, { session });
      });
      await expect(attempt).rejects.toBeInstanceOf(MongoServerError);
    } finally {
      await session.endSession();
    }
  });
});
