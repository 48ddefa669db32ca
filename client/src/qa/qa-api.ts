/** QA scorecards, standards and calibrations: one query key factory and one hook per resource (STYLE.md). */
import { useQuery } from '@tanstack/react-query';
import type { CalibrationDetail, CalibrationSummary } from '../../../shared/qa-calibration-api.js';
import type { ScorecardDetail, ScorecardSummaryView, StandardView } from '../../../shared/qa-scorecard-api.js';
import type { ScorecardTemplate } from '../../../shared/qa-templates.js';
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

