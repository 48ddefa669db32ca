/** Targets (admins and managers): SMART fields, and how often each was met over the last 90 days. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Directory } from '../../../shared/directory.js';
import { formatKpi } from '../../../shared/kpi-format.js';
import { KPI_DEFINITIONS, KPI_NAMES, type Attainment, type KpiName, type Target } from '../../../shared/kpis.js';
import { api, errText } from '../api/http.js';


export function TargetsPage({ canEdit }: { canEdit: boolean }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['targets'], queryFn: () => api<{ targets: (Target & { attainment: Attainment })[]; today: string }>('/api/v1/targets') });
  const dir = useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/v1/targets/${id}`, { method: 'DELETE' }), onSuccess: () => void qc.invalidateQueries({ queryKey: ['targets'] }) });
  return (
    <div className="page">
      <h1>Targets</h1>
      <p className="muted">
        A target is SMART: one KPI and scope, a threshold and direction, a tolerance band, the dates it applies, a review date, an owner and the
        objective it serves. The most specific target in force applies (agent, team, site, centre). "Met" shows how often it would have been met
        over the last 90 days: a target almost never met is a system question, not a people one.
      </p>
      <div className="panels">
        <div className="panel">
          <table>
            <thead>
              <tr>
                <th>KPI</th>
                <th>Scope</th>
                <th>Target</th>
                <th>In force</th>
                <th>Review</th>
                <th>Owner</th>
                <th className="num">Met (90 days)</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list.data?.targets ?? []).map((t) => (
                <tr key={t.id} title={t.objective}>
                  <td>{KPI_DEFINITIONS[t.kpi].label}</td>
                  <td>{t.scope}</td>
                  <td>
                    {t.direction === 'up' ? '≥' : '≤'} {formatKpi(t.kpi, t.threshold)} <span className="muted">tolerance {KPI_DEFINITIONS[t.kpi].unit === 'fraction' ? `${(t.tolerance * 100).toFixed(1)} pts` : formatKpi(t.kpi, t.tolerance)}</span>
                  </td>
                  <td>
                    {t.effectiveFrom} → {t.effectiveTo ?? 'open'}
                  </td>
                  <td className={list.data && t.reviewDate < list.data.today ? 'error' : ''}>{t.reviewDate}</td>
                  <td>{t.owner}</td>
                  <td className="num" data-testid={`attainment-${t.id}`}>
                    {t.attainment.metShare === null ? 'no data' : `${Math.round(t.attainment.metShare * 100)}% of ${t.attainment.daysWithData} days`}
                  </td>
                  <td>
                    {canEdit ? (
                      <button type="button" className="link" onClick={() => remove.mutate(t.id)}>
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {errText(list.error ?? remove.error) ? <p className="error">{errText(list.error ?? remove.error)}</p> : null}
        </div>
        {canEdit ? <NewTarget dir={dir.data} onDone={() => void qc.invalidateQueries({ queryKey: ['targets'] })} /> : null}
      </div>
    </div>
  );
}

function NewTarget({ dir, onDone }: { dir: Directory | undefined; onDone: () => void }) {
  const today = new Date().toISOString().slice(0, 10);
  const [f, setF] = useState({ kpi: 'csat' as KpiName, scope: 'centre', threshold: '80', direction: 'up' as 'up' | 'down', tolerance: '5', effectiveFrom: today, effectiveTo: '', reviewDate: '', owner: '', objective: '' });
  const unit = KPI_DEFINITIONS[f.kpi].unit;
  const toValue = (s: string) => (unit === 'fraction' ? Number(s) / 100 : Number(s));
  const create = useMutation({
    mutationFn: () =>
      api('/api/v1/targets', {
        method: 'POST',
        body: { ...f, threshold: toValue(f.threshold), tolerance: toValue(f.tolerance), effectiveTo: f.effectiveTo || null },
      }),
    onSuccess: onDone,
  });
  const scopes = ['centre', ...(dir?.sites ?? []).map((s) => `site:${s.id}`), ...(dir?.teams ?? []).map((t) => `team:${t.id}`), ...(dir?.queues ?? []).map((q) => `queue:${q.id}`)];
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <form
      className="panel form"
      aria-label="New target"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>New target</h2>
      <label>
        KPI
        <select
          value={f.kpi}
          onChange={(e) => {
            const kpi = e.target.value as KpiName;
            setF({ ...f, kpi, direction: KPI_DEFINITIONS[kpi].direction === 'down' ? 'down' : 'up' });
          }}
        >
          {KPI_NAMES.map((k) => (
            <option key={k} value={k}>
              {KPI_DEFINITIONS[k].label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Scope
        <select value={f.scope} onChange={set('scope')}>
          {scopes.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <div className="row">
        <label>
          Direction
          <select value={f.direction} onChange={set('direction')}>
            <option value="up">at or above</option>
            <option value="down">at or below</option>
          </select>
        </label>
        <label>
          Threshold {unit === 'fraction' ? '(%)' : unit === 'seconds' ? '(s)' : ''}
          <input value={f.threshold} onChange={set('threshold')} inputMode="decimal" required />
        </label>
        <label>
          Tolerance {unit === 'fraction' ? '(points)' : ''}
          <input value={f.tolerance} onChange={set('tolerance')} inputMode="decimal" required />
        </label>
      </div>
      <div className="row">
        <label>
          From
          <input type="date" value={f.effectiveFrom} onChange={set('effectiveFrom')} required />
        </label>
        <label>
          To (optional)
          <input type="date" value={f.effectiveTo} onChange={set('effectiveTo')} />
        </label>
        <label>
          Review on
          <input type="date" value={f.reviewDate} onChange={set('reviewDate')} required />
        </label>
      </div>
      <label>
        Owner
        <input value={f.owner} onChange={set('owner')} required />
      </label>
      <label>
        Objective it serves
        <input value={f.objective} onChange={set('objective')} placeholder="Customers get their answer on the first call" required />
      </label>
      {errText(create.error) ? <p className="error">{errText(create.error)}</p> : null}
      <button type="submit" disabled={create.isPending}>
        Set target
      </button>
    </form>
  );
}
