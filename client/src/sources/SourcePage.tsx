/**
 * Admins: one source (issue 16). Its health in full, "Test connection", its settings and credentials (secrets only
 * say whether they are set; typing a new value replaces one), enable/disable and delete; then, on their own tabs, the
 * mapping editor over what the source has actually sent, and the dead letters with replay and discard.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { PLATFORM_INFO, type SourceSummary, type TestConnectionReply, type UpdateSourceBody } from '../../../shared/sources.js';
import { api, errText } from '../api/http.js';
import { useNow } from '../coaching/case-words.js';
import { DeadLetters } from './DeadLetters.js';
import { MappingEditor } from './MappingEditor.js';
import { Endpoints, NextSteps, StatusBadge } from './parts.js';
import { sourceKeys, sourcePath, useRefreshSources, useSource } from './queries.js';
import { ago, count, duration, plural, rejectedBy, STATUS_WORDS } from './words.js';
import './sources.css';

const TABS = [
  { id: 'health', label: 'Health and settings' },
  { id: 'mapping', label: 'Mapping' },
  { id: 'dead-letters', label: 'Dead letters' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function SourcePage() {
  const { sourceId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find((t) => t.id === params.get('tab'))?.id ?? 'health';
  const q = useSource(sourceId);
  useFollowCounts(sourceId, q.data);
  const show = (t: Tab) => setParams(t === 'health' ? {} : { tab: t }, { replace: true });
  if (q.error) {
    return (
      <div className="page">
        <p>
          <Link to="/admin/sources">← Sources</Link>
        </p>
        <p className="error">{errText(q.error)}</p>
      </div>
    );
  }
  if (!q.data) return <p className="page muted">Loading…</p>;
  const s = q.data;
  return (
    <div className="page sources-page">
      <p className="crumbs">
        <Link to="/admin/sources">← Sources</Link>
      </p>
      <div className="source-head">
        <h1>
          {s.name} <span className="sub">{PLATFORM_INFO[s.platform].label}</span>
        </h1>
        <StatusBadge status={s.health.status} />
      </div>
      <div
        className="tabs"
        role="tablist"
        aria-label="This source"
        onKeyDown={(e) => {
          // Tabs move with the arrow keys, Home and End (WAI-ARIA tabs pattern); Tab leaves the list.
          const at = TABS.findIndex((t) => t.id === tab);
          const to = e.key === 'ArrowRight' ? (at + 1) % TABS.length : e.key === 'ArrowLeft' ? (at + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
          if (to < 0) return;
          e.preventDefault();
          show(TABS[to]!.id);
          document.getElementById(`tab-${TABS[to]!.id}`)?.focus();
        }}
      >
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={`tab${tab === t.id ? ' active' : ''}`}
            onClick={() => show(t.id)}
          >
            {t.label}
            {t.id === 'dead-letters' && s.health.deadLetters > 0 ? (
              <span className="tab-count source-count-bad" aria-label={`, ${plural(s.health.deadLetters, 'held record')}`}>
                {count(s.health.deadLetters)}
              </span>
            ) : null}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'health' ? <HealthTab source={s} /> : null}
        {tab === 'mapping' ? <MappingEditor source={s} onReplay={() => show('dead-letters')} /> : null}
        {tab === 'dead-letters' ? <DeadLetters source={s} onMapping={() => show('mapping')} /> : null}
      </div>
    </div>
  );
}

/** When the source's counts move (records arrived, one was held), what it has sent and its dead letters are read again. */
function useFollowCounts(id: string, s: SourceSummary | undefined): void {
  const qc = useQueryClient();
  const marker = s ? `${s.health.accepted}:${s.health.duplicate}:${s.health.rejected}:${s.health.deadLetters}` : '';
  useEffect(() => {
    if (!marker) return;
    void qc.invalidateQueries({ queryKey: sourceKeys.seen(id) });
    void qc.invalidateQueries({ queryKey: ['sources', 'dead-letters', id] });
  }, [qc, id, marker]);
}

function HealthTab({ source: s }: { source: SourceSummary }) {
  return (
    <div className="source-grid">
      <div className="source-main">
        <Health source={s} />
        {s.endpoints.length > 0 ? (
          <section className="panel" aria-labelledby="endpoints-title">
            <h2 id="endpoints-title">Where {PLATFORM_INFO[s.platform].label} sends its records</h2>
            <Endpoints source={s} />
            <details className="source-steps">
              <summary>Steps in the {PLATFORM_INFO[s.platform].label} console</summary>
              <NextSteps platform={s.platform} />
            </details>
          </section>
        ) : null}
        <Settings key={`${s.id}:${s.updatedMs}`} source={s} />
      </div>
      <div className="source-side">
        <TestConnection source={s} />
        <EnableDelete source={s} />
      </div>
    </div>
  );
}

function Health({ source: s }: { source: SourceSummary }) {
  const now = useNow(5_000);
  const h = s.health;
  const pull = PLATFORM_INFO[s.platform].transport === 'pull';
  const by = rejectedBy(h);
  return (
    <section className="panel" aria-labelledby="health-title" data-testid="source-health">
      <h2 id="health-title">Health</h2>
      <p className={`source-explain source-status-${h.status}`}>
        <strong>{STATUS_WORDS[h.status].text}.</strong> {STATUS_WORDS[h.status].explain}
      </p>
      <dl className="source-figures">
        <dt>Last record received</dt>
        <dd>
          {ago(h.lastRecordMs, now)}
          {h.lastRecordMs ? <span className="muted"> ({new Date(h.lastRecordMs).toLocaleString('en-GB')})</span> : null}
        </dd>
        <dt>Newest record’s platform time</dt>
        <dd>{h.lastRecordAt ? new Date(h.lastRecordAt).toLocaleString('en-GB') : '–'}</dd>
        <dt>Lag</dt>
        <dd>{h.lagSeconds === null ? '–' : `${duration(h.lagSeconds)} between the platform’s time and arrival, last delivery`}</dd>
        <dt>Accepted</dt>
        <dd data-testid="health-accepted">{count(h.accepted)}</dd>
        <dt>Duplicates</dt>
        <dd>
          {count(h.duplicate)} <span className="muted">(sent again, stored once)</span>
        </dd>
        <dt>Rejected</dt>
        <dd className={h.rejected > 0 ? 'source-bad' : ''}>
          {count(h.rejected)}
          {by ? <span> ({by})</span> : null}
        </dd>
        <dt>Orphans held</dt>
        <dd>
          {count(h.orphansHeld)} <span className="muted">(events waiting for their contact to arrive; counted when it does)</span>
        </dd>
        <dt>Dead letters</dt>
        <dd className={h.deadLetters > 0 ? 'source-bad' : ''}>{h.deadLetters > 0 ? `${count(h.deadLetters)} held for a replay` : 'none'}</dd>
        {pull ? (
          <>
            <dt>Last poll</dt>
            <dd>
              {ago(h.lastPollMs, now)}
              {s.pollSeconds ? <span className="muted"> (every {duration(s.pollSeconds)})</span> : null}
            </dd>
            <dt>Last error</dt>
            <dd className={h.lastError ? 'source-bad' : ''} data-testid="last-error">
              {h.lastError ?? 'none'}
            </dd>
          </>
        ) : h.lastError ? (
          <>
            <dt>Last error</dt>
            <dd className="source-bad" data-testid="last-error">
              {h.lastError}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function TestConnection({ source: s }: { source: SourceSummary }) {
  const refresh = useRefreshSources();
  const test = useMutation({
    mutationFn: () => api<{ ok: boolean } & TestConnectionReply>(sourcePath(s.id, '/test'), { method: 'POST' }),
    onSettled: () => refresh(),
  });
  const r = test.data;
  return (
    <section className="panel form" aria-labelledby="test-title">
      <h2 id="test-title">Test connection</h2>
      <p className="muted small-inline">
        {PLATFORM_INFO[s.platform].transport === 'pull'
          ? `Signs in to ${PLATFORM_INFO[s.platform].label} with these credentials and reads one page, without storing it.`
          : `Checks the source's settings; ${PLATFORM_INFO[s.platform].label} proves the URL itself when it first sends.`}
      </p>
      <button type="button" className="secondary" onClick={() => test.mutate()} disabled={test.isPending}>
        {test.isPending ? 'Testing…' : 'Test connection'}
      </button>
      <div role="status" data-testid="test-result">
        {r ? (
          <p className={r.ok ? 'ok' : 'error'}>
            <span aria-hidden="true">{r.ok ? '✓ ' : '✕ '}</span>
            {r.message}
            {r.sample !== undefined ? ` (${plural(r.sample, 'record')} on the first page)` : ''}
          </p>
        ) : null}
        {errText(test.error) ? <p className="error">{errText(test.error)}</p> : null}
      </div>
    </section>
  );
}

function Settings({ source: s }: { source: SourceSummary }) {
  const refresh = useRefreshSources();
  const info = PLATFORM_INFO[s.platform];
  const [name, setName] = useState(s.name);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(info.credentials.filter((c) => !c.secret).map((c) => [c.key, s.credentials[c.key] ?? ''])));
  const [poll, setPoll] = useState(String(s.pollSeconds ?? 60));
  const [done, setDone] = useState<string | null>(null);
  const body = (): UpdateSourceBody => {
    const credentials: Record<string, string> = {};
    for (const c of info.credentials) {
      const v = (values[c.key] ?? '').trim();
      if (c.secret ? v !== '' : v !== (s.credentials[c.key] ?? '')) credentials[c.key] = v;
    }
    return {
      ...(name.trim() !== s.name ? { name: name.trim() } : {}),
      ...(Object.keys(credentials).length > 0 ? { credentials } : {}),
      ...(info.transport === 'pull' && Number(poll) !== s.pollSeconds ? { pollSeconds: Number(poll) } : {}),
    };
  };
  const changes = body();
  const save = useMutation({
    mutationFn: (b: UpdateSourceBody) => api<{ source: SourceSummary }>(sourcePath(s.id), { method: 'PATCH', body: b }),
    onSuccess: async (_r, b) => {
      const said = [b.name !== undefined ? 'name' : null, ...Object.keys(b.credentials ?? {}).map((k) => `${info.credentials.find((c) => c.key === k)?.label ?? k}${info.credentials.find((c) => c.key === k)?.secret ? ' replaced' : ''}`), b.pollSeconds !== undefined ? `polls every ${b.pollSeconds} s` : null].filter(Boolean);
      setDone(`Saved: ${said.join(', ')}.`);
      await refresh();
    },
  });
  return (
    <form
      className="panel form"
      aria-labelledby="settings-title"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        setDone(null);
        save.mutate(changes);
      }}
    >
      <h2 id="settings-title">Settings and credentials</h2>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />
      </label>
      {info.credentials.map((c) => {
        const set = s.secretsSet.includes(c.key);
        return (
          <label key={c.key}>
            <span>
              {c.label}
              {c.secret ? (
                <span className={`small-inline secret-state${set ? ' is-set' : ''}`} data-testid={`secret-${c.key}`}>
                  {' '}
                  · secret, {set ? 'set' : 'not set'}
                </span>
              ) : null}
              {c.optional ? <span className="muted small-inline"> (optional)</span> : null}
            </span>
            <input
              type={c.secret ? 'password' : 'text'}
              value={values[c.key] ?? ''}
              onChange={(e) => setValues({ ...values, [c.key]: e.target.value })}
              placeholder={c.secret ? (set ? 'Stored encrypted; type a new value to replace it' : 'Not set') : c.placeholder}
              autoComplete={c.secret ? 'new-password' : 'off'}
              spellCheck={false}
            />
            {c.help ? <span className="muted small-inline">{c.help}</span> : null}
          </label>
        );
      })}
      {info.transport === 'pull' ? (
        <label>
          Poll every (seconds)
          <input type="number" className="short" min={10} max={3600} value={poll} onChange={(e) => setPoll(e.target.value)} required />
        </label>
      ) : null}
      {errText(save.error) ? <p className="error">{errText(save.error)}</p> : null}
      <div className="row center">
        <button type="submit" disabled={save.isPending || Object.keys(changes).length === 0}>
          Save settings
        </button>
        <span role="status" className="ok">
          {done}
        </span>
      </div>
    </form>
  );
}

function EnableDelete({ source: s }: { source: SourceSummary }) {
  const refresh = useRefreshSources();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const toggle = useMutation({ mutationFn: () => api(sourcePath(s.id), { method: 'PATCH', body: { enabled: !s.enabled } satisfies UpdateSourceBody }), onSettled: () => refresh() });
  const remove = useMutation({
    mutationFn: () => api(sourcePath(s.id), { method: 'DELETE' }),
    onSuccess: async () => {
      await refresh();
      await navigate('/admin/sources');
    },
  });
  const pull = PLATFORM_INFO[s.platform].transport === 'pull';
  return (
    <section className="panel form" aria-labelledby="switch-title">
      <h2 id="switch-title">{s.enabled ? 'Turned on' : 'Turned off'}</h2>
      <p className="muted small-inline">
        {s.enabled
          ? pull
            ? 'Disabling stops the polls; they resume from where they left off when enabled again.'
            : 'Disabling refuses what the platform sends (it retries for a while, then drops it).'
          : 'Nothing is polled or accepted until it is enabled again.'}
      </p>
      <button type="button" className="secondary" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
        {s.enabled ? 'Disable source' : 'Enable source'}
      </button>
      {errText(toggle.error) ? <p className="error">{errText(toggle.error)}</p> : null}
      {confirming ? (
        <div className="confirm" role="group" aria-labelledby="confirm-delete">
          <p id="confirm-delete">
            Delete <strong>{s.name}</strong>? Its credentials, mapping and dead letters go; the events it stored stay.
          </p>
          <div className="row">
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Yes, delete it
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete source…
        </button>
      )}
      {errText(remove.error) ? <p className="error">{errText(remove.error)}</p> : null}
    </section>
  );
}
