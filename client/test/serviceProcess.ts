import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serviceNodeArgs } = require('../../scripts/lib/serviceBundle.cjs') as {
  serviceNodeArgs: string[];
};

export interface RunningService {
  url: string;
  stop(): Promise<void>;
  /** The service's stdout/stderr so far (for failure messages). */
  output(): string;
}

/**
 * Starts the real service as `npm start` runs it (`node <serviceNodeArgs> scripts/start.cjs`) on embedded defaults: free ports, its own data
 * directory, MONGODB_URL from TEST_MONGODB_URL when set. Resolves once `/health` answers.
 */
export async function startService(
  env: Record<string, string> = {},
  timeoutMs = 180_000,
): Promise<RunningService> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-e2e-'));
  const child = spawn(process.execPath, [...serviceNodeArgs, 'scripts/start.cjs'], {
    cwd: repoRoot,
    detached: true, // own process group: the service and its FerretDB stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      EVENTSTORE_PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      JOBS_ENABLED: 'false',
      RATE_LIMIT_PER_MINUTE: '100000',
      MONGODB_DB: `e2e_${path.basename(dataDir).replace(/\W/g, '_')}`, // own database on a shared server
      ...(process.env.TEST_MONGODB_URL ? { MONGODB_URL: process.env.TEST_MONGODB_URL } : {}),
      ...env,
    },
  });
  let out = '';
  let port: number | undefined;
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const line of out.split('\n')) {
      try {
        const rec = JSON.parse(line) as { msg?: string; port?: number };
        if (rec.msg === 'listening' && rec.port) port = rec.port;
      } catch {
        /* not a log line */
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  // npx exits on SIGTERM at once while the service is still shutting down: wait for the whole
  // process group (tsx, node, the FerretDB it started) before deleting the data directory.
  const stop = async () => {
    kill(child, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (groupAlive(child)) {
      if (Date.now() > deadline) kill(child, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      await stop();
      throw new Error(`service exited (${exitCode}) before listening:\n${out.slice(-4000)}`);
    }
    if (port) {
      const url = `http://127.0.0.1:${port}`;
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { url, stop, output: () => out };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`service did not answer /health within ${timeoutMs} ms:\n${out.slice(-4000)}`);
}

function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-(child.pid as number), 0);
    return true;
  } catch {
    return false;
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    /* already gone */
  }
}
