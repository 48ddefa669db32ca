/** Admins: API keys, privacy (erasure, retention) and the audit log; everyone: their own account. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PASSWORD_MIN, ROLE_LABELS, type Me } from '../../../shared/access.js';
import { API_KEY_SCOPE_HELP, API_KEY_SCOPES, type ApiKeyInfo, type ApiKeyScope, type AuditRecord } from '../../../shared/api.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { NotificationSettings } from '../notifications/NotificationSettings.js';



export function ApiKeysPage() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['apikeys'], queryFn: async () => (await api<{ keys: ApiKeyInfo[] }>('/api/v1/apikeys')).keys });
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
                {s} <span className="muted">({API_KEY_SCOPE_HELP[s]})</span>
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
  const [msg, setMsg] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: () => api<{ textRedacted: number; eventsDeleted: number }>('/api/v1/privacy/retention/run', { method: 'POST' }),
    onSuccess: (r) => setMsg(`Retention applied: ${r.textRedacted} free text(s) removed, ${r.eventsDeleted} event(s) deleted.`),
  });
  const r = retention.data;
  const dir = useDirectory();
  const teamName = new Map((dir.data?.teams ?? []).map((t) => [t.id, t.name]));
  // Former agents (already pseudonymised) are not offered again.
  const agents = (dir.data?.agents ?? []).filter((a) => !a.id.startsWith('former-')).map((a) => ({ value: a.id, label: `${a.name} · ${teamName.get(a.teamId) ?? a.teamId}` }));
  return (
    <div className="page">
      <h1>Privacy</h1>
      <p className="muted">Each action is recorded in the audit log with its reason and counts, never with the personal data itself.</p>
      <div className="panels three">
        <PrivacyAction
          title="Erase a customer"
          explain="Removes every comment, complaint text and QA note tied to this customer and replaces their id with a random one. Figures stay exactly as they were."
          field="customerId"
          label="Customer id"
          path="/api/v1/privacy/erase-customer"
          button="Erase customer"
          done={(x) => `Customer erased: ${String(x.eventsChanged)} event(s) changed across ${String(x.contacts)} contact(s).`}
        />
        <PrivacyAction
          title="Departed employee"
          explain="Replaces the agent id everywhere with a random one, removes the name from the directory, unlinks their account, and replaces their name with “the agent” in customers' comments on their contacts and in their coaching cases. Team and centre figures keep their contacts."
          field="agentId"
          label="Agent (type a name or id)"
          choices={agents}
          path="/api/v1/privacy/pseudonymise-agent"
          button="Pseudonymise agent"
          done={(x) => `Agent pseudonymised as ${String(x.pseudonym)}: ${String(x.eventsChanged)} event(s) changed.`}
        />
        <div className="panel form">
          <h2>Retention</h2>
          {r ? (
            <ul>
              <li>Free text (survey comments, complaint summaries, QA notes): {r.commentDays === 0 ? 'kept' : `removed after ${r.commentDays} days`}</li>
              <li>Raw events: {r.eventDays === 0 ? 'kept' : `deleted after ${r.eventDays} days`}</li>
            </ul>
          ) : null}
          <p className="muted small-inline">Set with RETENTION_COMMENT_DAYS and RETENTION_EVENT_DAYS; applied at start and hourly.</p>
          <button type="button" className="secondary" onClick={() => run.mutate()}>
            Apply now
          </button>
          {msg ? <p className="ok">{msg}</p> : null}
          {errText(run.error) ? <p className="error">{errText(run.error)}</p> : null}
        </div>
      </div>
    </div>
  );
}

function PrivacyAction(props: {
  title: string;
  explain: string;
  field: string;
  label: string;
  path: string;
  button: string;
  done: (r: Record<string, unknown>) => string;
  /** Known ids offered as you type (by name), e.g. the directory's agents. */
  choices?: { value: string; label: string }[];
}) {
  const [id, setId] = useState('');
  const listId = `${props.field}-choices`;
  const picked = props.choices?.find((c) => c.value === id);
  const [reason, setReason] = useState('');
  const act = useMutation({
    mutationFn: () => api<Record<string, unknown>>(props.path, { method: 'POST', body: { [props.field]: id, reason } }),
    onSuccess: () => (setId(''), setReason('')),
  });
  return (
    <form
      className="panel form"
      aria-label={props.title}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (window.confirm(`${props.button} '${picked ? `${picked.label} (${id})` : id}'? This cannot be undone.`)) act.mutate();
      }}
    >
      <h2>{props.title}</h2>
      <p className="muted small-inline">{props.explain}</p>
      <label>
        {props.label}
        <input value={id} onChange={(e) => setId(e.target.value.trim())} autoComplete="off" required list={props.choices ? listId : undefined} />
      </label>
      {props.choices ? (
        <datalist id={listId}>
          {props.choices.map((c) => (
            <option key={c.value} value={c.value} label={c.label} />
          ))}
        </datalist>
      ) : null}
      {picked ? <p className="muted small-inline" data-testid={`${props.field}-picked`}>{picked.label}</p> : null}
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Erasure request ref 2026-114" required minLength={3} />
      </label>
      <button type="submit" className="danger" disabled={act.isPending}>
        {props.button}
      </button>
      {act.data ? <p className="ok">{props.done(act.data)}</p> : null}
      {errText(act.error) ? <p className="error">{errText(act.error)}</p> : null}
    </form>
  );
}


export function AuditPage() {
  const [action, setAction] = useState('');
  const entries = useQuery({
    queryKey: ['audit', action],
    queryFn: async () => (await api<{ entries: AuditRecord[] }>(`/api/v1/audit?limit=200${action ? `&action=${encodeURIComponent(action)}` : ''}`)).entries,
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

export function AccountPage({ me }: { me: Me }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => api('/api/v1/auth/password', { method: 'POST', body: { currentPassword: current, newPassword: next } }),
    onSuccess: () => (setCurrent(''), setNext('')),
  });
  return (
    <div className="page">
      <h1>My account</h1>
      <p data-testid="account-who">
        Signed in as <strong>{me.displayName}</strong> ({me.username}), {ROLE_LABELS[me.role]}.
      </p>
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
      <NotificationSettings role={me.role} />
    </div>
  );
}
