import { jsonEvent, START } from '@eventstore/db-client';
import { startTempServer } from './testing/tempServer';
import type { TempServer } from './testing/tempServer';

/**
 * A subscriber that stops reading must hold the server back (it waits for 'drain'), instead of
 * the server encoding the whole log into the call's buffer.
 */
describe('back-pressure on a slow subscriber', () => {
  let t: TempServer;
  beforeEach(async () => {
    t = await startTempServer();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('stops sending while the client does not read, and resumes when it does', async () => {
    const total = 1_500;
    const pad = 'x'.repeat(1000);
    for (let i = 0; i < total; i += 500) {
      await t.client.appendToStream(
        'bp',
        Array.from({ length: 500 }, (_, j) =>
          jsonEvent({ type: 'Padded', data: { n: i + j, pad } }),
        ),
      );
    }
    const sub = t.client.subscribeToAll({ fromPosition: START });
    await new Promise((r) => setTimeout(r, 800)); // nobody reads
    const sentWhilePaused = t.server.stats.eventsSent;
    expect(t.server.stats.drainWaits).toBeGreaterThan(0);
    expect(sentWhilePaused).toBeGreaterThan(0);
    expect(sentWhilePaused).toBeLessThan(total / 2);
    let n = 0;
    for await (const e of sub) {
      if (e.event!.streamId.startsWith('$')) continue; // the fresh log's $epoch-information
      expect((e.event!.data as { n: number }).n).toBe(n);
      if (++n === total) break;
    }
    await sub.unsubscribe();
    expect(t.server.stats.eventsSent).toBeGreaterThanOrEqual(total);
  }, 60_000);
});
