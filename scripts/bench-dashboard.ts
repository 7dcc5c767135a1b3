/**
 * The dashboard's budgets, measured in headless Chromium against the real service (embedded
 * defaults) holding the seeded demo data set (dashboard/test/seed.ts: a year of history).
 *
 *   npm run bench:dashboard -- [--loads 10] [--switches 20] [--days 400] [--plays-per-day 40]
 *
 * - bundle: the app's JavaScript minified, min+gzip (level 9) and brotli, as dashboard/build.ts writes it;
 * - first render with data: navigation start → overview figures and chart drawn, in a fresh
 *   browser context each time (empty cache), after one warm-up load;
 * - redraw on a range change: click → the chart drawn with the new answer, cycling ranges
 *   (API round trips included), and the same with a year of daily points: the analytics answer
 *   replaced in the browser by 365 daily buckets (the API itself serves a year as 12 months).
 * Prints machine, commit and parameters, one row per measure, and a JSON line at the end.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../client/test/chromium';
import { buildDashboard } from '../dashboard/build';
import { startSeededService } from '../dashboard/test/seededService';

const { values } = parseArgs({
  options: {
    loads: { type: 'string', default: '10' },
    switches: { type: 'string', default: '20' },
    days: { type: 'string', default: '400' },
    'plays-per-day': { type: 'string', default: '40' },
  },
});
const LOADS = Number(values.loads);
const SWITCHES = Number(values.switches);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const summary = (xs: number[]) => ({
  median: Math.round(pct(xs, 50)),
  p90: Math.round(pct(xs, 90)),
  max: Math.round(Math.max(...xs)),
});

type Load = { total: number; domReady: number; script: number; stats: number; analytics: number };

/** ms from navigation start until the overview figures and the drawn chart are on screen, and when its parts arrived. */
async function firstRender(context: BrowserContext, url: string): Promise<Load> {
  const page = await context.newPage();
  await page.goto(url);
  const handle = await page.waitForFunction(
    () =>
      document.querySelector('[data-panel="overview"][aria-busy="false"] [data-metric]') &&
      document.querySelector('[data-chart="series"][data-drawn-at]')
        ? performance.now()
        : false,
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  const total = (await handle.jsonValue()) as number;
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  const parts = await page.evaluate(() => {
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return {
      domReady: nav.domContentLoadedEventEnd,
      script: resources.find((e) => e.name.includes('/dashboard/assets/app-'))?.responseEnd ?? NaN,
      stats:
        resources.find((e) => e.name.includes('/api/dashboard/stats?timeRange=30d'))?.responseEnd ??
        NaN,
      analytics:
        resources.find((e) => e.name.includes('/api/dashboard/analytics?timeRange=30d'))
          ?.responseEnd ?? NaN,
    };
  });
  await page.close();
  return { total, ...parts };
}

type Switch = { total: number; redraw: number };

/**
 * After a click on a range button: ms until the chart is drawn with the new answer (`total`),
 * and from the analytics answer's arrival (resource timing) until then (`redraw`).
 */
async function rangeSwitch(page: Page, range: string): Promise<Switch> {
  const first = await page.getAttribute('[data-chart="series"]', 'data-first');
  const t0 = await page.evaluate((r) => {
    performance.clearResourceTimings(); // the buffer (250 entries) fills up with the live poll
    const t = performance.now();
    (document.querySelector(`[data-range="${r}"]`) as HTMLButtonElement).click();
    return t;
  }, range);
  const handle = await page.waitForFunction(
    ([before, start]) => {
      const el = document.querySelector('[data-chart="series"]') as HTMLElement | null;
      const drawn = Number(el?.dataset.drawnAt ?? 0);
      return el && el.dataset.first !== before && drawn > (start as number) ? drawn : false;
    },
    [first, t0] as const,
    { polling: 'raf', timeout: 30_000 },
  );
  const drawn = (await handle.jsonValue()) as number;
  const answered = await page.evaluate(
    ([start, r]) =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find(
        (e) =>
          e.startTime >= (start as number) &&
          e.name.includes('/api/dashboard/analytics?') &&
          e.name.includes(`timeRange=${r}`),
      )?.responseEnd ?? NaN,
    [t0, range] as const,
  );
  return { total: drawn - t0, redraw: drawn - answered };
}

/** Answers the artist analytics with `days` daily buckets ending today (same shape as the API's). */
async function dailyYear(page: Page, days: number) {
  await page.route('**/api/dashboard/analytics?**', async (route) => {
    const real = (await (await route.fetch()).json()) as Record<string, unknown>;
    const end = Date.UTC(
      new Date().getUTCFullYear(),
      new Date().getUTCMonth(),
      new Date().getUTCDate(),
    );
    // A day apart for the two ranges the benchmark switches between, so each redraw is seen.
    const shift = route.request().url().includes('timeRange=1y') ? 0 : 1;
    const start = end - (days + shift) * 86_400_000;
    const series = Array.from({ length: days }, (_, i) => ({
      from: new Date(start + i * 86_400_000).toISOString(),
      to: new Date(start + (i + 1) * 86_400_000).toISOString(),
      plays: 20 + Math.round(30 * Math.random()),
      skips: Math.round(5 * Math.random()),
      likes: Math.round(4 * Math.random()),
      unlikes: 0,
      shares: Math.round(2 * Math.random()),
      downloads: 0,
      saves: 1,
      unsaves: 0,
    }));
    await route.fulfill({ json: { ...real, seriesGranularity: 'day', series } });
  });
}

async function main() {
  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `commit ${commit}; loads ${LOADS}, switches ${SWITCHES}, days ${values.days}, plays/day ${values['plays-per-day']}`,
  );

  const { js } = await buildDashboard();
  const code = fs.readFileSync(js);
  const bundle = {
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code).length,
  };
  console.log(
    `bundle: ${(bundle.minified / 1024).toFixed(1)} KB minified, ${(bundle.gzip / 1024).toFixed(1)} KB min+gzip, ${(bundle.brotli / 1024).toFixed(1)} KB brotli (budget 150 KB min+gzip)`,
  );

  const seeded = await startSeededService({
    days: Number(values.days),
    playsPerDay: Number(values['plays-per-day']),
  });
  const browser = await launchChromium();
  try {
    console.log(`service ${seeded.url}: ${seeded.events} events imported`);
    const url = `${seeded.url}/dashboard?range=30d#token=${seeded.token({ role: 'artist', artistId: seeded.artistA })}`;
    const loads: Load[] = [];
    for (let i = -1; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const load = await firstRender(context, url);
      if (i >= 0) loads.push(load); // the first load warms the service
      await context.close();
    }
    const part = (k: keyof Load) => summary(loads.map((l) => l[k]));
    console.log(
      `first render with data (30d): ${JSON.stringify(part('total'))} ms (budget 1000 ms)`,
    );
    console.log(
      `  medians since navigation start: script loaded ${part('script').median} ms, DOM ready ${part('domReady').median} ms, ` +
        `stats answered ${part('stats').median} ms, analytics answered ${part('analytics').median} ms`,
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('[data-chart="series"][data-drawn-at]');
    const cycle = ['7d', '1y', '90d', '24h', '30d'];
    const switches: Switch[] = [];
    for (let i = 0; i < SWITCHES; i++)
      switches.push(await rangeSwitch(page, cycle[i % cycle.length]!));
    const sw = (xs: Switch[], k: keyof Switch) => summary(xs.map((x) => x[k]));
    console.log(
      `range change, API answers (7d/1y/90d/24h/30d): click → drawn ${JSON.stringify(sw(switches, 'total'))} ms, ` +
        `answer → drawn ${JSON.stringify(sw(switches, 'redraw'))} ms`,
    );

    await dailyYear(page, 365);
    const daily: Switch[] = [];
    const pressed = await page.getAttribute('[aria-pressed="true"][data-range]', 'data-range');
    const pair = pressed === '1y' ? ['7d', '1y'] : ['1y', '7d'];
    for (let i = 0; i < SWITCHES; i++) daily.push(await rangeSwitch(page, pair[i % 2]!));
    console.log(
      `range change, 365 daily points: click → drawn ${JSON.stringify(sw(daily, 'total'))} ms, ` +
        `answer → drawn ${JSON.stringify(sw(daily, 'redraw'))} ms (budget 200 ms)`,
    );
    // Answers still being replaced would fail once the page is gone.
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
    console.log(
      JSON.stringify({
        commit,
        bundle,
        firstRender: part('total'),
        rangeChange: { total: sw(switches, 'total'), redraw: sw(switches, 'redraw') },
        rangeChangeDailyYear: { total: sw(daily, 'total'), redraw: sw(daily, 'redraw') },
      }),
    );
  } finally {
    await browser.close();
    await seeded.service.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
