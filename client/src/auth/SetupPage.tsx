import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PASSWORD_MIN } from '../../../shared/access.js';
import { api, ApiFailure } from '../api/http.js';
import { usePageTitle } from '../shell/page-title.js';
import { useResetSession } from './session.js';

/** First run: create the first admin with the one-time setup code the server printed in its console. */
export function SetupPage() {
  usePageTitle('Set up');
  const reset = useResetSession();
  const [f, setF] = useState({ setupCode: '', username: '', displayName: '', password: '' });
  const setup = useMutation({
    mutationFn: () => api('/api/v1/setup', { method: 'POST', body: f }),
    onSuccess: () => reset(),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setup.mutate();
  };
  const field = (k: keyof typeof f) => ({ value: f[k], onChange: (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value }) });
  return (
    <main className="auth-page">
      <form className="card" onSubmit={submit} aria-label="First-run setup">
        <h1>Welcome to Frontline</h1>
        <p className="muted">
          Create the first admin account. The setup code is printed in the server&apos;s console when it starts; it works once.
        </p>
        <label>
          Setup code
          <input name="setupCode" autoComplete="off" placeholder="XXXXXX-XXXXXX" {...field('setupCode')} required />
        </label>
        <label>
          Your name
          <input name="displayName" autoComplete="name" {...field('displayName')} required />
        </label>
        <label>
          Username
          <input name="username" autoComplete="username" {...field('username')} required />
        </label>
        <label>
          Password <span className="muted small-inline">at least {PASSWORD_MIN} characters; a few unrelated words work well</span>
          <input name="password" type="password" autoComplete="new-password" {...field('password')} required minLength={PASSWORD_MIN} />
        </label>
        {setup.error ? (
          <p className="error" role="alert">
            {setup.error instanceof ApiFailure ? setup.error.message : 'setup failed'}
          </p>
        ) : null}
        <button type="submit" disabled={setup.isPending}>
          Create admin and sign in
        </button>
      </form>
    </main>
  );
}
