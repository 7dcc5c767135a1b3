import type { Api } from '../api';
import { fmtInt } from '../format';
import type { AnalyticsAnswer, TopTrack } from '../types';
import { useLoad } from '../useLoad';
import { rangeParams, viewUrl, type View } from '../view';
import { ViewLink } from './Link';
import { Sparkline } from './Sparkline';

function TrackSparkline(props: { api: Api; view: View; track: TopTrack; load: boolean }) {
  const { api, view, track } = props;
  const key = props.load ? `${track.trackId}|${viewUrl(view)}` : null;
  const { data } = useLoad(key, (signal) =>
    api.get<AnalyticsAnswer>(
      `/api/dashboard/tracks/${encodeURIComponent(track.trackId)}`,
      { ...rangeParams(view.range), metric: 'plays' },
      signal,
    ),
  );
  if (!data) return <div className="sparkline sparkline-empty" aria-hidden="true" />;
  return (
    <Sparkline
      times={data.series.map((b) => Date.parse(b.from) / 1000)}
      values={data.series.map((b) => Number(b.plays ?? 0))}
      label={`plays of ${track.title ?? track.trackId} over the range`}
    />
  );
}

/**
 * The artist's five most played tracks in the range, each with its plays over the range;
 * `sparklines` false holds their requests back while the page's main answers load.
 */
export function TopTracks(props: {
  api: Api;
  view: View;
  tracks: TopTrack[];
  go: (v: View) => void;
  sparklines: boolean;
}) {
  const { view } = props;
  return (
    <div className="table-scroll">
      <table className="top-tracks">
        <thead>
          <tr>
            <th scope="col">Track</th>
            <th scope="col" className="num">
              Plays
            </th>
            <th scope="col">Trend</th>
            <th scope="col" className="num">
              Likes
            </th>
            <th scope="col" className="num">
              Saves
            </th>
            <th scope="col" className="num">
              Shares
            </th>
            <th scope="col" className="num">
              Downloads
            </th>
          </tr>
        </thead>
        <tbody>
          {props.tracks.map((t) => (
            <tr key={t.trackId} data-track={t.trackId}>
              <th scope="row">
                <ViewLink to={{ ...view, trackId: t.trackId }} go={props.go}>
                  {t.title ?? t.trackId}
                </ViewLink>
              </th>
              <td className="num">{fmtInt(t.plays)}</td>
              <td>
                <TrackSparkline api={props.api} view={view} track={t} load={props.sparklines} />
              </td>
              <td className="num">{fmtInt(t.likes)}</td>
              <td className="num">{fmtInt(t.saves)}</td>
              <td className="num">{fmtInt(t.shares)}</td>
              <td className="num">{fmtInt(t.downloads)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
