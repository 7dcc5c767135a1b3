import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/logger';
import { startService } from '../src/main';

export type TestService = Awaited<ReturnType<typeof startService>> & {
  url: string;
  dataDir: string;
  mongoDb: string;
};

/**
 * Starts the whole service in-process on a random port: embedded event store in its own temp
 * data dir (unless given), the run's shared MongoDB-compatible server with a fresh database.
 */
export async function startTestService(
  options: { dataDir?: string; mongoDb?: string; env?: Record<string, string> } = {},
): Promise<TestService> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stats-svc-'));
  const mongoDb = options.mongoDb ?? `t_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const mongoUrl = process.env.TEST_MONGODB_URL;
  if (!mongoUrl) throw new Error('TEST_MONGODB_URL is not set: run through jest (globalSetup)');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    EVENTSTORE_PORT: '0',
    DATA_DIR: dataDir,
    MONGODB_URL: mongoUrl,
    MONGODB_DB: mongoDb,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JOBS_ENABLED: 'false',
    AUTH_JWT_SECRET: 'test-secret-0123456789abcdef',
    ...options.env,
  });
  const service = await startService(config, createLogger(config.logLevel));
  return { ...service, url: `http://127.0.0.1:${service.port}`, dataDir, mongoDb };
}

/** Polls until `check` returns a value that passes, or fails after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
