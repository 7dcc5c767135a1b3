import type { SeriesBucket } from './types';

const cell = (v: unknown) => {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The series as CSV (RFC 4180): from, to, then every count the answer has, in its order. */
export function seriesCsv(series: readonly SeriesBucket[]): string {
  const keys = ['from', 'to'];
  for (const b of series) for (const k of Object.keys(b)) if (!keys.includes(k)) keys.push(k);
  const rows = series.map((b) => keys.map((k) => cell(b[k])).join(','));
  return [keys.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Offers `text` as a file download. */
export function download(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
