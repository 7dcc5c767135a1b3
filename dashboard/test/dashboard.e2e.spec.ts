/**
 * The dashboard in real headless Chromium against the real service (`npm start` on
 * embedded defaults) holding a seeded year of history for two artists. The page's numbers are
 * checked against the API's answers for the same requests.
 */
import fs from 'node:fs';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../client/test/chromium';
import { buildDashboard } from '../build';
import { startSeededService, type SeededService } from './seededService';

jest.setTimeout(120_000);

const ZONE = 'America/New_York';
const METRICS = [
  'totalPlays',
  'uniqueListeners',
  'totalLikes',
  'totalSaves',
  'totalShares',
  'totalDownloads',
  'avgDuration',
  'avgCompletionRate',
] as const;

let seeded: SeededService;
let browser: Browser;
let context: BrowserContext;
let consoleErrors: string[];

beforeAll(async () => {
  await buildDashboard();
  const [s, b] = await Promise.allSettled([startSeededService(), launchChromium()]);
  if (s.status === 'fulfilled') seeded = s.value;
  if (b.status === 'fulfilled') browser = b.value;
  if (s.status === 'rejected') throw s.reason;
  if (b.status === 'rejected') throw b.reason;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await seeded?.service.stop();
});

beforeEach(async () => {
  consoleErrors = [];
  context = await browser.newContext({ timezoneId: ZONE, viewport: { width: 1280, height: 900 } });
  context.on('page', (p) => {
    p.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    p.on('pageerror', (e) => consoleErrors.push(e.message));
  });
});
afterEach(() => context?.close());

const artistToken = (artistId: string) => seeded.token({ role: 'artist', artistId });

async function open(token: string, path = '/dashboard?range=30d'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${seeded.url}${path}#token=${token}`);
  return page;
}

/** The API's answer to the request the page made (same URL, same token), fetched again. */
async function apiAnswer<T = Record<string, unknown>>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const apiAnswerStatus = async (url: string, token: string) =>
  (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status;

const numberOf = (text: string | null) => Number((text ?? '').replace(/[^\d.]/g, ''));

async function shownMetrics(page: Page): Promise<Record<string, number>> {
  await page.waitForSelector('[data-panel="overview"][aria-busy="false"] [data-metric]');
  const out: Record<string, number> = {};
  for (const m of METRICS) out[m] = numberOf(await page.textContent(`[data-metric="${m}"]`));
  return out;
}

type Overview = Record<(typeof METRICS)[number], number>;
const waitStats = (page: Page) =>
  page.waitForResponse(
    (r) => r.url().includes('/api/dashboard/stats?') && !r.url().includes('timeRange=24h'),
  );

describe('artist dashboard in Chromium', () => {
  it('signs in from the link, drops the token from the address bar, and shows the API numbers', async () => {
    const token = artistToken(seeded.artistA);
    const page = await context.newPage();
    const statsResponse = waitStats(page);
    await page.goto(`${seeded.url}/dashboard?range=30d#token=${token}`);
    const res = await statsResponse;
    expect(new URL(res.url()).searchParams.get('tz')).toBe(ZONE);
    const api = await apiAnswer<{ overview: Overview; artistId: string; tz?: string }>(
      res.url(),
      token,
    );
    expect(api.artistId).toBe(seeded.artistA);
    // The answer is in the browser's zone, and the page names it.
    expect(api.tz).toBe(ZONE);
    expect(await page.textContent('.subtitle')).toContain(`times in ${ZONE}`);
    expect(api.overview.totalPlays).toBeGreaterThan(500);
    expect(await shownMetrics(page)).toEqual(
      Object.fromEntries(METRICS.map((m) => [m, api.overview[m]])),
    );
    expect(page.url()).toBe(`${seeded.url}/dashboard?range=30d`);
    // Breakdowns are the analytics answer's, row by row.
    const analytics = await apiAnswer<{ plays: { sourceBreakdown: Record<string, number> } }>(
      `${seeded.url}/api/dashboard/analytics?timeRange=30d&tz=${encodeURIComponent(ZONE)}`,
      token,
    );
    for (const [source, count] of Object.entries(analytics.plays.sourceBreakdown)) {
      expect(
        numberOf(
          await page.textContent(`[data-breakdown="sources"] [data-key="${source}"] [data-count]`),
        ),
      ).toBe(count);
    }
    await page.reload(); // the tab keeps the session
    expect(await shownMetrics(page)).toEqual(
      Object.fromEntries(METRICS.map((m) => [m, api.overview[m]])),
    );
    expect(consoleErrors).toEqual([]);
  });

  it('a range change redraws the chart and keeps the range in the URL; custom dates work', async () => {
    const token = artistToken(seeded.artistA);
    const page = await open(token);
    const chart = page.locator('[data-chart="series"]');
    await page.waitForSelector('[data-chart="series"][data-buckets]');
    const before = await chart.getAttribute('data-first');
    expect(Number(await chart.getAttribute('data-buckets'))).toBeGreaterThanOrEqual(30);
    const statsResponse = waitStats(page);
    await page.click('[data-range="7d"]');
    const res = await statsResponse;
    await page.waitForFunction(
      (b) => document.querySelector('[data-chart="series"]')?.getAttribute('data-first') !== b,
      before,
    );
    expect(Number(await chart.getAttribute('data-buckets'))).toBeLessThanOrEqual(8);
    expect(page.url()).toBe(`${seeded.url}/dashboard?range=7d`);
    const api = await apiAnswer<{ overview: Overview }>(res.url(), token);
    await page.waitForSelector('[data-range="7d"][aria-pressed="true"]');
    expect((await shownMetrics(page)).totalPlays).toBe(api.overview.totalPlays);
    await page.reload();
    await page.waitForSelector('[data-range="7d"][aria-pressed="true"]');
    await page.goBack();
    await page.waitForSelector('[data-range="30d"][aria-pressed="true"]');

    // Custom dates: whole local days in the browser's zone, `to` included.
    const custom = await context.newPage();
    const customStats = waitStats(custom);
    await custom.goto(`${seeded.url}/dashboard?from=2026-06-01&to=2026-06-14#token=${token}`);
    const customRes = await customStats;
    const q = new URL(customRes.url()).searchParams;
    expect([q.get('from'), q.get('to')]).toEqual([
      '2026-06-01T04:00:00.000Z',
      '2026-06-15T04:00:00.000Z',
    ]);
    const customApi = await apiAnswer<{ overview: Overview }>(customRes.url(), token);
    expect((await shownMetrics(custom)).totalPlays).toBe(customApi.overview.totalPlays);
    expect(await custom.getAttribute('[data-range="custom"]', 'aria-pressed')).toBe('true');
    expect(consoleErrors).toEqual([]);
  });

  it('a track page shows that track, survives a reload, and downloads its series as CSV', async () => {
    const token = artistToken(seeded.artistA);
    const page = await open(token, '/dashboard?range=90d');
    const link = page.locator('.top-tracks tbody a').first();
    const title = await link.textContent();
    const statsResponse = waitStats(page);
    await link.click();
    const res = await statsResponse;
    const api = await apiAnswer<{ overview: Overview; trackId: string }>(res.url(), token);
    expect(page.url()).toBe(`${seeded.url}/dashboard/track/${api.trackId}?range=90d`);
    await page.waitForSelector(`h1:has-text("${title}")`);
    expect((await shownMetrics(page)).totalPlays).toBe(api.overview.totalPlays);
    await page.reload();
    expect((await shownMetrics(page)).totalPlays).toBe(api.overview.totalPlays);
    const series = await apiAnswer<{ series: { plays: number }[] }>(
      `${seeded.url}/api/dashboard/tracks/${api.trackId}?timeRange=90d&tz=${encodeURIComponent(ZONE)}`,
      token,
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('text=Download CSV'),
    ]);
    const lines = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 2)).toEqual(['from', 'to']);
    expect(header).toEqual(expect.arrayContaining(['plays', 'skips', 'likes']));
    expect(lines).toHaveLength(series.series.length + 1);
    const column = header.indexOf('plays');
    const plays = lines.slice(1).reduce((s, l) => s + Number(l.split(',')[column]), 0);
    expect(plays).toBe(api.overview.totalPlays);
    expect(consoleErrors).toEqual([]);
  });

  it('shows a new play in recent activity within 5 s, without a reload', async () => {
    const token = artistToken(seeded.artistA);
    const page = await open(token);
    const list = page.locator('[data-list="recent-plays"]');
    await page.waitForSelector('[data-list="recent-plays"] > li');
    expect(await list.locator('> li').count()).toBe(10);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const track = seeded.catalog.a[5]!; // the least played: never the newest before this play
    expect(await list.locator('> li').first().textContent()).not.toContain(track.title);
    const posted = Date.now();
    const res = await fetch(`${seeded.url}/api/stats/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: crypto.randomUUID(),
          type: 'play',
          trackId: track.trackId,
          sessionId: 'e2e-live',
          timestamp: new Date().toISOString(),
          duration: 150,
          source: 'search',
        },
      ]),
    });
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
    await page.waitForFunction(
      (t) => document.querySelector('[data-list="recent-plays"] > li')?.textContent?.includes(t),
      track.title,
      { timeout: 5_000 },
    );
    expect(Date.now() - posted).toBeLessThan(5_000);
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    expect(await list.locator('> li').count()).toBe(10);
    expect(consoleErrors).toEqual([]);
  });

  it("never shows another artist's data", async () => {
    const token = artistToken(seeded.artistB);
    const answers: { url: string; body: { artistId?: string } }[] = [];
    const page = await context.newPage();
    page.on('response', async (r) => {
      if (r.url().includes('/api/dashboard/stats'))
        answers.push({ url: r.url(), body: await r.json() });
    });
    // An artist naming another artist in the URL still gets their own dashboard.
    await page.goto(`${seeded.url}/dashboard?range=1y&artist=${seeded.artistA}#token=${token}`);
    const shown = await shownMetrics(page);
    await page.waitForSelector('[data-list="recent-plays"] > li');
    const api = await apiAnswer<{ overview: Overview }>(
      `${seeded.url}/api/dashboard/stats?timeRange=1y&tz=${encodeURIComponent(ZONE)}`,
      token,
    );
    expect(shown.totalPlays).toBe(api.overview.totalPlays);
    const text = await page.textContent('body');
    for (const t of seeded.catalog.a) expect(text).not.toContain(t.title);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.body.artistId === seeded.artistB)).toBe(true);
    // Another artist's track page: no figures, not even its title.
    const other = seeded.catalog.a[0]!;
    await page.goto(`${seeded.url}/dashboard/track/${other.trackId}?range=1y`);
    await page.waitForSelector('text=is not one of your tracks');
    const refused = await apiAnswerStatus(
      `${seeded.url}/api/dashboard/tracks/${other.trackId}?timeRange=1y`,
      token,
    );
    expect(refused).toBe(403);
    expect(await page.locator('[data-metric]').count()).toBe(0);
    expect(await page.textContent('body')).not.toContain(other.title);
  });

  it('a missing, malformed, expired or wrong token shows the sign-in form with a message', async () => {
    const cases: [string, RegExp][] = [
      ['', /Sign in with your dashboard link/],
      ['#token=not-a-token', /not a sign-in token/],
      [
        `#token=${jwt.sign({ sub: 'x', role: 'artist', artistId: seeded.artistA, exp: Math.floor(Date.now() / 1000) - 60 }, 'dashboard-e2e-secret-0123456789')}`,
        /expired/,
      ],
      [
        `#token=${jwt.sign({ sub: 'x', role: 'artist', artistId: seeded.artistA }, 'another-secret-0123456789abcdef')}`,
        /did not accept your sign-in \(invalid signature\)/,
      ],
      [`#token=${seeded.token({ role: 'listener' })}`, /needs an artist or admin token/],
    ];
    for (const [fragment, message] of cases) {
      const page = await context.newPage();
      await page.goto(`${seeded.url}/dashboard${fragment}`);
      const form = page.locator('[data-state="signed-out"]');
      await form.waitFor();
      let text = '';
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
        text = (await page.textContent('.signin-message')) ?? '';
        if (message.test(text)) break;
      }
      expect(`${fragment.slice(0, 24)}: ${text}`).toMatch(message);
      expect(page.url()).toBe(`${seeded.url}/dashboard?range=30d`);
      await page.close();
    }
    // Pasting a good token into the form signs in.
    const page = await context.newPage();
    await page.goto(`${seeded.url}/dashboard`);
    await page.fill('#token', artistToken(seeded.artistA));
    await page.click('button[type="submit"]');
    expect((await shownMetrics(page)).totalPlays).toBeGreaterThan(0);
  });

  it('an admin picks an artist and a track; keyboard only', async () => {
    const token = seeded.token({ role: 'admin' });
    const page = await open(token, '/dashboard');
    await page.waitForSelector('text=Pick an artist');
    await page.focus('.admin-picker input');
    await page.keyboard.type(seeded.artistA);
    const statsResponse = waitStats(page);
    await page.keyboard.press('Enter');
    const res = await statsResponse;
    expect(page.url()).toBe(`${seeded.url}/dashboard?range=30d&artist=${seeded.artistA}`);
    const asArtist = await apiAnswer<{ overview: Overview }>(
      res.url().replace(/&artistId=[^&]*/, ''),
      artistToken(seeded.artistA),
    );
    expect((await shownMetrics(page)).totalPlays).toBe(asArtist.overview.totalPlays);
    // Back from the artist field to the 90 d range button, and press it.
    await page.focus('.admin-picker input');
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Shift+Tab');
      if ((await page.evaluate(() => document.activeElement?.getAttribute('data-range'))) === '90d')
        break;
    }
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('range=90d'));
    await page.waitForSelector('[data-range="90d"][aria-pressed="true"]');
    // Any track by id: its artist comes from the catalog.
    const track = seeded.catalog.b[0]!;
    await page.goto(`${seeded.url}/dashboard/track/${track.trackId}?range=1y`);
    await page.waitForSelector(`h1:has-text("${track.title}")`);
    expect((await shownMetrics(page)).totalPlays).toBeGreaterThan(0);
    expect(consoleErrors).toEqual([]);
  });

  it('is usable at phone width: nothing wider than the screen', async () => {
    const phone = await browser.newContext({
      timezoneId: ZONE,
      viewport: { width: 375, height: 740 },
      isMobile: true,
    });
    try {
      const page = await phone.newPage();
      await page.goto(`${seeded.url}/dashboard?range=30d#token=${artistToken(seeded.artistA)}`);
      await page.waitForSelector('[data-chart="series"][data-buckets]');
      await page.waitForSelector('.sparkline canvas');
      const widths = await page.evaluate(() => ({
        doc: document.documentElement.scrollWidth,
        view: innerWidth,
      }));
      expect(widths.doc).toBeLessThanOrEqual(widths.view);
      expect(await page.isVisible('[data-metric="totalPlays"]')).toBe(true);
    } finally {
      await phone.close();
    }
  });
});
