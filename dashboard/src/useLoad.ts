import { useEffect, useState } from 'react';

export type Loaded<T> = {
  /** The newest answer, possibly for the previous key while the next loads (`stale`). */
  data?: T;
  stale: boolean;
  loading: boolean;
  /** The last load of this key failed (a poll keeps the data it had). */
  error?: Error;
};

type State<T> = { key: string | null; data?: T; dataKey?: string; loading: boolean; error?: Error };

/**
 * Runs `load` whenever `key` changes (aborting the one before) and, with `pollMs`, again every
 * `pollMs` while the tab is visible. `key` null: nothing to load. `load` is rebuilt every
 * render, so `key` must name everything it depends on.
 */
export function useLoad<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  pollMs?: number,
): Loaded<T> {
  const [state, setState] = useState<State<T>>({ key: null, loading: false });
  useEffect(() => {
    if (key === null) return;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      setState((s) => ({
        ...s,
        key,
        loading: true,
        ...(s.key === key ? {} : { error: undefined }),
      }));
      load(ctrl.signal)
        .then(
          (data) => {
            if (!ctrl.signal.aborted) setState({ key, data, dataKey: key, loading: false });
          },
          (error: Error) => {
            if (!ctrl.signal.aborted) setState((s) => ({ ...s, key, loading: false, error }));
          },
        )
        .finally(() => {
          if (pollMs && !ctrl.signal.aborted) timer = setTimeout(tick, pollMs);
        });
    };
    const tick = () => {
      if (document.visibilityState === 'hidden') timer = setTimeout(tick, pollMs);
      else run();
    };
    run();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [key, pollMs]);
  const current = state.key === key;
  return {
    ...(state.data !== undefined ? { data: state.data } : {}),
    stale: state.dataKey !== key,
    loading: !current || state.loading,
    ...(current && state.error ? { error: state.error } : {}),
  };
}
