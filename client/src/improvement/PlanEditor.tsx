/**
 * Editing an initiative's plan: root cause, actions (text, owner, resources, due date, status), success criteria (a
 * KPI, at least or at most a threshold, by a date), stakeholders, and the length of the before/after windows. Rates
 * are typed as percentages and sent as shares.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { INITIATIVE_KPIS, PLAN_ACTION_STATUSES, type InitiativeKpi, type PlanActionStatus } from '../../../shared/initiative-words.js';
import type { Initiative } from '../../../shared/initiatives.js';
import { api, errText } from '../api/http.js';
import { kpiLabel } from '../coaching/case-words.js';
import { enc, keys } from './parts.js';

interface DraftAction {
  id?: string;
  text: string;
  owner: string;
  resources: string;
  dueDate: string;
  status: PlanActionStatus;
}
interface DraftCriterion {
  kpi: InitiativeKpi;
  direction: 'up' | 'down';
  /** As typed: percent for rates, seconds for AHT. */
  threshold: string;
  byDate: string;
}

const isTime = (k: InitiativeKpi) => k === 'aht';
const GOOD_WAY: Record<InitiativeKpi, 'up' | 'down'> = { csat: 'up', fcrSurvey: 'up', serviceLevel: 'up', aht: 'down', abandonRate: 'down' };

export function PlanEditor({ i, onDone }: { i: Initiative; onDone: () => void }) {
  const qc = useQueryClient();
  const people = useQuery({ queryKey: ['initiative-people'], queryFn: async () => (await api<{ people: { id: string; name: string; role: string }[] }>('/api/v1/initiatives/people')).people });
  const [rootCause, setRootCause] = useState(i.rootCause);
  const [windowDays, setWindowDays] = useState(String(i.windowDays));
  const [actions, setActions] = useState<DraftAction[]>(i.actions.map((a) => ({ id: a.id, text: a.text, owner: a.owner, resources: a.resources, dueDate: a.dueDate, status: a.status })));
  const [criteria, setCriteria] = useState<DraftCriterion[]>(i.criteria.map((c) => ({ kpi: c.kpi, direction: c.direction, threshold: String(isTime(c.kpi) ? c.threshold : +(c.threshold * 100).toFixed(2)), byDate: c.byDate })));
  const [stakeholders, setStakeholders] = useState<string[]>(i.stakeholders.map((s) => s.userId));
  const fixed = i.status === 'implemented';
  const save = useMutation({
    mutationFn: () =>
      api(`/api/v1/initiatives/${enc(i.id)}`, {
        method: 'PATCH',
        body: {
          version: i.version,
          actions,
          ...(fixed
            ? {}
            : {
                rootCause,
                windowDays: Number(windowDays),
                stakeholders,
                criteria: criteria.map((c) => ({ kpi: c.kpi, direction: c.direction, byDate: c.byDate, threshold: isTime(c.kpi) ? Number(c.threshold) : Number(c.threshold) / 100 })),
              }),
        },
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: keys.detail(i.id) });
      onDone();
    },
  });
  const who = people.data ?? [];
  const setAction = (n: number, patch: Partial<DraftAction>) => setActions(actions.map((a, k) => (k === n ? { ...a, ...patch } : a)));
  const setCriterion = (n: number, patch: Partial<DraftCriterion>) => setCriteria(criteria.map((c, k) => (k === n ? { ...c, ...patch } : c)));
  const today = new Date().toISOString().slice(0, 10);
  return (
    <form
      className="form plan-editor"
      data-testid="plan-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {fixed ? <p className="muted small-inline">The change has been made: only the actions can still be updated.</p> : null}
      {!fixed ? (
        <label>
          Root cause
          <textarea value={rootCause} onChange={(e) => setRootCause(e.target.value)} rows={3} maxLength={4000} />
        </label>
      ) : null}
      <fieldset>
        <legend>Actions</legend>
        {actions.map((a, n) => (
          <div key={n} className="row action-row" role="group" aria-label={`Action ${n + 1}`}>
            <label>
              What will be done
              <input value={a.text} onChange={(e) => setAction(n, { text: e.target.value })} required minLength={5} maxLength={500} size={36} />
            </label>
            <label>
              Owner
              <select value={a.owner} onChange={(e) => setAction(n, { owner: e.target.value })} required>
                <option value="">Choose…</option>
                {who.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Resources
              <input value={a.resources} onChange={(e) => setAction(n, { resources: e.target.value })} maxLength={500} size={24} />
            </label>
            <label>
              Due
              <input type="date" value={a.dueDate} onChange={(e) => setAction(n, { dueDate: e.target.value })} required />
            </label>
            <label>
              Status
              <select value={a.status} onChange={(e) => setAction(n, { status: e.target.value as PlanActionStatus })}>
                {PLAN_ACTION_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="link align-end" onClick={() => setActions(actions.filter((_, k) => k !== n))}>
              Remove action {n + 1}
            </button>
          </div>
        ))}
        <button type="button" className="link" onClick={() => setActions([...actions, { text: '', owner: '', resources: '', dueDate: today, status: 'open' }])} disabled={actions.length >= 30}>
          + Add an action
        </button>
      </fieldset>
      {!fixed ? (
        <>
          <fieldset>
            <legend>Success criteria</legend>
            {criteria.map((c, n) => (
              <div key={n} className="row action-row" role="group" aria-label={`Criterion ${n + 1}`}>
                <label>
                  KPI
                  <select value={c.kpi} onChange={(e) => setCriterion(n, { kpi: e.target.value as InitiativeKpi, direction: GOOD_WAY[e.target.value as InitiativeKpi] })}>
                    {INITIATIVE_KPIS.map((k) => (
                      <option key={k} value={k}>
                        {kpiLabel(k)}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  Must be
                  <select value={c.direction} onChange={(e) => setCriterion(n, { direction: e.target.value as 'up' | 'down' })}>
                    <option value="up">at least</option>
                    <option value="down">at most</option>
                  </select>
                </label>
                <label>
                  Threshold ({isTime(c.kpi) ? 'seconds' : '%'})
                  <input type="number" step="any" min={0} value={c.threshold} onChange={(e) => setCriterion(n, { threshold: e.target.value })} required />
                </label>
                <label>
                  By
                  <input type="date" value={c.byDate} onChange={(e) => setCriterion(n, { byDate: e.target.value })} required />
                </label>
                <button type="button" className="link align-end" onClick={() => setCriteria(criteria.filter((_, k) => k !== n))}>
                  Remove criterion {n + 1}
                </button>
              </div>
            ))}
            <button type="button" className="link" onClick={() => setCriteria([...criteria, { kpi: 'csat', direction: 'up', threshold: '', byDate: today }])} disabled={criteria.length >= 10}>
              + Add a success criterion
            </button>
          </fieldset>
          <fieldset>
            <legend>Stakeholders (they comment and sign the plan off)</legend>
            <div className="row">
              {who.map((p) => (
                <label key={p.id} className="filter-option">
                  <input type="checkbox" checked={stakeholders.includes(p.id)} onChange={(e) => setStakeholders(e.target.checked ? [...stakeholders, p.id] : stakeholders.filter((s) => s !== p.id))} />
                  {p.name} <span className="muted">({p.role.replace('_', ' ')})</span>
                </label>
              ))}
            </div>
          </fieldset>
          <label className="inline">
            Days in each before/after window
            <input type="number" min={7} max={90} value={windowDays} onChange={(e) => setWindowDays(e.target.value)} />
          </label>
          {i.status === 'signed_off' || i.stakeholders.some((s) => s.signedOffAt) ? <p className="notice small-inline">Changing the plan withdraws the sign-offs given so far: stakeholders sign the new plan again.</p> : null}
        </>
      ) : null}
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          Save plan
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      {save.error ? <p className="error">{errText(save.error)}</p> : null}
    </form>
  );
}
