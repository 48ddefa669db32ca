/**
 * The QA API as the client uses it (issue 19): scorecards, standards and calibrations (one query key factory and one
 * hook per resource, STYLE.md), and evaluations (queries and writes, with the lists read again after a write).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CalibrationDetail, CalibrationSummary } from '../../../shared/qa-calibration-api.js';
import type { ScorecardDetail, ScorecardSummaryView, StandardView } from '../../../shared/qa-scorecard-api.js';
import type { ScorecardTemplate } from '../../../shared/qa-templates.js';
import type { EvaluationView } from '../../../shared/qa-evaluations.js';
import { METHOD_WORDS, type MonitoringMethod } from '../../../shared/qa-score.js';
import { api } from '../api/http.js';

export const qaKeys = {
  standards: ['qa', 'standards'] as const,
  scorecards: ['qa', 'scorecards'] as const,
  scorecard: (id: string) => ['qa', 'scorecards', id] as const,
  templates: ['qa', 'templates'] as const,
  calibrations: ['qa', 'calibrations'] as const,
  calibration: (id: string) => ['qa', 'calibrations', id] as const,
  evaluators: ['qa', 'calibration-evaluators'] as const,
};

export const useStandards = () => useQuery({ queryKey: qaKeys.standards, queryFn: async () => (await api<{ standards: StandardView[] }>('/api/v1/qa/standards?retired=true')).standards });
export const useScorecards = () => useQuery({ queryKey: qaKeys.scorecards, queryFn: async () => (await api<{ scorecards: ScorecardSummaryView[] }>('/api/v1/qa/scorecards?retired=true')).scorecards });
export const useScorecard = (id: string | null) =>
  useQuery({ queryKey: qaKeys.scorecard(id ?? ''), enabled: id !== null, queryFn: () => api<ScorecardDetail>(`/api/v1/qa/scorecards/${encodeURIComponent(id ?? '')}`) });
export const useTemplates = () => useQuery({ queryKey: qaKeys.templates, queryFn: async () => (await api<{ templates: ScorecardTemplate[] }>('/api/v1/qa/templates')).templates, staleTime: Infinity });
export const useCalibrations = () => useQuery({ queryKey: qaKeys.calibrations, queryFn: async () => (await api<{ calibrations: CalibrationSummary[] }>('/api/v1/qa/calibrations')).calibrations });
export const useCalibration = (id: string) => useQuery({ queryKey: qaKeys.calibration(id), queryFn: () => api<CalibrationDetail>(`/api/v1/qa/calibrations/${encodeURIComponent(id)}`) });

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
