import { useState, type FormEvent } from 'react';
import type { View } from '../view';

/** Admins look at any artist (by id) or any track (by id; its artist comes from the catalog). */
export function AdminPicker(props: { view: View; go: (v: View) => void }) {
  const [artist, setArtist] = useState(props.view.artistId ?? '');
  const [track, setTrack] = useState(props.view.trackId ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: View = { range: props.view.range };
    if (artist.trim()) next.artistId = artist.trim();
    if (track.trim()) next.trackId = track.trim();
    props.go(next);
  };
  return (
    <form className="admin-picker" onSubmit={submit} aria-label="Choose what to look at">
      <label>
        Artist id{' '}
        <input value={artist} onChange={(e) => setArtist(e.target.value)} spellCheck={false} />
      </label>
      <label>
        Track id{' '}
        <input
          value={track}
          onChange={(e) => setTrack(e.target.value)}
          spellCheck={false}
          placeholder="optional"
        />
      </label>
      <button type="submit" disabled={!artist.trim() && !track.trim()}>
        Show
      </button>
    </form>
  );
}
