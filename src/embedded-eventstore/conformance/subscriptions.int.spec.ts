import { END, eventTypeFilter, START, streamNameFilter } from '@eventstore/db-client';
import type { AllStreamSubscription, Position, StreamSubscription } from '@eventstore/db-client';
import { collect, connectTarget, ev } from './target';
import type { Target } from './target';

type Sub = AllStreamSubscription | StreamSubscription;

/** Reads `n` events from a subscription (then unsubscribes) as `stream@revision:type`. */
async function take(sub: Sub, n: number, onEach?: () => Promise<void>): Promise<string[]> {
  const out: string[] = [];
  if (n > 0) {
    for await (const e of sub) {
      out.push(`${e.event!.streamId}@${e.event!.revision}:${e.event!.type}`);
      if (onEach) await onEach();
      if (out.length >= n) break;
    }
  }
  await sub.unsubscribe();
  return out;
}

const confirmed = (sub: Sub): Promise<unknown> => new Promise((r) => sub.once('confirmation', r));

describe('conformance: catch-up subscriptions', () => {
  let t: Target;
  beforeAll(async () => {
    t = await connectTarget();
  });
  afterAll(async () => {
    await t.close();
  });

  it('to a stream: from start through live, from a revision (exclusive), from end', async () => {
    const s = t.stream('sub-stream');
    await t.client.appendToStream(s, [ev('A'), ev('B'), ev('C')]);
    const fromStart = t.client.subscribeToStream(s, { fromRevision: START });
    const fromRev = t.client.subscribeToStream(s, { fromRevision: 1n });
    const fromEnd = t.client.subscribeToStream(s, { fromRevision: END });
    await Promise.all([confirmed(fromStart), confirmed(fromRev), confirmed(fromEnd)]);
    const results = Promise.all([take(fromStart, 5), take(fromRev, 3), take(fromEnd, 2)]);
    await new Promise((r) => setTimeout(r, 100));
    await t.client.appendToStream(s, [ev('D'), ev('E')]);
    const [a, b, c] = await results;
    expect(a).toEqual([`${s}@0:A`, `${s}@1:B`, `${s}@2:C`, `${s}@3:D`, `${s}@4:E`]);
    expect(b).toEqual([`${s}@2:C`, `${s}@3:D`, `${s}@4:E`]);
    expect(c).toEqual([`${s}@3:D`, `${s}@4:E`]);
  });

  it('to a stream that does not exist yet', async () => {
    const s = t.stream('sub-later');
    const sub = t.client.subscribeToStream(s);
    await confirmed(sub);
    const got = take(sub, 2);
    await t.client.appendToStream(s, [ev('A'), ev('B')]);
    expect(await got).toEqual([`${s}@0:A`, `${s}@1:B`]);
  });

  it('to $all from a position is exclusive of it', async () => {
    const s = t.stream('sub-all-pos');
    await t.client.appendToStream(s, [ev('A'), ev('B'), ev('C')]);
    const mine = (await collect(t.client.readAll())).filter((e) => e.event?.streamId === s);
    const sub = t.client.subscribeToAll({
      fromPosition: mine[0]!.event!.position!,
      filter: streamNameFilter({ prefixes: [s] }),
    });
    expect(await take(sub, 2)).toEqual([`${s}@1:B`, `${s}@2:C`]);
  });

  it('filters $all server-side by stream prefix, stream regex, event type prefix and regex', async () => {
    const a = t.stream('filt-a');
    const b = t.stream('filt-b');
    const type = (name: string) => `${t.prefix}${name}`; // event types unique to this run
    await t.client.appendToStream(a, [ev(type('Played')), ev(type('Liked'))]);
    await t.client.appendToStream(b, [ev(type('Played')), ev(type('Skipped'))]);
    const byPrefix = t.client.subscribeToAll({ filter: streamNameFilter({ prefixes: [a] }) });
    const byRegex = t.client.subscribeToAll({
      filter: streamNameFilter({ regex: `^${t.prefix}filt-(a|b)$` }),
    });
    const byType = t.client.subscribeToAll({
      filter: eventTypeFilter({ prefixes: [type('Skipped'), type('Liked')] }),
    });
    const byTypeRegex = t.client.subscribeToAll({
      filter: eventTypeFilter({ regex: `^${t.prefix}Pla` }),
    });
    const [p, r, ty, tr] = await Promise.all([
      take(byPrefix, 2),
      take(byRegex, 4),
      take(byType, 2),
      take(byTypeRegex, 2),
    ]);
    expect(p).toEqual([`${a}@0:${type('Played')}`, `${a}@1:${type('Liked')}`]);
    expect(r).toEqual([
      `${a}@0:${type('Played')}`,
      `${a}@1:${type('Liked')}`,
      `${b}@0:${type('Played')}`,
      `${b}@1:${type('Skipped')}`,
    ]);
    expect(ty).toEqual([`${a}@1:${type('Liked')}`, `${b}@1:${type('Skipped')}`]);
    expect(tr).toEqual([`${a}@0:${type('Played')}`, `${b}@0:${type('Played')}`]);
  });

  it('sends checkpoints for a filtered $all subscription as it scans past non-matching events', async () => {
    const noise = t.stream('noise');
    await t.client.appendToStream(
      noise,
      Array.from({ length: 200 }, () => ev('Noise')),
    );
    const target = t.stream('ckpt-target');
    await t.client.appendToStream(target, ev('Hit'));
    const checkpoints: Position[] = [];
    const sub = t.client.subscribeToAll({
      filter: streamNameFilter({
        prefixes: [target],
        checkpointInterval: 1,
        checkpointReached: async (_s, p) => {
          checkpoints.push(p);
        },
      }),
    });
    expect(await take(sub, 1)).toEqual([`${target}@0:Hit`]);
    expect(checkpoints.length).toBeGreaterThan(0);
    for (let i = 1; i < checkpoints.length; i++) {
      expect(checkpoints[i]!.commit).toBeGreaterThanOrEqual(checkpoints[i - 1]!.commit);
    }
  });

  it('many subscribers switch from catch-up to live with no gap and no duplicate', async () => {
    const prefix = t.stream('many-');
    const write = (i: number) =>
      t.client.appendToStream(`${prefix}${i % 4}`, [ev(`E${i}`), ev(`F${i}`)]);
    for (let i = 0; i < 30; i++) await write(i);
    const subs = Array.from({ length: 12 }, () =>
      t.client.subscribeToAll({ filter: streamNameFilter({ prefixes: [prefix] }) }),
    );
    const total = 2 * (30 + 40);
    const results = Promise.all(subs.map((sub) => take(sub, total)));
    await Promise.all(Array.from({ length: 40 }, (_, i) => write(30 + i)));
    const all = await results;
    const expected = (await collect(t.client.readAll()))
      .filter((e) => e.event!.streamId.startsWith(prefix))
      .map((e) => `${e.event!.streamId}@${e.event!.revision}:${e.event!.type}`);
    expect(expected).toHaveLength(total);
    for (const seen of all) expect(seen).toEqual(expected);
  }, 30_000);

  it('a slow subscriber still gets every event in order', async () => {
    const s = t.stream('slow');
    await t.client.appendToStream(
      s,
      Array.from({ length: 300 }, (_, i) => ev(`E${i}`)),
    );
    const sub = t.client.subscribeToStream(s);
    const got = take(sub, 600, () => new Promise((r) => setTimeout(r, 1)));
    for (let i = 0; i < 6; i++)
      await t.client.appendToStream(
        s,
        Array.from({ length: 50 }, (_, j) => ev(`L${i}-${j}`)),
      );
    const seen = await got;
    expect(seen.map((x) => x.split('@')[1]!.split(':')[0])).toEqual(
      Array.from({ length: 600 }, (_, i) => String(i)),
    );
  }, 30_000);
});
