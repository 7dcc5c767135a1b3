import { useEffect, useState } from 'react';
import { fmtAgo, fmtMinutes, fmtPct } from '../format';
import type { RecentLike, RecentPlay } from '../types';
import { type View } from '../view';
import { ViewLink } from './Link';

function useNow(everyMs: number) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/**
 * The newest plays and likes, refreshed by polling (SPEC test hook: `data-list="recent-plays"`,
 * one child per play). New entries are announced to screen readers politely.
 */
export function RecentActivity(props: {
  plays: RecentPlay[];
  likes: RecentLike[];
  view: View;
  go: (v: View) => void;
}) {
  const now = useNow(5000);
  const title = (x: { trackId: string; title: string | null }) => (
    <ViewLink to={{ ...props.view, trackId: x.trackId }} go={props.go}>
      {x.title ?? x.trackId}
    </ViewLink>
  );
  return (
    <div className="recent">
      <div>
        <h3>Plays</h3>
        {props.plays.length === 0 && <p className="empty">No plays yet.</p>}
        <ol data-list="recent-plays" aria-live="polite">
          {props.plays.map((p) => (
            <li key={`${p.trackId}|${p.at}|${p.durationSeconds}`}>
              <span className="recent-title">{title(p)}</span>
              <span className="recent-meta">
                {fmtMinutes(p.durationSeconds)} · {fmtPct(p.completionRate)} ·{' '}
                {p.source ?? 'unknown source'}
              </span>
              <time dateTime={p.at} title={new Date(p.at).toLocaleString()}>
                {fmtAgo(p.at, now)}
              </time>
            </li>
          ))}
        </ol>
      </div>
      <div>
        <h3>Likes</h3>
        {props.likes.length === 0 && <p className="empty">No likes yet.</p>}
        <ol data-list="recent-likes">
          {props.likes.map((l) => (
            <li key={`${l.trackId}|${l.at}`}>
              <span className="recent-title">{title(l)}</span>
              <time dateTime={l.at} title={new Date(l.at).toLocaleString()}>
                {fmtAgo(l.at, now)}
              </time>
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}
