import { fmtDec, fmtGrowth, fmtInt, fmtMinutes, fmtPct, fmtSeconds } from '../format';
import type { AnalyticsAnswer, DashboardAnswer, Overview } from '../types';

type Card = {
  field: keyof Overview;
  label: string;
  value: (o: Overview) => string;
  hint?: (o: Overview) => string;
  /** The same figure in the previous period's analytics answer (for the growth of figures the dashboard answer has no growth for). */
  previous?: (a: AnalyticsAnswer) => number | undefined;
};

const cards: Card[] = [
  { field: 'totalPlays', label: 'Plays', value: (o) => fmtInt(o.totalPlays) },
  {
    field: 'uniqueListeners',
    label: 'Unique listeners',
    value: (o) => fmtInt(o.uniqueListeners),
    previous: (a) => a.plays?.uniqueListeners,
  },
  { field: 'totalLikes', label: 'Likes', value: (o) => fmtInt(o.totalLikes) },
  {
    field: 'totalSaves',
    label: 'Saves',
    value: (o) => fmtInt(o.totalSaves),
    previous: (a) => num(a, 'saves', 'totalSaves'),
  },
  { field: 'totalShares', label: 'Shares', value: (o) => fmtInt(o.totalShares) },
  {
    field: 'totalDownloads',
    label: 'Downloads',
    value: (o) => fmtInt(o.totalDownloads),
    previous: (a) => num(a, 'downloads', 'totalDownloads'),
  },
  {
    field: 'avgDuration',
    label: 'Average play',
    value: (o) => fmtSeconds(o.avgDuration),
    hint: (o) => fmtMinutes(o.avgDuration),
    previous: (a) => a.plays?.avgDuration,
  },
  {
    field: 'avgCompletionRate',
    label: 'Average completion',
    value: (o) => fmtPct(o.avgCompletionRate),
    previous: (a) => a.plays?.avgCompletionRate,
  },
];

function num(a: AnalyticsAnswer, section: string, field: string): number | undefined {
  const s = (a as unknown as Record<string, Record<string, unknown> | undefined>)[section];
  return typeof s?.[field] === 'number' ? (s[field] as number) : undefined;
}

/** The API's growth rule (percent, two decimals; null when the previous value is 0). */
const growthOf = (current: number, previous: number) =>
  previous === 0 ? null : Math.round(((current - previous) / previous) * 10_000) / 100;

/**
 * The overview figures (SPEC test hook: `data-metric="<overview field>"`), each with its change
 * against the previous period of equal length: the API's `growth` for plays, likes and shares,
 * the same rule applied to the previous period's analytics answer for the others.
 */
export function OverviewCards(props: {
  stats: DashboardAnswer;
  previous?: AnalyticsAnswer | undefined;
}) {
  const { overview, growth } = props.stats;
  const apiGrowth: Partial<Record<keyof Overview, number | null>> = {
    totalPlays: growth.plays,
    totalLikes: growth.likes,
    totalShares: growth.shares,
  };
  const day = (iso: string) => new Date(iso).toLocaleDateString();
  return (
    <>
      <p className="cards-caption">
        Change against the previous period of equal length ({day(growth.previousFrom)} –{' '}
        {day(growth.previousTo)}); “new” when it had none.
      </p>
      <div className="cards">
        {cards.map((c) => {
          const prev = props.previous && c.previous?.(props.previous);
          const g =
            c.field in apiGrowth
              ? apiGrowth[c.field]
              : prev === undefined
                ? undefined
                : growthOf(overview[c.field], prev);
          const shown = g === undefined ? { text: '…', trend: 'none' as const } : fmtGrowth(g);
          return (
            <div className="card" key={c.field}>
              <div className="card-label">{c.label}</div>
              <div className="card-value" data-metric={c.field}>
                {c.value(overview)}
              </div>
              {c.hint && <div className="card-hint">{c.hint(overview)}</div>}
              <div
                className={`growth growth-${shown.trend}`}
                title={prev !== undefined ? `previous period: ${fmtDec(prev)}` : undefined}
              >
                {shown.trend === 'up' ? '▲ ' : shown.trend === 'down' ? '▼ ' : ''}
                {shown.text}
              </div>
            </div>
          );
        })}
      </div>
    </>
  );
}
