/**
 * Quality monitoring (issue 19): this week's fair sample in my scope (the worklist: sampled contacts not evaluated
 * yet), my drafts, recent evaluations in my scope, and coverage per agent (sampled / evaluated), so a QA figure is
 * read with the sample behind it. Admins, managers and team leaders draw the week's sample here.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { Me } from '../../../shared/access.js';
import type { SamplesReply } from '../../../shared/qa-evaluations.js';
import { api, errText } from '../api/http.js';
import { EvaluationTable } from './EvaluationList.js';
import { enc, evaluations } from './qa-api.js';
import { QaTabs } from './QaTabs.js';
import { isoWeekBefore } from './weeks.js';

export function QaPage({ me }: { me: Me }) {
  const qc = useQueryClient();
  // null: this week in the centre's time zone; else an earlier ISO week (a Monday morning's sample is still empty).
  const [period, setPeriod] = useState<string | null>(null);
  const weekId = useId();
  const samples = useQuery({ queryKey: ['qa-samples', period], queryFn: () => api<SamplesReply>(`/api/v1/qa/samples${period ? `?period=${enc(period)}` : ''}`) });
  const thisWeek = useQuery({ queryKey: ['qa-samples', null], queryFn: () => api<SamplesReply>('/api/v1/qa/samples'), enabled: period !== null }).data?.period ?? (period === null ? samples.data?.period : undefined);
  const drafts = useQuery({ queryKey: ['qa-evaluations', 'drafts'], queryFn: () => evaluations('?view=drafts') });
  const recent = useQuery({ queryKey: ['qa-evaluations', 'scope'], queryFn: () => evaluations('?view=scope&limit=20') });
  // The evaluator is told of a dispute here (and in the evaluation's trail): their own evaluations the agent disputed.
  const mine = useQuery({ queryKey: ['qa-evaluations', 'mine'], queryFn: () => evaluations('?view=mine&limit=200') });
  const disputed = (mine.data ?? []).filter((e) => e.status === 'submitted' && e.response === 'disputed');
  const draw = useMutation({
    mutationFn: () => api<SamplesReply & { added: number }>('/api/v1/qa/samples', { method: 'POST', body: period ? { period } : {} }),
    onSuccess: (r) => qc.setQueryData(['qa-samples', period], r),
  });
  const mayDraw = me.role === 'admin' || me.role === 'manager' || me.role === 'team_leader';
  const s = samples.data;
  const todo = (s?.items ?? []).filter((i) => i.evaluationStatus !== 'submitted');
  return (
    <div className="page qa-page">
      <QaTabs />
      <h1>
        Quality monitoring <span className="sub">{s ? `week ${s.period}` : ''}</span>
      </h1>
      {disputed.length > 0 ? (
        <section className="panel qa-disputed" aria-labelledby="qa-disputed-title" data-testid="qa-disputed">
          <h2 id="qa-disputed-title">
            <span aria-hidden="true">⚑ </span>Disputed by the agent <span className="charts-sub">read the comment, listen again, and amend or explain</span>
          </h2>
          <EvaluationTable rows={disputed} showAgent />
        </section>
      ) : null}
      <section className="panel" aria-labelledby="qa-worklist-title">
        <h2 id="qa-worklist-title">
          To evaluate {period === null ? 'this week' : `in week ${period}`} <span className="charts-sub">a fair random sample of {s?.k ?? 2} contacts per agent</span>
        </h2>
        {thisWeek ? (
          <p className="row center">
            <label htmlFor={weekId}>Sampling week</label>
            <select
              id={weekId}
              value={period ?? ''}
              onChange={(e) => {
                draw.reset();
                setPeriod(e.target.value === '' ? null : e.target.value);
              }}
            >
              <option value="">This week ({thisWeek})</option>
              {[1, 2, 3, 4].map((n) => {
                const w = isoWeekBefore(thisWeek, n);
                return (
                  <option key={w} value={w}>
                    {n === 1 ? `Last week (${w})` : w}
                  </option>
                );
              })}
            </select>
          </p>
        ) : null}
        {samples.error ? <p className="error">{errText(samples.error)}</p> : null}
        {s && !s.drawn ? <p className="muted">The sample for {period === null ? 'this week' : `week ${period}`} has not been drawn yet.</p> : null}
        {mayDraw ? (
          <div className="row">
            <button type="button" onClick={() => draw.mutate()} disabled={draw.isPending}>
              {period === null ? 'Draw this week’s sample' : `Draw the sample for ${period}`}
            </button>
            {draw.data ? (
              <span className="muted" role="status">
                {draw.data.added === 0 ? 'Nothing new to draw: every agent in your scope has their sample for the week (an agent who handled no contacts yet has none).' : `${draw.data.added} contact${draw.data.added === 1 ? '' : 's'} added to the sample.`}
              </span>
            ) : null}
          </div>
        ) : null}
        {draw.error ? (
          <p className="error" role="alert">
            {errText(draw.error)}
          </p>
        ) : null}
        {todo.length > 0 ? (
          <div className="table-scroll">
            <table data-testid="qa-worklist">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Contact</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {todo.map((i) => (
                  <tr key={i.sampleId}>
                    <td>{i.agentName ?? i.agentId}</td>
                    <td>
                      <Link to={`/contacts/${enc(i.contactId)}`}>Contact {i.contactId}</Link>
                    </td>
                    <td>
                      {i.evaluationId ? (
                        <Link to={`/qa/evaluations/${enc(i.evaluationId)}`}>
                          <span aria-hidden="true">✎ </span>Draft in progress
                        </Link>
                      ) : (
                        <Link to={`/contacts/${enc(i.contactId)}`}>
                          <span aria-hidden="true">○ </span>Not started: open and evaluate
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : s?.drawn ? (
          <p className="muted">
            <span aria-hidden="true">✓ </span>Every sampled contact in your scope is evaluated.
          </p>
        ) : null}
      </section>
      <div className="panels">
        <section className="panel" aria-labelledby="qa-coverage-title">
          <h2 id="qa-coverage-title">
            Coverage {period === null ? 'this week' : `in week ${period}`} <span className="charts-sub">read a QA figure with its sample</span>
          </h2>
          {s && s.coverage.length > 0 ? (
            <div className="table-scroll">
              <table data-testid="qa-coverage">
                <thead>
                  <tr>
                    <th>Agent</th>
                    <th className="num">Handled</th>
                    <th className="num">Sampled</th>
                    <th className="num">Evaluated</th>
                    <th className="num">Mean QA (sample)</th>
                  </tr>
                </thead>
                <tbody>
                  {s.coverage.map((c) => (
                    <tr key={c.agentId}>
                      <td>
                        <Link to={`/agents/${enc(c.agentId)}`}>{c.agentName ?? c.agentId}</Link>
                      </td>
                      <td className="num">{c.handled}</td>
                      <td className="num">{c.sampled}</td>
                      <td className="num">
                        {c.evaluated} of {c.sampled}
                      </td>
                      <td className="num">{c.meanScore === null ? '–' : `${c.meanScore.toFixed(1)} (n = ${c.evaluated})`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No agents in your scope.</p>
          )}
        </section>
        <section className="panel" aria-labelledby="qa-drafts-title">
          <h2 id="qa-drafts-title">My drafts</h2>
          {drafts.data && drafts.data.length > 0 ? (
            <ul className="plain-list">
              {drafts.data.map((d) => (
                <li key={d.id}>
                  <Link to={`/qa/evaluations/${enc(d.id)}`}>
                    {d.agentName ?? d.agentId}, contact {d.contactId}
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No drafts.</p>
          )}
        </section>
      </div>
      <section className="panel" aria-labelledby="qa-recent-title">
        <h2 id="qa-recent-title">Recent evaluations in your scope</h2>
        {recent.error ? <p className="error">{errText(recent.error)}</p> : null}
        {recent.data && recent.data.length > 0 ? <EvaluationTable rows={recent.data} showAgent testId="qa-recent" /> : <p className="muted">None yet.</p>}
      </section>
    </div>
  );
}

