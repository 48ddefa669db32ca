/**
 * Flagged cases the signed-in person may see (the API scopes them by role): individual coaching cases, systemic
 * reviews and recognitions, each with the flagger's own explanation. A case opens on its evidence: the figures behind
 * the flag and the specific contacts, negative and positive, with their (masked) comments.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { CaseKind, CaseSummary, EvidenceContact } from '../../../shared/access.js';
import type { Directory } from '../../../shared/directory.js';
import { KPI_DEFINITIONS, type KpiName } from '../../../shared/kpis.js';
import { api, errText } from '../api/http.js';

const KIND_WORDS: Record<CaseKind, { title: string; lead: string }> = {
  individual: { title: 'Individual coaching cases', lead: 'An agent changed against peers on the same queues, with enough volume, while the team showed no concern on the same KPI.' },
  systemic: { title: 'Systemic reviews', lead: 'Several people moved at once, or a team chart shows a special cause: a system question for the team leader or manager, not a personal one.' },
  recognition: { title: 'Recognitions', lead: 'Improvements beyond what chance explains: worth recognising and learning from.' },
};

/** A text figure of a case, or the fallback. */
const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

const kpiLabel = (k: string) => (k in KPI_DEFINITIONS ? KPI_DEFINITIONS[k as KpiName].label : k === 'fcrSurvey' ? 'FCR (survey)' : k);

function useNames() {
  const dir = useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory });
  return (scope: string) => {
    const [kind, id] = scope.split(':') as [string, string | undefined];
    if (kind === 'agent') return dir.data?.agents.find((a) => a.id === id)?.name ?? id ?? scope;
    if (kind === 'team') return `Team ${dir.data?.teams.find((t) => t.id === id)?.name ?? id ?? ''}`;
    return scope;
  };
}

export function CasesPage() {
  const list = useQuery({ queryKey: ['cases'], queryFn: async () => (await api<{ cases: CaseSummary[] }>('/api/v1/cases?status=open&limit=500')).cases, refetchInterval: 60_000 });
  const name = useNames();
  return (
    <div className="page">
      <h1>Coaching</h1>
      <p className="muted">
        Flags come from the flagger, system before person: team and queue charts first, then each agent against peers on the same queues. Every
        flag says why in plain words. The coaching workflow (sessions, agreed actions, follow-up review) arrives next; for now, open a case to
        see its evidence.
      </p>
      {list.error ? <p className="error">{errText(list.error)}</p> : null}
      {(['individual', 'systemic', 'recognition'] as const).map((kind) => {
        const rows = (list.data ?? []).filter((c) => c.kind === kind);
        return (
          <section className="panel" key={kind} data-testid={`cases-${kind}`}>
            <h2>
              {KIND_WORDS[kind].title} <span className="muted small-inline">{rows.length} open</span>
            </h2>
            <p className="muted small">{KIND_WORDS[kind].lead}</p>
            {rows.length === 0 ? (
              <p className="muted">None open.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Day</th>
                    <th>Who</th>
                    <th>KPI</th>
                    <th>Why</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((c) => (
                    <tr key={c.id}>
                      <td>{text(c.figures.day, c.openedAt.slice(0, 10))}</td>
                      <td>
                        <Link to={`/cases/${c.id}`}>{name(c.scope)}</Link>
                      </td>
                      <td>{kpiLabel(c.kpi)}</td>
                      <td className="case-why">{text(c.figures.explanation, c.rule)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </div>
  );
}

const FIGURE_WORDS: Record<string, string> = {
  cusum: 'CUSUM value',
  h: 'Decision interval h',
  n: 'Observations in the run',
  bad: 'Bad outcomes',
  expectedBad: 'Expected from peers',
  agentRate: 'Agent rate',
  peerRate: 'Peer rate',
  wilsonLower: 'Wilson 95% lower',
  wilsonUpper: 'Wilson 95% upper',
  shrunkenRate: 'Shrunken rate',
  baselineDays: 'Baseline days',
  combined: 'Evidence by KPI',
  share: 'Share of team signalling',
  signalling: 'Agents signalling',
  teamSize: 'Team size',
  value: 'Latest value',
  mean: 'Chart mean',
  upper: 'Upper limit',
  lower: 'Lower limit',
};

export function CasePage() {
  const { caseId = '' } = useParams();
  const c = useQuery({ queryKey: ['case', caseId], queryFn: async () => (await api<{ case: CaseSummary }>(`/api/v1/cases/${encodeURIComponent(caseId)}`)).case });
  const ev = useQuery({ queryKey: ['case-evidence', caseId], queryFn: async () => (await api<{ contacts: EvidenceContact[] }>(`/api/v1/cases/${encodeURIComponent(caseId)}/evidence`)).contacts });
  const name = useNames();
  if (c.error) return <p className="page error">{errText(c.error)}</p>;
  if (!c.data) return <p className="page muted">Loading…</p>;
  const k = c.data;
  const negative = new Set((k.figures.evidenceNegative as string[] | undefined) ?? []);
  const figures = Object.entries(k.figures).filter(([key, v]) => key in FIGURE_WORDS && v !== null);
  return (
    <div className="page">
      <p>
        <Link to="/cases">← All cases</Link>
      </p>
      <h1>
        {name(k.scope)}: {kpiLabel(k.kpi)} <span className="muted small-inline">{k.kind} · opened {text(k.figures.day, k.openedAt.slice(0, 10))}</span>
      </h1>
      <div className="panel">
        <h2>Why this was flagged</h2>
        <p data-testid="case-explanation">{text(k.figures.explanation, k.rule)}</p>
        <p className="muted small">Rule: {k.rule}</p>
        {figures.length > 0 ? (
          <table className="figures">
            <tbody>
              {figures.map(([key, v]) => (
                <tr key={key}>
                  <th>{FIGURE_WORDS[key]}</th>
                  <td className="num">{typeof v === 'number' && /rate|wilson/i.test(key) ? `${(v * 100).toFixed(1)}%` : String(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      <div className="panel">
        <h2>Evidence: the contacts behind it</h2>
        <p className="muted small">Frozen when the case opened. Personal data in comments is masked.</p>
        {ev.error ? <p className="error">{errText(ev.error)}</p> : null}
        <table data-testid="case-evidence">
          <thead>
            <tr>
              <th>Contact</th>
              <th>When</th>
              <th>Queue</th>
              <th className="num">Handle</th>
              <th className="num">CSAT</th>
              <th>Resolved</th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            {(ev.data ?? []).map((x) => (
              <tr key={x.contactId} className={negative.has(x.contactId) ? 'evidence-negative' : 'evidence-positive'}>
                <td>
                  {negative.has(x.contactId) ? '✕' : '✓'} {x.contactId}
                </td>
                <td>{x.offeredAt ? new Date(x.offeredAt).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '–'}</td>
                <td>{x.queueId ?? '–'}</td>
                <td className="num">{x.handleSeconds === null ? '–' : `${Math.round(x.handleSeconds)} s`}</td>
                <td className="num">{x.csat ?? '–'}</td>
                <td>{x.resolved === null ? '–' : x.resolved ? 'yes' : 'no'}</td>
                <td>{x.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
