/**
 * The SDK in real headless Chromium against the real service (started here on embedded
 * defaults), through a proxy the tests can close to play "service down". The test pages are
 * served from another origin, so every request is a cross-origin one, as in production.
 */
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startGateProxy } from './gateProxy';
import { startPageServer } from './pageServer';
import { startService, type RunningService } from './serviceProcess';

jest.setTimeout(90_000);

type Counters = Record<string, unknown>;
type PageGlobals = {
  collector: {
    stats(): { queued: number; sent: number; dropped: number; retries: number };
    flush(): Promise<void>;
  };
  trackedIds: string[];
  ready?: boolean;
};

let service: RunningService;
let proxy: Awaited<ReturnType<typeof startGateProxy>>;
let pages: Awaited<ReturnType<typeof startPageServer>>;
let browser: Browser;
let context: BrowserContext;

const JWT_SECRET = 'e2e-secret-0123456789abcdef';

/** Set STATS_E2E_SERVICE_URL to test a service you started yourself (with SKIP_THRESHOLD_SECONDS=1). */
const external = process.env.STATS_E2E_SERVICE_URL;

beforeAll(async () => {
  const started = await Promise.allSettled([
    external
      ? Promise.resolve({ url: external, stop: async () => {}, output: () => '' })
      : startService({ SKIP_THRESHOLD_SECONDS: '1', AUTH_JWT_SECRET: JWT_SECRET }),
    startPageServer(),
    launchChromium(),
  ]);
  const [s, p, b] = started;
  if (s.status === 'fulfilled') service = s.value;
  if (p.status === 'fulfilled') pages = p.value;
  if (b.status === 'fulfilled') browser = b.value;
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  proxy = await startGateProxy(service.url);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await pages?.close();
  await service?.stop();
});

beforeEach(async () => {
  await proxy?.setMode('open');
  context = await browser.newContext();
});
afterEach(() => context?.close());

let seq = 0;
const newTrackId = (name: string) => `e2e-${name}-${Date.now().toString(36)}-${seq++}`;
const endpoint = () => `${proxy.url}/api/stats/events`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(file: string, params: Record<string, string>, page?: Page): Promise<Page> {
  page ??= await context.newPage();
  await page.goto(
    `${pages.url}/${file}?${new URLSearchParams({ endpoint: endpoint(), ...params })}`,
  );
  await page.waitForFunction(() => (window as unknown as PageGlobals).ready === true);
  return page;
}

const trackedIds = (page: Page) =>
  page.evaluate(() => (window as unknown as PageGlobals).trackedIds);
const collectorStats = (page: Page) =>
  page.evaluate(() => (window as unknown as PageGlobals).collector.stats());

async function counters(trackId: string): Promise<Counters | undefined> {
  const res = await fetch(`${service.url}/api/tracks/${encodeURIComponent(trackId)}`);
  return res.ok ? ((await res.json()) as Counters) : undefined;
}

/** Polls the read side until the counters match, then checks they stay put (nothing arrives twice). */
async function expectCounters(
  trackId: string,
  expected: Record<string, number>,
  timeoutMs = 30_000,
) {
  const matches = (doc: Counters | undefined) =>
    !!doc && Object.entries(expected).every(([k, v]) => doc[k] === v);
  const deadline = Date.now() + timeoutMs;
  let doc: Counters | undefined;
  while (!matches((doc = await counters(trackId)))) {
    if (Date.now() > deadline) {
      throw new Error(
        `track ${trackId}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(doc)}`,
      );
    }
    await sleep(250);
  }
  await sleep(1_000);
  expect(await counters(trackId)).toMatchObject(expected);
}

/** Every id went out in exactly one request the server answered with 2xx. */
function expectAcceptedOnce(ids: string[]) {
  expect(ids.map((id) => proxy.acceptedCount(id))).toEqual(ids.map(() => 1));
}

async function clickAll(page: Page, ids: string[]) {
  for (const id of ids) await page.click(`#${id}`);
}

describe('StatsCollector in Chromium against the running service', () => {
  it('a page plays, likes and shares: each event arrives once, on the flush timer', async () => {
    const trackId = newTrackId('plain');
    const page = await open('plain.html', { track: trackId, interval: '300' });
    await clickAll(page, ['play', 'like', 'share']);
    await expectCounters(trackId, { playCount: 1, likeCount: 1, shareCount: 1 });
    const ids = await trackedIds(page);
    expectAcceptedOnce(ids);
    const posts = proxy.posts.filter((p) => p.ids.some((id) => ids.includes(id)));
    expect(posts.every((p) => p.contentType?.startsWith('text/plain'))).toBe(true);
    expect(await collectorStats(page)).toEqual({ queued: 0, sent: 3, dropped: 0, retries: 0 });
  });

  it('a page closed mid-queue delivers its events by sendBeacon', async () => {
    const trackId = newTrackId('beacon');
    const page = await open('plain.html', { track: trackId, interval: '60000' });
    await clickAll(page, ['play', 'like', 'share']);
    const ids = await trackedIds(page);
    await sleep(300);
    expect(proxy.posts.filter((p) => p.ids.some((id) => ids.includes(id)))).toHaveLength(0);
    await page.close();
    await expectCounters(trackId, { playCount: 1, likeCount: 1, shareCount: 1 });
    expectAcceptedOnce(ids);
    const beacon = proxy.posts.find((p) => p.ids.includes(ids[0]!));
    expect(beacon?.fetchMode).toBe('no-cors'); // sendBeacon, not fetch
  });

  it('retries while the service is down or overloaded, then delivers each event once', async () => {
    const trackId = newTrackId('retry');
    await proxy.setMode('refuse');
    const page = await open('plain.html', {
      track: trackId,
      interval: '200',
      minBackoff: '200',
      maxBackoff: '800',
    });
    await clickAll(page, ['play', 'like', 'share']);
    await sleep(2_000);
    const down = await collectorStats(page);
    expect(down).toMatchObject({ queued: 3, sent: 0, dropped: 0 });
    expect(down.retries).toBeGreaterThanOrEqual(2);

    await proxy.setMode('unavailable'); // 503 + Retry-After: 1
    const before503 = proxy.posts.length;
    await sleep(1_500);
    expect((await collectorStats(page)).queued).toBe(3);

    await proxy.setMode('open');
    await expectCounters(trackId, { playCount: 1, likeCount: 1, shareCount: 1 });
    const ids = await trackedIds(page);
    expectAcceptedOnce(ids);
    expect(proxy.posts.length).toBeGreaterThan(before503);
    const after = await collectorStats(page);
    expect(after).toMatchObject({ queued: 0, sent: 3, dropped: 0 });
    expect(after.retries).toBeGreaterThan(down.retries);
  });

  it('a persisted queue survives a reload while the service is down and is sent once it is back', async () => {
    const trackId = newTrackId('persist');
    await proxy.setMode('refuse');
    const params = {
      track: trackId,
      persist: '1',
      interval: '200',
      minBackoff: '200',
      maxBackoff: '500',
    };
    const page = await open('plain.html', params);
    await clickAll(page, ['play', 'like', 'share']);
    const ids = await trackedIds(page);
    await page.waitForFunction(
      () => (window as unknown as PageGlobals).collector.stats().retries >= 1,
    );

    await page.reload(); // pagehide: the beacon goes nowhere (service down); the stored queue stays
    await page.waitForFunction(() => (window as unknown as PageGlobals).ready === true);
    expect(await trackedIds(page)).toEqual([]);
    expect((await collectorStats(page)).queued).toBe(3);

    await proxy.setMode('open');
    await expectCounters(trackId, { playCount: 1, likeCount: 1, shareCount: 1 });
    expectAcceptedOnce(ids);
    await page.waitForFunction(() => localStorage.getItem('stats:queue') === null);
  });
  it('sends the getToken bearer token (CORS preflight) and the service accepts it', async () => {
    const trackId = newTrackId('token');
    const token = jwt.sign({ sub: 'listener-e2e', role: 'listener' }, JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: '10m',
    });
    const page = await open('plain.html', { track: trackId });
    const id = await page.evaluate(
      async ([url, jwtToken, track]) => {
        // The page's collector's class, as loaded from /stats.js.
        const StatsCollector = (window as unknown as PageGlobals).collector.constructor as new (
          o: object,
        ) => PageGlobals['collector'] & { track(e: object): string };
        const collector = new StatsCollector({ endpoint: url, getToken: async () => jwtToken });
        const eventId = collector.track({ type: 'download', trackId: track });
        await collector.flush();
        return eventId;
      },
      [endpoint(), token, trackId] as const,
    );
    await expectCounters(trackId, { downloadCount: 1 });
    expect(proxy.posts.find((p) => p.ids.includes(id))).toMatchObject({
      authorized: true,
      status: 200,
    });
  });

  it('counts events the service rejects as dropped and does not retry them', async () => {
    const trackId = newTrackId('rejected');
    const page = await open('plain.html', { track: trackId, interval: '60000' });
    const ids = await page.evaluate(async (id) => {
      const { collector } = window as unknown as PageGlobals & {
        collector: { track(e: object): string };
      };
      const good = collector.track({ type: 'like', trackId: id });
      const bad = collector.track({ type: 'share', trackId: id, platform: 'carrier-pigeon' });
      await collector.flush();
      const onlyBad = collector.track({ type: 'like', trackId: 'not a valid id!' });
      await collector.flush();
      return [good, bad, onlyBad];
    }, trackId);
    await expectCounters(trackId, { likeCount: 1, shareCount: 0 });
    expect(proxy.posts.filter((p) => p.ids.includes(ids[2]!)).map((p) => p.status)).toEqual([400]);
    expect(await collectorStats(page)).toEqual({ queued: 0, sent: 1, dropped: 2, retries: 0 });
  });
});

describe('useStats() in Chromium against the running service', () => {
  beforeAll(() => {
    if (pages.reactError) throw pages.reactError;
  });

  it('measures a play, tracks like, save, share and download, each once (under StrictMode)', async () => {
    const trackId = newTrackId('react');
    const page = await open('react.html', { track: trackId });
    await page.click('#start');
    await sleep(1_600);
    await page.click('#end');
    await page.click('#start');
    await page.click('#end'); // under the 1 s threshold: a skip
    await clickAll(page, ['like', 'save', 'share', 'download']);
    await expectCounters(trackId, {
      playCount: 1,
      skipCount: 1,
      likeCount: 1,
      saveCount: 1,
      shareCount: 1,
      downloadCount: 1,
    });
    const ids = (await trackedIds(page)) as string[];
    expect(ids).toHaveLength(6);
    expectAcceptedOnce(ids);
    const [play, skip] = ids
      .slice(0, 2)
      .map((id) => proxy.posts.flatMap((p) => p.events).find((e) => e.id === id));
    expect(play).toMatchObject({
      type: 'play',
      source: 'playlist',
      playlistId: 'pl-e2e',
      skipped: false,
      replayed: false,
    });
    expect(play?.duration).toBeGreaterThanOrEqual(1.5);
    expect(play?.duration).toBeLessThan(15); // generous: a loaded CI machine clicks slowly
    expect(play?.completionRate).toBeCloseTo(
      Math.min(100, ((play?.duration as number) / 4) * 100),
      1,
    );
    expect(skip).toMatchObject({ type: 'play', skipped: true });
  });

  it('ends a running play when the page is closed', async () => {
    const trackId = newTrackId('react-close');
    const page = await open('react.html', { track: trackId });
    await page.click('#start');
    await sleep(1_300);
    await page.close();
    await expectCounters(trackId, { playCount: 1 });
  });
});
