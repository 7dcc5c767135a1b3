import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApi, type ApiError } from './api';
import { SignIn } from './components/SignIn';
import { Dashboard } from './Dashboard';
import {
  forgetToken,
  initialSession,
  parseToken,
  saveToken,
  type Session,
  type SignedOutReason,
} from './session';
import { parseView, sameView, viewUrl, type View } from './view';

const isSession = (s: Session | SignedOutReason): s is Session => 'token' in s;

/** Sign-in gate, URL-backed view state and the API client for the signed-in token. */
export function App() {
  const [session, setSession] = useState<Session | SignedOutReason>(initialSession);
  const [view, setView] = useState<View>(() => parseView(location.pathname, location.search));

  useEffect(() => {
    const onPop = () => setView(parseView(location.pathname, location.search));
    addEventListener('popstate', onPop);
    // The canonical URL (default range filled in) so the address bar always names the view.
    history.replaceState(history.state, '', viewUrl(parseView(location.pathname, location.search)));
    return () => removeEventListener('popstate', onPop);
  }, []);

  const go = useCallback((next: View) => {
    setView((current) => {
      if (!sameView(current, next)) history.pushState(null, '', viewUrl(next));
      return next;
    });
    scrollTo({ top: 0 });
  }, []);

  const signOut = useCallback((message = 'You are signed out.') => {
    forgetToken();
    setSession({ message });
  }, []);

  const token = isSession(session) ? session.token : null;
  const api = useMemo(
    () =>
      token
        ? createApi(token, (err: ApiError) => {
            try {
              parseToken(token);
            } catch (expired) {
              return signOut((expired as Error).message);
            }
            signOut(
              `The service did not accept your sign-in (${err.message}). Open a new link or paste a new token.`,
            );
          })
        : null,
    [token, signOut],
  );

  const onToken = (pasted: string): string | null => {
    try {
      const claims = parseToken(pasted);
      saveToken(pasted);
      setSession({ token: pasted, claims });
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  useEffect(() => {
    document.title = isSession(session) ? 'Dashboard' : 'Sign in · Dashboard';
  }, [session]);

  if (!isSession(session) || !api) {
    return <SignIn message={'message' in session ? session.message : ''} onToken={onToken} />;
  }
  return <Dashboard api={api} session={session} view={view} go={go} signOut={() => signOut()} />;
}
