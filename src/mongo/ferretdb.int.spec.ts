import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { ensureFerretdbBinary, ferretdbBinaryName, findGo, startFerretdb } from './ferretdb';

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A stand-in for `go`: counts its runs, takes a while, writes the -o file (or fails). */
function fakeGo(dir: string, behaviour: 'build' | 'fail'): { go: string; runs: () => number } {
  const count = join(dir, 'runs');
  const go = join(dir, 'go');
  const body =
    behaviour === 'build'
      ? `echo run >> '${count}'\nsleep 1\nwhile [ "$1" != -o ]; do shift; done\nprintf '#!/bin/sh\\n' > "$2"\nchmod +x "$2"\n`
      : `echo run >> '${count}'\necho 'boom: cannot build' >&2\nexit 1\n`;
  writeFileSync(go, `#!/bin/sh\n${body}`, { mode: 0o755 });
  const runs = () =>
    existsSync(count) ? readFileSync(count, 'utf8').trim().split('\n').length : 0;
  return { go, runs };
}

function fakeSources(): string {
  const dir = temp('ferret-src-');
  for (const file of ['go.mod', 'go.sum', 'main.go'])
    writeFileSync(join(dir, file), `${file} ${Math.random()}`);
  return dir;
}

describe('ensureFerretdbBinary', () => {
  it('builds once when called concurrently, then answers from the cache', async () => {
    const dir = temp('ferret-cache-');
    const sourceDir = fakeSources();
    const { go, runs } = fakeGo(dir, 'build');
    const paths = await Promise.all(
      [1, 2, 3].map(() => ensureFerretdbBinary(join(dir, 'cache'), { go, sourceDir })),
    );

    expect(new Set(paths).size).toBe(1);
    expect(paths[0]).toBe(join(dir, 'cache', ferretdbBinaryName(sourceDir)));
    expect(existsSync(paths[0]!)).toBe(true);
    expect(runs()).toBe(1);
    expect(await ensureFerretdbBinary(join(dir, 'cache'), { go, sourceDir })).toBe(paths[0]);
    expect(runs()).toBe(1);
  });

  it('keys the cache by the Go sources', () => {
    const a = fakeSources();
    const b = fakeSources();
    expect(ferretdbBinaryName(a)).toMatch(/^ferretdb-1\.24\.2-[a-z0-9]+-[a-z0-9]+-[0-9a-f]{12}$/);
    expect(ferretdbBinaryName(a)).not.toBe(ferretdbBinaryName(b));
  });

  it('reports a failed build with go’s output, leaves no binary and releases the lock', async () => {
    const dir = temp('ferret-cache-');
    const sourceDir = fakeSources();
    const failing = fakeGo(join(dir), 'fail');
    await expect(
      ensureFerretdbBinary(join(dir, 'cache'), { go: failing.go, sourceDir }),
    ).rejects.toThrow(/go build of FerretDB failed \(exit 1\):\nboom: cannot build/);
    expect(existsSync(join(dir, 'cache', ferretdbBinaryName(sourceDir)))).toBe(false);

    mkdirSync(join(dir, 'ok'));
    const working = fakeGo(join(dir, 'ok'), 'build');
    await expect(
      ensureFerretdbBinary(join(dir, 'cache'), { go: working.go, sourceDir }),
    ).resolves.toContain('ferretdb-1.24.2');
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = temp('ferret-cache-');
    const sourceDir = fakeSources();
    const { go, runs } = fakeGo(dir, 'build');
    const lock = join(dir, 'cache', `${ferretdbBinaryName(sourceDir)}.lock`);
    mkdirSync(lock, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(lock, 'pid'), String(dead));

    await ensureFerretdbBinary(join(dir, 'cache'), { go, sourceDir });
    expect(runs()).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('findGo', () => {
  it('prefers go on PATH', () => {
    const dir = temp('ferret-path-');
    writeFileSync(join(dir, 'go'), '', { mode: 0o755 });
    expect(findGo({ PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'go'));
  });

  it('falls back to /usr/local/go/bin/go', () => {
    expect(findGo({ PATH: '/nonexistent' })).toBe(
      existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined,
    );
  });
});

const withGo = findGo() === undefined ? describe.skip : describe;

withGo('startFerretdb', () => {
  let binary: string;
  beforeAll(async () => {
    binary = await ensureFerretdbBinary();
  }, 600_000);

  it('starts on a free port, keeps data across restarts, stops on SIGTERM', async () => {
    const dataDir = temp('ferret-data-');
    const first = await startFerretdb({ dataDir, binary });
    expect(first.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await MongoClient.connect(first.url);
    await client
      .db('keep')
      .collection('docs')
      .insertOne({ _id: 'kept' } as never);
    await client.close();

    const stopping = Date.now();
    await first.stop();
    const stopMs = Date.now() - stopping;
    expect(isAlive(first.pid)).toBe(false);
    expect(stopMs).toBeLessThan(10_000); // under the SIGKILL fallback: it honoured SIGTERM
    await first.stop(); // idempotent

    const second = await startFerretdb({ dataDir, binary });
    try {
      const again = await MongoClient.connect(second.url);
      expect(await again.db('keep').collection('docs').findOne({})).toEqual({ _id: 'kept' });
      await again.close();
    } finally {
      await second.stop();
    }
  });

  it('fails fast with FerretDB’s own message when the port is taken', async () => {
    const dataDir = temp('ferret-data-');
    const running = await startFerretdb({ dataDir, binary });
    try {
      const port = Number(new URL(running.url).port);
      await expect(startFerretdb({ dataDir: temp('ferret-data-'), binary, port })).rejects.toThrow(
        /FerretDB exited before ready \(exit 1\):[\s\S]*address already in use/,
      );
    } finally {
      await running.stop();
    }
  });

  const startParent = async (): Promise<{ parent: ChildProcess; pid: number; lines: string[] }> => {
    const fixture = join(__dirname, 'testing', 'ferretdbParent.ts');
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, binary, temp('ferret-data-')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true, // its own process group, like a service in a terminal
      },
    );
    const lines: string[] = [];
    const ready = new Promise<{ pid: number }>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).on('line', (line) => {
        lines.push(line);
        if (lines.length === 1) resolve(JSON.parse(line) as { pid: number });
      });
      parent.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    const { pid } = await ready;
    return { parent, pid, lines };
  };
  const waitUntil = async (check: () => boolean, ms: number) => {
    for (const deadline = Date.now() + ms; !check() && Date.now() < deadline;) await sleep(50);
    return check();
  };

  it('a Ctrl-C to the parent’s process group leaves FerretDB up until the parent stops it', async () => {
    const { parent, pid, lines } = await startParent();
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    process.kill(-parent.pid!, 'SIGINT');
    await exited;
    expect(lines).toContain('ping ok after SIGINT');
    expect(isAlive(pid)).toBe(false);
  }, 60_000);

  it('dies with a parent that is killed outright', async () => {
    const { parent, pid } = await startParent();
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntil(() => !isAlive(pid), 10_000)).toBe(true);
  }, 60_000);

  it('exits by itself when its stdin closes (the parent died)', async () => {
    const dataDir = temp('ferret-data-');
    const child = spawn(
      binary,
      ['--listen', '127.0.0.1:0', '--data', dataDir, '--exit-on-stdin-close'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.stdin.end();
    await expect(exited).resolves.toBe(0);
  });
});
