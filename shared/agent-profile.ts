/**
 * The agent profile's contract (GET /api/v1/agents/:agentId/profile), shared by server and client: one agent's
 * weekly figures against their team, with honest uncertainty (DOMAIN.md section 5, the individual layer), their
 * recent QA evaluations and the coaching cases and recognitions about them. The weekly table and its CSV export are
 * built by one function here, so the file is exactly what the screen shows.
 */
import { formatKpi } from './kpi-format.js';
import { KPI_DEFINITIONS, type TargetStatus } from './kpis.js';

/** The KPIs on the profile: two survey rates, handle time and QA. */
export const PROFILE_KPIS = ['csat', 'fcrSurvey', 'aht', 'qa'] as const;
export type ProfileKpi = (typeof PROFILE_KPIS)[number];
/** How the profile's figures are estimated, per KPI. */
export const PROFILE_METHOD: Record<ProfileKpi, 'rate' | 'time' | 'score'> = { csat: 'rate', fcrSurvey: 'rate', aht: 'time', qa: 'score' };

export const PROFILE_DEFAULT_WEEKS = 12;
/** The longest period a profile covers (the weekly table and the charts stay readable). */
export const PROFILE_MAX_DAYS = 366;
export const PROFILE_QA_ROWS = 50;

export interface ProfileInterval {
  low: number;
  high: number;
}

/** The empirical-Bayes estimate: the agent's own figure pulled towards the team's by how little evidence it has. */
export interface ProfileShrunken {
  mean: number;
  /** 95% credible interval. */
  low: number;
  high: number;
  /** Weight on the agent's own figure (0-1): n ÷ (n + prior strength). */
  weight: number;
  /** The prior's centre: the team's pooled figure for the same period (null when the caller may not see the team's figures). */
  priorMean: number | null;
}

/** One KPI for one period: the agent's figure, its uncertainty and the team's. */
export interface ProfileFigure {
  /** As the KPI engine defines it (GET /api/v1/kpis gives the same value and n). AHT: the mean. */
  value: number | null;
  n: number;
  /** AHT only: the median alongside the mean. */
  median: number | null;
  /**
   * 95% interval: Wilson score interval for rates; for QA the mean ± 1.96 × the team's pooled within-agent SD over
   * the period ÷ √n; for AHT the mean ± 1.96 × SD ÷ √n. Null without data.
   */
  interval: ProfileInterval | null;
  /** Rates and QA: the shrunken estimate; null for AHT (no shrinkage) or when fewer than 2 team agents have data. */
  shrunken: ProfileShrunken | null;
  /** The team's figure for the same period; null when the caller may not see the team's figures. */
  team: { value: number | null; n: number } | null;
}

export interface ProfileWeek {
  start: string;
  end: string;
  /** Local date (YYYY-MM-DD) of the week's Monday in the centre's time zone. */
  label: string;
  /** The week has not ended yet. */
  partial: boolean;
  kpis: Record<ProfileKpi, ProfileFigure>;
}

export type ChangeVerdict = 'better' | 'worse' | 'unclear' | 'changed' | 'no-data';

export interface ProfileSummaryRow extends ProfileFigure {
  kpi: ProfileKpi;
  /** Place among the team's agents with data, by shrunken estimate in the KPI's good direction; null for AHT. */
  rank: { position: number; of: number } | null;
  previous: { value: number | null; n: number };
  /**
   * Against the previous period of equal length: the difference (this − previous) with a 95% interval where one can be
   * had (Newcombe for rates; for AHT and QA a normal interval on the difference of means); the verdict uses the KPI's
   * good direction ("changed" for AHT, which has none) and is "unclear" when the interval includes no change.
   */
  change: { delta: number; low: number | null; high: number | null; verdict: ChangeVerdict } | null;
  target: { threshold: number; direction: 'up' | 'down'; tolerance: number } | null;
  status: TargetStatus;
}

export interface ProfileQaRow {
  evaluatedAt: string;
  contactId: string;
  /** When the contact was offered (the week the KPI counts it in); null if the contact's offer is not stored. */
  contactAt: string | null;
  score: number;
  criticalFail: boolean;
  /** What the QA KPI counts: 0 for a critical fail, else the score. */
  counted: number;
}

export interface ProfileCase {
  id: string;
  kind: 'individual' | 'recognition';
  status: 'open' | 'closed';
  stage: 'new' | 'assigned' | 'planned' | 'held' | 'closed';
  kpi: string;
  rule: string;
  openedAt: string;
  closedAt: string | null;
  outcome: 'improved' | 'no_change' | 'escalated' | 'not_warranted' | null;
  response: 'acknowledged' | 'disputed' | null;
}

export interface AgentProfileReply {
  ok: true;
  agent: { id: string; name: string };
  team: { id: string; name: string } | null;
  timeZone: string;
  /** The period, whole local weeks (Monday start): [from, to). */
  from: string;
  to: string;
  /** The previous period of equal length (cut at the same point when this one is still running). */
  previousFrom: string;
  previousTo: string;
  /** Whether the caller may see the team's own figures (the team column, the prior's centre). */
  teamVisible: boolean;
  /** Agents in the team (the peers the prior is fitted from, the agent included). */
  teamAgents: number;
  summary: ProfileSummaryRow[];
  weeks: ProfileWeek[];
  qa: { rows: ProfileQaRow[]; total: number };
  cases: ProfileCase[];
  method: string;
}

/** A profile figure's cells as the screen shows them. */
function shownCells(kpi: ProfileKpi, f: ProfileFigure): { value: string; interval: string; shrunken: string; team: string } {
  const fmt = (v: number | null | undefined) => formatKpi(kpi, v ?? null);
  const value = f.value === null ? '–' : kpi === 'aht' && f.median !== null ? `${fmt(f.value)} (median ${fmt(f.median)})` : fmt(f.value);
  return {
    value,
    interval: f.interval ? `${fmt(f.interval.low)} to ${fmt(f.interval.high)}` : '–',
    shrunken: f.shrunken ? fmt(f.shrunken.mean) : '–',
    team: f.team ? (f.team.value === null ? '–' : `${fmt(f.team.value)} (n ${f.team.n})`) : 'not shown',
  };
}

export const WEEK_TABLE_HEADER = ['Week starting', 'KPI', 'Value', 'n', '95% interval', 'Shrunken estimate', 'Team'] as const;

/** The weekly table, KPI by KPI and week by week, as the profile page shows it and the CSV export writes it. */
export function weekTableRows(p: Pick<AgentProfileReply, 'weeks'>): string[][] {
  const rows: string[][] = [];
  for (const kpi of PROFILE_KPIS) {
    for (const w of p.weeks) {
      const f = w.kpis[kpi];
      const c = shownCells(kpi, f);
      rows.push([`${w.label}${w.partial ? ' (so far)' : ''}`, KPI_DEFINITIONS[kpi].label, c.value, String(f.n), c.interval, c.shrunken, c.team]);
    }
  }
  return rows;
}

/** "1st", "2nd", "3rd", "11th", "22nd". */
export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}
