import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiFailure } from '../api/http.js';
import { usePageTitle } from '../shell/page-title.js';
import { useResetSession } from './session.js';

export function SignInPage({ notice }: { notice?: string | null }) {
  usePageTitle('Sign in');
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
    <main className="auth-page">
      <form className="card" onSubmit={submit} aria-label="Sign in">
        <h1>Frontline</h1>
        <p className="muted">Sign in to see your centre, your team or your own figures.</p>
        {notice ? <p className="notice">{notice}</p> : null}
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
        <p className="muted small">
          A wall screen? Open <a href="/wall">/wall</a> on it to pair it without a password.
        </p>
      </form>
    </main>
  );
}
