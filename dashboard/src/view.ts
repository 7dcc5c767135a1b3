/**
 * What the page shows, kept in the URL so a link can be shared and a reload lands on the same
 * view: /dashboard[/track/<trackId>]?range=30d | ?from=YYYY-MM-DD&to=YYYY-MM-DD [&artist=<id>]
 * (`artist`: the artist an admin looks at). Custom dates are whole local days, `to` included.
 */
export const namedRanges = ['24h', '7d', '30d', '90d', '1y', 'all'] as const;
export type NamedRange = (typeof namedRanges)[number];

export type RangeChoice =
  { kind: 'named'; range: NamedRange } | { kind: 'custom'; from: string; to: string };

export type View = { range: RangeChoice; trackId?: string; artistId?: string };

export const DEFAULT_RANGE: NamedRange = '30d';
const BASE = '/dashboard';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseView(pathname: string, search: string): View {
  const q = new URLSearchParams(search);
  const track = /^\/dashboard\/track\/([^/]+)\/?$/.exec(pathname)?.[1];
  const from = q.get('from');
  const to = q.get('to');
  const named = q.get('range') as NamedRange | null;
  const range: RangeChoice =
    from && to && DATE.test(from) && DATE.test(to) && from <= to
      ? { kind: 'custom', from, to }
      : { kind: 'named', range: named && namedRanges.includes(named) ? named : DEFAULT_RANGE };
  const artist = q.get('artist');
  return {
    range,
    ...(track ? { trackId: decodeURIComponent(track) } : {}),
    ...(artist ? { artistId: artist } : {}),
  };
}

export function viewUrl(view: View): string {
  const q = new URLSearchParams();
  if (view.range.kind === 'named') q.set('range', view.range.range);
  else {
    q.set('from', view.range.from);
    q.set('to', view.range.to);
  }
  if (view.artistId) q.set('artist', view.artistId);
  const path = view.trackId ? `${BASE}/track/${encodeURIComponent(view.trackId)}` : BASE;
  return `${path}?${q}`;
}

/** Local midnight of a `YYYY-MM-DD` date, `days` later, as an ISO instant. */
function localMidnight(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + days).toISOString();
}

/** The API's range parameters for a choice. */
export function rangeParams(range: RangeChoice): Record<string, string> {
  if (range.kind === 'named') return { timeRange: range.range };
  return { from: localMidnight(range.from), to: localMidnight(range.to, 1) };
}

export const rangeLabel = (range: RangeChoice): string =>
  range.kind === 'named'
    ? {
        '24h': 'Last 24 hours',
        '7d': 'Last 7 days',
        '30d': 'Last 30 days',
        '90d': 'Last 90 days',
        '1y': 'Last year',
        all: 'All time',
      }[range.range]
    : `${range.from} – ${range.to}`;

export const sameView = (a: View, b: View) => viewUrl(a) === viewUrl(b);
