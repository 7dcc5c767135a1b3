import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import type { ResolvedEvent } from '@eventstore/db-client';
import { spawnEventStore } from './testing/childProcess';
import type { ChildEventStore } from './testing/childProcess';
import { tempDir } from './testing/tempServer';

jest.setTimeout(60_000);

interface Acked {
  stream: string;
  ids: string[];
  revision: bigint;
}

/**
 * Appends from several concurrent writers, kills the server with SIGKILL mid-flight, restarts it
 * on the same directory and checks that every acknowledged append is there exactly once, whole,
 * at the revision that was acknowledged — twice in a row.
 */
describe('kill -9 while appending', () => {
  let dir: string;
  let es: ChildEventStore | null = null;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await es?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged event and leaves no partial append', async () => {
    const acked: Acked[] = [];
    const attempted = new Map<string, string[]>(); // first id -> all ids of that append
    for (let round = 0; round < 2; round++) {
      es = await spawnEventStore(dir);
      const client = EventStoreDBClient.connectionString(es.connectionString);
      let stop = false;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        const stream = `crash-${round}-${w}`;
        for (let i = 0; !stop; i++) {
          const size = 1 + ((i * 7 + w) % 20);
          const events = Array.from({ length: size }, (_, j) =>
            jsonEvent({ id: randomUUID(), type: 'TrackPlayed', data: { w, i, j } }),
          );
          attempted.set(
            events[0]!.id,
            events.map((e) => e.id),
          );
          try {
            const r = await client.appendToStream(stream, events);
            acked.push({ stream, ids: events.map((e) => e.id), revision: r.nextExpectedRevision });
          } catch {
            return; // the server is gone
          }
        }
      });
      // kill mid-flight once this round has some acknowledged appends (however loaded the machine)
      const target = acked.length + 20;
      for (let waited = 0; acked.length < target && waited < 15_000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await es.stop('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await client.dispose();
    }
    expect(acked.length).toBeGreaterThanOrEqual(40);

    es = await spawnEventStore(dir);
    const client = EventStoreDBClient.connectionString(es.connectionString);
    const all: ResolvedEvent[] = [];
    for await (const e of client.readAll()) all.push(e);
    await client.dispose();

    const byId = new Map<string, { stream: string; revision: bigint }>();
    for (const e of all) {
      expect(byId.has(e.event!.id)).toBe(false);
      byId.set(e.event!.id, { stream: e.event!.streamId, revision: e.event!.revision });
    }
    for (const a of acked) {
      a.ids.forEach((id, i) => {
        expect(byId.get(id)).toEqual({
          stream: a.stream,
          revision: a.revision - BigInt(a.ids.length - 1 - i),
        });
      });
    }
    // every append in the log is whole (acknowledged or not)
    for (const ids of attempted.values()) {
      const present = ids.filter((id) => byId.has(id)).length;
      expect([0, ids.length]).toContain(present);
    }
  });
});
