/**
 * Checks src/queries/zonedTime.ts against the brute-force reference in every zone Intl knows,
 * around every UTC-offset change from 1990 to 2040 (found in 12-hour steps): the start of each
 * local date within 3 days, whether local dates run backwards, and the day, week and month
 * around the change. Minutes of CPU; shard it over cores:
 *
 *   npx tsx scripts/check-zoned-time.ts [--shard 0 --shards 1]
 *
 * Prints one JSON line: transitions, checks and the first disagreements.
 */
import { parseArgs } from 'node:util';
import {
  HOUR,
  hourKey,
  referenceBucket,
  referenceDateStart,
} from '../src/queries/testing/zonedReference';
import { localDateStart, next, startOf } from '../src/queries/zonedTime';

const { values } = parseArgs({
  options: { shard: { type: 'string', default: '0' }, shards: { type: 'string', default: '1' } },
});
const [shard, shards] = [Number(values.shard), Number(values.shards)];
const iso = (t: number) => new Date(t).toISOString();
const bad: string[] = [];
let [transitions, checks] = [0, 0];

function checkAround(t: number, tz: string) {
  for (let d = -3; d <= 3; d++) {
    const date = iso(t + d * 24 * HOUR).slice(0, 10);
    checks++;
    if (localDateStart(date, tz, 'date') !== referenceDateStart(date, tz))
      bad.push(`${tz} ${date}`);
  }
  for (let h = t - 36 * HOUR; h <= t + 36 * HOUR; h += HOUR) {
    if (hourKey(h, 'day', tz) < hourKey(h - HOUR, 'day', tz)) {
      bad.push(`${tz}: local date runs backwards at ${iso(h)}`);
    }
  }
  for (const unit of ['day', 'week', 'month'] as const) {
    for (const hours of [-30, -13, -1, 0, 1, 13, 30]) {
      const x = t + hours * HOUR;
      const ref = referenceBucket(x, unit, tz);
      checks++;
      if (startOf(x, unit, tz) !== ref.start || next(x, unit, tz) !== ref.end) {
        bad.push(`${tz} ${unit} of ${iso(x)}`);
      }
    }
  }
}

Intl.supportedValuesOf('timeZone').forEach((tz, i) => {
  if (i % shards !== shard) return;
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
  const offset = (t: number) => f.format(t).split(' ').pop();
  let previous = offset(Date.UTC(1990, 0, 1));
  for (let t = Date.UTC(1990, 0, 1) + 12 * HOUR; t < Date.UTC(2040, 0, 1); t += 12 * HOUR) {
    const current = offset(t);
    if (current === previous) continue;
    previous = current;
    transitions++;
    checkAround(t, tz);
  }
});
console.log(
  JSON.stringify({ shard, transitions, checks, disagreements: bad.length, bad: bad.slice(0, 20) }),
);
