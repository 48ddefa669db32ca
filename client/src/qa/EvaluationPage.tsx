/**
 * One evaluation (issue 19): the contact (its timeline, the customer's comment, the legs' notes or transcript) beside
 * the card. The evaluator fills in a draft (method, answers with positive/negative examples and notes, summary) and
 * submits it; once submitted it is read-only, the agent acknowledges or disputes it, the evaluator (or a manager)
 * amends it with a reason, and a case editor attaches it to a coaching case about the agent.
 */
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { CaseSummary, Me } from '../../../shared/access.js';
import type { ContactRecord } from '../../../shared/contacts.js';
import type { EvaluationEventView, EvaluationView } from '../../../shared/qa-evaluations.js';
import { MONITORING_METHODS, type Answer, type MonitoringMethod } from '../../../shared/qa-score.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { describe, notesOf } from '../drilldown/ContactsPages.js';
import { dayTime, enc, methodWords, scoreText, useEvaluationWrite } from './qa-api.js';
import { ResponseMark } from './ResponseMark.js';
import { ScorecardAnswers } from './ScorecardAnswers.js';

export function EvaluationPage({ me }: { me: Me }) {
  const { evaluationId = '' } = useParams();
  const q = useQuery({ queryKey: ['qa-evaluation', evaluationId], queryFn: async () => (await api<{ evaluation: EvaluationView }>(`/api/v1/qa/evaluations/${enc(evaluationId)}`)).evaluation });
  if (q.error) return <p className="page error">{errText(q.error)}</p>;
  if (!q.data) return <p className="page muted">Loading…</p>;
  const e = q.data;
  const editing = e.status === 'draft' && e.evaluatorId === me.id;
  return (
    <div className="page qa-page">
      <p>
        <Link to={me.role === 'agent' ? `/agents/${enc(e.agentId)}` : '/qa'}>{me.role === 'agent' ? '← My profile' : '← Quality monitoring'}</Link>
      </p>
      <h1>
        Evaluation of {e.agentName ?? e.agentId}{' '}
        <span className="muted small-inline">
          contact {e.contactId} · {e.scorecardName ?? 'scorecard'} v{e.scorecardVersion} · {e.status === 'draft' ? 'draft' : `submitted ${dayTime(e.submittedAt)}`}
          {e.revision > 1 ? ` · amended (revision ${e.revision})` : ''}
        </span>
      </h1>
      <div className="qa-grid">
        <ContactPanel contactId={e.contactId} />
        <div className="case-main">
          {editing ? <DraftForm key={e.version} e={e} /> : <Submitted e={e} me={me} />}
        </div>
      </div>
    </div>
  );
}

function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="panel case-panel" data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** What the evaluator reads: the contact's summary, the customer's comment, the notes or transcript, the timeline. */
function ContactPanel({ contactId }: { contactId: string }) {
  const rec = useQuery({ queryKey: ['contact', contactId], queryFn: () => api<ContactRecord>(`/api/v1/contacts/${enc(contactId)}`) });
  const dir = useDirectory();
  const agentName = (id: string) => dir.data?.agents.find((a) => a.id === id)?.name ?? id;
  if (rec.error) return <Panel title="The contact">{<p className="error">{errText(rec.error)}</p>}</Panel>;
  if (!rec.data) return <Panel title="The contact">{<p className="muted">Loading…</p>}</Panel>;
  const c = rec.data.contact;
  const notes = notesOf(rec.data.timeline, c.revision);
  return (
    <div className="case-main">
      <Panel title="The contact" testId="qa-contact">
        <p>
          <Link to={`/contacts/${enc(c.contactId)}`}>Contact {c.contactId}</Link> · {dayTime(c.offeredAt)} · {c.channel ?? '–'} · queue {c.queueId ?? '–'}
        </p>
        <p>
          <strong>Customer said:</strong> {c.csatLabel !== null ? `CSAT ${c.csatLabel}` : 'no survey'}
          {c.resolved !== null ? `, ${c.resolved ? 'resolved' : 'not resolved'}` : ''}
          {c.comment ? <span className="prewrap"> — “{c.comment}”</span> : null}
        </p>
        {notes.length > 0 ? (
          <>
            <h3>Notes or transcript</h3>
            <p className="prewrap qa-transcript" data-testid="qa-notes">
              {notes.join('\n\n')}
            </p>
          </>
        ) : (
          <p className="muted small-inline">The source sent no notes or transcript for this contact.</p>
        )}
      </Panel>
      <Panel title="Timeline">
        <ol className="trail">
          {rec.data.timeline.map((ev) => (
            <li key={ev.id}>
              <span className="muted small-inline">{dayTime(ev.occurredAt)}</span>
              <br />
              {describe(ev, agentName)}
            </li>
          ))}
        </ol>
      </Panel>
    </div>
  );
}

function MethodPicker({ value, onChange }: { value: MonitoringMethod; onChange: (m: MonitoringMethod) => void }) {
  return (
    <fieldset className="qa-method">
      <legend>Monitoring method</legend>
      <div className="qa-choices" role="radiogroup" aria-label="Monitoring method">
        {MONITORING_METHODS.map((m) => (
          <label key={m} className="check">
            <input type="radio" name="qa-method" checked={value === m} onChange={() => onChange(m)} />
            {methodWords(m)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function DraftForm({ e }: { e: EvaluationView }) {
  const write = useEvaluationWrite(e.id);
  const [answers, setAnswers] = useState<Answer[]>(e.answers);
  const [summary, setSummary] = useState(e.summary ?? '');
  const [method, setMethod] = useState<MonitoringMethod>(e.method);
  const body = { version: e.version, answers, summary, method };
  if (!e.definition) return <p className="error">The scorecard version this evaluation uses is missing.</p>;
  return (
    <Panel title="Score the contact" testId="qa-form">
      <form className="form" onSubmit={(ev) => ev.preventDefault()}>
        <MethodPicker value={method} onChange={setMethod} />
        <ScorecardAnswers definition={e.definition} answers={answers} onChange={setAnswers} />
        <label>
          Summary for the agent (what went well, what to change)
          <textarea value={summary} onChange={(ev) => setSummary(ev.target.value)} rows={3} maxLength={4000} />
        </label>
        <div className="row">
          <button type="button" onClick={() => write.mutate({ method: 'POST', path: '/submit', body })} disabled={write.isPending}>
            Submit evaluation
          </button>
          <button type="button" className="secondary" onClick={() => write.mutate({ method: 'PUT', path: '', body })} disabled={write.isPending}>
            Save draft
          </button>
        </div>
        {write.error ? (
          <p className="error" role="alert">
            {errText(write.error)}
          </p>
        ) : null}
      </form>
    </Panel>
  );
}

function Submitted({ e, me }: { e: EvaluationView; me: Me }) {
  const isAgent = me.role === 'agent' && me.agentId === e.agentId;
  const mayAmend = e.status === 'submitted' && (e.evaluatorId === me.id || me.role === 'admin' || me.role === 'manager');
  const mayAttach = e.status === 'submitted' && (me.role === 'manager' || me.role === 'team_leader' || me.role === 'coach');
  return (
    <>
      <Panel title={e.status === 'draft' ? 'Draft (not yet submitted)' : 'The evaluation'} testId="qa-evaluation">
        <p className="qa-score" data-testid="qa-score">
          Score <strong>{scoreText(e.score, e.criticalFail)}</strong> · {methodWords(e.method)} · by {e.evaluatorName ?? 'an evaluator'}
        </p>
        {e.summary ? <p className="prewrap">{e.summary}</p> : null}
        {e.definition ? <ScorecardAnswers definition={e.definition} answers={e.answers} readOnly /> : null}
      </Panel>
      {e.status === 'submitted' ? <ResponsePanel e={e} isAgent={isAgent} /> : null}
      {mayAmend ? <AmendPanel key={e.version} e={e} /> : null}
      {mayAttach ? <AttachPanel e={e} /> : null}
      <HistoryPanel e={e} />
    </>
  );
}

function ResponsePanel({ e, isAgent }: { e: EvaluationView; isAgent: boolean }) {
  const write = useEvaluationWrite(e.id);
  const [comment, setComment] = useState('');
  const send = (response: 'acknowledged' | 'disputed') => write.mutate({ method: 'POST', path: '/response', body: { version: e.version, response, comment } });
  return (
    <Panel title={isAgent ? 'Your response' : "The agent's response"} testId="qa-response">
      <p data-testid="qa-response-state">
        <ResponseMark e={e} /> {e.respondedAt ? dayTime(e.respondedAt) : ''}
        {e.responseComment ? <span className="prewrap"> · “{e.responseComment}”</span> : null}
      </p>
      {isAgent ? (
        <form className="form" onSubmit={(ev) => ev.preventDefault()}>
          <label>
            Comment (needed if you dispute)
            <textarea value={comment} onChange={(ev) => setComment(ev.target.value)} rows={2} />
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
      ) : null}
      {write.error ? (
        <p className="error" role="alert">
          {errText(write.error)}
        </p>
      ) : null}
    </Panel>
  );
}

function AmendPanel({ e }: { e: EvaluationView }) {
  const write = useEvaluationWrite(e.id);
  const [answers, setAnswers] = useState<Answer[]>(e.answers);
  const [summary, setSummary] = useState(e.summary ?? '');
  const [reason, setReason] = useState('');
  if (!e.definition) return null;
  return (
    <Panel title="Amend" testId="qa-amend">
      <details>
        <summary>Amend this evaluation (after a dispute, say)</summary>
        <form className="form" onSubmit={(ev) => ev.preventDefault()}>
          <ScorecardAnswers definition={e.definition} answers={answers} onChange={setAnswers} />
          <label>
            Summary
            <textarea value={summary} onChange={(ev) => setSummary(ev.target.value)} rows={2} maxLength={4000} />
          </label>
          <label>
            Why it is amended
            <textarea value={reason} onChange={(ev) => setReason(ev.target.value)} rows={2} maxLength={2000} />
          </label>
          <div className="row">
            <button type="button" onClick={() => write.mutate({ method: 'POST', path: '/amend', body: { version: e.version, answers, summary, reason } })} disabled={write.isPending}>
              Save the amendment
            </button>
          </div>
          {write.error ? (
            <p className="error" role="alert">
              {errText(write.error)}
            </p>
          ) : null}
        </form>
      </details>
    </Panel>
  );
}

function AttachPanel({ e }: { e: EvaluationView }) {
  const write = useEvaluationWrite(e.id);
  const cases = useQuery({ queryKey: ['cases', 'open'], queryFn: async () => (await api<{ cases: CaseSummary[] }>('/api/v1/cases?status=open')).cases });
  const mine = (cases.data ?? []).filter((c) => c.agentId === e.agentId && c.kind !== 'systemic');
  const [caseId, setCaseId] = useState('');
  return (
    <Panel title="Coaching evidence" testId="qa-attach">
      {e.caseId ? (
        <p>
          Attached to <Link to={`/cases/${enc(e.caseId)}`}>coaching case {e.caseId.slice(0, 8)}</Link>.
        </p>
      ) : (
        <p className="muted">Not attached to a coaching case.</p>
      )}
      {mine.length > 0 ? (
        <form className="form" onSubmit={(ev) => ev.preventDefault()}>
          <div className="row">
            <label className="grow">
              Open case about {e.agentName ?? e.agentId}
              <select value={caseId} onChange={(ev) => setCaseId(ev.target.value)}>
                <option value="">Choose a case</option>
                {mine.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.kpi} · opened {c.openedAt.slice(0, 10)} · {c.stage}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" disabled={caseId === '' || write.isPending} onClick={() => write.mutate({ method: 'POST', path: '/attach', body: { version: e.version, caseId } })}>
              Attach as evidence
            </button>
          </div>
        </form>
      ) : null}
      {write.error ? (
        <p className="error" role="alert">
          {errText(write.error)}
        </p>
      ) : null}
    </Panel>
  );
}

const ACTION_WORDS: Record<string, string> = { created: 'Started', saved: 'Draft saved', submitted: 'Submitted', amended: 'Amended', acknowledged: 'Acknowledged by the agent', disputed: 'Disputed by the agent', attached: 'Attached to a coaching case' };

function HistoryPanel({ e }: { e: EvaluationView }) {
  const q = useQuery({ queryKey: ['qa-evaluation', e.id, 'history', e.version], queryFn: async () => (await api<{ events: EvaluationEventView[] }>(`/api/v1/qa/evaluations/${enc(e.id)}/history`)).events });
  return (
    <Panel title="History" testId="qa-history">
      <ol className="trail">
        {(q.data ?? []).map((x, i) => (
          <li key={i}>
            <span className="muted small-inline">{dayTime(x.at)}</span>
            <br />
            {ACTION_WORDS[x.action] ?? x.action} · {x.actorName ?? x.actor}
            {typeof x.details?.reason === 'string' ? <span className="prewrap"> — “{x.details.reason}”</span> : null}
            {typeof x.details?.comment === 'string' ? <span className="prewrap"> — “{x.details.comment}”</span> : null}
          </li>
        ))}
      </ol>
    </Panel>
  );
}
