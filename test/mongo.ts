import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import type { MongoKind } from '../src/mongo/provision';
import { WriteBudget, defaultUpdateBudget } from '../src/mongo/writeBudget';

/** The run's shared MongoDB-compatible server, started once by test/globalSetup.ts. */
export function testMongoUrl(): string {
  const url = process.env.TEST_MONGODB_URL;
  if (!url)
    throw new Error(
      'TEST_MONGODB_URL is not set: run the tests through jest (test/globalSetup.ts)',
    );
  return url;
}

/** What serves `testMongoUrl()`: `ferretdb`, `memory`, or `external` (MONGODB_URL was set). */
export function testMongoKind(): MongoKind {
  const kind = process.env.TEST_MONGODB_KIND;
  return kind === 'ferretdb' || kind === 'memory' ? kind : 'external';
}

/** A unique database name (≤ 63 chars, letters, digits and `_`), e.g. `t_bulk_m1x2y3_ab12cd34`. */
export function uniqueDatabaseName(prefix: string): string {
  const clean = prefix.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30);
  return `t_${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  readonly name: string;
  /** Available from `beforeAll` on (registered by `testDatabase`). */
  readonly db: Db;
  readonly client: MongoClient;
}

/**
 * Call at the top of a `describe` (or file): registers `beforeAll` to connect to a fresh, uniquely
 * named database and `afterAll` to drop it and close the client. Read `.db` inside tests and hooks.
 */
export function testDatabase(prefix: string): TestDatabase {
  const name = uniqueDatabaseName(prefix);
  let client: MongoClient | undefined;
  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUrl());
  });
  afterAll(async () => {
    if (client === undefined) return;
    try {
      await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  });
  const connected = (): MongoClient => {
    if (client === undefined)
      throw new Error('testDatabase: use .db/.client inside tests or hooks (after beforeAll)');
    return client;
  };
  return {
    name,
    get client() {
      return connected();
    },
    get db() {
      return connected().db(name);
    },
  };
}

/**
 * A write budget of the service's FerretDB default (see `WriteBudget`), whatever the server: a
 * FerretDB given as MONGODB_URL is only known by asking it, and the tests run the same way on both.
 */
export function testWriteBudget(): WriteBudget {
  return new WriteBudget(defaultUpdateBudget({ ferretdb: true }));
}
