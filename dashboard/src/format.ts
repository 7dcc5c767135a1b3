/** Number and time formatting for the page (the browser's locale). */
const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export const fmtInt = (n: number) => int.format(n);
export const fmtDec = (n: number) => dec.format(n);
export const fmtPct = (n: number) => `${dec.format(n)} %`;
export const fmtSeconds = (n: number) => `${dec.format(n)} s`;

/** "3 min 05 s" for a duration in seconds. */
export function fmtMinutes(seconds: number): string {
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export function fmtGrowth(g: number | null | undefined): {
  text: string;
  trend: 'up' | 'down' | 'flat' | 'none';
} {
  if (g === null || g === undefined) return { text: 'new', trend: 'none' };
  if (g === 0) return { text: '±0 %', trend: 'flat' };
  return {
    text: `${g > 0 ? '+' : '−'}${dec.format(Math.abs(g))} %`,
    trend: g > 0 ? 'up' : 'down',
  };
}

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function fmtAgo(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export type Granularity = 'hour' | 'day' | 'week' | 'month' | 'year';

/** A bucket's start, in the answer's zone, as wide as its granularity. */
export function fmtBucket(iso: string, granularity: Granularity, timeZone: string): string {
  const d = new Date(iso);
  const opts: Intl.DateTimeFormatOptions = { timeZone };
  if (granularity === 'hour')
    Object.assign(opts, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  else if (granularity === 'day')
    Object.assign(opts, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' });
  else if (granularity === 'week')
    Object.assign(opts, { month: 'short', day: 'numeric', year: 'numeric' });
  else if (granularity === 'month') Object.assign(opts, { month: 'long', year: 'numeric' });
  else Object.assign(opts, { year: 'numeric' });
  const text = d.toLocaleString(undefined, opts);
  return granularity === 'week' ? `week of ${text}` : text;
}
