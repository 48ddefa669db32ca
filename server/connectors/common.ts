/**
 * Mapping rules every platform shares (issue 16): one place that applies a source's mapping tables, so each
 * platform's mapper only reads its own record shapes. Pure functions.
 */
import type { Channel } from '../../shared/channels.js';
import { DEFAULT_STATE_MAP, foldStateName } from '../../shared/contract-v2.js';
import type { AgentState } from '../../shared/events.js';
import type { SourceMapping } from '../../shared/sources.js';
import type { KnownIds, MapOutcome, SeenValue } from './types.js';

/** Collects what a record named and why it cannot be mapped; a mapper returns `unmapped` when `problems` is not empty. */
export class MappingRun {
  readonly seen: SeenValue[] = [];
  readonly problems: string[] = [];

  constructor(
    readonly mapping: SourceMapping,
    private readonly known?: KnownIds,
  ) {}

  /**
   * A platform agent id (and readable label) → Frontline agent id: the table by id, then by label; else the label when
   * it is a Frontline agent and the id is not (a login named as the directory names the agent); else the id as is.
   */
  agent(platformId: string, label?: string): string {
    this.seen.push({ kind: 'agent', value: platformId, ...(label ? { label } : {}) });
    const hit = this.mapping.agents[platformId] ?? (label !== undefined ? this.mapping.agents[label] : undefined) ?? byLabel(this.known?.agents, platformId, label);
    if (hit !== undefined) return hit;
    if (this.mapping.strictAgents) this.problems.push(`agent ${JSON.stringify(platformId)}${label ? ` (${label})` : ''} is not mapped to a Frontline agent (strict agents is on): add it to the source's agent mapping`);
    return platformId;
  }

  /** A platform queue id (and name) → Frontline queue id: the table by id, then by name, then the name when it is a Frontline queue and the id is not, then the id as is. */
  queue(platformId: string, name?: string): string {
    this.seen.push({ kind: 'queue', value: platformId, ...(name ? { label: name } : {}) });
    const hit = this.mapping.queues[platformId] ?? (name !== undefined ? this.mapping.queues[name] : undefined) ?? byLabel(this.known?.queues, platformId, name);
    if (hit !== undefined) return hit;
    if (this.mapping.strictQueues) this.problems.push(`queue ${JSON.stringify(platformId)}${name ? ` (${name})` : ''} is not mapped to a Frontline queue (strict queues is on): add it to the source's queue mapping`);
    return platformId;
  }

  /** A platform channel name → Frontline channel: the table, then the platform's defaults; unknown is a problem. */
  channel(name: string, defaults: Readonly<Record<string, Channel>>): Channel | undefined {
    this.seen.push({ kind: 'channel', value: name });
    const hit = this.mapping.channels[name] ?? defaults[name] ?? defaults[name.toLowerCase()];
    if (hit === undefined) this.problems.push(`channel ${JSON.stringify(name)} is not mapped: map it to one of voice, chat, email, messaging on the source's mapping`);
    return hit;
  }

  /**
   * A platform agent state or activity name → a standard state: the source's table (exact, then folded), the
   * platform's defaults, then Frontline's defaults (shared/contract-v2.ts). Unknown is a problem (a mapping fixes it).
   */
  state(name: string, defaults: Readonly<Record<string, AgentState>> = {}): AgentState | undefined {
    this.seen.push({ kind: 'state', value: name });
    const folded = foldStateName(name);
    const fromTable = this.mapping.states[name] ?? Object.entries(this.mapping.states).find(([k]) => foldStateName(k) === folded)?.[1];
    const hit = fromTable ?? defaults[name] ?? DEFAULT_STATE_MAP[folded];
    if (hit === undefined) this.problems.push(`agent state ${JSON.stringify(name)} is not mapped: map it to one of available, busy, wrap, break, offline on the source's mapping`);
    return hit;
  }

  /** Wrap-up / disposition codes → resolved: any code mapped false makes the contact unresolved; else resolvedByDefault. */
  resolved(codes: readonly string[]): boolean {
    let anyMapped: boolean | undefined;
    for (const code of codes) {
      this.seen.push({ kind: 'wrapCode', value: code });
      const v = this.mapping.wrapCodes[code];
      if (v === false) return false;
      if (v === true) anyMapped = true;
    }
    return anyMapped ?? this.mapping.resolvedByDefault;
  }

  /** The record's outcome: `unmapped` with every problem at once, or the events. */
  finish(events: Record<string, unknown>[], warnings: string[] = []): MapOutcome {
    if (this.problems.length > 0) return { ok: false, reason: 'unmapped', reasons: [...this.problems], seen: this.seen };
    return { ok: true, events, seen: this.seen, ...(warnings.length > 0 ? { warnings } : {}) };
  }
}

function byLabel(known: ReadonlySet<string> | undefined, id: string, label: string | undefined): string | undefined {
  return known && label !== undefined && !known.has(id) && known.has(label) ? label : undefined;
}

/** A malformed record: what was expected, as the platform's documentation describes it. */
export function malformed(...reasons: string[]): MapOutcome {
  return { ok: false, reason: 'malformed', reasons };
}

/** Seconds between two instants (ISO strings or epoch ms), never negative; undefined when either is missing. */
export function secondsBetween(from: string | number | null | undefined, to: string | number | null | undefined): number | undefined {
  if (from === undefined || from === null || to === undefined || to === null) return undefined;
  const a = typeof from === 'number' ? from : Date.parse(from);
  const b = typeof to === 'number' ? to : Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return Math.max(0, (b - a) / 1000);
}

/** An ISO-8601 instant from a platform time (ISO string or epoch ms), or undefined when it does not parse. */
export function isoOf(t: string | number | null | undefined): string | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
