import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { findGo } from './ferretdb';
import { spawnMongo } from './testing/mongoChild';

const withGo = findGo() !== undefined && !process.env.MONGODB_URL ? it : it.skip;

describe('npm run mongo', () => {
  withGo('serves FerretDB from --data until SIGTERM, and keeps what was written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-cli-'));
    try {
      let mongo = await spawnMongo(dir);
      expect(mongo.kind).toBe('ferretdb');
      let client = await MongoClient.connect(mongo.url);
      await client
        .db('cli')
        .collection('c')
        .insertOne({ _id: 'kept' as never });
      await client.close();
      expect(await mongo.stop()).toBe(0);
      expect(fs.readdirSync(path.join(dir, 'ferretdb')).length).toBeGreaterThan(0);

      mongo = await spawnMongo(dir);
      client = await MongoClient.connect(mongo.url);
      expect(await client.db('cli').collection('c').countDocuments()).toBe(1);
      await client.close();
      expect(await mongo.stop()).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the argument that is wrong', async () => {
    await expect(spawnMongo('/tmp', ['--provider', 'oracle'])).rejects.toThrow(/--provider/);
  });
});
