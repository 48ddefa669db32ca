/** The Account page's Notifications section: what I hear about, by email, when, and when not (quiet hours). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Role } from '../../../shared/access.js';
import { DELIVERY_MODES, NOTIFICATION_KIND_LABELS, type DeliveryMode, type NotificationKind, type NotificationPrefs } from '../../../shared/notifications.js';
import { api, errText } from '../api/http.js';
import { notificationKeys, usePreferences } from './queries.js';

const MODE_WORDS: Record<DeliveryMode, string> = { off: 'Off', immediate: 'Immediately', digest: 'In my digest' };

/** Kinds a role can ever receive (the server checks access again for each notice). */
const KINDS_FOR: Record<Role, readonly NotificationKind[]> = {
  admin: ['kpi_breach', 'kpi_recovered', 'source_unhealthy', 'source_healthy'],
  manager: ['kpi_breach', 'kpi_recovered', 'case_assigned', 'follow_up_due'],
  team_leader: ['kpi_breach', 'kpi_recovered', 'case_assigned', 'follow_up_due', 'dispute_raised'],
  coach: ['case_assigned', 'follow_up_due', 'dispute_raised'],
  agent: ['kpi_breach', 'kpi_recovered'],
};

export function NotificationSettings({ role }: { role: Role }) {
  const prefs = usePreferences();
  if (prefs.isPending) return <p className="muted">Loading notification settings…</p>;
  if (prefs.error) return <p className="error">{errText(prefs.error)}</p>;
  return <SettingsForm role={role} saved={prefs.data.preferences} emailAvailable={prefs.data.emailAvailable} />;
}

function SettingsForm({ role, saved, emailAvailable }: { role: Role; saved: NotificationPrefs; emailAvailable: boolean }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<NotificationPrefs>(saved);
  const save = useMutation({
    mutationFn: (p: NotificationPrefs) => api<{ preferences: NotificationPrefs }>('/api/v1/notifications/preferences', { method: 'PUT', body: p }),
    onSuccess: (r) => {
      setDraft(r.preferences);
      void qc.invalidateQueries({ queryKey: notificationKeys.prefs });
    },
  });
  const test = useMutation({ mutationFn: () => api('/api/v1/notifications/test', { method: 'POST', body: { target: 'me' } }) });
  const set = (patch: Partial<NotificationPrefs>) => setDraft({ ...draft, ...patch });
  const kinds = KINDS_FOR[role];
  return (
    <form
      className="panel form notification-settings"
      data-testid="notification-settings"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      <h2>Notifications</h2>
      {emailAvailable ? null : <p className="muted">Email is not set up on this server yet (an administrator sets SMTP_URL); your choices are kept for when it is.</p>}
      <label>
        Email address
        <input type="email" value={draft.email ?? ''} onChange={(e) => set({ email: e.target.value.trim() === '' ? null : e.target.value.trim() })} placeholder="you@example.com" autoComplete="email" />
      </label>
      <label className="check">
        <input type="checkbox" checked={draft.emailEnabled} onChange={(e) => set({ emailEnabled: e.target.checked })} /> Send me email notifications
      </label>
      <table className="compact">
        <thead>
          <tr>
            <th>When</th>
            {DELIVERY_MODES.map((m) => (
              <th key={m}>{MODE_WORDS[m]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => (
            <tr key={k}>
              <td>{NOTIFICATION_KIND_LABELS[k]}</td>
              {DELIVERY_MODES.map((m) => (
                <td key={m}>
                  <input type="radio" name={`mode-${k}`} aria-label={`${NOTIFICATION_KIND_LABELS[k]}: ${MODE_WORDS[m]}`} checked={draft.kinds[k] === m} onChange={() => set({ kinds: { ...draft.kinds, [k]: m } })} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <label className="grow">
          Digest
          <select value={draft.digest} onChange={(e) => set({ digest: e.target.value as NotificationPrefs['digest'] })}>
            <option value="hourly">Hourly, on the hour</option>
            <option value="daily">Daily, at 08:00</option>
          </select>
        </label>
        <label className="grow">
          My time zone
          <input value={draft.timeZone} onChange={(e) => set({ timeZone: e.target.value })} placeholder="Europe/London" />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={draft.quietHours !== null} onChange={(e) => set({ quietHours: e.target.checked ? { start: '20:00', end: '08:00' } : null })} /> Quiet hours: hold notices and send them as one digest when they end
      </label>
      {draft.quietHours ? (
        <div className="row">
          <label className="grow">
            From
            <input type="time" value={draft.quietHours.start} onChange={(e) => set({ quietHours: { ...(draft.quietHours ?? { end: '08:00' }), start: e.target.value } })} />
          </label>
          <label className="grow">
            Until
            <input type="time" value={draft.quietHours.end} onChange={(e) => set({ quietHours: { ...(draft.quietHours ?? { start: '20:00' }), end: e.target.value } })} />
          </label>
        </div>
      ) : null}
      {errText(save.error) ? <p className="error">{errText(save.error)}</p> : null}
      {save.isSuccess ? <p className="ok">Notification settings saved.</p> : null}
      {errText(test.error) ? <p className="error">{errText(test.error)}</p> : null}
      {test.isSuccess ? <p className="ok">Test email queued; it is listed in the delivery log.</p> : null}
      <div className="row">
        <button type="submit">Save notification settings</button>
        <button type="button" className="secondary" disabled={!saved.email} onClick={() => test.mutate()}>
          Send me a test email
        </button>
      </div>
    </form>
  );
}
