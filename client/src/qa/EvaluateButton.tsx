/**
 * On a contact's page: its evaluations the viewer may see, and for someone who may evaluate its agent, "Evaluate":
 * choose the scorecard, the agent (the handling agent first) and the monitoring method, then score it on its own page.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { EvaluationOptions, EvaluationView } from '../../../shared/qa-evaluations.js';
import { MONITORING_METHODS, type MonitoringMethod } from '../../../shared/qa-score.js';
import { api, errText } from '../api/http.js';
import { EvaluationTable } from './EvaluationList.js';
import { enc, methodWords } from './qa-api.js';

export function ContactEvaluations({ contactId }: { contactId: string }) {
  const navigate = useNavigate();
  const q = useQuery({ queryKey: ['qa-evaluations', 'options', contactId], queryFn: () => api<EvaluationOptions>(`/api/v1/qa/evaluation-options?contactId=${enc(contactId)}`) });
  const [scorecardId, setScorecardId] = useState('');
  const [agentId, setAgentId] = useState('');
  const [method, setMethod] = useState<MonitoringMethod>('recorded_call');
  const start = useMutation({
    mutationFn: (body: { contactId: string; scorecardId: string; agentId?: string; method: MonitoringMethod }) => api<{ evaluation: EvaluationView }>('/api/v1/qa/evaluations', { method: 'POST', body }),
    onSuccess: (r) => void navigate(`/qa/evaluations/${enc(r.evaluation.id)}`),
  });
  const o = q.data;
  if (!o) return q.error ? <p className="error">{errText(q.error)}</p> : null;
  const card = scorecardId || o.scorecards[0]?.id || '';
  const agent = agentId || o.agents[0]?.id || '';
  return (
    <section className="panel qa-contact-panel" aria-labelledby="contact-qa-title" data-testid="contact-qa">
      <h2 id="contact-qa-title">Quality evaluation</h2>
      {o.evaluations.length > 0 ? <EvaluationTable rows={o.evaluations} showAgent /> : <p className="muted">Not evaluated yet.</p>}
      {o.canEvaluate ? (
        o.scorecards.length === 0 ? (
          <p className="muted">No scorecard is in use yet: a manager authors one first.</p>
        ) : (
          <form className="form" onSubmit={(e) => e.preventDefault()}>
            <div className="row">
              <label>
                Scorecard
                <select value={card} onChange={(e) => setScorecardId(e.target.value)}>
                  {o.scorecards.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} (v{c.currentVersion})
                    </option>
                  ))}
                </select>
              </label>
              {o.agents.length > 1 ? (
                <label>
                  Agent evaluated
                  <select value={agent} onChange={(e) => setAgentId(e.target.value)}>
                    {o.agents.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name ?? a.id}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              <label>
                Monitoring method
                <select value={method} onChange={(e) => setMethod(e.target.value as MonitoringMethod)}>
                  {MONITORING_METHODS.map((m) => (
                    <option key={m} value={m}>
                      {methodWords(m)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="row">
              <button type="button" disabled={start.isPending || card === ''} onClick={() => start.mutate({ contactId, scorecardId: card, method, ...(agent ? { agentId: agent } : {}) })}>
                Evaluate this contact
              </button>
            </div>
            {start.error ? (
              <p className="error" role="alert">
                {errText(start.error)}
              </p>
            ) : null}
          </form>
        )
      ) : null}
    </section>
  );
}
