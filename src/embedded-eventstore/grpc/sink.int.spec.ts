import { END, jsonEvent, START, streamNameFilter } from '@eventstore/db-client';
import type { ResolvedEvent } from '@eventstore/db-client';
import { startTempServer } from '../testing/tempServer';
import type { TempServer } from '../testing/tempServer';

/**
 * Reads and subscriptions give the same answers whether events go out batched into direct HTTP/2
 * writes (the default) or one `call.write()` per message (the fallback when grpc-js changes).
 */
describe.each([true, false])('read sink, framed writes %s', (framed) => {
  let t: TempServer;
  beforeAll(async () => {
    t = await startTempServer(undefined, { framedReads: framed });
    // sizes from tiny to larger than a whole batch buffer
    const sizes = [0, 10, 300, 5_000, 70_000, 200_000, 40];
    let n = 0;
    for (let b = 0; b < 12; b++) {
      await t.client.appendToStream(
        `s-${b % 3}`,
        Array.from({ length: 250 }, (_, j) => {
          const i = n++;
          return jsonEvent({
            type: 'E',
            data: { i, pad: j % 50 === 0 ? 'x'.repeat(sizes[(i / 50) % sizes.length]!) : '' },
          });
        }),
      );
    }
  });
  afterAll(async () => {
    await t.dispose();
  });

  const index = (e: ResolvedEvent): number => (e.event!.data as { i: number }).i;

  it('reads $all forwards in order, complete', async () => {
    const got: number[] = [];
    for await (const e of t.client.readAll({ fromPosition: START, maxCount: 10_000 }))
      if (!e.event!.streamId.startsWith('$')) got.push(index(e)); // not $epoch-information
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(t.server.stats.framedWrites > 0).toBe(framed);
  });

  it('reads a stream with maxCount', async () => {
    const got: number[] = [];
    for await (const e of t.client.readStream('s-1', { fromRevision: BigInt(10), maxCount: 300 }))
      got.push(index(e));
    expect(got).toEqual([
      ...Array.from({ length: 240 }, (_, i) => 260 + i),
      ...Array.from({ length: 60 }, (_, i) => 1000 + i),
    ]);
  });

  it('catches up, says caughtUp, then delivers live appends', async () => {
    const sub = t.client.subscribeToAll({ fromPosition: START });
    let caughtUp = false;
    sub.once('caughtUp', () => {
      caughtUp = true;
    });
    const got: number[] = [];
    for await (const e of sub) {
      if (e.event!.streamId.startsWith('$')) continue;
      got.push(index(e));
      if (got.length === 3000) {
        await t.client.appendToStream('live', [jsonEvent({ type: 'E', data: { i: 3000 } })]);
      }
      if (got.length === 3001) break;
    }
    await sub.unsubscribe();
    expect(caughtUp).toBe(true);
    expect(got).toEqual(Array.from({ length: 3001 }, (_, i) => i));
  });

  it('sends checkpoints on a filtered subscription that matches nothing', async () => {
    const checkpoints: bigint[] = [];
    const sub = t.client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: ['nothing-'],
        checkpointInterval: 1,
        checkpointReached: (_s, p) => {
          checkpoints.push(p.commit);
          return Promise.resolve();
        },
      }),
    });
    const live = (async () => {
      for await (const e of sub) return e;
      return undefined;
    })();
    while (checkpoints.length < 3000 / 32 - 1) await new Promise((r) => setTimeout(r, 20));
    await t.client.appendToStream('nothing-1', [jsonEvent({ type: 'E', data: { i: -1 } })]);
    const e = await live;
    await sub.unsubscribe();
    expect(e!.event!.streamId).toBe('nothing-1');
    expect([...checkpoints].sort((a, b) => (a < b ? -1 : 1))).toEqual(checkpoints);
  });

  it('subscribes from the end', async () => {
    const sub = t.client.subscribeToAll({ fromPosition: END });
    await new Promise((r) => sub.once('confirmation', r));
    await t.client.appendToStream('end', [jsonEvent({ type: 'E', data: { i: 7 } })]);
    for await (const e of sub) {
      expect(e.event!.streamId).toBe('end');
      break;
    }
    await sub.unsubscribe();
  });
});
