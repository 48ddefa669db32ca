/**
 * Drill-down to the contact: the contacts behind a chart point (linked from every trend and chart), those counting
 * against the KPI first, and a single contact's record with its timeline. Breadcrumbs and the URL carry the scope,
 * period and KPI, so any list can be shared.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import type { ContactRecord, ContactsReply } from '../../../shared/contacts.js';
import type { FrontlineEvent } from '../../../shared/events.js';
import { KPI_DEFINITIONS, type KpiName } from '../../../shared/kpis.js';
import { EMPTY_FILTER, filterFromParams, filterParams, isFiltered, type SegmentFilter } from '../../../shared/segment-filter.js';
import { api, errText } from '../api/http.js';
import { filterWords } from '../explore/filter-words.js';
import type { Me } from '../../../shared/access.js';
import { useDirectory, useScopeNames } from '../coaching/case-words.js';
import { Suspense } from 'react';
import { lazyPage } from '../shell/lazy.js';

/** Loaded on its own: the explore and chart pages link here and should not carry the QA code. */
const ContactEvaluations = lazyPage(async () => (await import('../qa/EvaluateButton.js')).ContactEvaluations);

const enc = encodeURIComponent;
/** Seconds as people read them: 45 s, 12 min, 14.2 h (email waits run to hours). */
function duration(s: number | null): string {
  if (s === null) return '–';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Link to the contacts behind a point: scope, [from, to), the KPI being looked at and any segment filters. */
export function contactsLink(scope: string, fromIso: string, toIso: string, kpi: string | null, filter: SegmentFilter = EMPTY_FILTER): string {
  const extra = filterParams(filter).toString();
  return `/contacts?scope=${enc(scope)}&from=${enc(fromIso)}&to=${enc(toIso)}${kpi ? `&kpi=${kpi}` : ''}${extra ? `&${extra}` : ''}`;
}

/** The contacts API lists at most 31 days per request (server/http/contacts.routes.ts). */
const PART_MS = 31 * 86_400_000;
const LIST_LIMIT = 500;

/** [from, to) in consecutive parts of at most 31 days; one part when the period is short enough or not a period. */
export function periodParts(fromIso: string, toIso: string): { from: string; to: string }[] {
  const fromMs = Date.parse(fromIso);
  const toMs = Date.parse(toIso);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs - fromMs <= PART_MS) return [{ from: fromIso, to: toIso }];
  const out: { from: string; to: string }[] = [];
  for (let a = fromMs; a < toMs; a += PART_MS) out.push({ from: new Date(a).toISOString(), to: new Date(Math.min(toMs, a + PART_MS)).toISOString() });
  return out;
}

/**
 * The contacts behind [from, to), paging through periods over 31 days: the parts are disjoint, so their totals add;
 * each part's list is its first 500 in the server's order (against the KPI first, then the most recent), so the first
 * 500 of the merged, re-sorted lists are the whole period's first 500.
 */
async function contactsBehind(scope: string, from: string, to: string, kpi: KpiName | null, filter: SegmentFilter): Promise<ContactsReply & { parts: number }> {
  const parts = periodParts(from, to);
  const extra = filterParams(filter).toString();
  const replies = await Promise.all(parts.map((p) => api<ContactsReply>(`/api/v1/contacts?scope=${enc(scope)}&from=${enc(p.from)}&to=${enc(p.to)}${kpi ? `&kpi=${kpi}` : ''}&limit=${LIST_LIMIT}${extra ? `&${extra}` : ''}`)));
  const [first] = replies;
  if (replies.length === 1 && first) return { ...first, parts: 1 };
  const contacts = replies
    .flatMap((r) => r.contacts)
    .sort((a, b) => Number(b.against === true) - Number(a.against === true) || Date.parse(b.offeredAt) - Date.parse(a.offeredAt))
    .slice(0, LIST_LIMIT);
  return {
    scope: first?.scope ?? scope,
    from: replies[0]?.from ?? from,
    to: replies[replies.length - 1]?.to ?? to,
    kpi,
    total: replies.reduce((s, r) => s + r.total, 0),
    against: replies.reduce((s, r) => s + r.against, 0),
    contacts,
    parts: replies.length,
  };
}

function Crumbs({ scope, extra }: { scope: string; extra?: React.ReactNode }) {
  const name = useScopeNames();
  const dir = useDirectory();
  const [kind, id] = scope.split(':') as [string, string | undefined];
  const trail: { to: string; label: string }[] = [{ to: '/?scope=centre', label: 'Centre' }];
  if (kind === 'team' || kind === 'agent') {
    const teamId = kind === 'team' ? id : dir.data?.agents.find((a) => a.id === id)?.teamId;
    if (teamId) trail.push({ to: `/?scope=${enc(`team:${teamId}`)}`, label: name(`team:${teamId}`) });
  }
  if (kind === 'agent' || kind === 'queue' || kind === 'site' || kind === 'channel') trail.push({ to: `/?scope=${enc(scope)}`, label: name(scope) });
  return (
    <nav className="crumbs" aria-label="Breadcrumbs">
      {trail.map((c) => (
        <span key={c.to}>
          <Link to={c.to}>{c.label}</Link> ›{' '}
        </span>
      ))}
      {extra}
    </nav>
  );
}

export function ContactsPage() {
  const [params] = useSearchParams();
  const scope = params.get('scope') ?? 'centre';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const kpi = params.get('kpi') as KpiName | null;
  const filter = filterFromParams(params);
  const dir = useDirectory();
  const name = useScopeNames();
  const list = useQuery({
    queryKey: ['contacts', scope, from, to, kpi, filterParams(filter).toString()],
    queryFn: () => contactsBehind(scope, from, to, kpi, filter),
  });
  const agentName = (id: string | null) => (id ? (dir.data?.agents.find((a) => a.id === id)?.name ?? id) : '–');
  const label = kpi ? KPI_DEFINITIONS[kpi].label : 'Contacts';
  const d = list.data;
  return (
    <div className="page">
      <Crumbs scope={scope} extra={<span>Contacts</span>} />
      <h1>
        {label}: {name(scope)} <span className="muted small-inline">{from ? `${when(from)} to ${when(to)}` : ''}</span>
      </h1>
      {isFiltered(filter) ? (
        <p className="muted" data-testid="contacts-filter">
          Filtered: {filterWords(filter, dir.data)}
        </p>
      ) : null}
      {list.error ? <p className="error">{errText(list.error)}</p> : null}
      {d ? (
        <>
          <p data-testid="contacts-summary">
            <strong>{d.total.toLocaleString('en-GB')}</strong> contacts count towards {label}
            {kpi && d.against > 0 ? (
              <>
                ; <strong>{d.against}</strong> count against it ({((d.against / Math.max(1, d.total)) * 100).toFixed(1)}%), listed first
              </>
            ) : null}
            .{d.contacts.length < d.total ? ` Showing the first ${d.contacts.length}.` : ''}
            {d.parts > 1 ? <span className="muted"> The period is longer than 31 days, so it was read in {d.parts} parts and added up.</span> : null}
          </p>
          <div className="table-scroll">
            <table data-testid="contacts-table">
              <thead>
                <tr>
                  <th>Contact</th>
                  <th>Offered</th>
                  <th>Queue</th>
                  <th>Reason</th>
                  <th>Agent</th>
                  <th>Outcome</th>
                  <th className="num">Wait</th>
                  <th className="num">Handle</th>
                  <th className="num">CSAT</th>
                  <th>Resolved</th>
                  <th>Comment</th>
                </tr>
              </thead>
              <tbody>
                {d.contacts.map((c) => (
                  <tr key={c.contactId} className={c.against ? 'evidence-negative' : ''}>
                    <td>
                      <Link to={`/contacts/${enc(c.contactId)}`} data-testid="contact-link">
                        {c.against ? '✕ ' : ''}
                        {c.contactId}
                      </Link>
                    </td>
                    <td>{when(c.offeredAt)}</td>
                    <td>{c.queueId ?? '–'}</td>
                    <td>{c.reason ?? '–'}</td>
                    <td>{agentName(c.agentId)}</td>
                    <td>{c.outcome}</td>
                    <td className="num">{duration(c.waitSeconds)}</td>
                    <td className="num">{duration(c.handleSeconds)}</td>
                    <td className="num">{c.csatLabel ?? '–'}</td>
                    <td>{c.resolved === null ? '–' : c.resolved ? 'yes' : 'no'}</td>
                    <td className="case-why">{c.comment ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </div>
  );
}

export function describe(e: FrontlineEvent, agentName: (id: string) => string): string {
  switch (e.type) {
    case 'contact.offered':
      return `Offered on ${e.channel} to queue ${e.queueId}${e.reason ? ` (reason: ${e.reason})` : ''}${e.callback ? ' (callback)' : ''}`;
    case 'contact.answered':
      return `Answered by ${agentName(e.agentId)}${e.waitSeconds !== undefined ? ` after ${e.waitSeconds} s (platform's wait)` : ''}`;
    case 'contact.transferred': {
      const to = e.toAgentId ? agentName(e.toAgentId) : e.toQueueId ? `queue ${e.toQueueId}` : `external number ${e.toExternal ?? ''}`;
      return `${e.kind === 'consult' ? 'Consulted' : e.kind === 'conference' ? 'Conferenced' : 'Transferred'} by ${agentName(e.fromAgentId)} to ${to}`;
    }
    case 'contact.ended':
      return `Leg ended by ${agentName(e.agentId)}: talk ${e.talkSeconds} s, hold ${e.holdSeconds} s${e.holdCount !== undefined ? ` (${e.holdCount} hold${e.holdCount === 1 ? '' : 's'})` : ''}, wrap ${e.wrapSeconds} s; ${e.resolved ? 'resolved' : 'not resolved'}${e.notes ? ` — notes: “${e.notes}”` : ''}`;
    case 'contact.abandoned':
      return `Abandoned by the customer${e.abandonedIn === 'ivr' ? ' in the IVR (never queued)' : ''}${e.waitSeconds !== undefined ? ` after ${e.waitSeconds} s` : ''}`;
    case 'survey.offered':
      return `Survey offered${e.programmeId ? ` (${e.programmeId})` : ''}`;
    case 'survey.responded': {
      const answers = (e.answers ?? []).map((a) => `${a.measure === 'csat' ? 'CSAT' : a.measure === 'nps' ? 'NPS' : 'resolved'} ${String(a.value)} (${a.scale})`);
      const parts = [e.csat !== undefined ? `CSAT ${e.csat}` : null, e.nps !== undefined ? `NPS ${e.nps}` : null, e.resolved !== undefined ? (e.resolved ? 'resolved' : 'not resolved') : null, ...answers];
      return `Survey${e.programmeId ? ` (${e.programmeId})` : ''}: ${parts.filter(Boolean).join(', ')}${e.comment ? ` — “${e.comment}”` : ''}`;
    }
    case 'qa.evaluated':
      return `QA evaluation: ${e.score}${e.criticalFail ? ' (critical fail)' : ''}${e.notes ? ` — ${e.notes}` : ''}`;
    case 'complaint.logged':
      return `Complaint (${e.category})${e.summary ? ` — ${e.summary}` : ''}`;
    case 'agent.state':
      return `Agent state: ${e.state}${e.stateName ? ` (${e.stateName})` : ''}`;
  }
}

/** The legs' notes or transcript as the source sent them, from the contact's latest revision only. */
export function notesOf(timeline: readonly FrontlineEvent[], revision: number | null): string[] {
  return timeline.flatMap((e) => (e.type === 'contact.ended' && e.notes && (revision === null || e.revision === revision) ? [e.notes] : []));
}

export function ContactPage({ me }: { me: Me }) {
  const { contactId = '' } = useParams();
  const rec = useQuery({ queryKey: ['contact', contactId], queryFn: () => api<ContactRecord>(`/api/v1/contacts/${enc(contactId)}`) });
  const dir = useDirectory();
  const agentName = (id: string) => dir.data?.agents.find((a) => a.id === id)?.name ?? id;
  if (rec.error) return <p className="page error">{errText(rec.error)}</p>;
  if (!rec.data) return <p className="page muted">Loading…</p>;
  const c = rec.data.contact;
  const scope = c.agentId ? `agent:${c.agentId}` : c.queueId ? `queue:${c.queueId}` : 'centre';
  const notes = notesOf(rec.data.timeline, c.revision);
  return (
    <div className="page">
      <Crumbs scope={scope} extra={<span>Contact {c.contactId}</span>} />
      <h1 data-testid="contact-title">Contact {c.contactId}</h1>
      <section className="panel">
        <table className="figures">
          <tbody>
            <tr>
              <th>Offered</th>
              <td>
                {when(c.offeredAt)} · {c.channel ?? '–'} · queue {c.queueId ?? '–'}
              </td>
            </tr>
            <tr>
              <th>Agent</th>
              <td>{c.agentId ? <Link to={`/?scope=${enc(`agent:${c.agentId}`)}`}>{agentName(c.agentId)}</Link> : '–'}</td>
            </tr>
            <tr>
              <th>Outcome</th>
              <td>
                {c.outcome}
                {c.waitSeconds !== null ? `, waited ${duration(c.waitSeconds)}` : ''}
                {c.handleSeconds !== null ? `, handled in ${duration(c.handleSeconds)}` : ''}
                {c.abandonedIn === 'ivr' ? ' in the IVR (not counted as offered)' : ''}
              </td>
            </tr>
            {c.legs.length > 1 ? (
              <tr>
                <th>Legs</th>
                <td data-testid="contact-legs">
                  {c.legs.map((l, i) => `${i + 1}. ${agentName(l.agentId)}: ${duration(l.handleSeconds)}`).join(' · ')}
                  {c.agentId ? ` — outcome credited to ${agentName(c.agentId)}` : ''}
                </td>
              </tr>
            ) : null}
            {c.revision !== null ? (
              <tr>
                <th>Revision</th>
                <td>{c.revision}</td>
              </tr>
            ) : null}
            <tr>
              <th>Customer said</th>
              <td>
                {c.csatLabel !== null ? `CSAT ${c.csatLabel}` : 'no survey'}
                {c.resolved !== null ? `, ${c.resolved ? 'resolved' : 'not resolved'}` : ''}
                {c.comment ? ` — “${c.comment}”` : ''}
              </td>
            </tr>
            {notes.length > 0 ? (
              <tr>
                <th>Notes or transcript</th>
                <td className="prewrap" data-testid="contact-notes">
                  {notes.join('\n\n')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h2>Timeline</h2>
        <ol className="trail" data-testid="contact-timeline">
          {rec.data.timeline.map((e) => (
            <li key={e.id}>
              <span className="muted small-inline">{when(e.occurredAt)}</span>
              <br />
              {describe(e, agentName)}
            </li>
          ))}
        </ol>
      </section>
      {me.role !== 'agent' ? (
        <Suspense fallback={null}>
          <ContactEvaluations contactId={c.contactId} />
        </Suspense>
      ) : null}
    </div>
  );
}
