import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { testMongoKind } from '../../test/mongo';
import { ensureFerretdbBinary, startFerretdb, type RunningFerretdb } from './ferretdb';
import { settlesWithin } from './testing/settlesWithin';

/**
 * FerretDB 1.24's pool limit, on a FerretDB of this file's own (a hung database stays hung until
 * a restart; the run's shared server must not be the one). An update command holds one pooled
 * SQLite connection per update of an existing document until it ends, plus one for its write; the
 * pool (100) is per database and shared by concurrent commands. `WriteBudget` exists for this:
 * when an upgrade makes the concurrent case answer, the budget's FerretDB default can go.
 */
const onFerretdb = testMongoKind() === 'ferretdb';
const maybe = onFerretdb ? it : it.skip;

type Doc = { _id: string; n: number };

let dir: string;
let ferretdb: RunningFerretdb | undefined;
let client: MongoClient | undefined;
beforeAll(async () => {
  if (!onFerretdb) return;
  dir = mkdtempSync(join(tmpdir(), 'ferretdb-pool-'));
  ferretdb = await startFerretdb({ binary: await ensureFerretdbBinary(), dataDir: dir });
  client = await MongoClient.connect(ferretdb.url, { maxPoolSize: 50 });
}, 60_000);
afterAll(async () => {
  await client?.close(true).catch(() => undefined);
  await ferretdb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function seed(db: Db, count: number) {
  const docs = Array.from({ length: count }, (_, k) => ({ _id: `d${k}`, n: 0 }));
  await db.collection<Doc>('c').insertMany(docs);
}

/** One `update` command of `n` updates of existing documents, from document `from` on. */
const updates = (db: Db, from: number, n: number) =>
  db.collection<Doc>('c').bulkWrite(
    Array.from({ length: n }, (_, k) => ({
      updateOne: { filter: { _id: `d${from + k}` }, update: { $inc: { n: 1 } } },
    })),
    { ordered: false },
  );

describe('FerretDB 1.24 connection pool limit (a server of its own)', () => {
  maybe(
    'answers one command of 99 updates',
    async () => {
      const db = client!.db('single');
      await seed(db, 99);
      const one = updates(db, 0, 99);
      expect(await settlesWithin(one, 20_000)).toBe(true);
      expect((await one).modifiedCount).toBe(99);
    },
    30_000,
  );

  maybe(
    'hangs the database for good on 4 concurrent commands of 99; others answer',
    async () => {
      const db = client!.db('hung');
      await seed(db, 4 * 99);
      const concurrent = Promise.all([0, 1, 2, 3].map((i) => updates(db, i * 99, 99)));
      concurrent.catch(() => undefined); // rejected when the client is closed at the end
      expect(await settlesWithin(concurrent, 10_000)).toBe(false);

      // The server answers ping and other databases (a pool per database); this one is stuck.
      expect(await settlesWithin(client!.db('admin').command({ ping: 1 }), 5_000)).toBe(true);
      const other = client!.db('other').collection('x');
      const elsewhere = other.insertOne({ a: 1 }).then(() => other.findOne({}));
      expect(await settlesWithin(elsewhere, 5_000)).toBe(true);
      const stuck = db.collection<Doc>('c').findOne({ _id: 'd0' });
      stuck.catch(() => undefined);
      expect(await settlesWithin(stuck, 5_000)).toBe(false);
    },
    60_000,
  );
});
