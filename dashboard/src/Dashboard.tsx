import type { Api } from './api';
import { AdminPicker } from './components/AdminPicker';
import { Breakdown } from './components/Breakdown';
import { Engagement } from './components/Engagement';
import { ViewLink } from './components/Link';
import { OverviewCards } from './components/OverviewCards';
import { Empty, Panel } from './components/Panel';
import { Playlists } from './components/Playlists';
import { RangePicker } from './components/RangePicker';
import { RecentActivity } from './components/RecentActivity';
import { SeriesChart } from './components/SeriesChart';
import { TopTracks } from './components/TopTracks';
import { download, seriesCsv } from './csv';
import type { Session } from './session';
import type { AnalyticsAnswer, DashboardAnswer, TrackAnswer } from './types';
import { useLoad } from './useLoad';
import { rangeLabel, rangeParams, viewUrl, type View } from './view';

/** A new play shows within this long without a reload. */
export const RECENT_POLL_MS = 2000;

const sumOf = (o: Record<string, number> | undefined) =>
  Object.values(o ?? {}).reduce((s, v) => s + v, 0);

/** Everything the page loads for a view: each answer on its own, so each panel has its own state. */
function useViewData(api: Api, session: Session, view: View) {
  const isAdmin = session.claims.role === 'admin';
  const { trackId } = view;
  const track = useLoad(trackId ? `track|${trackId}` : null, (s) =>
    api.get<TrackAnswer>(`/api/tracks/${encodeURIComponent(trackId!)}`, {}, s),
  );
  const trackInfo = trackId && !track.stale ? track.data : undefined;
  const trackChecked = !trackId || trackInfo !== undefined || track.error !== undefined;
  // An artist's own track only: another artist's (or an unknown) track loads nothing at all.
  const foreign =
    !isAdmin && !!trackId && trackChecked && trackInfo?.artistId !== session.claims.artistId;
  const artistId = isAdmin
    ? (view.artistId ?? trackInfo?.artistId ?? undefined)
    : trackChecked && !foreign
      ? session.claims.artistId
      : undefined;
  const scope = { ...(isAdmin && artistId ? { artistId } : {}), ...(trackId ? { trackId } : {}) };
  const key = artistId ? `${viewUrl(view)}|${artistId}` : null;
  const range = rangeParams(view.range);
  const stats = useLoad(key, (s) =>
    api.get<DashboardAnswer>('/api/dashboard/stats', { ...range, ...scope }, s),
  );
  const analyticsPath = trackId
    ? `/api/dashboard/tracks/${encodeURIComponent(trackId)}`
    : '/api/dashboard/analytics';
  const analyticsScope = !trackId && isAdmin ? { artistId } : {};
  const analytics = useLoad(
    artistId || (isAdmin && trackId) ? `${viewUrl(view)}|${artistId}|a` : null,
    (s) => api.get<AnalyticsAnswer>(analyticsPath, { ...range, ...analyticsScope }, s),
  );
  const growth = stats.stale ? undefined : stats.data?.growth;
  const previous = useLoad(growth ? `${key}|${growth.previousFrom}` : null, (s) =>
    api.get<AnalyticsAnswer>(
      analyticsPath,
      { from: growth!.previousFrom, to: growth!.previousTo, ...analyticsScope },
      s,
    ),
  );
  // The live feed starts once the view's figures are in: they go first on a busy service.
  const recent = useLoad(
    key && (stats.data || stats.error) ? `recent|${artistId}|${trackId ?? ''}` : null,
    (s) => api.get<DashboardAnswer>('/api/dashboard/stats', { timeRange: '24h', ...scope }, s),
    RECENT_POLL_MS,
  );
  const title = trackId
    ? ((isAdmin || !foreign) && trackInfo?.title) || trackId
    : `Artist ${artistId ?? ''}`;
  let blocked: string | undefined;
  if (foreign) blocked = `Track ${trackId} is not one of your tracks.`;
  else if (isAdmin && !artistId && !trackId)
    blocked = 'Pick an artist (or a track) to see their dashboard.';
  else if (isAdmin && !artistId && trackChecked) {
    blocked = `Track ${trackId} has no artist in the catalog yet, so it has no dashboard.`;
  }
  return { isAdmin, artistId, title, blocked, stats, analytics, previous, recent };
}

export function Dashboard(props: {
  api: Api;
  session: Session;
  view: View;
  go: (v: View) => void;
  signOut: () => void;
}) {
  const { api, session, view, go } = props;
  const d = useViewData(api, session, view);
  const { stats, analytics } = d;
  const zone = analytics.data?.tz ?? stats.data?.tz ?? 'UTC';
  const browserZone = api.zone();
  const a = analytics.stale ? undefined : analytics.data;
  const s = stats.stale ? undefined : stats.data;
  const series = analytics.data?.series ?? [];
  const csvName = `${view.trackId ? `track-${view.trackId}` : `artist-${d.artistId}`}-${viewUrl(view).split('?')[1]!.replace(/[&=]/g, '_')}.csv`;
  return (
    <div className="app">
      <header className="top">
        <div className="top-title">
          <p className="crumbs">
            {view.trackId ? (
              <ViewLink
                to={{ range: view.range, ...(view.artistId ? { artistId: view.artistId } : {}) }}
                go={go}
              >
                ← All tracks
              </ViewLink>
            ) : (
              'Artist dashboard'
            )}
          </p>
          <h1>{d.title}</h1>
          <p className="subtitle">
            {rangeLabel(view.range)} · times in {zone}
            {zone === 'UTC' && browserZone !== 'UTC' && analytics.data && !analytics.data.tz
              ? ' (this service does not offer time zones yet)'
              : ''}
          </p>
        </div>
        <div className="top-actions">
          <span className="who">
            {session.claims.role === 'admin' ? 'Admin' : `Artist ${session.claims.artistId}`}
          </span>
          <button type="button" className="link-button" onClick={props.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="controls" aria-label="View">
        <RangePicker value={view.range} onChange={(range) => go({ ...view, range })} />
        {d.isAdmin && <AdminPicker key={`${view.artistId}|${view.trackId}`} view={view} go={go} />}
      </nav>
      {d.blocked ? (
        <main className="empty-main">
          <p className="empty">{d.blocked}</p>
        </main>
      ) : (
        <main className="grid">
          <Panel
            title="Overview"
            id="overview"
            className="wide"
            loading={stats.loading}
            error={stats.error}
            hasData={!!stats.data}
          >
            {stats.data && (
              <OverviewCards
                stats={stats.data}
                previous={d.previous.stale ? undefined : d.previous.data}
              />
            )}
            {s && s.overview.totalTracks === 0 && (
              <Empty>No tracks in this catalog yet: they appear once registered.</Empty>
            )}
          </Panel>
          <Panel
            title="Plays and listeners"
            id="series"
            className="wide"
            loading={analytics.loading}
            error={analytics.error}
            hasData={!!analytics.data}
            actions={
              <button
                type="button"
                disabled={!a}
                onClick={() => a && download(csvName, seriesCsv(a.series))}
              >
                Download CSV
              </button>
            }
          >
            {analytics.data && (
              <>
                <SeriesChart
                  series={series}
                  granularity={analytics.data.seriesGranularity}
                  timeZone={zone}
                />
                {a && a.plays && a.plays.totalPlays === 0 && <Empty>No plays in this range.</Empty>}
              </>
            )}
          </Panel>
          {!view.trackId && (
            <Panel
              title="Top tracks"
              id="top-tracks"
              className="wide"
              loading={stats.loading}
              error={stats.error}
              hasData={!!stats.data}
            >
              {stats.data &&
                (stats.data.topTracks.length ? (
                  <TopTracks
                    api={api}
                    view={view}
                    tracks={stats.data.topTracks}
                    go={go}
                    sparklines={!analytics.loading}
                  />
                ) : (
                  <Empty>No plays in this range.</Empty>
                ))}
            </Panel>
          )}
          <Panel
            title="Where plays come from"
            id="sources"
            loading={analytics.loading}
            error={analytics.error}
            hasData={!!analytics.data}
          >
            {analytics.data?.plays &&
              (sumOf(analytics.data.plays.sourceBreakdown) ? (
                <Breakdown
                  counts={analytics.data.plays.sourceBreakdown}
                  unit="Plays"
                  attr="sources"
                />
              ) : (
                <Empty>No plays in this range.</Empty>
              ))}
          </Panel>
          <Panel
            title="Shared to"
            id="platforms"
            loading={analytics.loading}
            error={analytics.error}
            hasData={!!analytics.data}
          >
            {analytics.data?.shares &&
              (sumOf(analytics.data.shares.platformBreakdown) ? (
                <Breakdown
                  counts={analytics.data.shares.platformBreakdown}
                  unit="Shares"
                  attr="platforms"
                />
              ) : (
                <Empty>No shares in this range.</Empty>
              ))}
          </Panel>
          <Panel
            title="Engagement"
            id="engagement"
            loading={stats.loading}
            error={stats.error}
            hasData={!!stats.data}
          >
            {stats.data && <Engagement rates={stats.data.engagement} plays={a?.plays} />}
          </Panel>
          <Panel
            title="Saved to playlists"
            id="playlists"
            loading={stats.loading}
            error={stats.error}
            hasData={!!stats.data}
          >
            {stats.data &&
              (stats.data.playlists.length ? (
                <Playlists playlists={stats.data.playlists} />
              ) : (
                <Empty>
                  No playlist saved {view.trackId ? 'this track' : 'these tracks'} in this range.
                </Empty>
              ))}
          </Panel>
          <Panel
            title="Recent activity"
            id="recent"
            className="wide"
            loading={d.recent.loading && !d.recent.data}
            error={d.recent.error}
            hasData={!!d.recent.data}
            actions={
              <span className="live" title={`refreshed every ${RECENT_POLL_MS / 1000} s`}>
                ● live
              </span>
            }
          >
            {d.recent.data && (
              <RecentActivity
                plays={d.recent.data.recentActivity.plays}
                likes={d.recent.data.recentActivity.likes}
                view={view}
                go={go}
              />
            )}
          </Panel>
        </main>
      )}
    </div>
  );
}
