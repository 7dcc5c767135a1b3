/**
 * Progress of a long command on stderr: on a terminal one line redrawn in place (bar, count,
 * rate, ETA), otherwise a plain line every `plainEveryMs` (logs and CI keep every line).
 * `done` and `total` are in the same unit (events, bytes, log positions); `count` is what the
 * rate is shown in (events), which may differ from the unit of `done`.
 */
export type ProgressOptions = {
  label: string;
  unit?: string;
  out?: { write(s: string): unknown; isTTY?: boolean };
  clock?: () => number;
  /** Redraw interval on a terminal (default 200 ms). */
  ttyEveryMs?: number;
  /** Interval of the plain lines (default 5 s). */
  plainEveryMs?: number;
};

export type ProgressSample = { done: number; total?: number; count: number };

export function progressReporter(options: ProgressOptions) {
  const out = options.out ?? process.stderr;
  const tty = out.isTTY === true;
  const clock = options.clock ?? Date.now;
  const every = tty ? (options.ttyEveryMs ?? 200) : (options.plainEveryMs ?? 5000);
  const unit = options.unit ?? 'events';
  const started = clock();
  let lastShown = -Infinity;
  let last: ProgressSample = { done: 0, count: 0 };

  const line = (s: ProgressSample, now: number): string => {
    const seconds = Math.max((now - started) / 1000, 1e-3);
    const rate = s.count / seconds;
    const parts = [`${options.label}: ${s.count.toLocaleString('en-US')} ${unit}`];
    if (s.total !== undefined && s.total > 0) {
      const fraction = Math.min(s.done / s.total, 1);
      parts.push(`${(fraction * 100).toFixed(1)}%`);
      const eta = fraction > 0 ? (seconds * (1 - fraction)) / fraction : undefined;
      parts.push(`${Math.round(rate).toLocaleString('en-US')} ${unit}/s`);
      parts.push(`ETA ${eta === undefined ? '?' : formatSeconds(eta)}`);
      if (tty) parts.unshift(bar(fraction));
    } else {
      parts.push(`${Math.round(rate).toLocaleString('en-US')} ${unit}/s`);
    }
    parts.push(`elapsed ${formatSeconds(seconds)}`);
    return parts.join(' · ');
  };

  return {
    /** Shows the sample if the interval has passed since the last one shown. */
    update(sample: ProgressSample): void {
      last = sample;
      const now = clock();
      if (now - lastShown < every) return;
      lastShown = now;
      out.write(tty ? `\r${line(sample, now)}\x1b[K` : `${line(sample, now)}\n`);
    },
    /** The final figures, always shown, on a line of their own. */
    finish(sample: ProgressSample = last): void {
      const text = line(sample, clock());
      out.write(tty ? `\r${text}\x1b[K\n` : `${text}\n`);
    },
  };
}

function bar(fraction: number, width = 20): string {
  const full = Math.round(fraction * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
