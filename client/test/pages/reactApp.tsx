import { StrictMode, type ReactNode } from 'react';
import { StatsProvider, useStats } from '../../react';

const q = new URLSearchParams(location.search);
const trackId = q.get('track') ?? 'demo-track';
const w = window as unknown as { trackedIds: (string | undefined)[]; ready?: boolean };
w.trackedIds = [];

function Player() {
  const stats = useStats({ source: 'playlist' });
  const log = (id: string | undefined) => w.trackedIds.push(id);
  return (
    <div>
      <button id="start" onClick={() => stats.trackPlayStart(trackId, { lengthSeconds: 4 })}>
        Play
      </button>
      <button id="end" onClick={() => log(stats.trackPlayEnd(trackId))}>
        Stop
      </button>
      <button id="like" onClick={() => log(stats.trackLike(trackId))}>
        Like
      </button>
      <button id="save" onClick={() => log(stats.trackSave(trackId))}>
        Save
      </button>
      <button id="share" onClick={() => log(stats.trackShare(trackId, 'whatsapp'))}>
        Share
      </button>
      <button id="download" onClick={() => log(stats.trackDownload(trackId))}>
        Download
      </button>
    </div>
  );
}

// Resolved by the page's import map at run time (react-dom ships no types in this repo).
const reactDomClient = 'react-dom/client';
type ReactDomClient = { createRoot(el: Element): { render(node: ReactNode): void } };

void (import(reactDomClient) as Promise<ReactDomClient>).then(({ createRoot }) => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StatsProvider
        options={{ endpoint: q.get('endpoint')!, flushIntervalMs: 500 }}
        playlistId="pl-e2e"
        skipThresholdSeconds={1}
      >
        <Player />
      </StatsProvider>
    </StrictMode>,
  );
  w.ready = true;
});
