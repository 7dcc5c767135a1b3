import { memoryStore } from './persistence';
import { StatsCollector, type StatsCollectorOptions } from './statsCollector';
import { fakeTransport, manualUnload } from './testing/fakes';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ok = (rejected: unknown[] = []) => ({
  status: 200,
  body: { accepted: 1, duplicates: 0, rejected },
});

function setup(options: Partial<StatsCollectorOptions> = {}) {
  const net = fakeTransport();
  const page = manualUnload();
  const store = memoryStore();
  const make = (more: Partial<StatsCollectorOptions> = {}) =>
    new StatsCollector({
      endpoint: 'http://stats.test/api/stats/events',
      transport: net.transport,
      onUnload: page.onUnload,
      store,
      ...options,
      ...more,
    });
  return { net, page, store, make, collector: make() };
}

const like = (trackId = 't1') => ({ type: 'like', trackId }) as const;

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  jest.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  jest.spyOn(Math, 'random').mockReturnValue(1); // jitter at its maximum: delay = full cap
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('StatsCollector', () => {
  it('fills id, timestamp, session and anonymous ids, and returns the id', async () => {
    const { net, collector } = setup();
    const id = collector.track({ type: 'play', trackId: 't1', duration: 42, source: 'search' });
    expect(id).toMatch(UUID_V4);
    const done = collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond(ok());
    await done;
    expect(net.sends).toHaveLength(1);
    const [sent] = net.sends;
    expect(sent?.sentAt).toBe('2026-01-01T00:00:00.000Z');
    expect(sent?.events).toEqual([
      {
        type: 'play',
        trackId: 't1',
        duration: 42,
        source: 'search',
        id,
        timestamp: '2026-01-01T00:00:00.000Z',
        sessionId: collector.sessionId,
        anonymousId: collector.anonymousId,
      },
    ]);
  });

  it('keeps the anonymous id across collectors sharing a store, with a new session id each', () => {
    const { collector, make } = setup();
    const again = make();
    expect(again.anonymousId).toBe(collector.anonymousId);
    expect(again.anonymousId).toMatch(UUID_V4);
    expect(again.sessionId).not.toBe(collector.sessionId);
  });

  it('sends as soon as batchSize events are queued', async () => {
    const { net, collector } = setup({ batchSize: 3 });
    collector.track(like());
    collector.track(like());
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends).toHaveLength(0);
    collector.track(like());
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends).toHaveLength(1);
    expect(net.sends[0]?.events).toHaveLength(3);
  });

  it('sends a partial batch flushIntervalMs after the first queued event', async () => {
    const { net, collector } = setup();
    collector.track(like());
    await jest.advanceTimersByTimeAsync(4_000);
    collector.track(like());
    await jest.advanceTimersByTimeAsync(999);
    expect(net.sends).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(net.sends).toHaveLength(1);
    expect(net.sends[0]?.events).toHaveLength(2);
    net.respond(ok());
    await jest.advanceTimersByTimeAsync(60_000);
    expect(net.sends).toHaveLength(1); // idle: no empty sends
    expect(collector.stats()).toEqual({ queued: 0, sent: 2, dropped: 0, retries: 0 });
  });

  it('drops the oldest events beyond maxQueueSize and counts them', async () => {
    const { net, collector } = setup({ maxQueueSize: 3 });
    const ids = [1, 2, 3, 4, 5].map((n) => collector.track(like(`t${n}`)));
    expect(collector.stats()).toMatchObject({ queued: 3, dropped: 2 });
    const done = collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond(ok());
    await done;
    expect(net.sentIds()).toEqual(ids.slice(2));
  });

  it('counts in-flight events against maxQueueSize', async () => {
    const { net, collector } = setup({ maxQueueSize: 3, batchSize: 2 });
    const ids = [1, 2].map((n) => collector.track(like(`t${n}`)));
    await jest.advanceTimersByTimeAsync(0);
    expect(net.pending).toBe(1); // t1, t2 in flight
    const later = [3, 4].map((n) => collector.track(like(`t${n}`)));
    expect(collector.stats()).toMatchObject({ queued: 3, dropped: 1 });
    net.respond(ok());
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends[1]?.events.map((e) => e.id)).toEqual([later[1]]);
    expect(net.sends[0]?.events.map((e) => e.id)).toEqual(ids);
  });

  it('retries with exponential backoff and resends the same ids, never concurrently', async () => {
    const { net, collector } = setup({ minBackoffMs: 1000, maxBackoffMs: 4000 });
    const id = collector.track(like());
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    const delays = [1000, 2000, 4000, 4000];
    for (const delay of delays) {
      net.respond({ status: 503 });
      await jest.advanceTimersByTimeAsync(delay - 1);
      collector.track(like('t2')); // new events wait behind the failed batch
      await jest.advanceTimersByTimeAsync(0);
      const before = net.sends.length;
      await jest.advanceTimersByTimeAsync(1);
      expect(net.sends.length).toBe(before + 1);
    }
    expect(net.maxInFlight).toBe(1);
    expect(net.sends.map((s) => s.events[0]?.id)).toEqual(Array(5).fill(id));
    expect(collector.stats().retries).toBe(4);
    // The last retry carries the failed event plus the 4 tracked meanwhile, in order.
    expect(net.sends[4]?.events.map((e) => e.trackId)).toEqual(['t1', 't2', 't2', 't2', 't2']);
    net.respond(ok());
    await jest.advanceTimersByTimeAsync(60_000);
    expect(net.sends).toHaveLength(5);
    expect(collector.stats()).toEqual({ queued: 0, sent: 5, dropped: 0, retries: 4 });
  });

  it('applies jitter between half and all of the backoff cap', async () => {
    (Math.random as jest.Mock).mockReturnValue(0);
    const { net, collector } = setup({ minBackoffMs: 1000 });
    collector.track(like());
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond({ status: 0 });
    await jest.advanceTimersByTimeAsync(499);
    expect(net.sends).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(net.sends).toHaveLength(2);
  });

  it('treats a rejected send (network failure) as retryable', async () => {
    const { collector } = setup({ minBackoffMs: 100 });
    let calls = 0;
    const failing = new StatsCollector({
      endpoint: 'http://x.test/',
      store: memoryStore(),
      onUnload: () => () => {},
      transport: {
        send: () =>
          ++calls === 1 ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve(ok()),
        beacon: () => false,
      },
      minBackoffMs: 100,
    });
    failing.track(like());
    await failing.flush();
    expect(failing.stats()).toMatchObject({ queued: 1, retries: 1 });
    await jest.advanceTimersByTimeAsync(100);
    expect(failing.stats()).toMatchObject({ queued: 0, sent: 1, retries: 1 });
    collector.shutdown();
    failing.shutdown();
  });

  it('honours Retry-After, even against an explicit flush()', async () => {
    const { net, collector } = setup({ minBackoffMs: 100 });
    collector.track(like());
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond({ status: 429, retryAfter: '10' });
    await jest.advanceTimersByTimeAsync(5_000);
    await collector.flush();
    expect(net.sends).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(net.sends).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(net.sends).toHaveLength(2);
  });

  it('lets flush() skip a plain backoff, and joins a send already in flight', async () => {
    const { net, collector } = setup({ minBackoffMs: 60_000 });
    collector.track(like());
    const first = collector.flush();
    expect(collector.flush()).toBe(first);
    await jest.advanceTimersByTimeAsync(0);
    net.respond({ status: 500 });
    await first;
    const second = collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends).toHaveLength(2);
    net.respond(ok());
    await second;
    expect(collector.stats()).toMatchObject({ queued: 0, sent: 1, retries: 1 });
  });

  it('drops (and counts) a batch the server rejects with 400, without retrying', async () => {
    const { net, collector } = setup();
    collector.track(like());
    collector.track(like());
    const done = collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond({
      status: 400,
      body: { accepted: 0, duplicates: 0, rejected: [{ index: 0 }, { index: 1 }] },
    });
    await done;
    await jest.advanceTimersByTimeAsync(120_000);
    expect(net.sends).toHaveLength(1);
    expect(collector.stats()).toEqual({ queued: 0, sent: 0, dropped: 2, retries: 0 });
  });

  it('counts per-event rejections in a 200 reply as dropped', async () => {
    const { net, collector } = setup();
    for (let i = 0; i < 3; i++) collector.track(like());
    const done = collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond(ok([{ index: 1, errors: ['bad'] }]));
    await done;
    expect(collector.stats()).toEqual({ queued: 0, sent: 2, dropped: 1, retries: 0 });
  });

  it('splits a batch answered with 413 and drops a single event that is still too large', async () => {
    const { net, collector } = setup({ batchSize: 4 });
    const ids = [1, 2, 3, 4].map(() => collector.track(like()));
    await jest.advanceTimersByTimeAsync(0);
    net.respond({ status: 413 });
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends[1]?.events.map((e) => e.id)).toEqual(ids.slice(0, 2));
    net.respond({ status: 413 });
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends[2]?.events.map((e) => e.id)).toEqual(ids.slice(0, 1));
    net.respond({ status: 413 }); // one event alone is too large: drop it
    await jest.advanceTimersByTimeAsync(0);
    for (const expected of [ids.slice(1, 2), ids.slice(2, 3), ids.slice(3, 4)]) {
      expect(net.sends.at(-1)?.events.map((e) => e.id)).toEqual(expected);
      net.respond(ok());
      await jest.advanceTimersByTimeAsync(0);
    }
    expect(net.sends).toHaveLength(6);
    expect(collector.stats()).toEqual({ queued: 0, sent: 3, dropped: 1, retries: 0 });
  });

  it('hands the queue to sendBeacon on unload, not the batch in flight', async () => {
    const { net, page, collector } = setup({ batchSize: 2 });
    const inFlight = [collector.track(like()), collector.track(like())];
    await jest.advanceTimersByTimeAsync(0);
    const queued = [collector.track(like()), collector.track(like())];
    page.fire();
    expect(net.beacons).toHaveLength(1);
    expect(net.beacons[0]?.events.map((e) => e.id)).toEqual(queued);
    expect(net.beacons[0]?.sentAt).toBe('2026-01-01T00:00:00.000Z');
    expect(net.sends[0]?.events.map((e) => e.id)).toEqual(inFlight);
    page.fire(); // hidden, then pagehide: nothing left to send
    expect(net.beacons).toHaveLength(1);
    expect(collector.stats()).toMatchObject({ queued: 2, sent: 2 });
  });

  it('falls back to fetch with keepalive when sendBeacon refuses', async () => {
    const { net, page, collector } = setup();
    net.state.beaconOk = false;
    const id = collector.track(like());
    page.fire();
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends).toHaveLength(1);
    expect(net.sends[0]).toMatchObject({ keepalive: true, events: [{ id }] });
    net.respond(ok());
    await jest.advanceTimersByTimeAsync(0);
    expect(collector.stats()).toMatchObject({ queued: 0, sent: 1 });
  });

  it('splits unload beacons under the 64 KiB keepalive quota', () => {
    const { net, page, collector } = setup({ batchSize: 1000, maxQueueSize: 1000 });
    for (let i = 0; i < 600; i++)
      collector.track({ type: 'save', trackId: `track-${i}`, playlistId: 'p'.repeat(100) });
    page.fire();
    expect(net.beacons.length).toBeGreaterThan(1);
    expect(net.beacons.flatMap((b) => b.events)).toHaveLength(600);
    for (const b of net.beacons) expect(JSON.stringify(b).length).toBeLessThanOrEqual(64 * 1024);
  });

  it('uses keepalive for small regular sends only', async () => {
    const { net, collector } = setup({ batchSize: 1000 });
    collector.track(like());
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond(ok());
    for (let i = 0; i < 300; i++)
      collector.track({ type: 'save', trackId: `track-${i}`, playlistId: 'p'.repeat(100) });
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends.map((s) => s.keepalive)).toEqual([true, false]);
  });

  it('sends the token from getToken and goes on anonymously when it throws', async () => {
    const tokens = ['abc', new Error('expired')];
    const { net, collector } = setup({
      getToken: () => {
        const t = tokens.shift();
        if (t instanceof Error) throw t;
        return t;
      },
    });
    collector.track(like());
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond(ok());
    collector.track(like());
    void collector.flush();
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends.map((s) => s.token)).toEqual(['abc', undefined]);
  });

  it('shutdown() beacons the queue, stops timers and listeners, and drops later events', async () => {
    const { net, page, collector } = setup();
    collector.track(like());
    expect(page.listeners).toBe(1);
    collector.shutdown();
    expect(net.beacons).toHaveLength(1);
    expect(page.listeners).toBe(0);
    collector.track(like());
    await jest.advanceTimersByTimeAsync(60_000);
    expect(net.sends).toHaveLength(0);
    expect(collector.stats()).toEqual({ queued: 0, sent: 1, dropped: 1, retries: 0 });
  });

  it('requires an endpoint and clamps numeric options', async () => {
    expect(() => new StatsCollector({} as StatsCollectorOptions)).toThrow(TypeError);
    const { net, collector } = setup({ batchSize: 0, flushIntervalMs: 5 });
    collector.track(like());
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends).toHaveLength(1); // batchSize clamped to 1
  });
});

describe('StatsCollector persistence', () => {
  it('stores the unsent queue (in flight included) and a new collector sends it', async () => {
    const { net, store, make } = setup({ persist: true, minBackoffMs: 100 });
    const first = make();
    const ids = [first.track(like()), first.track(like())];
    await Promise.resolve();
    expect(JSON.parse(store.getItem('stats:queue') ?? '[]')).toHaveLength(2);
    void first.flush();
    await jest.advanceTimersByTimeAsync(0);
    expect(JSON.parse(store.getItem('stats:queue') ?? '[]')).toHaveLength(2); // in flight still stored

    // The page dies with the request in flight; the next page load picks the events up.
    const second = make();
    expect(second.stats().queued).toBe(2);
    await jest.advanceTimersByTimeAsync(0);
    expect(net.sends[1]?.events.map((e) => e.id)).toEqual(ids);
    net.respond({ status: 0 });
    net.respond(ok());
    await jest.advanceTimersByTimeAsync(0);
    expect(second.stats()).toMatchObject({ queued: 0, sent: 2 });
    expect(store.getItem('stats:queue')).toBeNull();
  });

  it('keeps beaconed events stored on unload, since a beacon may never arrive', () => {
    const { net, page, store, make } = setup({ persist: true });
    const c = make();
    const id = c.track(like());
    page.fire();
    expect(net.beacons[0]?.events[0]?.id).toBe(id);
    expect(JSON.parse(store.getItem('stats:queue') ?? '[]')).toEqual([
      expect.objectContaining({ id }),
    ]);
  });

  it('keeps them stored through a second unload (hidden after pagehide) until a send succeeds', async () => {
    const { net, page, store, make } = setup({ persist: true });
    const c = make();
    const id = c.track(like());
    page.fire(); // pagehide
    page.fire(); // visibilitychange → hidden, nothing left to send
    const stored = () =>
      JSON.parse(store.getItem('stats:queue') ?? '[]').map((e: { id: string }) => e.id);
    expect(stored()).toEqual([id]);
    const later = c.track(like()); // the page lived on
    await Promise.resolve();
    expect(stored()).toEqual([id, later]);
    const done = c.flush();
    await jest.advanceTimersByTimeAsync(0);
    net.respond(ok());
    await done;
    expect(store.getItem('stats:queue')).toBeNull();
  });

  it('restores each stored id once', () => {
    const { store, make } = setup();
    const e = { ...like(), id: 'same' };
    store.setItem('stats:queue', JSON.stringify([e, e]));
    expect(make({ persist: true }).stats().queued).toBe(1);
  });

  it('does not store anything without persist, and ignores a corrupt stored queue', async () => {
    const { store, make } = setup();
    make().track(like());
    await Promise.resolve();
    expect(store.getItem('stats:queue')).toBeNull();
    store.setItem('stats:queue', '{not json');
    expect(make({ persist: true }).stats().queued).toBe(0);
    store.setItem('stats:queue', JSON.stringify([{ nope: 1 }, like()]));
    expect(make({ persist: true }).stats().queued).toBe(0);
  });

  it('applies maxQueueSize to a restored queue', () => {
    const { store, make } = setup();
    const events = [1, 2, 3].map((n) => ({ ...like(), id: `id-${n}` }));
    store.setItem('stats:queue', JSON.stringify(events));
    expect(make({ persist: true, maxQueueSize: 2 }).stats()).toMatchObject({
      queued: 2,
      dropped: 1,
    });
  });
});
