import { useState, type FormEvent } from 'react';

/** The sign-in form (SPEC test hook: `data-state="signed-out"`), with why the user is here. */
export function SignIn(props: { message: string; onToken: (token: string) => string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(props.onToken(token.trim()));
  };
  return (
    <main className="signin" data-state="signed-out">
      <h1>Artist dashboard</h1>
      <p className="signin-message" role="status">
        {error ?? props.message}
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">Sign-in token</label>
        <textarea
          id="token"
          value={token}
          rows={4}
          spellCheck={false}
          autoComplete="off"
          placeholder="eyJhbGciOi…"
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
      <p className="hint">
        Your sign-in link opens this page directly. Operators print one with{' '}
        <code>npm run token -- --role artist --artist &lt;id&gt; --url</code>.
      </p>
    </main>
  );
}
