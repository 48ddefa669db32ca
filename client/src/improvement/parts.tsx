/**
 * Small parts of the improvement initiative pages, shared with the case page and the review page: the verdict in
 * words and a symbol (never colour alone), figures, the list of initiatives with their results, and the form that
 * opens one from a systemic case or a review's recommendation.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { STATUS_WORDS, OUTCOME_WORDS, VERDICT_WORDS, type InitiativeVerdict } from '../../../shared/initiative-words.js';
import type { InitiativeHeadline, InitiativeSummary } from '../../../shared/initiatives.js';
import { api, errText } from '../api/http.js';
import { useScopeNames } from '../coaching/case-words.js';

export const enc = encodeURIComponent;
export const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
export const secs = (v: number | null) => (v === null ? '–' : `${Math.round(v)} s`);
export const pts = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} pts`);
export const times = (v: number | null) => (v === null ? '–' : `×${v.toFixed(2)}`);

export function Verdict({ v }: { v: InitiativeVerdict | InitiativeHeadline }) {
  const w = v === 'mixed' ? { text: 'mixed', icon: '◆' } : VERDICT_WORDS[v];
  return (
    <span className={`verdict initiative-verdict-${v}`}>
      <span aria-hidden="true">{w.icon}</span> {w.text}
    </span>
  );
}

export const keys = {
  list: (filter: Record<string, string>) => ['initiatives', filter] as const,
  detail: (id: string) => ['initiative', id] as const,
  results: (id: string, version: number) => ['initiative', id, 'results', version] as const,
};

export function useInitiatives(filter: Record<string, string>) {
  const qs = new URLSearchParams({ ...filter, results: '1' }).toString();
  return useQuery({ queryKey: keys.list(filter), queryFn: async () => (await api<{ initiatives: InitiativeSummary[] }>(`/api/v1/initiatives?${qs}`)).initiatives });
}

export function InitiativeTable({ rows }: { rows: InitiativeSummary[] }) {
  const name = useScopeNames();
  if (rows.length === 0) return <p className="muted">No initiatives yet.</p>;
  return (
    <table data-testid="initiative-table">
      <thead>
        <tr>
          <th>Initiative</th>
          <th>Scope</th>
          <th>Status</th>
          <th>Change made</th>
          <th>Before / after</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => (
          <tr key={i.id}>
            <td>
              <Link to={`/initiatives/${i.id}`}>{i.title}</Link>
            </td>
            <td>{name(i.scope)}</td>
            <td>{i.status === 'closed' && i.outcome ? `Closed: ${OUTCOME_WORDS[i.outcome]}` : STATUS_WORDS[i.status]}</td>
            <td>{i.changeDate ?? '–'}</td>
            <td>{i.headline ? <Verdict v={i.headline.verdict} /> : <span className="muted">measured after the change</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Origin = { kind: 'review'; reviewId: string; index: number } | { kind: 'case'; caseId: string } | { kind: 'manual'; scope: string };

/** A button that unfolds a short form: title and problem; the server freezes the evidence and opens a draft. */
export function OpenInitiative({ origin, title, problem, label = 'Open an improvement initiative' }: { origin: Origin; title: string; problem: string; label?: string }) {
  const [open, setOpen] = useState(false);
  const [t, setT] = useState(title.slice(0, 200));
  const [p, setP] = useState(problem.slice(0, 4000));
  const navigate = useNavigate();
  const go = useMutation({
    mutationFn: () => api<{ id: string }>('/api/v1/initiatives', { method: 'POST', body: { title: t, problem: p, origin } }),
    onSuccess: (r) => void navigate(`/initiatives/${r.id}`),
  });
  if (!open)
    return (
      <button type="button" className="secondary small-button no-print" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  return (
    <form
      className="form initiative-open no-print"
      onSubmit={(e) => {
        e.preventDefault();
        go.mutate();
      }}
    >
      <label>
        Initiative title
        <input value={t} onChange={(e) => setT(e.target.value)} required minLength={3} maxLength={200} />
      </label>
      <label>
        Problem statement
        <textarea value={p} onChange={(e) => setP(e.target.value)} rows={3} required minLength={10} maxLength={4000} />
      </label>
      <div className="row">
        <button type="submit" disabled={go.isPending}>
          Open initiative
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {go.error ? <p className="error">{errText(go.error)}</p> : null}
    </form>
  );
}
