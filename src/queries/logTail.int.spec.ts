import { createLogger } from '../logger';
import { syntheticStore, type SyntheticStore } from '../projector/testing/syntheticStore';
import { logTail } from './logTail';

/**
 * The query tail's start: it waits for the log up to its head, or only so long when there is a
 * backlog to read (a service must become ready while its projectors catch up after an import),
 * and says whether it has caught up.
 */
let es: SyntheticStore;
const EVENTS = 20_000;
const logger = createLogger('silent');

beforeAll(async () => {
  es = await syntheticStore('tail', {
    events: EVENTS,
    tracks: 50,
    artists: 5,
    listeners: 500,
    from: new Date('2026-03-01T00:00:00Z'),
    to: new Date('2026-03-10T00:00:00Z'),
    seed: 9,
  });
}, 120_000);

afterAll(async () => {
  await es?.close();
});

/** Events of the whole log, as the unbounded start holds them. */
let logLength = 0;

it('a start without a limit resolves once the whole log is held', async () => {
  const tail = logTail(es.store, { logger, maxEvents: 100_000 });
  try {
    await tail.start(undefined);
    expect(tail.caughtUp()).toBe(true);
    logLength = tail.after(-1).length;
    expect(logLength).toBeGreaterThanOrEqual(EVENTS); // the stat events and the catalog's
  } finally {
    await tail.close();
  }
}, 60_000);

it('a start with a limit returns while the backlog is read, and catches up after', async () => {
  const tail = logTail(es.store, { logger, maxEvents: 100_000 });
  try {
    await tail.start(undefined, 0);
    expect(tail.caughtUp()).toBe(false);
    expect(tail.after(-1).length).toBeLessThan(EVENTS);
    const until = Date.now() + 30_000;
    while (!tail.caughtUp() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(tail.caughtUp()).toBe(true);
    expect(tail.after(-1)).toHaveLength(logLength);
  } finally {
    await tail.close();
  }
}, 60_000);
