/** Words and small helpers the coaching pages share: names for scopes and people, KPI labels, dates. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { CaseKind } from '../../../shared/access.js';
import { withNames } from '../../../shared/coaching-words.js';
import type { Directory } from '../../../shared/directory.js';
import { KPI_DEFINITIONS, type KpiName } from '../../../shared/kpis.js';
import { api } from '../api/http.js';

export const KIND_WORDS: Record<CaseKind, { title: string; short: string; lead: string }> = {
  individual: { title: 'Individual coaching cases', short: 'Coaching', lead: 'An agent changed against peers on the same queues, with enough volume, while the team showed no concern on the same KPI.' },
  systemic: { title: 'Systemic reviews', short: 'Systemic review', lead: 'Several people moved at once, or a team chart shows a special cause: a system question for the team leader or manager, not a personal one.' },
  recognition: { title: 'Recognitions', short: 'Recognition', lead: 'Improvements beyond what chance explains: worth recognising and learning from.' },
};

export const kpiLabel = (k: string) => (k in KPI_DEFINITIONS ? KPI_DEFINITIONS[k as KpiName].label : k === 'fcrSurvey' ? 'FCR (survey)' : k);

/** A text figure of a case, or the fallback. */
export const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

export function useDirectory() {
  return useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory, staleTime: 60_000 });
}

/** Names scopes: "Asha Patel", "Team Billing", "Queue Web chat". */
export function useScopeNames(): (scope: string) => string {
  const dir = useDirectory();
  return (scope: string) => {
    const [kind, id] = scope.split(':') as [string, string | undefined];
    if (kind === 'agent') return dir.data?.agents.find((a) => a.id === id)?.name ?? id ?? scope;
    if (kind === 'team') return `Team ${dir.data?.teams.find((t) => t.id === id)?.name ?? id ?? ''}`;
    if (kind === 'queue') return `Queue ${dir.data?.queues.find((q) => q.id === id)?.name ?? id ?? ''}`;
    if (kind === 'channel') return `the ${id ?? ''} channel`;
    return scope;
  };
}

/** A case's explanation with current names in place of its `{agent:ID}`-style tokens. */
export function useExplanation(): (explanation: unknown, fallback: string) => string {
  const name = useScopeNames();
  return (explanation, fallback) => withNames(text(explanation, fallback), name);
}

export const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : '–');
export const dayTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) : '–');

/** `<input type="datetime-local">` value for an instant, in the browser's zone. */
export function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An instant from a datetime-local or date input (a bare date means 17:00 that day); null when empty or invalid. */
export function fromInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(/T/.test(v) ? v : `${v}T17:00`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The time now, refreshed every minute (render stays pure: due and overdue marks move on by themselves). */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
