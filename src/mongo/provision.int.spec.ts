import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { findGo } from './ferretdb';
import { provisionMongo } from './provision';

const logger = pino({ level: 'silent' });
const temps: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-'));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('provisionMongo', () => {
  it('uses MONGODB_URL as given and starts nothing', async () => {
    const dataDir = temp();
    const mongo = await provisionMongo({ url: 'mongodb://db.example:27017/', dataDir, logger });
    expect(mongo).toMatchObject({ url: 'mongodb://db.example:27017/', kind: 'external' });
    await mongo.stop();
    expect(existsSync(join(dataDir, 'ferretdb'))).toBe(false);
  });

  (findGo() === undefined ? it.skip : it)(
    'starts FerretDB with its SQLite files in <dataDir>/ferretdb',
    async () => {
      const dataDir = temp();
      const mongo = await provisionMongo({ url: '', dataDir, logger });
      try {
        expect(mongo.kind).toBe('ferretdb');
        const client = await MongoClient.connect(mongo.url);
        await client.db('p').collection('c').insertOne({ a: 1 });
        expect(await client.db('p').collection('c').countDocuments()).toBe(1);
        await client.close();
        expect(existsSync(join(dataDir, 'ferretdb', 'p.sqlite'))).toBe(true);
      } finally {
        await mongo.stop();
      }
    },
  );
});
