/** Organisation directory: sites, teams, queues and agents (issue: spine, section 2). */
import { z } from 'zod';
import { CHANNELS, idV2 as id } from './events.js';

const name = z.string().min(1).max(200);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Close may be 24:00 (open until midnight); 00:00-24:00 is open all day. */
const closeTime = z.union([hhmm, z.literal('24:00')]);
const openingWindow = z
  .strictObject({ open: hhmm, close: closeTime })
  .refine((w) => w.open < w.close, { message: 'open must be before close', path: ['close'] });

/** Opening hours per weekday; a missing day means closed. */
export const openingHours = z.partialRecord(z.enum(WEEKDAYS), openingWindow);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const site = z.strictObject({
  id,
  name,
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London'),
  openingHours,
});

export const team = z.strictObject({ id, name, siteId: id });

export const queue = z.strictObject({
  id,
  name,
  channel: z.enum(CHANNELS),
  siteId: id.optional(),
  /** Service-level threshold T in seconds (DOMAIN.md section 3: voice 20 s, chat 60 s by default). */
  serviceLevelSeconds: z.number().int().min(1).max(7 * 24 * 3600),
});

export const agent = z.strictObject({ id, name, teamId: id });

export const directory = z
  .strictObject({
    sites: z.array(site).max(1_000),
    teams: z.array(team).max(10_000),
    queues: z.array(queue).max(10_000),
    agents: z.array(agent).max(100_000),
    /** The zone centre-wide figures (centre, channel, unsited queue) use for their days; default the first site's. */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').optional(),
    /**
     * Which handling agent a contact's survey, FCR and complaint are credited to when several agents handled it
     * (README "Legs and credit"): the last handling agent (default) or the first.
     */
    creditAgent: z.enum(['first', 'last']).optional(),
  })
  .superRefine((d, ctx) => {
    const unique = (kind: 'sites' | 'teams' | 'queues' | 'agents') => {
      const seen = new Set<string>();
      d[kind].forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [kind, i, 'id'], message: `duplicate id '${item.id}'` });
        seen.add(item.id);
      });
    };
    unique('sites');
    unique('teams');
    unique('queues');
    unique('agents');
    const siteIds = new Set(d.sites.map((s) => s.id));
    const teamIds = new Set(d.teams.map((t) => t.id));
    d.teams.forEach((t, i) => {
      if (!siteIds.has(t.siteId)) ctx.addIssue({ code: 'custom', path: ['teams', i, 'siteId'], message: `unknown site '${t.siteId}'` });
    });
    d.queues.forEach((q, i) => {
      if (q.siteId !== undefined && !siteIds.has(q.siteId)) {
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'siteId'], message: `unknown site '${q.siteId}'` });
      }
    });
    d.agents.forEach((a, i) => {
      if (!teamIds.has(a.teamId)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'teamId'], message: `unknown team '${a.teamId}'` });
    });
  });

export type Site = z.infer<typeof site>;
export type Team = z.infer<typeof team>;
export type Queue = z.infer<typeof queue>;
export type Agent = z.infer<typeof agent>;
export type Directory = z.infer<typeof directory>;

/** The four kinds of directory item, as they are named in the directory and in `/api/v1/directory/{kind}/:id`. */
export const DIRECTORY_KINDS = ['sites', 'teams', 'queues', 'agents'] as const;
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];
export type DirectoryItem<K extends DirectoryKind = DirectoryKind> = Directory[K][number];

/** One item's schema by kind: the same schemas the whole directory is validated with. */
export const DIRECTORY_ITEM_SCHEMAS = { sites: site, teams: team, queues: queue, agents: agent } as const;

/** One item in words ("team 't-billing'"), for messages and the audit trail. */
export const DIRECTORY_ITEM_NAMES: Record<DirectoryKind, string> = { sites: 'site', teams: 'team', queues: 'queue', agents: 'agent' };

/** `PUT /api/v1/directory/{kind}/:id`: 201 with created true when the item is new, 200 when it was changed. */
export interface DirectoryUpsertReply<K extends DirectoryKind = DirectoryKind> {
  ok: true;
  item: DirectoryItem<K>;
  created: boolean;
}

/** `DELETE /api/v1/directory/{kind}/:id`. */
export interface DirectoryRemoveReply {
  ok: true;
  removed: string;
}

/** Shown wherever an event names an agent, team or queue the directory does not know: kept, never dropped. */
export const UNASSIGNED = 'unassigned';

/** Default service-level thresholds by channel (DOMAIN.md section 3). */
export const DEFAULT_SERVICE_LEVEL_SECONDS: Record<(typeof CHANNELS)[number], number> = {
  voice: 20,
  chat: 60,
  email: 24 * 3600,
  messaging: 3600,
};
