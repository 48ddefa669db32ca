/** The Sources API (shared/sources.ts) as react-query hooks, and the keys a change invalidates. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { SOURCES_API, type DeadLetter, type SeenValueRow, type SourceSummary } from '../../../shared/sources.js';
import { api } from '../api/http.js';

/** Health moves on by itself: lists refresh every few seconds while the page is visible (react-query stops in a hidden tab). */
export const LIVE_MS = 4_000;

export const sourceKeys = {
  all: ['sources'] as const,
  list: ['sources', 'list'] as const,
  one: (id: string) => ['sources', 'one', id] as const,
  seen: (id: string) => ['sources', 'seen', id] as const,
  deadLetters: (id: string, status: string) => ['sources', 'dead-letters', id, status] as const,
};

export const sourcePath = (id: string, rest = '') => `${SOURCES_API}/${encodeURIComponent(id)}${rest}`;

export function useSources() {
  return useQuery({ queryKey: sourceKeys.list, queryFn: async () => (await api<{ sources: SourceSummary[] }>(SOURCES_API)).sources, refetchInterval: LIVE_MS });
}

export function useSource(id: string) {
  return useQuery({ queryKey: sourceKeys.one(id), queryFn: async () => (await api<{ source: SourceSummary }>(sourcePath(id))).source, refetchInterval: LIVE_MS });
}

export function useSeen(id: string) {
  return useQuery({ queryKey: sourceKeys.seen(id), queryFn: async () => (await api<{ values: SeenValueRow[] }>(sourcePath(id, '/seen'))).values, refetchInterval: 3 * LIVE_MS });
}

export function useDeadLetters(id: string, status: 'held' | 'replayed' | 'discarded' = 'held') {
  return useQuery({
    queryKey: sourceKeys.deadLetters(id, status),
    queryFn: () => api<{ deadLetters: DeadLetter[]; total: number }>(sourcePath(id, `/dead-letters?status=${status}`)),
    refetchInterval: 2 * LIVE_MS,
  });
}

/** After any change to a source: its summary, the list, what it has seen and its dead letters. */
export function useRefreshSources(): () => Promise<void> {
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: sourceKeys.all });
  };
}
