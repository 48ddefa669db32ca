/** Admins: API keys, privacy (erasure, retention) and the audit log; everyone: their own account. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PASSWORD_MIN } from '../../../shared/access.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../shared/api.js';
import { api, ApiFailure } from '../api/http.js';

const errText = (e: unknown) => (e instanceof ApiFailure ? e.message : e ? 'something went wrong' : null);

interface KeyInfo {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiKeysPage() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['apikeys'], queryFn: async () => (await api<{ keys: KeyInfo[] }>('/api/v1/apikeys')).keys });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['ingest']);
  const [shown, setShown] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<{ key: string }>('/api/v1/apikeys', { method: 'POST', body: { name, scopes } }),
    onSuccess: (r) => {
      setShown(r.key);
      setName('');
      void qc.invalidateQueries({ queryKey: ['apikeys'] });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => api(`/api/v1/apikeys/${id}/revoke`, { method: 'POST' }), onSuccess: () => void qc.invalidateQueries({ queryKey: ['apikeys'] }) });
  return (
    <div className="page">
      <h1>API keys</h1>
      <p className="muted">Integrations send events with an ingest key and read figures with a read key. A key is shown once; only its hash is kept.</p>
      <div className="panels">
        <div className="panel">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Id</th>
                <th>Scopes</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(keys.data ?? []).map((k) => (
                <tr key={k.id} className={k.revokedAt ? 'disabled' : ''}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.id}</code>
                  </td>
                  <td>{k.scopes.join(', ')}</td>
                  <td className="muted">{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString('en-GB') : 'never'}</td>
                  <td>
                    {k.revokedAt ? (
                      'revoked'
                    ) : (
                      <button type="button" className="danger" onClick={() => revoke.mutate(k.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form
          className="panel form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h2>New key</h2>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="CRM bridge" required />
          </label>
          <fieldset>
            <legend>Scopes</legend>
            {API_KEY_SCOPES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
                {s}
              </label>
            ))}
          </fieldset>
          {errText(create.error) ? <p className="error">{errText(create.error)}</p> : null}
          <button type="submit" disabled={scopes.length === 0}>
            Create
          </button>
          {shown ? (
            <p className="ok">
              Copy it now, it is not shown again: <code className="secret">{shown}</code>
            </p>
          ) : null}
        </form>
      </div>
    </div>
  );
}

export function PrivacyPage() {
  const retention = useQuery({ queryKey: ['retention'], queryFn: async () => (await api<{ retention: { eventDays: number; commentDays: number } }>('/api/v1/privacy/retention')).retention });
  const [customerId, setCustomerId] = useState('');
  const [agentId, setAgentId] = useState('');
  const [reason, setReason] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const erase = useMutation({
    mutationFn: () => api<{ eventsChanged: number; contacts: number }>('/api/v1/privacy/erase-customer', { method: 'POST', body: { customerId, reason } }),
    onSuccess: (r) => setMsg(`Customer erased: ${r.eventsChanged} event(s) changed across ${r.contacts} contact(s). Figures are unchanged.`),
  });
  const pseudo = useMutation({
    mutationFn: () => api<{ pseudonym: string; eventsChanged: number }>('/api/v1/privacy/pseudonymise-agent', { method: 'POST', body: { agentId, reason } }),
    onSuccess: (r) => setMsg(`Agent pseudonymised as ${r.pseudonym}: ${r.eventsChanged} event(s) changed.`),
  });
  const run = useMutation({
    mutationFn: () => api<{ textRedacted: number; eventsDeleted: number }>('/api/v1/privacy/retention/run', { method: 'POST' }),
    onSuccess: (r) => setMsg(`Retention applied: ${r.textRedacted} free text(s) removed, ${r.eventsDeleted} event(s) deleted.`),
  });
  const r = retention.data;
  return (
    <div className="page">
      <h1>Privacy</h1>
      <div className="panels">
        <div className="panel form">
          <h2>Erase a customer</h2>
          <p className="muted">Removes their comments and complaint texts and replaces their id with a random one. Figures stay as they were.</p>
          <label>
            Customer id
            <input value={customerId} onChange={(e) => setCustomerId(e.target.value)} autoComplete="off" />
          </label>
          <h2>Pseudonymise a departed employee</h2>
          <label>
            Agent id
            <input value={agentId} onChange={(e) => setAgentId(e.target.value)} autoComplete="off" />
          </label>
          <label>
            Reason (recorded in the audit log)
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Erasure request ref 2026-114" />
          </label>
          <div className="row">
            <button type="button" className="danger" disabled={!customerId || reason.length < 3} onClick={() => erase.mutate()}>
              Erase customer
            </button>
            <button type="button" className="danger" disabled={!agentId || reason.length < 3} onClick={() => pseudo.mutate()}>
              Pseudonymise agent
            </button>
          </div>
          {msg ? <p className="ok">{msg}</p> : null}
          {errText(erase.error ?? pseudo.error ?? run.error) ? <p className="error">{errText(erase.error ?? pseudo.error ?? run.error)}</p> : null}
        </div>
        <div className="panel">
          <h2>Retention</h2>
          {r ? (
            <ul>
              <li>Free text (survey comments, complaint summaries, QA notes): {r.commentDays === 0 ? 'kept' : `removed after ${r.commentDays} days`}</li>
              <li>Raw events: {r.eventDays === 0 ? 'kept' : `deleted after ${r.eventDays} days`}</li>
            </ul>
          ) : null}
          <p className="muted small-inline">Set with RETENTION_COMMENT_DAYS and RETENTION_EVENT_DAYS; applied hourly.</p>
          <button type="button" className="secondary" onClick={() => run.mutate()}>
            Apply now
          </button>
        </div>
      </div>
    </div>
  );
}

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown>;
}

export function AuditPage() {
  const [action, setAction] = useState('');
  const entries = useQuery({
    queryKey: ['audit', action],
    queryFn: async () => (await api<{ entries: AuditEntry[] }>(`/api/v1/audit?limit=200${action ? `&action=${encodeURIComponent(action)}` : ''}`)).entries,
    refetchInterval: 10_000,
  });
  return (
    <div className="page">
      <h1>Audit log</h1>
      <label className="inline">
        Action{' '}
        <select value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">all</option>
          {['auth.login', 'auth.logout', 'user.create', 'user.update', 'user.role_change', 'user.password_set', 'display.approve', 'display.revoke', 'apikey.use', 'apikey.create', 'apikey.revoke', 'privacy.erase_customer', 'privacy.pseudonymise_agent', 'privacy.retention'].map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </label>
      <div className="panel">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Target</th>
              <th>Outcome</th>
              <th>From</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {(entries.data ?? []).map((e) => (
              <tr key={e.id} className={e.outcome === 'success' ? '' : 'attention'}>
                <td>{new Date(e.at).toLocaleString('en-GB')}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.target ?? ''}</td>
                <td>{e.outcome}</td>
                <td className="muted">{e.ip ?? ''}</td>
                <td className="muted small-inline">{Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function AccountPage() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => api('/api/v1/auth/password', { method: 'POST', body: { currentPassword: current, newPassword: next } }),
    onSuccess: () => (setCurrent(''), setNext('')),
  });
  return (
    <div className="page">
      <h1>My account</h1>
      <form
        className="panel form narrow"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <h2>Change password</h2>
        <label>
          Current password
          <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" required />
        </label>
        <label>
          New password <span className="muted small-inline">at least {PASSWORD_MIN} characters</span>
          <input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" required />
        </label>
        {errText(change.error) ? <p className="error">{errText(change.error)}</p> : null}
        {change.isSuccess ? <p className="ok">Password changed. Your other sessions have been signed out.</p> : null}
        <button type="submit">Change password</button>
      </form>
    </div>
  );
}
