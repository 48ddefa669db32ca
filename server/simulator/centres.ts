/**
 * Simulated centres of any size: the default 45-agent Leeds centre, or a multi-site centre in several time zones
 * built from a spec (agents, sites and their zones, team size, channels, shift pattern) or a named preset.
 *
 * A generated directory describes itself, so a restart on a stored directory simulates the same centre without the
 * spec: each site is split into service lines of about LINE_AGENTS agents, every line has the default centre's four
 * queues (`<site>-l<n>-voice-billing`, `-voice-tech`, `-chat-general`, `-email-support`) and teams of three kinds
 * (`<site>-l<n>-billing-<k>`, `-tech-`, `-digital-`) skilled as the default centre's Billing, Technical Support and
 * Digital & Email teams. The queue suffix picks the default queue's contact reasons and effects, and the team kind its
 * skills, so a line is the default centre's mix at whatever size the site has. Agents work only their own site's
 * queues; a queue crosses the teams of its line (a queue-wide problem still crosses teams).
 */
import { directory as directorySchema, type Directory, type Site, type Weekday } from '../../shared/directory.js';
import type { Channel } from '../../shared/events.js';
import { defaultCentreDirectory, DEFAULT_TEAM_SKILLS } from './centre.js';

/** Agents per service line: a line is a block of teams sharing four queues (a product line in a real centre). */
export const LINE_AGENTS = 300;

export const SHIFT_PATTERNS = ['standard', 'extended', 'always'] as const;
export type ShiftPattern = (typeof SHIFT_PATTERNS)[number];

export interface SiteSpec {
  id: string;
  name: string;
  timeZone: string;
  /** Share of the centre's agents at this site (default: equal shares). */
  weight?: number;
  /** Overrides the centre's shift pattern for this site (an offshore site open late, say). */
  pattern?: ShiftPattern;
}

export interface CentreSpec {
  agents: number;
  sites: SiteSpec[];
  /** Agents per team (default 15, as in the default centre). */
  teamSize?: number;
  /** Channels the centre serves (default voice, chat and email). */
  channels?: Channel[];
  /**
   * Opening hours: standard (Mon-Fri 08:00-20:00, Sat 09:00-17:00), extended (every day 07:00-23:00) or always
   * (24x7, three eight-hour shifts a day).
   */
  pattern?: ShiftPattern;
}

const LEEDS: SiteSpec = { id: 'leeds', name: 'Leeds', timeZone: 'Europe/London' };
const MANILA: SiteSpec = { id: 'manila', name: 'Manila', timeZone: 'Asia/Manila', pattern: 'extended' };
const AUSTIN: SiteSpec = { id: 'austin', name: 'Austin', timeZone: 'America/Chicago' };

/** Named centres: `SIM_CENTRE=medium` or `npm run simulate -- --centre large`. `default` is the 45-agent centre. */
export const CENTRE_PRESETS = {
  default: undefined,
  /** About 1,000 agents over three sites in three zones. */
  medium: { agents: 1_000, sites: [{ ...LEEDS, weight: 2 }, MANILA, AUSTIN] },
  /** A 5,000-agent enterprise centre: five sites in four zones, about 100,000 contacts a weekday. */
  large: {
    agents: 5_000,
    sites: [
      { ...LEEDS, weight: 1.5 },
      { id: 'glasgow', name: 'Glasgow', timeZone: 'Europe/London' },
      { ...MANILA, weight: 1.5 },
      AUSTIN,
      { id: 'cape-town', name: 'Cape Town', timeZone: 'Africa/Johannesburg' },
    ],
  },
} as const satisfies Record<string, CentreSpec | undefined>;
export type CentrePreset = keyof typeof CENTRE_PRESETS;
export const CENTRE_PRESET_NAMES = Object.keys(CENTRE_PRESETS) as CentrePreset[];

const OPENING: Record<ShiftPattern, Site['openingHours']> = {
  standard: {
    mon: { open: '08:00', close: '20:00' }, tue: { open: '08:00', close: '20:00' }, wed: { open: '08:00', close: '20:00' },
    thu: { open: '08:00', close: '20:00' }, fri: { open: '08:00', close: '20:00' }, sat: { open: '09:00', close: '17:00' },
  },
  extended: Object.fromEntries((['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Weekday[]).map((d) => [d, { open: '07:00', close: '23:00' }])),
  always: Object.fromEntries((['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Weekday[]).map((d) => [d, { open: '00:00', close: '24:00' }])),
};

/** The default centre's queues, by the suffix a generated queue id ends with. */
const QUEUE_KINDS = [
  { suffix: 'voice-billing', name: 'Billing (voice)', channel: 'voice', serviceLevelSeconds: 20 },
  { suffix: 'voice-tech', name: 'Technical support (voice)', channel: 'voice', serviceLevelSeconds: 20 },
  { suffix: 'chat-general', name: 'Web chat', channel: 'chat', serviceLevelSeconds: 60 },
  { suffix: 'email-support', name: 'Email support', channel: 'email', serviceLevelSeconds: 86_400 },
] as const;

const TEAM_KINDS = [
  { kind: 'billing', name: 'Billing' },
  { kind: 'tech', name: 'Technical Support' },
  { kind: 'digital', name: 'Digital & Email' },
] as const;

const GENERATED_TEAM = /^(.+)-(billing|tech|digital)-\d+$/;

/**
 * The default queue id a queue stands for (its contact reasons and effects): itself in the default centre, or the
 * default queue whose id a generated queue's id ends with.
 */
export function queueTemplate(queueId: string): string {
  for (const k of QUEUE_KINDS) if (queueId === k.suffix || queueId.endsWith(`-${k.suffix}`)) return k.suffix;
  return queueId;
}

/** A generated team's queues, most preferred first, or undefined for a team not named as generated ones are. */
export function generatedTeamSkills(teamId: string): string[] | undefined {
  const m = GENERATED_TEAM.exec(teamId);
  if (!m) return undefined;
  const [, line, kind] = m;
  return DEFAULT_TEAM_SKILLS[kind as string]?.map((q) => `${line}-${q}`);
}

// Names: 80 x 72 distinct pairs before a number is needed; mixed as a British, Filipino, American and South African
// workforce would be. Deterministic in the agent's index.
const FIRST = [
  'Sarah', 'James', 'Priya', 'Mohammed', 'Emma', 'Daniel', 'Aisha', 'Thomas', 'Chloe', 'Liam', 'Rebecca', 'Jack', 'Hannah',
  'Ryan', 'Zara', 'Oliver', 'Amelia', 'Harry', 'Sophie', 'Kieran', 'Jessica', 'Callum', 'Megan', 'Imran', 'Lauren', 'Ethan',
  'Grace', 'Bethany', 'Nathan', 'Ellie', 'Rhys', 'Charlotte', 'Adam', 'Jade', 'Samuel', 'Katie', 'Ravi', 'Lucy', 'Connor',
  'Fatima', 'Joseph', 'Holly', 'Ben', 'Olivia', 'Dylan', 'Maria', 'Jose', 'Angelica', 'Mark', 'Kristine', 'Paolo', 'Joy',
  'Miguel', 'Camille', 'Rafael', 'Andrea', 'Carlos', 'Ashley', 'Tyler', 'Brianna', 'Marcus', 'Jasmine', 'Austin', 'Destiny',
  'Luis', 'Kayla', 'Thabo', 'Naledi', 'Sipho', 'Lerato', 'Pieter', 'Anika', 'Zanele', 'Kagiso', 'Ayesha', 'Ruan', 'Mpho',
  'Lindiwe', 'Johan', 'Nomsa',
];
const LAST = [
  'Thompson', 'Walker', 'Patel', 'Hussain', 'Clarke', 'Wright', 'Begum', 'Hughes', 'Robinson', "O'Connor", 'Lewis', 'Turner',
  'Wood', 'Mitchell', 'Ahmed', 'Bennett', 'Hall', 'Jackson', 'Green', 'Doyle', 'Harris', 'Fraser', 'Evans', 'Khan', 'Baker',
  'Morris', 'Foster', 'Shaw', 'Price', 'Ward', 'Jones', 'Cooper', 'Richardson', 'Bailey', 'Cox', 'Marshall', 'Sharma', 'Ellis',
  'Murphy', 'Ali', 'Santos', 'Reyes', 'Cruz', 'Bautista', 'Garcia', 'Mendoza', 'Villanueva', 'Ramos', 'Aquino', 'Castillo',
  'Johnson', 'Williams', 'Brown', 'Davis', 'Miller', 'Wilson', 'Moore', 'Taylor', 'Anderson', 'Martinez', 'Nkosi', 'Dlamini',
  'Mokoena', 'Botha', 'Van der Merwe', 'Naidoo', 'Mthembu', 'Pillay', 'Ndlovu', 'Pretorius', 'Khumalo', 'Jacobs',
];

function agentName(i: number): string {
  const first = FIRST[i % FIRST.length] as string;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
  const round = Math.floor(i / (FIRST.length * LAST.length));
  return round === 0 ? `${first} ${last}` : `${first} ${last} ${round + 1}`;
}

/** Whole numbers proportional to weights, summing to total (largest remainder). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, n) => s + n, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i] = (out[i] as number) + 1;
  }
  return out;
}

/** A centre's directory from its spec; validated as any directory is. */
export function buildCentreDirectory(spec: CentreSpec): Directory {
  const teamSize = spec.teamSize ?? 15;
  const channels = new Set<Channel>(spec.channels ?? ['voice', 'chat', 'email']);
  if (!Number.isInteger(spec.agents) || spec.agents < 1 || spec.agents > 100_000) throw new Error('agents must be a whole number from 1 to 100,000');
  if (spec.sites.length === 0) throw new Error('a centre needs at least one site');
  if (!Number.isInteger(teamSize) || teamSize < 2 || teamSize > 100) throw new Error('team size must be a whole number from 2 to 100');
  if (new Set(spec.sites.map((s) => s.id)).size !== spec.sites.length) throw new Error('site ids must be distinct');
  const kinds = QUEUE_KINDS.filter((k) => channels.has(k.channel));
  if (kinds.length === 0) throw new Error('channels must include voice, chat or email');
  const perSite = apportion(spec.agents, spec.sites.map((s) => s.weight ?? 1));

  const dir: Directory = { sites: [], teams: [], queues: [], agents: [] };
  let agentIndex = 0;
  spec.sites.forEach((site, s) => {
    const siteAgents = perSite[s] as number;
    if (siteAgents === 0) return;
    dir.sites.push({ id: site.id, name: site.name, timeZone: site.timeZone, openingHours: OPENING[site.pattern ?? spec.pattern ?? 'standard'] });
    const lines = Math.max(1, Math.round(siteAgents / LINE_AGENTS));
    apportion(siteAgents, Array.from({ length: lines }, () => 1)).forEach((lineAgents, l) => {
      const line = `${site.id}-l${l + 1}`;
      const lineName = lines > 1 ? `${site.name} ${l + 1}` : site.name;
      for (const k of kinds) dir.queues.push({ id: `${line}-${k.suffix}`, name: `${k.name}, ${lineName}`, channel: k.channel, siteId: site.id, serviceLevelSeconds: k.serviceLevelSeconds });
      const teams = Math.max(1, Math.round(lineAgents / teamSize));
      apportion(lineAgents, Array.from({ length: teams }, () => 1)).forEach((size, t) => {
        const kind = TEAM_KINDS[t % TEAM_KINDS.length] as (typeof TEAM_KINDS)[number];
        const n = Math.floor(t / TEAM_KINDS.length) + 1;
        const id = `${line}-${kind.kind}-${n}`;
        dir.teams.push({ id, name: `${kind.name} ${n}, ${lineName}`, siteId: site.id });
        for (let a = 0; a < size; a++, agentIndex++) dir.agents.push({ id: `a-${String(agentIndex + 1).padStart(5, '0')}`, name: agentName(agentIndex), teamId: id });
      });
    });
  });
  return directorySchema.parse(dir);
}

/** The directory for a preset name: `default` is the 45-agent centre. */
export function presetDirectory(name: CentrePreset): Directory {
  const spec = CENTRE_PRESETS[name];
  return spec === undefined ? defaultCentreDirectory() : buildCentreDirectory(spec);
}

/**
 * Parses `leeds:Europe/London,manila:Asia/Manila:extended` (id, IANA zone, optional shift pattern, optional weight
 * after `*`: `leeds:Europe/London*2`) into site specs; names are the ids capitalised.
 */
export function parseSites(text: string): SiteSpec[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [body, weightText] = part.split('*') as [string, string | undefined];
      const [id, timeZone, pattern] = body.split(':');
      if (!id || !/^[a-z0-9][a-z0-9-]{0,30}$/.test(id)) throw new Error(`site "${part}": id must be lower-case letters, digits and dashes`);
      if (!timeZone) throw new Error(`site "${part}": give a time zone, as in leeds:Europe/London`);
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone });
      } catch {
        throw new Error(`site "${part}": ${timeZone} is not an IANA time zone`);
      }
      if (pattern !== undefined && !(SHIFT_PATTERNS as readonly string[]).includes(pattern)) throw new Error(`site "${part}": pattern must be one of ${SHIFT_PATTERNS.join(', ')}`);
      const weight = weightText === undefined ? undefined : Number(weightText);
      if (weight !== undefined && !(weight > 0)) throw new Error(`site "${part}": weight after * must be a positive number`);
      const name = id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
      return { id, name, timeZone, ...(pattern ? { pattern: pattern as ShiftPattern } : {}), ...(weight ? { weight } : {}) };
    });
}

export interface CentreOptions {
  preset?: CentrePreset;
  agents?: number;
  sites?: SiteSpec[];
  teamSize?: number;
  channels?: Channel[];
  pattern?: ShiftPattern;
}

/**
 * The directory for a preset with overrides (agents, sites, team size, channels, pattern). No options at all, or the
 * default preset alone, is the default centre exactly.
 */
export function centreDirectory(o: CentreOptions = {}): Directory {
  const base: CentreSpec | undefined = CENTRE_PRESETS[o.preset ?? 'default'];
  const overridden = o.agents !== undefined || o.sites !== undefined || o.teamSize !== undefined || o.channels !== undefined || o.pattern !== undefined;
  if (!base && !overridden) return defaultCentreDirectory();
  const spec: CentreSpec = {
    agents: o.agents ?? base?.agents ?? 45,
    sites: o.sites ?? (base ? [...base.sites] : [LEEDS]),
    ...(o.teamSize !== undefined ? { teamSize: o.teamSize } : {}),
    ...(o.channels !== undefined ? { channels: o.channels } : {}),
    ...(o.pattern !== undefined ? { pattern: o.pattern } : {}),
  };
  return buildCentreDirectory(spec);
}
