/**
 * Evaluations as a table: score, method, date, the agent's response, with a link to each. Used on the agent profile,
 * the coaching case page and the QA worklist.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { EvaluationView } from '../../../shared/qa-evaluations.js';
import { errText } from '../api/http.js';
import { day, enc, evaluations, methodWords, scoreText } from './qa-api.js';
import { ResponseMark } from './ResponseMark.js';

export function EvaluationTable({ rows, showAgent = false, showExamples = false, testId }: { rows: EvaluationView[]; showAgent?: boolean; showExamples?: boolean; testId?: string }) {
  return (
    <div className="table-scroll">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th>Evaluation</th>
            {showAgent ? <th>Agent</th> : null}
            <th className="num">Score</th>
            <th>Method</th>
            <th>Date</th>
            <th>Response</th>
            {showExamples ? <th>Examples</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => {
            const positive = e.answers.filter((a) => a.example === 'positive').length;
            const negative = e.answers.filter((a) => a.example === 'negative').length;
            return (
              <tr key={e.id}>
                <td>
                  <Link to={`/qa/evaluations/${enc(e.id)}`}>Contact {e.contactId}</Link>
                  <span className="muted small-inline"> · {e.evaluatorName ?? 'someone'}</span>
                </td>
                {showAgent ? <td>{e.agentName ?? e.agentId}</td> : null}
                <td className="num">{scoreText(e.score, e.criticalFail)}</td>
                <td>{methodWords(e.method)}</td>
                <td>{day(e.submittedAt ?? e.updatedAt)}</td>
                <td>
                  <ResponseMark e={e} />
                </td>
                {showExamples ? (
                  <td>
                    {positive} positive, {negative} negative
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The evaluations of one agent the viewer may see (the agent: their own submitted ones). */
export function AgentEvaluations({ agentId }: { agentId: string }) {
  const q = useQuery({ queryKey: ['qa-evaluations', 'agent', agentId], queryFn: () => evaluations(`?agentId=${enc(agentId)}&limit=20`) });
  const rows = (q.data ?? []).filter((e) => e.status === 'submitted');
  return (
    <section className="panel" aria-labelledby="agent-evaluations-title">
      <h2 id="agent-evaluations-title">
        Quality evaluations <span className="charts-sub">{rows.length === 0 ? 'none yet' : `latest ${rows.length}`}</span>
      </h2>
      {q.error ? <p className="error">{errText(q.error)}</p> : null}
      {rows.length > 0 ? <EvaluationTable rows={rows} showExamples testId="agent-evaluations" /> : null}
    </section>
  );
}

/** The evaluations attached to a coaching case as evidence. */
export function CaseEvaluations({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: ['qa-evaluations', 'case', caseId], queryFn: () => evaluations(`?caseId=${enc(caseId)}`) });
  if (!q.data || q.data.length === 0) return null;
  return (
    <section className="panel case-panel" data-testid="case-evaluations">
      <h2>Quality evaluations attached</h2>
      <EvaluationTable rows={q.data} showExamples />
      <ul className="qa-examples">
        {q.data.flatMap((e) =>
          e.answers
            .filter((a) => a.example !== null)
            .map((a) => (
              <li key={`${e.id}-${a.key}`} className={`example-${a.example ?? ''}`}>
                <span aria-hidden="true">{a.example === 'positive' ? '✓ ' : '✗ '}</span>
                <strong>{a.example === 'positive' ? 'Positive example' : 'To change'}</strong> ({labelOf(e, a.key)}){a.note ? `: ${a.note}` : ''}
              </li>
            )),
        )}
      </ul>
    </section>
  );
}

function labelOf(e: EvaluationView, key: string): string {
  return e.definition?.sections.flatMap((s) => s.criteria).find((c) => c.key === key)?.label ?? key;
}
