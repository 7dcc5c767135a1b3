/**
 * Sign-in: a bearer token from the URL fragment (`#token=<JWT>`, removed from the address bar
 * at once) or pasted into the form, kept in sessionStorage for this browser tab only.
 */
const KEY = 'dashboard.token';

export type Claims = { sub: string; role: string; artistId?: string; exp?: number };
export type Session = { token: string; claims: Claims };

/** Why there is no usable session: shown above the sign-in form. */
export type SignedOutReason = { message: string };

function decodePart(part: string): unknown {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * Reads a token's claims without verifying it (the service verifies every request); throws
 * a message a person can act on when it is not a token at all, expired, or not for this app.
 */
export function parseToken(token: string, now = Date.now()): Claims {
  const parts = token.trim().split('.');
  let claims: Partial<Claims>;
  try {
    if (parts.length !== 3) throw new Error();
    claims = decodePart(parts[1]!) as Partial<Claims>;
  } catch {
    throw new Error('That is not a sign-in token. Paste the whole token, or open your link again.');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) {
    const at = new Date(claims.exp * 1000).toLocaleString();
    throw new Error(`Your sign-in link expired on ${at}. Ask for a new link.`);
  }
  if (claims.role !== 'artist' && claims.role !== 'admin') {
    throw new Error('This token is not for the dashboard: it needs an artist or admin token.');
  }
  if (claims.role === 'artist' && !claims.artistId) {
    throw new Error('This artist token names no artist. Ask for a new link.');
  }
  return claims as Claims;
}

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    /* storage disabled: the session lasts until reload */
  }
}

export function forgetToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing stored */
  }
}

/** Takes `#token=` out of the address bar (keeping path and query) and returns it. */
function tokenFromFragment(): string | null {
  const hash = new URLSearchParams(location.hash.slice(1));
  const token = hash.get('token');
  if (token === null) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}

/** The session at start-up: a fragment token wins over the stored one. */
export function initialSession(): Session | SignedOutReason {
  const fromLink = tokenFromFragment();
  const token = fromLink ?? stored();
  if (!token) return { message: 'Sign in with your dashboard link or paste your token.' };
  try {
    const claims = parseToken(token);
    saveToken(token);
    return { token, claims };
  } catch (err) {
    forgetToken();
    return { message: (err as Error).message };
  }
}
