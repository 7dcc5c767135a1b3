/** Registers `callback` to run when the page may be going away; returns the unsubscribe function. */
export type OnUnload = (callback: () => void) => () => void;

/**
 * Calls `callback` on `pagehide` and on `visibilitychange` to hidden; it may run more than once
 * per page (hidden, then closed), so it must be cheap when there is nothing left to send.
 *
 * Why both: `unload`/`beforeunload` are unreliable on mobile and block the back/forward cache.
 * Safari (iOS especially) often fires no `pagehide` when a tab is swiped away or the app is
 * backgrounded, and before Safari 14.1 it fired no `visibilitychange` when navigating away, only
 * `pagehide`. Hidden is the last moment a page is guaranteed to run, so we send on either.
 */
export const onPageHide: OnUnload = (callback) => {
  if (typeof document === 'undefined' || typeof addEventListener !== 'function') return () => {};
  const hide = () => callback();
  const visibility = () => {
    if (document.visibilityState === 'hidden') callback();
  };
  addEventListener('pagehide', hide);
  document.addEventListener('visibilitychange', visibility);
  return () => {
    removeEventListener('pagehide', hide);
    document.removeEventListener('visibilitychange', visibility);
  };
};
