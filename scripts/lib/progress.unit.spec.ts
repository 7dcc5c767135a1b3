import { formatSeconds, progressReporter } from './progress';

function fakeOut(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (s: string) => writes.push(s) } };
}

describe('progressReporter', () => {
  it('on a terminal redraws one line with bar, percentage, rate and ETA', () => {
    let now = 0;
    const { writes, out } = fakeOut(true);
    const p = progressReporter({ label: 'rebuild', out, clock: () => now });
    now = 10_000;
    p.update({ done: 250, total: 1000, count: 5000 });
    expect(writes).toEqual([
      '\r[#####...............] · rebuild: 5,000 events · 25.0% · 500 events/s · ETA 30 s · elapsed 10 s\x1b[K',
    ]);
    now = 10_100; // within the redraw interval: nothing
    p.update({ done: 300, total: 1000, count: 6000 });
    expect(writes).toHaveLength(1);
    now = 20_000;
    p.finish({ done: 1000, total: 1000, count: 20_000 });
    expect(writes[1]).toMatch(/^\r\[#{20}\] · rebuild: 20,000 events · 100\.0% .*ETA 0\.0 s.*\n$/);
  });

  it('off a terminal writes plain lines, at most one per interval', () => {
    let now = 0;
    const { writes, out } = fakeOut(false);
    const p = progressReporter({ label: 'import', out, clock: () => now, plainEveryMs: 5000 });
    for (let i = 1; i <= 12; i++) {
      now = i * 1000;
      p.update({ done: i, total: 24, count: i * 100 });
    }
    expect(writes).toEqual([
      'import: 100 events · 4.2% · 100 events/s · ETA 23 s · elapsed 1.0 s\n',
      'import: 600 events · 25.0% · 100 events/s · ETA 18 s · elapsed 6.0 s\n',
      'import: 1,100 events · 45.8% · 100 events/s · ETA 13 s · elapsed 11 s\n',
    ]);
    expect(writes.every((w) => !w.includes('\r') && !w.includes('\x1b'))).toBe(true);
  });

  it('without a total shows the rate only', () => {
    const { writes, out } = fakeOut(false);
    let now = 0;
    const p = progressReporter({ label: 'x', out, clock: () => now });
    now = 2000;
    p.finish({ done: 0, count: 10 });
    expect(writes[0]).toBe('x: 10 events · 5 events/s · elapsed 2.0 s\n');
  });

  it('formats durations', () => {
    expect(formatSeconds(5.25)).toBe('5.3 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(formatSeconds(7300)).toBe('2 h 1 min');
  });
});
