import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { fmtBucket, fmtInt, type Granularity } from '../format';
import type { SeriesBucket } from '../types';

type Line = { key: string; label: string; stroke: string; fill?: string; show?: boolean };

/** Lines the chart draws when the answer has them; unique listeners per bucket when the API gives them. */
const LINES: Line[] = [
  { key: 'plays', label: 'Plays', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.10)' },
  { key: 'uniqueListeners', label: 'Unique listeners', stroke: '#059669' },
  { key: 'likes', label: 'Likes', stroke: '#db2777' },
  { key: 'skips', label: 'Skips', stroke: '#9ca3af', show: false },
  { key: 'saves', label: 'Saves', stroke: '#7c3aed', show: false },
  { key: 'shares', label: 'Shares', stroke: '#ea580c', show: false },
];

const heightFor = (width: number) => (width < 500 ? 220 : 280);

function options(
  lines: Line[],
  granularity: Granularity,
  timeZone: string,
  width: number,
  onDraw: () => void,
): uPlot.Options {
  return {
    width,
    height: heightFor(width),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    cursor: { points: { size: 7 }, drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { stroke: '#4b5563', grid: { stroke: '#e5e7eb' } },
      {
        stroke: '#4b5563',
        grid: { stroke: '#e5e7eb' },
        size: 56,
        values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? fmtInt(t) : '')),
      },
    ],
    series: [
      {
        label: 'Period',
        value: (_u, v) =>
          v === null || v === undefined
            ? '—'
            : fmtBucket(new Date(v * 1000).toISOString(), granularity, timeZone),
      },
      ...lines.map((l) => ({
        label: l.label,
        stroke: l.stroke,
        width: 2,
        show: l.show ?? true,
        points: { show: true, size: 5 },
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmtInt(v)),
        ...(l.fill ? { fill: l.fill } : {}),
      })),
    ],
    hooks: { draw: [onDraw] },
  };
}

const linesOf = (series: SeriesBucket[]) =>
  LINES.filter((l) => series.some((b) => typeof b[l.key] === 'number'));

const dataOf = (series: SeriesBucket[], lines: Line[]): uPlot.AlignedData => [
  series.map((b) => Date.parse(b.from) / 1000),
  ...lines.map((l) => series.map((b) => Number(b[l.key] ?? 0))),
];

/**
 * Plays and listeners per bucket of the answer's granularity (uPlot), in the answer's time zone.
 * Hovering shows the bucket and its values in the legend; clicking a legend entry hides a line.
 * A new answer with the same lines, granularity and zone is drawn into the same chart
 * (`setData`: cheaper, and hidden lines stay hidden); otherwise the chart is rebuilt.
 * `data-buckets`/`data-first` name what is drawn (tests and the benchmark watch them).
 */
export function SeriesChart(props: {
  series: SeriesBucket[];
  granularity: Granularity;
  timeZone: string;
}) {
  const { series, granularity, timeZone } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<{ chart: uPlot; series: SeriesBucket[] } | null>(null);
  const latest = useRef(series);
  latest.current = series;
  const lineKeys = linesOf(series)
    .map((l) => l.key)
    .join(',');

  useEffect(() => {
    const el = host.current!;
    const lines = LINES.filter((l) => lineKeys.split(',').includes(l.key));
    const drawn = () => {
      const shown = plot.current?.series ?? latest.current;
      el.dataset.buckets = String(shown.length);
      el.dataset.first = shown[0]?.from ?? '';
      el.dataset.drawnAt = String(performance.now());
    };
    const first = latest.current;
    const chart = new uPlot(
      options(lines, granularity, timeZone, el.clientWidth || 600, drawn),
      dataOf(first, lines),
      el,
    );
    plot.current = { chart, series: first };
    const resize = new ResizeObserver(() => {
      const width = el.clientWidth;
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: heightFor(width) });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [lineKeys, granularity, timeZone]);

  useEffect(() => {
    const current = plot.current;
    if (!current || current.series === series) return;
    current.series = series;
    const lines = LINES.filter((l) => lineKeys.split(',').includes(l.key));
    current.chart.setData(dataOf(series, lines));
  }, [series, lineKeys]);

  return (
    <div
      className="chart"
      ref={host}
      data-chart="series"
      role="img"
      aria-label={`Plays per ${granularity}`}
    />
  );
}
