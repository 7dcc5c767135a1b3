import { bindEvent, type Bindings, type TrackBinding } from '../../projections/trackRollups';
import type { TrackEvent } from '../events/stored';

/**
 * Which tracks are whose, as of the head of the log: the rollups' bindings at their checkpoint
 * (loaded once), moved forward by every later event the log tail sees, with the projection's
 * own rule (`bindEvent`). Bounded by the catalog.
 */
export function catalogView() {
  let bindings: Bindings = new Map();
  let byArtist: Map<string, TrackBinding[]> | undefined;
  return {
    reset(loaded: Bindings): void {
      bindings = loaded;
      byArtist = undefined;
    },
    apply(e: TrackEvent): void {
      const { changed } = bindEvent(bindings, e);
      if (changed) byArtist = undefined;
    },
    /** The artist's tracks, by track id. */
    tracksOf(artistId: string): readonly TrackBinding[] {
      if (!byArtist) {
        byArtist = new Map();
        for (const b of bindings.values()) {
          if (b.artistId === undefined) continue;
          const list = byArtist.get(b.artistId);
          if (list) list.push(b);
          else byArtist.set(b.artistId, [b]);
        }
        for (const list of byArtist.values()) list.sort((a, b) => (a.trackId < b.trackId ? -1 : 1));
      }
      return byArtist.get(artistId) ?? [];
    },
    track(trackId: string): TrackBinding | undefined {
      return bindings.get(trackId);
    },
  };
}

export type CatalogView = ReturnType<typeof catalogView>;
