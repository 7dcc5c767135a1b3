/**
 * Cost of zoned series buckets (src/queries/zonedTime.ts) as a request pays it: the buckets of
 * one range plus a label per bucket, per unit and zone.
 *
 *   npx tsx scripts/bench-zoned-time.ts [--requests 2000]
 *
 * "first" is the first request in a fresh zone (formatter built, nothing cached); "new range"
 * moves each request to an unseen range (offset lookups miss the cache); "same range" repeats
 * one range (all hits). Prints machine, commit and parameters, then one row per scenario.
 */
import { execSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { ZonedUnit } from '../src/queries/zonedTime';
import { bucketBoundaries, localLabel } from '../src/queries/zonedTime';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' } } });
const requests = Number(values.requests);
const HOUR = 3_600_000;
const spans: Record<ZonedUnit, number> = {
  hour: 400 * HOUR,
  day: 400 * 24 * HOUR,
  week: 400 * 7 * 24 * HOUR,
  month: 400 * 30.4 * 24 * HOUR,
  year: 30 * 365.25 * 24 * HOUR,
};

function request(from: number, unit: ZonedUnit, tz: string): number {
  const buckets = bucketBoundaries(from, from + spans[unit], unit, tz);
  for (const b of buckets) localLabel(b.start, unit, tz);
  return buckets.length;
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const commit = execSync('git rev-parse --short HEAD').toString().trim();
console.log(`${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}, ${commit}`);
console.log(`requests per scenario: ${requests}; ms per request`);
const base = Date.UTC(1995, 0, 1);
for (const tz of ['Europe/Berlin', 'Asia/Kolkata', 'America/Santiago']) {
  for (const unit of ['hour', 'day', 'week', 'month', 'year'] as const) {
    let n = 0;
    const first = time(() => (n = request(base, unit, `${tz}`)));
    const fresh = time(() => {
      for (let i = 1; i <= requests; i++) request(base + i * 7 * 24 * HOUR + i * HOUR, unit, tz);
    });
    const same = time(() => {
      for (let i = 0; i < requests; i++) request(base, unit, tz);
    });
    const row = [tz, unit, `${n} buckets`, `first ${first.toFixed(2)}`];
    row.push(
      `new range ${(fresh / requests).toFixed(3)}`,
      `same range ${(same / requests).toFixed(3)}`,
    );
    console.log(row.join('  '));
  }
}
