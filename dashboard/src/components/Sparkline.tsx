import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** A small line of plays per bucket, no axes (uPlot); the numbers are in the row beside it. */
export function Sparkline(props: { values: number[]; times: number[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const { values, times } = props;
  useEffect(() => {
    const plot = new uPlot(
      {
        width: 120,
        height: 32,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ show: false }, { show: false }],
        series: [
          {},
          {
            stroke: '#2563eb',
            width: 1.5,
            fill: 'rgba(37, 99, 235, 0.12)',
            points: { show: false },
          },
        ],
      },
      [times, values],
      host.current!,
    );
    return () => plot.destroy();
  }, [values, times]);
  return <div className="sparkline" ref={host} role="img" aria-label={props.label} />;
}
