/**
 * One improvement initiative: the problem with its frozen evidence, the root cause, the plan, success criteria,
 * stakeholders with their comments and sign-off, the change and its date, then the before/after comparison (figures
 * with 95% intervals, verdicts in words and symbols), comment themes before and after, and the 30/60/90-day checks.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { INITIATIVE_OUTCOMES, OUTCOME_WORDS, STATUS_WORDS, type InitiativeOutcome } from '../../../shared/initiative-words.js';
import type { Initiative, InitiativeResults } from '../../../shared/initiatives.js';
import { api, errText } from '../api/http.js';
import { dayTime, kpiLabel, useScopeNames } from '../coaching/case-words.js';
import { BeforeAfter } from './BeforeAfter.js';
import { enc, keys, pct, secs } from './parts.js';
import { PlanEditor } from './PlanEditor.js';

const STEPS = ['draft', 'planned', 'signed_off', 'implemented', 'closed'] as const;

function useWrite(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (w: { path: string; body: unknown }) => api<{ initiative: Initiative }>(`/api/v1/initiatives/${enc(id)}${w.path}`, { method: 'POST', body: w.body }),
    onSettled: async () => {
      await Promise.all([qc.invalidateQueries({ queryKey: keys.detail(id) }), qc.invalidateQueries({ queryKey: ['initiatives'] })]);
    },
  });
}

function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="panel case-panel" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

const fig = (kpi: string, v: number | null) => (kpi === 'aht' ? secs(v) : pct(v));

export function InitiativePage() {
  const { initiativeId = '' } = useParams();
  const q = useQuery({ queryKey: keys.detail(initiativeId), queryFn: async () => (await api<{ initiative: Initiative }>(`/api/v1/initiatives/${enc(initiativeId)}`)).initiative });
  const name = useScopeNames();
  const [editing, setEditing] = useState(false);
  if (q.error) return <p className="page error">{errText(q.error)}</p>;
  if (!q.data) return <p className="page muted">Loading…</p>;
  const i = q.data;
  const at = STEPS.indexOf(i.status);
  return (
    <div className="page case-page initiative-page">
      <p>
        <Link to="/initiatives">← Initiatives</Link>
      </p>
      <h1>
        {i.title} <span className="muted small-inline">{name(i.scope)} · opened {dayTime(i.createdAt)} by {i.createdByName ?? i.createdBy}</span>
      </h1>
      <ol className="stepper" aria-label="Where this initiative is">
        {STEPS.map((s, n) => (
          <li key={s} className={n < at ? 'done' : n === at ? 'current' : ''} aria-current={n === at ? 'step' : undefined}>
            {n < at ? '✓ ' : ''}
            {STATUS_WORDS[s]}
          </li>
        ))}
      </ol>
      <p className="muted small-inline" data-testid="initiative-status">
        {i.status === 'closed' && i.outcome ? `Closed: ${OUTCOME_WORDS[i.outcome]}. ${i.outcomeReason ?? ''}` : NEXT[i.status]}
      </p>
      <div className="case-grid">
        <div className="case-main">
          <ProblemPanel i={i} />
          <Panel title="Root cause and plan" testId="plan-panel">
            {editing ? (
              <PlanEditor i={i} onDone={() => setEditing(false)} />
            ) : (
              <>
                <p className="prewrap">{i.rootCause || <span className="muted">No root cause recorded yet.</span>}</p>
                <PlanTable i={i} />
                {i.can.edit ? (
                  <button type="button" className="secondary" onClick={() => setEditing(true)}>
                    Edit plan
                  </button>
                ) : null}{' '}
                {i.can.edit && i.status === 'draft' ? <PutForward i={i} /> : null}
              </>
            )}
          </Panel>
          <CriteriaPanel i={i} />
          <ChangePanel i={i} />
          {i.change ? <BeforeAfter i={i} /> : null}
          {i.can.edit && i.status !== 'closed' ? <ClosePanel key={i.status} i={i} /> : null}
        </div>
        <aside className="case-side">
          <StakeholdersPanel i={i} />
          <TrailPanel i={i} />
        </aside>
      </div>
    </div>
  );
}

const NEXT: Record<Initiative['status'], string> = {
  draft: 'Draft: record the root cause, the actions, success criteria and stakeholders, then put the plan forward.',
  planned: 'Planned: waiting for every stakeholder to sign the plan off.',
  signed_off: 'Signed off: make the change, then record its date.',
  implemented: 'Change made: measuring before and after.',
  closed: '',
};

function ProblemPanel({ i }: { i: Initiative }) {
  const e = i.evidence;
  return (
    <Panel title="Problem and evidence" testId="problem-panel">
      <p className="prewrap">{i.problem}</p>
      <p className="small-inline">
        {i.origin.kind === 'review' ? (
          <>
            From <Link to={`/reviews/${i.origin.reviewId}`}>a saved review</Link>, recommendation {i.origin.index + 1}: “{i.origin.text}” <span className="muted">Because: {i.origin.because}</span>
          </>
        ) : i.origin.kind === 'case' ? (
          <>
            From <Link to={`/cases/${i.origin.caseId}`}>a systemic review</Link>: {i.origin.text}
          </>
        ) : (
          'Opened by hand.'
        )}
      </p>
      <h3>
        Figures frozen when it was opened <span className="muted small-inline">({e.days} whole days to {new Date(e.to).toLocaleDateString('en-GB')})</span>
      </h3>
      <table>
        <thead>
          <tr>
            <th>KPI</th>
            <th className="num">Value</th>
            <th className="num">n</th>
          </tr>
        </thead>
        <tbody>
          {e.kpis.map((k) => (
            <tr key={k.kpi}>
              <td>{kpiLabel(k.kpi)}</td>
              <td className="num">{fig(k.kpi, k.value)}</td>
              <td className="num">{k.n.toLocaleString('en-GB')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>What customers said ({e.comments} comments)</h3>
      {e.themes.length === 0 ? <p className="muted">No comments in the period.</p> : null}
      <ul className="initiative-themes">
        {e.themes.map((t) => (
          <li key={t.id}>
            <strong>{t.label}</strong>: {t.count} ({Math.round(t.share * 100)}%, {Math.round(t.negativeShare * 100)}% negative){t.example ? <span className="voc-quote"> “{t.example}”</span> : null}
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function PlanTable({ i }: { i: Initiative }) {
  if (i.actions.length === 0) return <p className="muted">No actions yet.</p>;
  return (
    <table data-testid="plan-table">
      <thead>
        <tr>
          <th>Action</th>
          <th>Owner</th>
          <th>Resources</th>
          <th>Due</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {i.actions.map((a) => (
          <tr key={a.id}>
            <td>{a.text}</td>
            <td>{a.ownerName ?? a.owner}</td>
            <td>{a.resources || '–'}</td>
            <td>{a.dueDate}</td>
            <td>{a.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PutForward({ i }: { i: Initiative }) {
  const w = useWrite(i.id);
  return (
    <>
      <button type="button" onClick={() => w.mutate({ path: '/status', body: { version: i.version, to: 'planned' } })} disabled={w.isPending}>
        Put the plan forward for sign-off
      </button>
      {w.error ? <p className="error">{errText(w.error)}</p> : null}
    </>
  );
}

function useResults(i: Initiative) {
  return useQuery({ queryKey: keys.results(i.id, i.version), enabled: i.change !== null, queryFn: async () => (await api<{ results: InitiativeResults | null }>(`/api/v1/initiatives/${enc(i.id)}/results`)).results });
}

const STATE_WORDS = { met: '✓ met', 'not-met': '✗ not met', pending: '… pending', 'no-data': '– no data' } as const;

function CriteriaPanel({ i }: { i: Initiative }) {
  const r = useResults(i);
  return (
    <Panel title="Success criteria" testId="criteria-panel">
      {i.criteria.length === 0 ? <p className="muted">None yet.</p> : null}
      {i.criteria.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>KPI</th>
              <th>Target</th>
              <th>By</th>
              <th className="num">After the change</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {i.criteria.map((c, n) => {
              const got = r.data?.criteria[n];
              return (
                <tr key={n}>
                  <td>{kpiLabel(c.kpi)}</td>
                  <td>
                    {c.direction === 'up' ? 'at least' : 'at most'} {fig(c.kpi, c.threshold)}
                  </td>
                  <td>{c.byDate}</td>
                  <td className="num">{got ? `${fig(c.kpi, got.value)} (n ${got.n})` : '–'}</td>
                  <td className={got ? `criterion-${got.state}` : 'muted'}>{got ? STATE_WORDS[got.state] : 'after the change'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <p className="muted small-inline">Judged on the after window once its date has passed and the window is complete; pending until then.</p>
    </Panel>
  );
}

function ChangePanel({ i }: { i: Initiative }) {
  const w = useWrite(i.id);
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [description, setDescription] = useState('');
  if (i.change)
    return (
      <Panel title="The change" testId="change-panel">
        <p>
          <strong>Made on {i.change.date}</strong>: {i.change.description}
        </p>
      </Panel>
    );
  if (!(i.can.edit && i.status === 'signed_off')) return null;
  return (
    <Panel title="The change" testId="change-panel">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          w.mutate({ path: '/change', body: { version: i.version, date, description } });
        }}
      >
        <label>
          Date the change was made
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </label>
        <label>
          What was changed
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} required minLength={10} maxLength={4000} />
        </label>
        <button type="submit" disabled={w.isPending}>
          Record the change
        </button>
        {w.error ? <p className="error">{errText(w.error)}</p> : null}
      </form>
    </Panel>
  );
}

function ClosePanel({ i }: { i: Initiative }) {
  const w = useWrite(i.id);
  const allowed: readonly InitiativeOutcome[] = i.status === 'implemented' ? INITIATIVE_OUTCOMES : ['abandoned'];
  const [outcome, setOutcome] = useState<InitiativeOutcome>(allowed[0]!);
  const [reason, setReason] = useState('');
  return (
    <Panel title={i.status === 'implemented' ? 'Close with an outcome' : 'Abandon'} testId="close-panel">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          w.mutate({ path: '/status', body: { version: i.version, to: 'closed', outcome, reason } });
        }}
      >
        <label>
          Outcome
          <select value={outcome} onChange={(e) => setOutcome(e.target.value as InitiativeOutcome)}>
            {allowed.map((o) => (
              <option key={o} value={o}>
                {OUTCOME_WORDS[o]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} required minLength={5} maxLength={2000} />
        </label>
        <button type="submit" className="secondary" disabled={w.isPending}>
          Close the initiative
        </button>
        {w.error ? <p className="error">{errText(w.error)}</p> : null}
      </form>
    </Panel>
  );
}

function StakeholdersPanel({ i }: { i: Initiative }) {
  const sign = useWrite(i.id);
  const comment = useWrite(i.id);
  const [text, setText] = useState('');
  return (
    <Panel title="Stakeholders" testId="stakeholders-panel">
      {i.stakeholders.length === 0 ? <p className="muted">None yet.</p> : null}
      <ul className="trail">
        {i.stakeholders.map((s) => (
          <li key={s.userId}>
            <strong>{s.name ?? s.userId}</strong>: {s.signedOffAt ? <span className="ok">✓ signed off {dayTime(s.signedOffAt)}</span> : <span className="muted">not signed off</span>}
          </li>
        ))}
      </ul>
      {i.can.signOff ? (
        <p>
          <button type="button" onClick={() => sign.mutate({ path: '/signoff', body: { version: i.version } })} disabled={sign.isPending}>
            Sign the plan off
          </button>
        </p>
      ) : null}
      {sign.error ? <p className="error">{errText(sign.error)}</p> : null}
      <h3>Comments</h3>
      {i.comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
      <ol className="trail" data-testid="initiative-comments">
        {i.comments.map((c) => (
          <li key={c.id}>
            <span className="muted small-inline">{dayTime(c.at)}</span>
            <br />
            <strong>{c.authorName ?? c.author}</strong>: {c.text}
          </li>
        ))}
      </ol>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          comment.mutate({ path: '/comments', body: { text } }, { onSuccess: () => setText('') });
        }}
      >
        <label>
          Add a comment
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} required minLength={2} maxLength={4000} />
        </label>
        <button type="submit" className="secondary" disabled={comment.isPending}>
          Add comment
        </button>
        {comment.error ? <p className="error">{errText(comment.error)}</p> : null}
      </form>
    </Panel>
  );
}

const ACTION_WORDS: Record<string, string> = { opened: 'opened', edited: 'edited the plan', planned: 'put the plan forward', signed_off: 'signed off', change_made: 'recorded the change', commented: 'commented', closed: 'closed it' };

function TrailPanel({ i }: { i: Initiative }) {
  return (
    <Panel title="History" testId="initiative-trail">
      <ol className="trail">
        {i.trail.map((e) => (
          <li key={e.id}>
            <span className="muted small-inline">{dayTime(e.at)}</span>
            <br />
            {e.actorName ?? e.actor} {ACTION_WORDS[e.action] ?? e.action}
            {typeof e.details.signOffsWithdrawn === 'number' && e.details.signOffsWithdrawn > 0 ? ` (${e.details.signOffsWithdrawn} sign-offs withdrawn)` : ''}
          </li>
        ))}
      </ol>
    </Panel>
  );
}
