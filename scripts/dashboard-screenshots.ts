/**
 * Screenshots of the dashboard's main views into docs/ (npm run screenshots:dashboard): the
 * artist overview, a track page, a phone-width view and the sign-in form, taken in headless
 * Chromium against the real service holding the seeded demo data set (dashboard/test/seed.ts).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../client/test/chromium';
import { buildDashboard } from '../dashboard/build';
import { startSeededService } from '../dashboard/test/seededService';

const docs = path.join(__dirname, '..', 'docs');

/** Waits until every panel has its answer and the sparklines are drawn. */
async function settled(page: Page) {
  await page.waitForSelector('[data-chart="series"][data-drawn-at]');
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
  await page.waitForSelector('[data-list="recent-plays"] > li');
  if (await page.$('.top-tracks')) await page.waitForSelector('.top-tracks .sparkline canvas');
  await page.mouse.move(0, 0);
}

async function main() {
  await buildDashboard();
  const seeded = await startSeededService();
  const browser = await launchChromium();
  try {
    const token = seeded.token({ role: 'artist', artistId: seeded.artistA });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'Europe/Berlin',
      locale: 'en-US',
    });
    const page = await context.newPage();
    await page.goto(`${seeded.url}/dashboard?range=30d#token=${token}`);
    await settled(page);
    // Hover a point so the legend shows its values, as a visitor would.
    const chart = await page.$('[data-chart="series"] .u-over');
    const box = (await chart!.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.5);
    await page.screenshot({ path: path.join(docs, 'dashboard-overview.png'), fullPage: true });

    await page.click('.top-tracks tbody a');
    await settled(page);
    await page.click('[data-range="90d"]');
    await settled(page);
    await page.screenshot({ path: path.join(docs, 'dashboard-track.png'), fullPage: true });

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      deviceScaleFactor: 1,
      timezoneId: 'Europe/Berlin',
      locale: 'en-US',
    });
    const small = await phone.newPage();
    await small.goto(`${seeded.url}/dashboard?range=7d#token=${token}`);
    await settled(small);
    await small.screenshot({ path: path.join(docs, 'dashboard-phone.png') });

    const signin = await context.newPage();
    await signin.goto(`${seeded.url}/dashboard#token=not-a-token`);
    await signin.waitForSelector('[data-state="signed-out"]');
    await signin.setViewportSize({ width: 900, height: 640 });
    await signin.screenshot({ path: path.join(docs, 'dashboard-signin.png') });
    console.log('docs/dashboard-{overview,track,phone,signin}.png written');
  } finally {
    await browser.close();
    await seeded.service.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
