/**
 * Admins: the Sources page (issue 16). Every connected platform account with its health, refreshed live, and the form
 * that adds one: pick the platform, name it, paste its credentials; a push source then shows the URLs to paste into
 * the platform's console, a pull source is polled from the interval set here.
 */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { PLATFORM_INFO, PLATFORMS, SOURCES_API, type CreateSourceBody, type Platform, type SourceSummary } from '../../../shared/sources.js';
import { api, errText } from '../api/http.js';
import { useNow } from '../coaching/case-words.js';
import { Endpoints, NextSteps, StatusBadge } from './parts.js';
import { useRefreshSources, useSources } from './queries.js';
import { ago, count, duration } from './words.js';
import './sources.css';

export function SourcesPage() {
  const sources = useSources();
  const [created, setCreated] = useState<SourceSummary | null>(null);
  return (
    <div className="page sources-page">
      <h1>Sources</h1>
      <p className="muted lead">
        A source connects one contact-centre platform account: its records become Frontline’s events as they arrive. Amazon Connect and Twilio Flex send to a URL of the source; Genesys Cloud and Zendesk are read by Frontline on an interval.
      </p>
      <section className="panel" aria-labelledby="sources-list-title">
        <h2 id="sources-list-title">Connected sources</h2>
        {errText(sources.error) ? <p className="error">{errText(sources.error)}</p> : null}
        {sources.data ? <SourceTable sources={sources.data} /> : sources.isPending ? <p className="muted">Loading…</p> : null}
      </section>
      {created ? <Created source={created} onAnother={() => setCreated(null)} /> : <AddSource onCreated={setCreated} />}
    </div>
  );
}

function SourceTable({ sources }: { sources: SourceSummary[] }) {
  const now = useNow(5_000);
  if (sources.length === 0) return <p className="muted">No sources yet. Add one below: a platform, a name and its credentials.</p>;
  return (
    <div className="table-scroll">
      <table className="sources-table" data-testid="sources-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Platform</th>
            <th scope="col">Status</th>
            <th scope="col">Last record</th>
            <th scope="col" className="num">
              Lag
            </th>
            <th scope="col" className="num">
              Accepted
            </th>
            <th scope="col" className="num">
              Duplicate
            </th>
            <th scope="col" className="num">
              Rejected
            </th>
            <th scope="col" className="num">
              Orphans held
            </th>
            <th scope="col" className="num">
              Dead letters
            </th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => {
            const h = s.health;
            return (
              <tr key={s.id} data-testid="source-row" className={s.enabled ? '' : 'disabled'}>
                <td>
                  <Link to={`/admin/sources/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                </td>
                <td data-label="Platform">{PLATFORM_INFO[s.platform].label}</td>
                <td data-label="Status">
                  <StatusBadge status={h.status} />
                </td>
                <td data-label="Last record" title={h.lastRecordMs ? new Date(h.lastRecordMs).toLocaleString('en-GB') : undefined}>
                  {ago(h.lastRecordMs, now)}
                </td>
                <td className="num" data-label="Lag">
                  {duration(h.lagSeconds)}
                </td>
                <td className="num" data-label="Accepted" data-testid="accepted">
                  {count(h.accepted)}
                </td>
                <td className="num" data-label="Duplicate">
                  {count(h.duplicate)}
                </td>
                <td className={`num${h.rejected > 0 ? ' source-bad' : ''}`} data-label="Rejected">
                  {count(h.rejected)}
                </td>
                <td className="num" data-label="Orphans held">
                  {count(h.orphansHeld)}
                </td>
                <td className="num" data-label="Dead letters">
                  {h.deadLetters > 0 ? (
                    <Link to={`/admin/sources/${encodeURIComponent(s.id)}?tab=dead-letters`} className="source-bad" aria-label={`${count(h.deadLetters)} dead letters of ${s.name}`}>
                      {count(h.deadLetters)}
                    </Link>
                  ) : (
                    '0'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AddSource({ onCreated }: { onCreated: (s: SourceSummary) => void }) {
  const refresh = useRefreshSources();
  const [platform, setPlatform] = useState<Platform>('connect');
  const [name, setName] = useState('');
  const [creds, setCreds] = useState<Record<string, string>>({});
  const [pollSeconds, setPollSeconds] = useState('60');
  const [backfillDays, setBackfillDays] = useState('1');
  const info = PLATFORM_INFO[platform];
  const create = useMutation({
    mutationFn: () => {
      const credentials: Record<string, string> = {};
      for (const c of info.credentials) {
        const v = (creds[c.key] ?? '').trim();
        if (v !== '') credentials[c.key] = v;
      }
      const body: CreateSourceBody = { platform, name, credentials, ...(info.transport === 'pull' ? { pollSeconds: Number(pollSeconds), backfillDays: Number(backfillDays) } : {}) };
      return api<{ source: SourceSummary }>(SOURCES_API, { method: 'POST', body });
    },
    onSuccess: async (r) => {
      setName('');
      setCreds({});
      onCreated(r.source);
      await refresh();
    },
  });
  return (
    <form
      className="panel form add-source"
      aria-labelledby="add-source-title"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2 id="add-source-title">Add a source</h2>
      <fieldset className="platform-choice">
        <legend>Platform</legend>
        {PLATFORMS.map((p) => (
          <label key={p} className={`platform-option${p === platform ? ' chosen' : ''}`}>
            <input type="radio" name="platform" value={p} checked={p === platform} onChange={() => setPlatform(p)} />
            <span>
              <strong>{PLATFORM_INFO[p].label}</strong>
              <span className="muted small-inline">{PLATFORM_INFO[p].transport === 'push' ? ' · sends to Frontline' : ' · read by Frontline'}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder={`${info.label} (production)`} required maxLength={80} />
      </label>
      <fieldset>
        <legend>{info.label} credentials</legend>
        <p className="muted small-inline">Secret fields are stored encrypted and are never shown again, not even to admins; to change one later, type a new value.</p>
        {info.credentials.map((c) => (
          <label key={`${platform}-${c.key}`}>
            <span>
              {c.label}
              {c.optional ? <span className="muted small-inline"> (optional)</span> : null}
              {c.secret ? <span className="muted small-inline"> · secret</span> : null}
            </span>
            <input
              type={c.secret ? 'password' : 'text'}
              value={creds[c.key] ?? ''}
              onChange={(e) => setCreds({ ...creds, [c.key]: e.target.value })}
              placeholder={c.placeholder}
              required={!c.optional}
              autoComplete={c.secret ? 'new-password' : 'off'}
              spellCheck={false}
            />
            {c.help ? <span className="muted small-inline">{c.help}</span> : null}
          </label>
        ))}
      </fieldset>
      {info.transport === 'pull' ? (
        <div className="row">
          <label className="grow">
            Poll every (seconds)
            <input type="number" min={10} max={3600} step={1} value={pollSeconds} onChange={(e) => setPollSeconds(e.target.value)} required />
          </label>
          <label className="grow">
            First poll reads back (days)
            <input type="number" min={0} max={90} step={1} value={backfillDays} onChange={(e) => setBackfillDays(e.target.value)} required />
          </label>
        </div>
      ) : (
        <p className="muted small-inline">{info.label} sends its records to Frontline: once the source is added, this page shows the URL{(info.endpoints?.length ?? 0) > 1 ? 's' : ''} to paste into its console.</p>
      )}
      {errText(create.error) ? <p className="error">{errText(create.error)}</p> : null}
      <button type="submit" disabled={create.isPending}>
        Add source
      </button>
    </form>
  );
}

function Created({ source, onAnother }: { source: SourceSummary; onAnother: () => void }) {
  const info = PLATFORM_INFO[source.platform];
  return (
    <section className="panel created-source" aria-labelledby="created-title" data-testid="created-source">
      <h2 id="created-title">
        <span aria-hidden="true">✓ </span>
        {source.name} is added
      </h2>
      {source.endpoints.length > 0 ? (
        <p>
          {info.label} sends its records to {source.endpoints.length > 1 ? 'these URLs' : 'this URL'}: paste {source.endpoints.length > 1 ? 'them' : 'it'} into the console as the steps below say. {source.endpoints.length > 1 ? 'They are' : 'It is'} also on the source’s page.
        </p>
      ) : (
        <p>Frontline reads {info.label} every {source.pollSeconds ?? 60} seconds once the credentials work.</p>
      )}
      <Endpoints source={source} />
      <h3>Next steps</h3>
      <NextSteps platform={source.platform} />
      <p className="row">
        <Link className="button-link" to={`/admin/sources/${encodeURIComponent(source.id)}`}>
          Open {source.name}
        </Link>
        <button type="button" className="secondary" onClick={onAnother}>
          Add another source
        </button>
      </p>
    </section>
  );
}
