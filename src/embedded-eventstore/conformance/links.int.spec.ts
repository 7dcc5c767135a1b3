import { binaryEvent, START, streamNameFilter } from '@eventstore/db-client';
import type { ResolvedEvent } from '@eventstore/db-client';
import { collect, connectTarget, ev } from './target';
import type { Target } from './target';

const linkTo = (revision: number | string, stream: string) =>
  binaryEvent({ type: '$>', data: Buffer.from(`${revision}@${stream}`) });

/** A resolved event as `event-stream@revision:type / link-stream@revision`, `-` for a missing part. */
const show = (e: ResolvedEvent): string => {
  const part = (r: ResolvedEvent['event']) => (r ? `${r.streamId}@${r.revision}:${r.type}` : '-');
  return `${part(e.event)} / ${part(e.link)}`;
};

/** Reads `n` events from a subscription, then unsubscribes. */
async function take(
  sub: AsyncIterable<ResolvedEvent> & { unsubscribe(): Promise<void> },
  n: number,
) {
  const out: ResolvedEvent[] = [];
  for await (const e of sub) if (out.push(e) >= n) break;
  await sub.unsubscribe();
  return out;
}

describe('conformance: link events ($>) and resolveLinkTos', () => {
  let t: Target;
  let target: string;
  let links: string;
  beforeAll(async () => {
    t = await connectTarget();
    target = t.stream('link-target');
    links = t.stream('links');
    const gone = t.stream('link-gone');
    const tombstoned = t.stream('link-tombstoned');
    await t.client.appendToStream(target, [ev('A'), ev('B'), ev('C')]);
    await t.client.appendToStream(gone, ev('X'));
    await t.client.deleteStream(gone);
    await t.client.appendToStream(tombstoned, ev('Y'));
    await t.client.tombstoneStream(tombstoned);
    await t.client.appendToStream(links, [
      linkTo(1, target), // an existing event
      linkTo(7, target), // beyond the end
      linkTo(0, t.stream('link-never')), // a stream that never existed
      linkTo(0, gone), // a deleted stream
      linkTo(0, tombstoned), // a tombstoned stream
      linkTo('abc', target), // not a revision: an ordinary event
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const expected = () => [
    `${target}@1:B / ${links}@0:$>`,
    `- / ${links}@1:$>`,
    `- / ${links}@2:$>`,
    `- / ${links}@3:$>`,
    `- / ${links}@4:$>`,
    `${links}@5:$> / -`,
  ];

  it('a stream read without resolveLinkTos returns the links as they are', async () => {
    const got = await collect(t.client.readStream(links));
    expect(got.map(show)).toEqual(expected().map((_, i) => `${links}@${i}:$> / -`));
  });

  it('a stream read resolves each link to its target, or returns the link alone', async () => {
    const got = await collect(t.client.readStream(links, { resolveLinkTos: true }));
    expect(got.map(show)).toEqual(expected());
    const [direct] = await collect(t.client.readStream(target, { fromRevision: 1n, maxCount: 1 }));
    expect(got[0]!.event).toEqual(direct!.event);
  });

  it('a $all read resolves links and keeps the link position as the read position', async () => {
    const mine = (
      await collect(t.client.readAll({ fromPosition: START, resolveLinkTos: true }))
    ).filter((e) => (e.link ?? e.event)!.streamId === links);
    expect(mine.map(show)).toEqual(expected());
    const [resolved] = mine;
    expect(resolved!.commitPosition).toBe(resolved!.link!.position!.commit);
    expect(resolved!.event!.position!.commit).toBeLessThan(resolved!.commitPosition!);
  });

  it('a stream subscription resolves links', async () => {
    const sub = t.client.subscribeToStream(links, { resolveLinkTos: true });
    expect((await take(sub, 6)).map(show)).toEqual(expected());
  });

  it('a $all subscription resolves links, filtering on the link stream', async () => {
    const sub = t.client.subscribeToAll({
      resolveLinkTos: true,
      filter: streamNameFilter({ prefixes: [links] }),
    });
    expect((await take(sub, 6)).map(show)).toEqual(expected());
  });

  it('a live subscription resolves a link appended after it started', async () => {
    const s = t.stream('live-links'); // not under the 'links' prefix filtered above
    const sub = t.client.subscribeToStream(s, { resolveLinkTos: true });
    await new Promise((r) => sub.once('confirmation', r));
    const got = take(sub, 1);
    await t.client.appendToStream(s, linkTo(2, target));
    expect((await got).map(show)).toEqual([`${target}@2:C / ${s}@0:$>`]);
  });
});
