/** Admins and managers: team and centre webhooks and email addresses, and the delivery log with each attempt. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { NOTIFICATION_KIND_LABELS, NOTIFICATION_KINDS, type DeliveryInfo, type EndpointChannel, type NotificationKind } from '../../../shared/notifications.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { notificationKeys, useDeliveries, useEndpoints } from './queries.js';

/** The same kinds as a person's, worded for a team's channel. */
const ENDPOINT_KIND_LABELS: Record<NotificationKind, string> = { ...NOTIFICATION_KIND_LABELS, case_assigned: 'Case assigned to a coach' };

export function NotificationsAdminPage() {
  const qc = useQueryClient();
  const endpoints = useEndpoints();
  const dir = useDirectory();
  const [channel, setChannel] = useState<EndpointChannel>('webhook');
  const [name, setName] = useState('');
  const [scope, setScope] = useState('centre');
  const [address, setAddress] = useState('');
  const [kinds, setKinds] = useState<NotificationKind[]>(['kpi_breach', 'kpi_recovered']);
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: notificationKeys.endpoints });
    void qc.invalidateQueries({ queryKey: notificationKeys.deliveries });
  };
  const add = useMutation({
    mutationFn: () => api<{ secret?: string }>('/api/v1/notifications/endpoints', { method: 'POST', body: { channel, name, scope, address, kinds } }),
    onSuccess: (r) => {
      setSecret(r.secret ?? null);
      setName('');
      setAddress('');
      refresh();
    },
  });
  const toggle = useMutation({ mutationFn: (e: { id: string; enabled: boolean }) => api(`/api/v1/notifications/endpoints/${e.id}`, { method: 'PATCH', body: { enabled: e.enabled } }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/v1/notifications/endpoints/${id}`, { method: 'DELETE' }), onSuccess: refresh });
  const test = useMutation({ mutationFn: (id: string) => api('/api/v1/notifications/test', { method: 'POST', body: { target: 'endpoint', endpointId: id } }), onSuccess: refresh });
  return (
    <div className="page">
      <h1>Notifications</h1>
      <p className="muted">
        Team and centre notices go to a webhook (signed with HMAC-SHA256, retried with backoff) or a shared email address. A centre endpoint hears about every team; a team endpoint about its own team. People choose their own notices on their Account page.
      </p>
      {endpoints.data && !endpoints.data.emailAvailable ? <p className="muted">Email is not set up on this server (SMTP_URL); only webhooks deliver.</p> : null}
      <div className="panels">
        <div className="panel">
          <h2>Endpoints</h2>
          {errText(endpoints.error) ? <p className="error">{errText(endpoints.error)}</p> : null}
          <table data-testid="endpoints">
            <thead>
              <tr>
                <th>Name</th>
                <th>For</th>
                <th>Sends to</th>
                <th>Events</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(endpoints.data?.endpoints ?? []).map((e) => (
                <tr key={e.id} className={e.enabled ? '' : 'disabled'}>
                  <td>{e.name}</td>
                  <td>{e.scopeName}</td>
                  <td>
                    {e.channel === 'webhook' ? 'Webhook ' : 'Email '}
                    <code>{e.address}</code>
                  </td>
                  <td className="small-inline">{e.kinds.map((k) => ENDPOINT_KIND_LABELS[k]).join(', ')}</td>
                  <td className="actions">
                    <button type="button" className="secondary" onClick={() => test.mutate(e.id)}>
                      Test
                    </button>
                    <button type="button" className="secondary" onClick={() => toggle.mutate({ id: e.id, enabled: !e.enabled })}>
                      {e.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" className="danger" onClick={() => remove.mutate(e.id)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
              {endpoints.data?.endpoints.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    No team or centre endpoints yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {errText(test.error ?? toggle.error ?? remove.error) ? <p className="error">{errText(test.error ?? toggle.error ?? remove.error)}</p> : null}
        </div>
        <form
          className="panel form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <h2>New endpoint</h2>
          <div className="row">
            <label className="grow">
              Kind
              <select value={channel} onChange={(e) => setChannel(e.target.value as EndpointChannel)}>
                <option value="webhook">Webhook</option>
                <option value="email">Team email address</option>
              </select>
            </label>
            <label className="grow">
              For
              <select value={scope} onChange={(e) => setScope(e.target.value)}>
                <option value="centre">Whole centre</option>
                {(dir.data?.teams ?? []).map((t) => (
                  <option key={t.id} value={`team:${t.id}`}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Billing chat channel" required />
          </label>
          <label>
            {channel === 'webhook' ? 'URL' : 'Email address'}
            <input type={channel === 'webhook' ? 'url' : 'email'} value={address} onChange={(e) => setAddress(e.target.value)} placeholder={channel === 'webhook' ? 'https://hooks.example.com/frontline' : 'billing-leads@example.com'} required />
          </label>
          <fieldset>
            <legend>Events</legend>
            {NOTIFICATION_KINDS.map((k) => (
              <label key={k} className="check">
                <input type="checkbox" checked={kinds.includes(k)} onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))} />
                {ENDPOINT_KIND_LABELS[k]}
              </label>
            ))}
          </fieldset>
          {errText(add.error) ? <p className="error">{errText(add.error)}</p> : null}
          <button type="submit" disabled={kinds.length === 0}>
            Add endpoint
          </button>
          {secret ? (
            <p className="ok" data-testid="webhook-secret">
              Signing secret, shown once; keep it with the receiver: <code className="secret">{secret}</code>
            </p>
          ) : null}
        </form>
      </div>
      <DeliveryLog />
    </div>
  );
}

const STATUS_WORDS: Record<DeliveryInfo['status'], string> = { pending: 'Waiting', sent: 'Delivered', failed: 'Gave up' };

function DeliveryLog() {
  const log = useDeliveries();
  return (
    <div className="panel delivery-log">
      <h2>Delivery log</h2>
      <p className="muted">Every notice and each attempt: the receiver's HTTP status or the mail server's reply, how long it took, and the error. Failed deliveries are retried with growing delays, then given up.</p>
      {errText(log.error) ? <p className="error">{errText(log.error)}</p> : null}
      <table data-testid="delivery-log">
        <thead>
          <tr>
            <th>Filed</th>
            <th>Event</th>
            <th>To</th>
            <th>Status</th>
            <th>Attempts</th>
          </tr>
        </thead>
        <tbody>
          {(log.data ?? []).map((d) => (
            <tr key={d.id}>
              <td className="muted">{new Date(d.createdAt).toLocaleString('en-GB')}</td>
              <td>{d.kind === 'test' ? 'Test' : ENDPOINT_KIND_LABELS[d.kind]}</td>
              <td>
                {d.recipientName} <span className="muted">({d.channel})</span>
              </td>
              <td className={`delivery-${d.status}`}>
                {STATUS_WORDS[d.status]}
                {d.status === 'pending' && d.digest ? <span className="muted"> ({d.digest === 'quiet' ? 'quiet hours' : `${d.digest} digest`}, {new Date(d.dueAt).toLocaleString('en-GB')})</span> : null}
                {d.status === 'pending' && !d.digest && d.attempts.length > 0 ? <span className="muted"> (retry {new Date(d.dueAt).toLocaleTimeString('en-GB')})</span> : null}
              </td>
              <td className="small-inline">
                {d.attempts.length === 0
                  ? '–'
                  : d.attempts.map((a, i) => (
                      <div key={i}>
                        {new Date(a.at).toLocaleTimeString('en-GB')}: {a.status === 'delivered' ? 'delivered' : 'failed'}
                        {a.reply ? ` (${a.reply.slice(0, 60)})` : ''}, {a.durationMs} ms{a.error ? `; ${a.error}` : ''}
                      </div>
                    ))}
              </td>
            </tr>
          ))}
          {log.data?.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                Nothing sent yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
