/**
 * Words for the Sources pages (issue 16), kept pure so they can be unit-tested: a source's status, how long ago, lag,
 * why records were rejected, what a mapping change did, and which unmapped values held records back.
 */
import type { DeadLetter, SeenValueRow, SourceHealth, SourceMapping, SourceRejectReason } from '../../../shared/sources.js';

export type SourceStatus = SourceHealth['status'];

/** Status in words with a symbol: the colour only adds to them (WCAG 1.4.1). */
export const STATUS_WORDS: Record<SourceStatus, { text: string; icon: string; explain: string }> = {
  waiting: { text: 'Waiting', icon: '◌', explain: 'No record has arrived yet.' },
  healthy: { text: 'Healthy', icon: '●', explain: 'Records are arriving and being stored.' },
  lagging: { text: 'Lagging', icon: '▲', explain: 'Records arrive late: the platform is behind, or the source was quiet for a while.' },
  failing: { text: 'Failing', icon: '✕', explain: 'The last poll or delivery failed, or most records are being rejected.' },
  disabled: { text: 'Disabled', icon: '—', explain: 'Turned off: nothing is polled or accepted.' },
};

/** Why records were rejected, said for an admin. */
export const REASON_WORDS: Record<SourceRejectReason, { short: string; long: string; past: string }> = {
  unmapped: { short: 'Not mapped', long: 'names a value the mapping does not cover (fix the mapping, then replay)', past: 'named a value the mapping did not cover' },
  malformed: { short: 'Malformed', long: 'is not shaped as the platform documents it', past: 'was not shaped as the platform documents it' },
  invalid: { short: 'Invalid events', long: 'was mapped, but its events failed Frontline’s checks', past: 'was mapped, but its events failed Frontline’s checks' },
  id_conflict: { short: 'Id conflict', long: 'reuses an event id already stored with different content', past: 'reused an event id already stored with different content' },
  auth: { short: 'Not authenticated', long: 'came without the source’s credentials', past: 'came without the source’s credentials' },
};

/** "just now", "45 s ago", "2 min ago", "3 h ago", "2 days ago"; "never" for none. */
export function ago(ms: number | null, now: number): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** A duration in seconds in the largest two units that say it: "8 s", "2 min 5 s", "1 h 20 min", "3 days 2 h". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return m ? `${Math.floor(s / 3600)} h ${m} min` : `${Math.floor(s / 3600)} h`;
  }
  const h = Math.floor((s % 86_400) / 3600);
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'}${h ? ` ${h} h` : ''}`;
}

export const count = (n: number) => n.toLocaleString('en-GB');
export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** The rejected count split by reason: "3 not mapped, 1 malformed". */
export function rejectedBy(h: Pick<SourceHealth, 'rejectedBy'>): string {
  return (Object.entries(h.rejectedBy) as [SourceRejectReason, number][])
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${count(n)} ${REASON_WORDS[r].short.toLowerCase()}`)
    .join(', ');
}

export type SeenKind = SeenValueRow['kind'];

/** The mapping table each kind of seen value is keyed in. */
export const TABLE_OF: Record<SeenKind, 'queues' | 'agents' | 'states' | 'wrapCodes' | 'channels'> = {
  queue: 'queues',
  agent: 'agents',
  state: 'states',
  wrapCode: 'wrapCodes',
  channel: 'channels',
};

/** The word the mapping rules put before a value when they cannot map it (server/connectors/common.ts). */
const PROBLEM_WORD: Record<SeenKind, RegExp> = {
  queue: /\bqueue\s*$/i,
  agent: /\bagent\s*$/i,
  state: /\bstate\s*$/i,
  wrapCode: /\bcode\s*$/i,
  channel: /\bchannel\s*$/i,
};

export const seenKey = (kind: SeenKind, value: string) => `${kind}\u0000${value}`;

/**
 * How many held dead letters each seen value kept out: an `unmapped` record whose reasons name the value (quoted, as
 * the mapping rules write it: `agent state "Team huddle" is not mapped…`) after the word for its kind.
 */
export function rejectionsByValue(rows: readonly Pick<SeenValueRow, 'kind' | 'value'>[], letters: readonly Pick<DeadLetter, 'reason' | 'reasons' | 'status'>[]): Map<string, number> {
  const out = new Map<string, number>();
  const unmapped = letters.filter((l) => l.reason === 'unmapped' && l.status === 'held');
  if (unmapped.length === 0) return out;
  for (const row of rows) {
    const quoted = JSON.stringify(row.value);
    let n = 0;
    for (const l of unmapped) {
      const hit = l.reasons.some((r) => {
        const at = r.indexOf(quoted);
        return at >= 0 && PROBLEM_WORD[row.kind].test(r.slice(0, at));
      });
      if (hit) n++;
    }
    if (n > 0) out.set(seenKey(row.kind, row.value), n);
  }
  return out;
}

const TABLE_WORDS: Record<'queues' | 'agents' | 'states' | 'wrapCodes' | 'channels', string> = {
  queues: 'queue',
  agents: 'agent',
  states: 'agent state',
  wrapCodes: 'wrap-up code',
  channels: 'channel',
};

/**
 * A long platform id (an ARN) cut in the middle: its start, then its last path segments whole when they fit (the
 * distinctive part: `arn:aws:conn…/queue/8c3f…`), else its end.
 */
export function shorten(value: string, max = 56): string {
  if (value.length <= max) return value;
  const room = max - 9;
  const last = value.lastIndexOf('/');
  const two = last > 0 ? value.slice(value.lastIndexOf('/', last - 1)) : '';
  const tail = two && two.length <= room ? two : last > 0 && value.length - last <= room ? value.slice(last) : value.slice(-room);
  return `${value.slice(0, max - 1 - tail.length)}…${tail}`;
}

const show = (v: unknown) => (v === true ? 'resolved' : v === false ? 'not resolved' : String(v));

/** Names for the lines of `mappingChanges`: a platform value's readable label, a Frontline id's name. */
export interface ChangeNames {
  label?(kind: SeenKind, value: string): string | null | undefined;
  target?(kind: SeenKind, id: string): string | null | undefined;
}

const KIND_OF_TABLE = { queues: 'queue', agents: 'agent', states: 'state', wrapCodes: 'wrapCode', channels: 'channel' } as const;

/**
 * What saving `after` over `before` changes, one line each: `queue "arn:…/queue/q1" → billing`, "strict agents on".
 * With names, a value reads by its label and a Frontline id by its name: `queue "Billing" (arn:…) → Billing (billing)`.
 */
export function mappingChanges(before: SourceMapping, after: SourceMapping, names: ChangeNames = {}): string[] {
  const lines: string[] = [];
  for (const table of ['channels', 'queues', 'agents', 'states', 'wrapCodes'] as const) {
    const a: Record<string, unknown> = before[table];
    const b: Record<string, unknown> = after[table];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const was = a[key];
      const now = b[key];
      if (was === now) continue;
      const kind = KIND_OF_TABLE[table];
      const label = names.label?.(kind, key);
      const what = `${TABLE_WORDS[table]} ${JSON.stringify(label && label !== key ? label : key)}${label && label !== key ? ` (${shorten(key)})` : ''}`;
      const say = (v: unknown) => {
        const n = typeof v === 'string' ? names.target?.(kind, v) : null;
        return n && n !== v ? `${n} (${v as string})` : show(v);
      };
      if (now === undefined) lines.push(`${what}: mapping removed (was ${say(was)})`);
      else if (was === undefined) lines.push(`${what} → ${say(now)}`);
      else lines.push(`${what} → ${say(now)} (was ${say(was)})`);
    }
  }
  if (before.surveyScale !== after.surveyScale) lines.push(`survey scale → ${after.surveyScale ?? 'the platform’s default'}`);
  if (before.resolvedByDefault !== after.resolvedByDefault) lines.push(`contacts without a mapped wrap-up code count as ${after.resolvedByDefault ? 'resolved' : 'not resolved'}`);
  if (before.strictQueues !== after.strictQueues) lines.push(`strict queues ${after.strictQueues ? 'on' : 'off'}`);
  if (before.strictAgents !== after.strictAgents) lines.push(`strict agents ${after.strictAgents ? 'on' : 'off'}`);
  return lines;
}

/** The mapping with one table entry set (or removed, for undefined). */
export function withEntry(m: SourceMapping, kind: SeenKind, key: string, value: string | boolean | undefined): SourceMapping {
  const table = TABLE_OF[kind];
  const next: Record<string, unknown> = { ...m[table] };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return { ...m, [table]: next };
}

/** The entry a value has in the mapping now: by the value, then (queues and agents) by its readable label. */
export function entryOf(m: SourceMapping, kind: SeenKind, value: string, label: string | null): { value: string | boolean; byLabel: boolean } | null {
  const table: Record<string, string | boolean> = m[TABLE_OF[kind]];
  const direct = table[value];
  if (direct !== undefined) return { value: direct, byLabel: false };
  if ((kind === 'queue' || kind === 'agent') && label) {
    const viaLabel = table[label];
    if (viaLabel !== undefined) return { value: viaLabel, byLabel: true };
  }
  return null;
}

/**
 * Suggests Frontline ids for seen queues and agents not mapped yet: a directory entry whose id or name equals the
 * platform value or its label (case and spacing aside). Values already a Frontline id pass through and need nothing;
 * a label that is a Frontline id maps by itself too, but is pinned to the platform's id (a renamed login stays right).
 */
export function suggestMatches(rows: readonly Pick<SeenValueRow, 'kind' | 'value' | 'label'>[], m: SourceMapping, dir: { queues: readonly { id: string; name: string }[]; agents: readonly { id: string; name: string }[] }): { kind: 'queue' | 'agent'; value: string; id: string }[] {
  const fold = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  const index = (items: readonly { id: string; name: string }[]) => {
    const byId = new Map<string, string>();
    const byName = new Map<string, string | null>();
    for (const it of items) {
      byId.set(fold(it.id), it.id);
      const n = fold(it.name);
      // Two people with one name: no guess.
      byName.set(n, byName.has(n) ? null : it.id);
    }
    return { byId, byName, ids: new Set(items.map((i) => i.id)) };
  };
  const idx = { queue: index(dir.queues), agent: index(dir.agents) };
  const out: { kind: 'queue' | 'agent'; value: string; id: string }[] = [];
  for (const r of rows) {
    if (r.kind !== 'queue' && r.kind !== 'agent') continue;
    if (entryOf(m, r.kind, r.value, r.label)) continue;
    const ix = idx[r.kind];
    if (ix.ids.has(r.value)) continue;
    const candidates = [r.value, r.label].filter((x): x is string => Boolean(x)).map(fold);
    const id = candidates.map((c) => ix.byId.get(c)).find(Boolean) ?? candidates.map((c) => ix.byName.get(c)).find(Boolean);
    if (id) out.push({ kind: r.kind, value: r.value, id });
  }
  return out;
}
