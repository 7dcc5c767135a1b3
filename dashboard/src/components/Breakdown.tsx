import { fmtInt, fmtPct } from '../format';

const names: Record<string, string> = {
  landing: 'Landing page',
  playlist: 'Playlist',
  search: 'Search',
  direct: 'Direct',
  share: 'Shared link',
  player: 'Player',
  twitter: 'X / Twitter',
  facebook: 'Facebook',
  instagram: 'Instagram',
  whatsapp: 'WhatsApp',
  copy_link: 'Copied link',
  embed: 'Embed',
};

/** Counts by key, largest first, each with its share of the total as a bar. */
export function Breakdown(props: { counts: Record<string, number>; unit: string; attr: string }) {
  const entries = Object.entries(props.counts).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  const total = entries.reduce((s, [, v]) => s + v, 0);
  return (
    <table className="breakdown" data-breakdown={props.attr}>
      <thead className="visually-hidden">
        <tr>
          <th scope="col">Where</th>
          <th scope="col">{props.unit}</th>
          <th scope="col">Share</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, count]) => {
          const pct = total > 0 ? Math.round((count / total) * 10_000) / 100 : 0;
          return (
            <tr key={key} data-key={key}>
              <th scope="row">{names[key] ?? key}</th>
              <td className="num" data-count={count}>
                {fmtInt(count)}
              </td>
              <td className="bar-cell">
                <div className="bar-row">
                  <span className="bar-track">
                    <span className="bar" style={{ width: `${pct}%` }} />
                  </span>
                  <span className="bar-label">{fmtPct(pct)}</span>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
