/**
 * One coaching case, worked end to end (DOMAIN.md section 6): why it was flagged and its frozen evidence, who has it,
 * the session plan, the session held (notes, agreed SMART actions, follow-up date), the agent's acknowledgement or
 * dispute and reflection, the follow-up review comparing equal windows before and after the session with their
 * uncertainty, the closing outcome, and the trail of every change. Controls appear only for the people who may use
 * them; the server checks again. Every write sends the version it read, so two people cannot save over each other.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { EvidenceContact, Me } from '../../../shared/access.js';
import {
  ACTION_WORDS,
  CASE_OUTCOMES,
  DEFAULT_REVIEW_DAYS,
  OUTCOME_WORDS,
  STAGE_WORDS,
  type Assignee,
  type CaseDetail,
  type CaseEventRecord,
  type CaseOutcome,
  type CaseReview,
  type ReviewRow,
} from '../../../shared/coaching.js';
import { api, errText } from '../api/http.js';
import { lazyPage } from '../shell/lazy.js';
import { OpenInitiative } from '../improvement/parts.js';
import { day, dayTime, fromInput, KIND_WORDS, kpiLabel, localInput, text, useDirectory, useExplanation, useNow, useScopeNames } from './case-words.js';

const CaseEvaluations = lazyPage(async () => (await import('../qa/EvaluationList.js')).CaseEvaluations);

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
  agentsOnQueue: 'Agents on the queue',
  teams: 'Teams touched',
  detector: 'Detector',
  value: 'Latest value',
  mean: 'Chart mean',
  upper: 'Upper limit',
  lower: 'Lower limit',
};

const STEPS = ['new', 'assigned', 'planned', 'held', 'review', 'closed'] as const;
const STEP_WORDS: Record<(typeof STEPS)[number], string> = { new: 'Flagged', assigned: 'Assigned', planned: 'Session planned', held: 'Session held', review: 'Follow-up review', closed: 'Closed' };

const enc = encodeURIComponent;

/** A write to the case, then everything about it is read again. */
function useCaseWrite(caseId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (w: { method: string; path: string; body: unknown }) => api<{ case: CaseDetail }>(`/api/v1/cases/${enc(caseId)}${w.path}`, { method: w.method, body: w.body }),
    onSettled: async () => {
      await Promise.all([qc.invalidateQueries({ queryKey: ['case', caseId] }), qc.invalidateQueries({ queryKey: ['cases'] })]);
    },
  });
}

export function CasePage({ me }: { me: Me }) {
  const { caseId = '' } = useParams();
  const c = useQuery({ queryKey: ['case', caseId], queryFn: async () => (await api<{ case: CaseDetail }>(`/api/v1/cases/${enc(caseId)}`)).case });
  const name = useScopeNames();
  const now = useNow();
  if (c.error) return <p className="page error">{errText(c.error)}</p>;
  if (!c.data) return <p className="page muted">Loading…</p>;
  const k = c.data;
  const worker = me.role === 'manager' || me.role === 'team_leader' || me.role === 'coach';
  const canEdit = k.status === 'open' && worker && (me.role !== 'coach' || k.assignedCoachId === me.id);
  const canClaim = k.status === 'open' && me.role === 'coach' && k.assignedCoachId === null && k.kind !== 'systemic';
  const isAgent = me.role === 'agent' && k.agentId !== null && k.agentId === me.agentId;
  const reviewDue = k.stage === 'held' && k.followUpAt !== null && Date.parse(k.followUpAt) <= now;
  const step = k.stage === 'held' && reviewDue ? 'review' : k.stage;
  return (
    <div className="page case-page">
      <p>
        <Link to="/cases">← Inbox</Link>
      </p>
      <h1>
        {name(k.scope)}: {kpiLabel(k.kpi)}{' '}
        <span className="muted small-inline">
          {KIND_WORDS[k.kind].short} · opened {text(k.figures.day, k.openedAt.slice(0, 10))}
        </span>
      </h1>
      <ol className="stepper" aria-label="Where this case is">
        {STEPS.map((s, i) => {
          const at = STEPS.indexOf(step);
          return (
            <li key={s} className={i < at ? 'done' : i === at ? 'current' : ''} aria-current={i === at ? 'step' : undefined}>
              {i < at ? '✓ ' : ''}
              {STEP_WORDS[s]}
            </li>
          );
        })}
      </ol>
      <p className="muted small-inline" data-testid="case-stage">
        {reviewDue ? (canEdit ? 'Follow-up review due: compare before and after, then close.' : 'Follow-up review due.') : STAGE_WORDS[k.stage]}
      </p>
      {k.kind === 'systemic' && (me.role === 'manager' || (me.role === 'team_leader' && k.teamId !== null && me.teamIds.includes(k.teamId))) ? (
        <div data-testid="case-open-initiative">
          <OpenInitiative origin={{ kind: 'case', caseId: k.id }} title={`Improve ${kpiLabel(k.kpi)}: ${name(k.scope)}`} problem={`${kpiLabel(k.kpi)} on ${name(k.scope)}: ${k.rule}.`} label="Open an improvement initiative from this review" />
        </div>
      ) : null}
      <div className="case-grid">
        <div className="case-main">
          <WhyPanel k={k} />
          <AssignPanel k={k} me={me} canEdit={canEdit} canClaim={canClaim} />
          <SessionPanel k={k} me={me} canEdit={canEdit} now={now} />
          <ActionsPanel k={k} me={me} canEdit={canEdit} isAgent={isAgent} now={now} />
          <ResponsePanel k={k} isAgent={isAgent} />
          {k.stage === 'held' || k.stage === 'closed' ? <ReviewPanel k={k} /> : null}
          {canEdit ? <ClosePanel key={k.stage} k={k} /> : null}
          {k.status === 'closed' ? <OutcomePanel k={k} /> : null}
          <EvidencePanel k={k} />
          <Suspense fallback={null}>
            <CaseEvaluations caseId={k.id} />
          </Suspense>
        </div>
        <aside className="case-side">
          <HistoryPanel k={k} />
        </aside>
      </div>
    </div>
  );
}

function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="panel case-panel" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function WhyPanel({ k }: { k: CaseDetail }) {
  const explain = useExplanation();
  const figures = Object.entries(k.figures).filter(([key, v]) => key in FIGURE_WORDS && v !== null);
  return (
    <Panel title="Why this was flagged">
      <p data-testid="case-explanation">{explain(k.figures.explanation, k.rule)}</p>
      <p className="muted small-inline">Rule: {k.rule}</p>
      {k.kind === 'systemic' && Array.isArray(k.figures.touchedTeams) ? <p data-testid="case-reach">{explain(reach(k.figures.touchedTeams as string[], (k.figures.touchedAgents as string[] | undefined) ?? []), '')}</p> : null}
      {figures.length > 0 ? (
        <details>
          <summary>The figures</summary>
          <table className="figures">
            <tbody>
              {figures.map(([key, v]) => (
                <tr key={key}>
                  <th>{FIGURE_WORDS[key]}</th>
                  <td className="num">{typeof v === 'number' && /rate|wilson/i.test(key) ? `${(v * 100).toFixed(1)}%` : typeof v === 'string' ? v : JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </Panel>
  );
}

/** A systemic review's reach, in tokens the explanation's reader names: the teams it touched, the signals it holds. */
function reach(teams: string[], agents: string[]): string {
  const who = teams.length === 0 ? 'No team in the directory works it.' : `Teams it touched: ${teams.map((t) => `{team:${t}}`).join(', ')}.`;
  const held = agents.length === 0 ? 'No agent signal has been held by it.' : `Agents whose signals it holds instead of individual cases: ${agents.map((a) => `{agent:${a}}`).join(', ')}.`;
  return `${who} ${held}`;
}

function useAssignees(k: CaseDetail, enabled: boolean) {
  return useQuery({ queryKey: ['case', k.id, 'assignees'], enabled, queryFn: async () => (await api<{ assignees: Assignee[] }>(`/api/v1/cases/${enc(k.id)}/assignees`)).assignees });
}

function AssignPanel({ k, me, canEdit, canClaim }: { k: CaseDetail; me: Me; canEdit: boolean; canClaim: boolean }) {
  const people = useAssignees(k, canEdit);
  const write = useCaseWrite(k.id);
  const [to, setTo] = useState('');
  const who = k.assignedCoachId === null ? 'Nobody yet' : k.assignedCoachId === me.id ? `You (${me.displayName})` : (k.assigneeName ?? 'Assigned');
  return (
    <Panel title={k.kind === 'systemic' ? 'Owner' : 'Coach'} testId="assign-panel">
      <p>
        <strong data-testid="assignee">{who}</strong>
      </p>
      {canClaim ? (
        <button type="button" onClick={() => write.mutate({ method: 'POST', path: '/assign', body: { version: k.version, assigneeId: me.id } })} disabled={write.isPending}>
          Take this case
        </button>
      ) : null}
      {canEdit ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (to) write.mutate({ method: 'POST', path: '/assign', body: { version: k.version, assigneeId: to } }, { onSuccess: () => setTo('') });
          }}
        >
          <label>
            {k.assignedCoachId ? 'Reassign to' : 'Assign to'}
            <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="Assign to">
              <option value="">Choose…</option>
              {(people.data ?? [])
                .filter((p) => p.id !== k.assignedCoachId)
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({p.role.replace('_', ' ')})
                  </option>
                ))}
            </select>
          </label>
          <button type="submit" disabled={!to || write.isPending} className="align-end">
            {k.assignedCoachId ? 'Reassign' : 'Assign'}
          </button>
        </form>
      ) : null}
      {write.error ? <p className="error">{errText(write.error)}</p> : null}
    </Panel>
  );
}

interface DraftAction {
  text: string;
  measure: string;
  owner: string;
  due: string;
}

const blankAction = (owner: string): DraftAction => ({ text: '', measure: '', owner, due: '' });

function SessionPanel({ k, me, canEdit, now }: { k: CaseDetail; me: Me; canEdit: boolean; now: number }) {
  const write = useCaseWrite(k.id);
  const [plan, setPlan] = useState(k.plan ?? '');
  const [sessionAt, setSessionAt] = useState(k.sessionAt ? localInput(Date.parse(k.sessionAt)) : '');
  const [recording, setRecording] = useState(false);
  const held = k.heldAt !== null;
  const assigned = k.assignedCoachId !== null;
  const submitPlan = (e: FormEvent) => {
    e.preventDefault();
    write.mutate({ method: 'PUT', path: '/plan', body: { version: k.version, plan, sessionAt: fromInput(sessionAt) ?? '' } });
  };
  return (
    <Panel title={k.kind === 'systemic' ? 'Review meeting' : 'Coaching session'} testId="session-panel">
      {held ? (
        <>
          <p>
            Held <strong>{dayTime(k.heldAt)}</strong>. Follow-up review on <strong data-testid="follow-up">{day(k.followUpAt)}</strong> ({k.reviewDays ?? DEFAULT_REVIEW_DAYS}-day windows).
          </p>
          <h3>Notes</h3>
          <p className="prewrap" data-testid="session-notes">
            {k.notes}
          </p>
        </>
      ) : k.plan ? (
        <p>
          Planned for <strong>{dayTime(k.sessionAt)}</strong>.
        </p>
      ) : (
        <p className="muted">No session planned yet.</p>
      )}
      {k.plan ? (
        <>
          <h3>Plan</h3>
          <p className="prewrap">{k.plan}</p>
        </>
      ) : null}
      {canEdit && assigned && !held ? (
        <>
          <details open={!k.plan}>
            <summary>{k.plan ? 'Change the plan' : 'Plan the session'}</summary>
            <form className="form" onSubmit={submitPlan}>
              <label>
                What the session will cover
                <textarea value={plan} onChange={(e) => setPlan(e.target.value)} rows={3} placeholder="e.g. Listen to three of the flagged calls together; agree two habits to try." />
              </label>
              <label>
                When
                <input type="datetime-local" value={sessionAt} onChange={(e) => setSessionAt(e.target.value)} />
              </label>
              <button type="submit" disabled={write.isPending}>
                Save plan
              </button>
            </form>
          </details>
          {recording ? (
            <RecordSession k={k} me={me} now={now} onDone={() => setRecording(false)} />
          ) : (
            <button type="button" className="secondary" onClick={() => setRecording(true)} data-testid="record-session">
              Record the session held
            </button>
          )}
        </>
      ) : null}
      {canEdit && !assigned ? <p className="muted">Assign the case before planning a session.</p> : null}
      {write.error ? <p className="error">{errText(write.error)}</p> : null}
    </Panel>
  );
}

/** Who may own an action: the agent, me, and the people the case could go to. */
function useOwners(k: CaseDetail, me: Me): { id: string; name: string }[] {
  const people = useAssignees(k, true);
  const dir = useDirectory();
  const agentName = dir.data?.agents.find((a) => a.id === k.agentId)?.name ?? 'the agent';
  const out = new Map<string, string>();
  if (k.kind !== 'systemic') out.set('agent', `${agentName} (agent)`);
  out.set(me.id, `${me.displayName} (me)`);
  for (const p of people.data ?? []) if (!out.has(p.id)) out.set(p.id, p.name);
  return [...out].map(([id, name]) => ({ id, name }));
}

function ActionRows({ rows, setRows, owners }: { rows: DraftAction[]; setRows: (r: DraftAction[]) => void; owners: { id: string; name: string }[] }) {
  const set = (i: number, patch: Partial<DraftAction>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="action-rows">
      {rows.map((r, i) => (
        <fieldset key={i} className="action-row">
          <legend>Action {i + 1}</legend>
          <label>
            What will be done (specific)
            <input value={r.text} onChange={(e) => set(i, { text: e.target.value })} placeholder="e.g. Summarise the fix before closing every call" aria-label={`Action ${i + 1} text`} />
          </label>
          <label>
            How we will know (measurable)
            <input value={r.measure} onChange={(e) => set(i, { measure: e.target.value })} placeholder="e.g. Seen in 5 sampled calls" aria-label={`Action ${i + 1} measure`} />
          </label>
          <div className="row">
            <label>
              Owner
              <select value={r.owner} onChange={(e) => set(i, { owner: e.target.value })} aria-label={`Action ${i + 1} owner`}>
                {owners.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Due
              <input type="date" value={r.due} onChange={(e) => set(i, { due: e.target.value })} aria-label={`Action ${i + 1} due`} />
            </label>
            {rows.length > 1 ? (
              <button type="button" className="link align-end" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                Remove
              </button>
            ) : null}
          </div>
        </fieldset>
      ))}
    </div>
  );
}

const toAction = (r: DraftAction) => ({ text: r.text, measure: r.measure, owner: r.owner, dueAt: fromInput(r.due) ?? '' });

function RecordSession({ k, me, now, onDone }: { k: CaseDetail; me: Me; now: number; onDone: () => void }) {
  const write = useCaseWrite(k.id);
  const owners = useOwners(k, me);
  const [heldAt, setHeldAt] = useState(localInput(Math.min(now, k.sessionAt ? Date.parse(k.sessionAt) : now)));
  const [notes, setNotes] = useState('');
  const [reviewDays, setReviewDays] = useState(DEFAULT_REVIEW_DAYS);
  const [followUp, setFollowUp] = useState(localInput(now + (DEFAULT_REVIEW_DAYS + 1) * 86_400_000).slice(0, 10));
  const [rows, setRows] = useState<DraftAction[]>([blankAction(k.kind === 'systemic' ? me.id : 'agent')]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    write.mutate({ method: 'POST', path: '/session', body: { version: k.version, heldAt: fromInput(heldAt) ?? '', notes, followUpAt: fromInput(followUp) ?? '', reviewDays, actions: rows.map(toAction) } }, { onSuccess: onDone });
  };
  return (
    <form className="form record-session" onSubmit={submit} data-testid="session-form">
      <h3>Record the session</h3>
      <label>
        Held at
        <input type="datetime-local" value={heldAt} onChange={(e) => setHeldAt(e.target.value)} />
      </label>
      <label>
        Notes (what was discussed, what the agent said, what was agreed)
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={4} aria-label="Session notes" />
      </label>
      <h3>Agreed actions</h3>
      <ActionRows rows={rows} setRows={setRows} owners={owners} />
      <button type="button" className="link" onClick={() => setRows([...rows, blankAction(k.kind === 'systemic' ? me.id : 'agent')])} disabled={rows.length >= 10}>
        + Another action
      </button>
      <div className="row">
        <label>
          Follow-up review on
          <input type="date" value={followUp} onChange={(e) => setFollowUp(e.target.value)} aria-label="Follow-up date" />
        </label>
        <label>
          Compare windows of (days)
          <input type="number" min={3} max={60} value={reviewDays} onChange={(e) => setReviewDays(Number(e.target.value))} />
        </label>
      </div>
      <p className="muted small-inline">The review compares the same KPI over {reviewDays} whole days before the session and {reviewDays} after it.</p>
      <div className="row">
        <button type="submit" disabled={write.isPending}>
          Save session
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      {write.error ? <p className="error">{errText(write.error)}</p> : null}
    </form>
  );
}

function ActionsPanel({ k, me, canEdit, isAgent, now }: { k: CaseDetail; me: Me; canEdit: boolean; isAgent: boolean; now: number }) {
  const write = useCaseWrite(k.id);
  const owners = useOwners(k, me);
  const [adding, setAdding] = useState<DraftAction[] | null>(null);
  const ownerName = (id: string) => owners.find((o) => o.id === id)?.name ?? (id === 'agent' ? 'The agent' : 'Someone');
  if (k.actions.length === 0 && !(canEdit && k.heldAt)) return null;
  return (
    <Panel title={k.kind === 'systemic' ? 'Improvement actions' : 'Agreed actions'} testId="actions-panel">
      <table>
        <thead>
          <tr>
            <th>Action</th>
            <th>Measure</th>
            <th>Owner</th>
            <th>Due</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {k.actions.map((a) => {
            const mayTick = k.status === 'open' && (canEdit || (isAgent && a.owner === 'agent'));
            const overdue = a.status === 'open' && Date.parse(a.dueAt) < now;
            return (
              <tr key={a.id} data-testid="action-row">
                <td>{a.text}</td>
                <td>{a.measure}</td>
                <td>{ownerName(a.owner)}</td>
                <td className={overdue ? 'status-text-off' : ''}>
                  {day(a.dueAt)}
                  {overdue ? ' · overdue' : ''}
                </td>
                <td data-testid="action-status">{a.status === 'done' ? `✓ done ${day(a.doneAt)}` : a.status === 'dropped' ? 'dropped' : 'open'}</td>
                <td>
                  {mayTick && a.status === 'open' ? (
                    <span className="row">
                      <button type="button" className="small-button" onClick={() => write.mutate({ method: 'PATCH', path: `/actions/${enc(a.id)}`, body: { version: k.version, status: 'done' } })}>
                        Mark done
                      </button>
                      {canEdit ? (
                        <button type="button" className="small-button secondary" onClick={() => write.mutate({ method: 'PATCH', path: `/actions/${enc(a.id)}`, body: { version: k.version, status: 'dropped' } })}>
                          Drop
                        </button>
                      ) : null}
                    </span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {canEdit && k.heldAt ? (
        adding ? (
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              const first = adding[0];
              if (first) write.mutate({ method: 'POST', path: '/actions', body: { version: k.version, action: toAction(first) } }, { onSuccess: () => setAdding(null) });
            }}
          >
            <ActionRows rows={adding} setRows={setAdding} owners={owners} />
            <div className="row">
              <button type="submit">Add action</button>
              <button type="button" className="secondary" onClick={() => setAdding(null)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <button type="button" className="link" onClick={() => setAdding([blankAction(k.kind === 'systemic' ? me.id : 'agent')])}>
            + Add an action
          </button>
        )
      ) : null}
      {write.error ? <p className="error">{errText(write.error)}</p> : null}
    </Panel>
  );
}

function ResponsePanel({ k, isAgent }: { k: CaseDetail; isAgent: boolean }) {
  const write = useCaseWrite(k.id);
  const [comment, setComment] = useState(k.responseComment ?? '');
  const [reflection, setReflection] = useState(k.reflection ?? '');
  if (k.kind === 'systemic') return null;
  const send = (response: 'acknowledged' | 'disputed') => write.mutate({ method: 'POST', path: '/response', body: { version: k.version, response, comment, ...(reflection ? { reflection } : {}) } });
  return (
    <Panel title={isAgent ? 'Your response' : "The agent's response"} testId="response-panel">
      {k.response ? (
        <p data-testid="response">
          <strong className={`response response-${k.response}`}>{k.response === 'acknowledged' ? '✓ Acknowledged' : '⚑ Disputed'}</strong> {dayTime(k.respondedAt)}
          {k.responseComment ? <span className="prewrap"> · “{k.responseComment}”</span> : null}
        </p>
      ) : (
        <p className="muted">{isAgent ? 'Read the evidence and the notes, then acknowledge or dispute.' : 'Not yet acknowledged.'}</p>
      )}
      {k.reflection ? (
        <>
          <h3>Reflection and self-assessment</h3>
          <p className="prewrap" data-testid="reflection">
            {k.reflection}
          </p>
        </>
      ) : null}
      {isAgent && k.status === 'open' ? (
        <details open={!k.response}>
          <summary>{k.response ? 'Change your response' : 'Respond'}</summary>
          <form className="form" onSubmit={(e) => e.preventDefault()}>
            <label>
              Your reflection (how you see it, what you will try)
              <textarea value={reflection} onChange={(e) => setReflection(e.target.value)} rows={3} aria-label="Reflection" />
            </label>
            <label>
              Comment (needed if you dispute)
              <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={2} aria-label="Comment" />
            </label>
            <div className="row">
              <button type="button" onClick={() => send('acknowledged')} disabled={write.isPending}>
                Acknowledge
              </button>
              <button type="button" className="secondary" onClick={() => send('disputed')} disabled={write.isPending}>
                Dispute
              </button>
            </div>
          </form>
        </details>
      ) : null}
      {write.error ? <p className="error">{errText(write.error)}</p> : null}
    </Panel>
  );
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const secs = (v: number | null) => (v === null ? '–' : `${Math.round(v)} s`);
const pts = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} pts`);
const ratio = (v: number | null) => (v === null ? '–' : `×${v.toFixed(2)}`);

const VERDICT_WORDS: Record<ReviewRow['verdict'], string> = { better: '▲ Better', worse: '▼ Worse', unclear: '● No clear change', 'no-data': '– Not enough data' };

function ReviewPanel({ k }: { k: CaseDetail }) {
  const r = useQuery({ queryKey: ['case', k.id, 'review', k.version], queryFn: async () => (await api<{ review: CaseReview }>(`/api/v1/cases/${enc(k.id)}/review`)).review });
  const v = r.data;
  return (
    <Panel title="Follow-up review: before and after" testId="review-panel">
      {r.error ? <p className="error">{errText(r.error)}</p> : null}
      {!v ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p data-testid="review-summary">
            <strong>{v.summary}</strong>
          </p>
          <p className="muted small-inline">
            {v.days} whole days before the session against {v.days} after it (the session day itself in neither).
            {v.provisional ? ` Provisional: ${v.daysElapsed} of ${v.days} days after so far.` : ''}
            {k.review ? ' Frozen when the case closed.' : ''} Ranges are 95% intervals (Wilson for rates, log scale for times).
          </p>
          <table data-testid="review-table">
            <thead>
              <tr>
                <th>KPI</th>
                <th className="num">Before</th>
                <th className="num">After</th>
                <th className="num">Change (95% interval)</th>
                <th>Verdict</th>
                <th>Team, same windows</th>
              </tr>
            </thead>
            <tbody>
              {v.rows.map((row) => {
                const f = row.unit === 'rate' ? pct : secs;
                const c = row.unit === 'rate' ? pts : ratio;
                return (
                  <tr key={row.kpi}>
                    <td>{kpiLabel(row.kpi)}</td>
                    <td className="num">
                      {f(row.before.value)} <span className="muted">({f(row.before.low)}–{f(row.before.high)}, n {row.before.n})</span>
                    </td>
                    <td className="num">
                      {f(row.after.value)} <span className="muted">({f(row.after.low)}–{f(row.after.high)}, n {row.after.n})</span>
                    </td>
                    <td className="num">
                      {c(row.change)} <span className="muted">({c(row.changeLow)} to {c(row.changeHigh)})</span>
                    </td>
                    <td className={`verdict verdict-${row.verdict}`}>{VERDICT_WORDS[row.verdict]}</td>
                    <td>{row.team ? `${VERDICT_WORDS[row.team.verdict]} (${c(row.team.change)})` : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}

function ClosePanel({ k }: { k: CaseDetail }) {
  const write = useCaseWrite(k.id);
  const [outcome, setOutcome] = useState<CaseOutcome>(k.stage === 'held' ? 'improved' : 'not_warranted');
  const [reason, setReason] = useState('');
  return (
    <Panel title="Close the case" testId="close-panel">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          write.mutate({ method: 'POST', path: '/close', body: { version: k.version, outcome, reason } });
        }}
      >
        <div className="row">
          <label>
            Outcome
            <select value={outcome} onChange={(e) => setOutcome(e.target.value as CaseOutcome)} aria-label="Outcome">
              {CASE_OUTCOMES.map((o) => (
                <option key={o} value={o} disabled={(o === 'improved' || o === 'no_change') && k.stage !== 'held'}>
                  {OUTCOME_WORDS[o]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label>
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} aria-label="Reason" placeholder="What the review showed, or why no coaching was warranted" />
        </label>
        <button type="submit" disabled={write.isPending}>
          Close case
        </button>
        {k.stage !== 'held' ? <p className="muted small-inline">Improved and no change rest on the follow-up review, so they need a held session.</p> : null}
      </form>
      {write.error ? <p className="error">{errText(write.error)}</p> : null}
    </Panel>
  );
}

function OutcomePanel({ k }: { k: CaseDetail }) {
  return (
    <Panel title="Outcome" testId="outcome-panel">
      <p>
        <strong>{k.outcome ? OUTCOME_WORDS[k.outcome] : '–'}</strong> · closed {dayTime(k.closedAt)}
      </p>
      <p className="prewrap">{k.outcomeReason}</p>
    </Panel>
  );
}

function EvidencePanel({ k }: { k: CaseDetail }) {
  const ev = useQuery({ queryKey: ['case', k.id, 'evidence'], queryFn: async () => (await api<{ contacts: EvidenceContact[] }>(`/api/v1/cases/${enc(k.id)}/evidence`)).contacts });
  const negative = new Set((k.figures.evidenceNegative as string[] | undefined) ?? []);
  return (
    <Panel title="Evidence: the contacts behind it">
      <p className="muted small-inline">Frozen when the case opened. Personal data in comments is masked. ✕ worked against the KPI, ✓ a good example.</p>
      {ev.error ? <p className="error">{errText(ev.error)}</p> : null}
      {ev.data && ev.data.length === 0 ? (
        <p className="muted">No contacts were frozen with this case.</p>
      ) : (
        <div className="table-scroll">
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
      )}
    </Panel>
  );
}

function HistoryPanel({ k }: { k: CaseDetail }) {
  // The last trail stays on screen while the new version's loads, instead of the panel flashing empty.
  const h = useQuery({ queryKey: ['case', k.id, 'history', k.version], queryFn: async () => (await api<{ events: CaseEventRecord[] }>(`/api/v1/cases/${enc(k.id)}/history`)).events, placeholderData: (prev) => prev });
  return (
    <Panel title="History" testId="history-panel">
      {h.error ? <p className="error">{errText(h.error)}</p> : null}
      <ol className="trail">
        {(h.data ?? [])
          .slice()
          .reverse()
          .map((e) => (
            <li key={e.id}>
              <span className="muted small-inline">{dayTime(e.at)}</span>
              <br />
              <strong>{e.actorName ?? e.actor}</strong> {ACTION_WORDS[e.action] ?? e.action}
              {detailOf(e) ? <span className="muted">: {detailOf(e)}</span> : null}
            </li>
          ))}
      </ol>
    </Panel>
  );
}

function detailOf(e: CaseEventRecord): string | null {
  const d = e.details;
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  switch (e.action) {
    case 'assigned':
      return s(d.toName) ? `to ${s(d.toName)}` : null;
    case 'planned':
      return s(d.sessionAt) ? `for ${dayTime(s(d.sessionAt))}` : null;
    case 'session':
      return Array.isArray(d.actions) ? `${d.actions.length} action${d.actions.length === 1 ? '' : 's'} agreed, follow-up ${day(s(d.followUpAt))}` : null;
    case 'action_added':
      return s(d.text);
    case 'action_status':
      return `${s(d.text) ?? ''} → ${s(d.to) ?? ''}`;
    case 'responded':
      return s(d.response);
    case 'closed':
      return `${OUTCOME_WORDS[d.outcome as CaseOutcome] ?? s(d.outcome) ?? ''}: ${s(d.reason) ?? ''}`;
    case 'signal': {
      const n = Array.isArray(d.evidenceContactIds) ? d.evidenceContactIds.length : 0;
      return `${s(d.day) ?? ''} · ${s(d.rule) ?? ''}${n > 0 ? ` · ${n} more evidence contact${n === 1 ? '' : 's'}` : ''}`;
    }
    default:
      return null;
  }
}
