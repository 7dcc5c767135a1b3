import { fmtPct } from '../format';
import type { AnalyticsAnswer, Engagement as Rates } from '../types';

/** Engagement per 100 plays (the API's rates), with skip and replay rates when the analytics answer is in. */
export function Engagement(props: { rates: Rates; plays?: AnalyticsAnswer['plays'] | undefined }) {
  const { rates, plays } = props;
  const rows: [string, string, number][] = [
    ['likeRate', 'Likes per 100 plays', rates.likeRate],
    ['saveRate', 'Saves per 100 plays', rates.saveRate],
    ['shareRate', 'Shares per 100 plays', rates.shareRate],
    ['downloadRate', 'Downloads per 100 plays', rates.downloadRate],
    ['completionRate', 'Average completion', rates.completionRate],
  ];
  if (plays) {
    rows.push(['skipRate', 'Skips (of plays + skips)', plays.skipRate]);
    rows.push(['replayRate', 'Replays per 100 plays', plays.replayRate]);
  }
  return (
    <dl className="rates">
      {rows.map(([key, label, value]) => (
        <div key={key} className="rate">
          <dt>{label}</dt>
          <dd data-rate={key}>{fmtPct(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
