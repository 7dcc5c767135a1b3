import { useState, type FormEvent } from 'react';
import { namedRanges, type RangeChoice } from '../view';

const labels: Record<(typeof namedRanges)[number], string> = {
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
  '90d': '90 d',
  '1y': '1 y',
  all: 'All',
};

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Named ranges as toggle buttons, and a custom range of whole days. */
export function RangePicker(props: { value: RangeChoice; onChange: (r: RangeChoice) => void }) {
  const { value } = props;
  const [custom, setCustom] = useState(value.kind === 'custom');
  const [from, setFrom] = useState(value.kind === 'custom' ? value.from : '');
  const [to, setTo] = useState(value.kind === 'custom' ? value.to : today());
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (from && to && from <= to) props.onChange({ kind: 'custom', from, to });
  };
  return (
    <div className="range-picker">
      <div role="group" aria-label="Time range" className="range-buttons">
        {namedRanges.map((r) => (
          <button
            key={r}
            type="button"
            data-range={r}
            aria-pressed={value.kind === 'named' && value.range === r}
            onClick={() => {
              setCustom(false);
              props.onChange({ kind: 'named', range: r });
            }}
          >
            {labels[r]}
          </button>
        ))}
        <button
          type="button"
          data-range="custom"
          aria-pressed={value.kind === 'custom' || custom}
          aria-expanded={custom}
          onClick={() => setCustom(!custom)}
        >
          Custom
        </button>
      </div>
      {custom && (
        <form className="custom-range" onSubmit={apply}>
          <label>
            From{' '}
            <input
              type="date"
              value={from}
              max={to || undefined}
              required
              onChange={(e) => setFrom(e.target.value)}
            />
          </label>
          <label>
            To{' '}
            <input
              type="date"
              value={to}
              min={from || undefined}
              required
              onChange={(e) => setTo(e.target.value)}
            />
          </label>
          <button type="submit" disabled={!from || !to || from > to}>
            Apply
          </button>
        </form>
      )}
    </div>
  );
}
