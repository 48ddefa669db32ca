import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { SSO_RESULT_PARAM, ssoResultMessage, type AuthMethods } from '../../../shared/sso.js';
import { api, ApiFailure } from '../api/http.js';
import { usePageTitle } from '../shell/page-title.js';
import { useResetSession } from './session.js';

/** The message a single sign-on came back with (`/?sso=waiting`), read once; the address is then tidied. */
function takeSsoResult(): string | null {
  const url = new URL(window.location.href);
  const message = ssoResultMessage(url.searchParams.get(SSO_RESULT_PARAM));
  if (url.searchParams.has(SSO_RESULT_PARAM)) {
    url.searchParams.delete(SSO_RESULT_PARAM);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return message;
}

export function SignInPage({ notice }: { notice?: string | null }) {
  usePageTitle('Sign in');
  const [ssoMessage] = useState(takeSsoResult);
  const methods = useQuery({ queryKey: ['auth-methods'], queryFn: () => api<AuthMethods>('/api/v1/auth/methods'), staleTime: 300_000 });
  const sso = methods.data?.sso ?? null;
  const passwordForAll = methods.data?.password ?? true;
  // Back to the page that was asked for once signed in.
  const back = window.location.pathname === '/' ? '' : `?return=${encodeURIComponent(window.location.pathname)}`;
  return (
    <main className="auth-page">
      <div className="card">
        <h1>Frontline</h1>
        <p className="muted">Sign in to see your centre, your team or your own figures.</p>
        {notice ? <p className="notice">{notice}</p> : null}
        {ssoMessage ? (
          <p className="notice" role="alert">
            {ssoMessage}
          </p>
        ) : null}
        {sso ? (
          <>
            <a className="button" href={`${sso.startUrl}${back}`}>
              Sign in with {sso.label}
            </a>
            {passwordForAll ? <p className="divider muted small">or with a Frontline password</p> : null}
          </>
        ) : null}
        {passwordForAll ? (
          <PasswordForm />
        ) : (
          <details>
            <summary className="muted small">Administrators: sign in with a password</summary>
            <PasswordForm />
          </details>
        )}
        <p className="muted small">
          A wall screen? Open <a href="/wall">/wall</a> on it to pair it without a password.
        </p>
      </div>
    </main>
  );
}

function PasswordForm() {
  const reset = useResetSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => api('/api/v1/auth/login', { method: 'POST', body: { username, password } }),
    onSuccess: () => reset(),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Sign in">
      <label>
        Username
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {login.error ? (
        <p className="error" role="alert">
          {login.error instanceof ApiFailure ? login.error.message : 'sign-in failed; try again'}
        </p>
      ) : null}
      <button type="submit" disabled={login.isPending}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
