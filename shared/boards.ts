/**
 * Wallboards: named layouts of tiles for wall-mounted screens, and rotations through them. Shared by the editor, the
 * server that stores and checks them, and the wall view that renders them.
 */
import { z } from 'zod';
import { scopeText } from './access.js';
import { KPI_NAMES, type Target, type TargetStatus } from './kpis.js';
import { LIVE_WINDOWS } from './live.js';
import { TILE_KINDS } from './board-words.js';

// The tile words live in a zod-free module the wall view imports directly (its first load stays small).
export { TILE_KINDS, TILE_LABELS, targetKey, type TileKind } from './board-words.js';

/** Trend tiles: today by hour, or the last 7 or 30 days by day. */
export const TREND_RANGES = ['today', '7d', '30d'] as const;

const tileId = z.string().regex(/^[a-z0-9-]{1,40}$/, 'tile ids are 1-40 lower-case letters, digits or dashes');

export const tileSchema = z.strictObject({
  id: tileId,
  kind: z.enum(TILE_KINDS),
  /** Scope text as in the API: centre, site:ID, team:ID, queue:ID, channel:NAME, agent:ID. */
  scope: z.string().max(200).refine((s) => scopeText.safeParse(s).success, 'scope must be centre or kind:ID (site, team, queue, channel, agent)'),
  window: z.enum(LIVE_WINDOWS).default('today'),
  /** The KPI of a kpi, trend or agents tile. */
  kpi: z.enum(KPI_NAMES).optional(),
  range: z.enum(TREND_RANGES).optional(),
  /** Grid placement: columns and rows spanned (the board is a 12 × 6 grid filled in order). */
  w: z.int().min(1).max(12).default(3),
  h: z.int().min(1).max(6).default(2),
  title: z.string().trim().max(60).optional(),
});
export type Tile = z.output<typeof tileSchema>;

export const boardBody = z
  .strictObject({
    name: z.string().trim().min(1).max(80),
    tiles: z.array(tileSchema).min(1).max(24),
    /** A tile whose data is older than this shows itself stale. */
    staleAfterSeconds: z.int().min(5).max(3600).default(30),
  })
  .superRefine((b, ctx) => {
    const ids = new Set<string>();
    b.tiles.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tiles', i, 'id'], message: `tile id ${t.id} is used twice` });
      ids.add(t.id);
      if (t.kind === 'agents' && !/^(centre|site:|team:)/.test(t.scope)) ctx.addIssue({ code: 'custom', path: ['tiles', i, 'scope'], message: 'an agents tile shows the agents of the centre, a site or a team' });
      if ((t.kind === 'kpi' || t.kind === 'trend' || t.kind === 'agents') && t.kpi === undefined) ctx.addIssue({ code: 'custom', path: ['tiles', i, 'kpi'], message: `a ${t.kind} tile needs a kpi` });
    });
    const area = b.tiles.reduce((s, t) => s + t.w * t.h, 0);
    if (area > 72) ctx.addIssue({ code: 'custom', path: ['tiles'], message: `the tiles cover ${area} cells; a board has 72 (12 columns × 6 rows)` });
  });
export type BoardBody = z.output<typeof boardBody>;

export interface Board extends BoardBody {
  id: string;
  createdBy: string;
  updatedAt: string;
}

export const rotationBody = z.strictObject({
  name: z.string().trim().min(1).max(80),
  items: z
    .array(z.strictObject({ boardId: z.string().min(1).max(40), dwellSeconds: z.int().min(5).max(3600) }))
    .min(1)
    .max(20),
});
export type RotationBody = z.output<typeof rotationBody>;

export interface Rotation extends RotationBody {
  id: string;
  createdBy: string;
  updatedAt: string;
}

/** What a screen shows: one board, a rotation, or (null) the centre pulse. */
export const showsText = z.union([z.string().regex(/^(board|rotation):[A-Za-z0-9_-]{1,40}$/), z.null()]);

export const displayShowsBody = z.strictObject({
  shows: showsText,
  /** Soft reload once a day at this local hour, as a last safety net; null (default) never reloads. */
  reloadHour: z.int().min(0).max(23).nullable().default(null),
});

/** GET /api/v1/wall: everything a paired screen needs to lay itself out. */
export interface WallConfig {
  display: { id: string; name: string; scopes: string[] };
  /** The boards in rotation order with their dwell; one board has dwellSeconds null (no rotation). */
  boards: { board: Board; dwellSeconds: number | null }[];
  /** Target in force today for each (scope, KPI) the boards use, keyed `scope|kpi`. */
  targets: Record<string, Target | null>;
  /** Tiles this screen may not show (scope outside what it was granted), keyed `boardId|tileId`. */
  refused: Record<string, string>;
  reloadHour: number | null;
  timeZone: string;
}


/** GET /api/v1/wall/tiles/:boardId/:tileId: the REST-fed tiles. */
export type TileData =
  | { kind: 'trend'; points: { start: string; value: number | null; n: number }[]; granularity: string }
  | { kind: 'agents'; agents: { id: string; name: string; state: string | null; value: number | null; n: number; status: TargetStatus }[] }
  | { kind: 'comments'; comments: { at: string; csat: number | null; text: string }[] }
  | { kind: 'coaching'; open: number; unassigned: number };
