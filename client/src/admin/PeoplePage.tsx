/** Admins: people, their roles and what they are scoped to; reset passwords; end sessions. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ROLE_LABELS, type UserInfo } from '../../../shared/access.js';
import type { Directory } from '../../../shared/directory.js';
import type { WaitingIdentity } from '../../../shared/sso.js';
import { api, errText } from '../api/http.js';
import { ScopeFields, scopeBody, type Fields } from './ScopeFields.js';
import { ApproveIdentity, WaitingList } from './WaitingAccess.js';


export function useDirectory() {
  return useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory });
}

export function PeoplePage() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: async () => (await api<{ users: UserInfo[] }>('/api/v1/users')).users });
  const dir = useDirectory();
  const waiting = useQuery({ queryKey: ['sso-waiting'], queryFn: async () => (await api<{ waiting: WaitingIdentity[] }>('/api/v1/sso/waiting')).waiting });
  const [editing, setEditing] = useState<UserInfo | null>(null);
  const [approving, setApproving] = useState<WaitingIdentity | null>(null);
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['users'] }), qc.invalidateQueries({ queryKey: ['sso-waiting'] })]);
  return (
    <div className="page">
      <h1>People</h1>
      <p className="muted">
        Roles decide what each person sees: team leaders their teams, managers their site (or the whole centre), coaches their cases, agents
        only their own figures. Changing someone&apos;s role, teams or password signs them out everywhere, live screens included.
      </p>
      <WaitingList
        waiting={waiting.data ?? []}
        error={errText(waiting.error)}
        onApprove={(w) => (setEditing(null), setApproving(w))}
        onDismissed={() => (setApproving(null), void refresh())}
      />
      <div className="panels">
        <div className="panel">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Username</th>
                <th>Role</th>
                <th>Scope</th>
                <th>Signs in with</th>
                <th className="num">Sessions</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(users.data ?? []).map((u) => (
                <tr key={u.id} className={u.disabledAt ? 'disabled' : ''}>
                  <td>{u.displayName}</td>
                  <td>{u.username}</td>
                  <td>
                    {ROLE_LABELS[u.role]}
                    {u.disabledAt ? ' (disabled)' : ''}
                  </td>
                  <td className="muted">{scopeText(u, dir.data)}</td>
                  <td className="muted">{signInText(u)}</td>
                  <td className="num">{u.activeSessions}</td>
                  <td>
                    <button type="button" className="link" onClick={() => (setApproving(null), setEditing(u))}>
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {users.error ? <p className="error">{errText(users.error)}</p> : null}
        </div>
        <div className="panel">
          {approving ? (
            <ApproveIdentity key={approving.id} identity={approving} users={users.data ?? []} dir={dir.data} onDone={() => (setApproving(null), void refresh())} />
          ) : editing ? (
            <EditUser key={editing.id} user={editing} dir={dir.data} onDone={() => (setEditing(null), void refresh())} />
          ) : (
            <CreateUser dir={dir.data} onDone={() => void refresh()} />
          )}
        </div>
      </div>
    </div>
  );
}

function signInText(u: UserInfo): string {
  const sso = u.sso ? (u.sso.roleFromClaims ? 'SSO (role from the provider)' : 'SSO') : null;
  return [sso, u.hasPassword ? 'password' : null].filter(Boolean).join(' + ') || 'nothing yet';
}

function scopeText(u: UserInfo, d: Directory | undefined): string {
  const name = (kind: 'teams' | 'sites' | 'agents', id: string) => d?.[kind].find((x) => x.id === id)?.name ?? id;
  if (u.role === 'team_leader') return u.teamIds.map((t) => name('teams', t)).join(', ');
  if (u.role === 'manager') return u.siteId ? name('sites', u.siteId) : 'whole centre';
  if (u.role === 'agent') return u.agentId ? name('agents', u.agentId) : '–';
  return u.role === 'admin' ? 'setup' : 'assigned cases';
}

function CreateUser({ dir, onDone }: { dir: Directory | undefined; onDone: () => void }) {
  const [f, setF] = useState<Fields>({ role: 'agent', teamIds: [], siteId: '', agentId: '' });
  const [who, setWho] = useState({ username: '', displayName: '', password: '' });
  const create = useMutation({
    mutationFn: () => api('/api/v1/users', { method: 'POST', body: { ...who, ...scopeBody(f) } }),
    onSuccess: () => {
      setWho({ username: '', displayName: '', password: '' });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="Add a person" className="form">
      <h2>Add a person</h2>
      <label>
        Name
        <input value={who.displayName} onChange={(e) => setWho({ ...who, displayName: e.target.value })} required />
      </label>
      <label>
        Username
        <input value={who.username} onChange={(e) => setWho({ ...who, username: e.target.value })} required autoComplete="off" />
      </label>
      <label>
        First password (they can change it)
        <input type="password" value={who.password} onChange={(e) => setWho({ ...who, password: e.target.value })} required autoComplete="new-password" />
      </label>
      <ScopeFields f={f} set={setF} dir={dir} />
      {create.error ? <p className="error">{errText(create.error)}</p> : null}
      <button type="submit" disabled={create.isPending}>
        Add
      </button>
    </form>
  );
}

function EditUser({ user, dir, onDone }: { user: UserInfo; dir: Directory | undefined; onDone: () => void }) {
  const [f, setF] = useState<Fields>({ role: user.role, teamIds: user.teamIds, siteId: user.siteId ?? '', agentId: user.agentId ?? '' });
  const [password, setPassword] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const save = useMutation({ mutationFn: () => api(`/api/v1/users/${user.id}`, { method: 'PATCH', body: scopeBody(f) }), onSuccess: onDone });
  const toggle = useMutation({ mutationFn: () => api(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { disabled: !user.disabledAt } }), onSuccess: onDone });
  const reset = useMutation({
    mutationFn: () => api(`/api/v1/users/${user.id}/password`, { method: 'POST', body: { password } }),
    onSuccess: () => (setPassword(''), setMsg('Password set; their sessions have ended.')),
  });
  const endSessions = useMutation({
    mutationFn: () => api<{ ended: number }>(`/api/v1/users/${user.id}/sessions/revoke`, { method: 'POST' }),
    onSuccess: (r) => setMsg(`${r.ended} session(s) ended.`),
  });
  const err = errText(save.error ?? toggle.error ?? reset.error ?? endSessions.error);
  return (
    <div className="form">
      <h2>{user.displayName}</h2>
      {user.sso?.roleFromClaims ? (
        <p className="muted">Role, teams and agent link come from the single sign-on provider at each sign-in. Saving a change here sets them here from then on.</p>
      ) : null}
      <ScopeFields f={f} set={setF} dir={dir} />
      <div className="row">
        <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <label>
        New password
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </label>
      <div className="row">
        <button type="button" className="secondary" onClick={() => reset.mutate()} disabled={!password || reset.isPending}>
          Set password
        </button>
        <button type="button" className="secondary" onClick={() => endSessions.mutate()}>
          End all sessions
        </button>
        <button type="button" className="danger" onClick={() => toggle.mutate()}>
          {user.disabledAt ? 'Enable' : 'Disable'}
        </button>
      </div>
      {msg ? <p className="ok">{msg}</p> : null}
      {err ? <p className="error">{err}</p> : null}
    </div>
  );
}
