/**
 * What the event-store benchmark runs its workloads against: the embedded server's CLI and the
 * protocol-only "null" server (nullEventStore.ts), each in a child process, plus the event they
 * both see.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

export {
  processCpuMs,
  processRssMb,
  spawnEventStore,
} from '../../src/embedded-eventstore/testing/childProcess';
export type { ChildEventStore } from '../../src/embedded-eventstore/testing/childProcess';

/** Data of the benchmark's TrackPlayed event number `i` (~330 bytes of JSON). */
export function benchEventData(i: number) {
  return {
    trackId: `t${i % 5000}`,
    listenerId: `listener-${i % 20000}`,
    sessionId: `session-${i % 50000}`,
    occurredAt: '2026-11-26T12:00:00.000Z',
    receivedAt: '2026-11-26T12:00:00.100Z',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
    ipHash: 'a1b2c3d4e5f6',
    source: 'playlist',
    playlistId: 'pl-42',
    durationSeconds: 187,
    completionRate: 93.5,
    replayed: false,
  };
}

export interface NullEventStore {
  pid: number;
  connectionString: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The protocol-only server (nullEventStore.ts) in a child process. */
export function spawnNullStore(nodeArgs: string[] = []): Promise<NullEventStore> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join(__dirname, 'nullEventStore.ts')],
    { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`null server exited with ${code}`));
    child.once('exit', onExit);
    child.stdout!.once('data', (d: Buffer) => {
      child.off('exit', onExit);
      const { port } = JSON.parse(d.toString()) as { port: number };
      resolve({
        pid: child.pid!,
        connectionString: `esdb://127.0.0.1:${port}?tls=false`,
        child,
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
