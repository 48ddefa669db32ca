/** Admins: people who signed in with single sign-on and have no role yet; give them one, link them, or dismiss them. */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { UserInfo } from '../../../shared/access.js';
import type { Directory } from '../../../shared/directory.js';
import type { WaitingIdentity } from '../../../shared/sso.js';
import { api, errText } from '../api/http.js';
import { ScopeFields, scopeBody, type Fields } from './ScopeFields.js';

function claimsText(claims: Record<string, unknown>): string {
  const parts = Object.entries(claims).map(([k, v]) => `${k}: ${Array.isArray(v) && v.length > 0 ? v.join(', ') : '–'}`);
  return parts.join(' · ') || 'no access claims configured';
}

export function WaitingList({ waiting, error, onApprove, onDismissed }: { waiting: WaitingIdentity[]; error: string | null; onApprove: (w: WaitingIdentity) => void; onDismissed: () => void }) {
  const dismiss = useMutation({ mutationFn: (id: string) => api(`/api/v1/sso/waiting/${encodeURIComponent(id)}`, { method: 'DELETE' }), onSuccess: onDismissed });
  if (waiting.length === 0 && !error) return null;
  return (
    <section className="panel waiting-list" aria-label="Waiting for access">
      <h2>Waiting for access</h2>
      <p className="muted">
        These people signed in with single sign-on, but their provider&apos;s claims give them no role here. They see nothing until you give them one.
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Claims at last sign-in</th>
            <th>Why they wait</th>
            <th>Last seen</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {waiting.map((w) => (
            <tr key={w.id} className="attention">
              <td>{w.displayName}</td>
              <td>{w.email ?? '–'}</td>
              <td className="muted">{claimsText(w.claims)}</td>
              <td className="muted">{w.reason}</td>
              <td className="muted">{new Date(w.lastSeenAt).toLocaleString()}</td>
              <td>
                <div className="row">
                  <button type="button" className="link" onClick={() => onApprove(w)}>
                    Give access
                  </button>
                  <button type="button" className="link" onClick={() => dismiss.mutate(w.id)} disabled={dismiss.isPending}>
                    Dismiss
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ?? errText(dismiss.error) ? <p className="error">{error ?? errText(dismiss.error)}</p> : null}
    </section>
  );
}

export function ApproveIdentity({ identity, users, dir, onDone }: { identity: WaitingIdentity; users: UserInfo[]; dir: Directory | undefined; onDone: () => void }) {
  const [mode, setMode] = useState<'new' | 'link'>('new');
  const [f, setF] = useState<Fields>({ role: 'agent', teamIds: [], siteId: '', agentId: '' });
  const [who, setWho] = useState({ username: identity.suggestedUsername, displayName: identity.displayName });
  const [linkUserId, setLinkUserId] = useState('');
  const approve = useMutation({
    mutationFn: () =>
      api(`/api/v1/sso/waiting/${encodeURIComponent(identity.id)}/approve`, { method: 'POST', body: mode === 'link' ? { linkUserId } : { ...who, ...scopeBody(f) } }),
    onSuccess: onDone,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    approve.mutate();
  };
  const linkable = users.filter((u) => !u.sso && !u.disabledAt);
  return (
    <form onSubmit={submit} aria-label="Give access" className="form">
      <h2>Give {identity.displayName} access</h2>
      <fieldset>
        <legend>Account</legend>
        <label className="check">
          <input type="radio" name="mode" checked={mode === 'new'} onChange={() => setMode('new')} />A new account
        </label>
        <label className="check">
          <input type="radio" name="mode" checked={mode === 'link'} onChange={() => setMode('link')} />
          An existing person (they then sign in with either)
        </label>
      </fieldset>
      {mode === 'new' ? (
        <>
          <label>
            Name
            <input value={who.displayName} onChange={(e) => setWho({ ...who, displayName: e.target.value })} required />
          </label>
          <label>
            Username
            <input value={who.username} onChange={(e) => setWho({ ...who, username: e.target.value })} required autoComplete="off" />
          </label>
          <ScopeFields f={f} set={setF} dir={dir} />
        </>
      ) : (
        <label>
          Person
          <select value={linkUserId} onChange={(e) => setLinkUserId(e.target.value)} required>
            <option value="">Choose…</option>
            {linkable.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName} ({u.username})
              </option>
            ))}
          </select>
        </label>
      )}
      {approve.error ? <p className="error">{errText(approve.error)}</p> : null}
      <div className="row">
        <button type="submit" disabled={approve.isPending}>
          Give access
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
