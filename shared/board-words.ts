/**
 * What the wall view needs of wallboards besides their types: tile kinds and their words, and how a tile's target is
 * keyed. Kept apart from boards.ts (its zod schemas are for the editor and the server) so the wall, often a weak
 * screen computer, does not download a validation library to show a board.
 */
import type { KpiName } from './kpis.js';

export const TILE_KINDS = ['kpi', 'trend', 'queue', 'agents', 'comments', 'coaching', 'alerts'] as const;
export type TileKind = (typeof TILE_KINDS)[number];

export const TILE_LABELS: Record<TileKind, string> = {
  kpi: 'KPI against target',
  trend: 'Trend against target',
  queue: 'Queues now',
  agents: 'Agents: state and status',
  comments: 'Latest customer comments',
  coaching: 'Open coaching cases',
  alerts: 'Alert ticker (targets off)',
};

export function targetKey(scope: string, kpi: KpiName): string {
  return `${scope}|${kpi}`;
}
