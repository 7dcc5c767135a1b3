import { fmtInt } from '../format';
import type { PlaylistSaves } from '../types';

/** Playlists that saved the tracks in the range, most saves first (the API's order). */
export function Playlists(props: { playlists: PlaylistSaves[] }) {
  return (
    <div className="table-scroll">
      <table className="playlists">
        <thead>
          <tr>
            <th scope="col">Playlist</th>
            <th scope="col" className="num">
              Saves
            </th>
            <th scope="col" className="num">
              Removed
            </th>
          </tr>
        </thead>
        <tbody>
          {props.playlists.map((p) => (
            <tr key={p.playlistId}>
              <th scope="row">{p.playlistId}</th>
              <td className="num">{fmtInt(p.saves)}</td>
              <td className="num">{fmtInt(p.unsaves)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
