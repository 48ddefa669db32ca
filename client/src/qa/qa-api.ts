/** The QA evaluation API as the client uses it (issue 19): queries and writes, with the lists read again after a write. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { EvaluationView } from '../../../shared/qa-evaluations.js';
import { METHOD_WORDS, type MonitoringMethod } from '../../../shared/qa-score.js';
import { api } from '../api/http.js';

export const enc = encodeURIComponent;

export async function evaluations(query: string): Promise<EvaluationView[]> {
  return (await api<{ evaluations: EvaluationView[] }>(`/api/v1/qa/evaluations${query}`)).evaluations;
}

export function useEvaluationWrite(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (w: { method: 'PUT' | 'POST'; path: string; body: unknown }) => api<{ evaluation: EvaluationView }>(`/api/v1/qa/evaluations/${enc(id)}${w.path}`, { method: w.method, body: w.body }),
    onSuccess: (r) => qc.setQueryData(['qa-evaluation', id], r.evaluation),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: ['qa-evaluations'] });
      await qc.invalidateQueries({ queryKey: ['qa-samples'] });
      // The contact's timeline shows the qa.evaluated event a submission or amendment sent.
      await qc.invalidateQueries({ queryKey: ['contact'] });
      await qc.invalidateQueries({ queryKey: ['qa-evaluation', id, 'history'] });
    },
  });
}

export const methodWords = (m: MonitoringMethod): string => METHOD_WORDS[m];

/** A score as people read it: one decimal at most. */
export function scoreText(score: number | null, criticalFail: boolean | null): string {
  if (score === null) return '–';
  const s = Number.isInteger(score) ? String(score) : score.toFixed(1);
  return criticalFail ? `${s} → 0 (critical item failed)` : s;
}

export const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : '–');
export const dayTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '–');
