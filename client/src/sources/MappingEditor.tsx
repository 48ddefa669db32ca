/**
 * A source's mapping, edited over what the source has actually sent (GET .../seen): every queue, agent, agent state,
 * wrap-up code and channel it named, with how often, what it maps to now, and a control to map it. Values that kept
 * records out (held dead letters naming them) come first and stand out. Edits stay a draft until Save, which PATCHes
 * the whole mapping and says what changed.
 */
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { CHANNELS } from '../../../shared/channels.js';
import type { Directory } from '../../../shared/directory.js';
import { AGENT_STATES, SURVEY_SCALES } from '../../../shared/events.js';
import { PLATFORM_INFO, type SeenValueRow, type SourceMapping, type SourceSummary, type UpdateSourceBody } from '../../../shared/sources.js';
import { api, errText } from '../api/http.js';
import { useDirectory, useNow } from '../coaching/case-words.js';
import { sourcePath, useDeadLetters, useRefreshSources, useSeen } from './queries.js';
import { ago, count, entryOf, mappingChanges, plural, rejectionsByValue, seenKey, shorten, suggestMatches, TABLE_OF, withEntry, type ChangeNames, type SeenKind } from './words.js';

const SCALE_WORDS: Record<(typeof SURVEY_SCALES)[number], string> = {
  '1-5': '1 to 5',
  '1-10': '1 to 10',
  '0-10': '0 to 10',
  'good-bad': 'good / bad',
  'yes-no': 'yes / no',
};

const SECTIONS: { kind: SeenKind; title: string; what: string; a: string; explain: string }[] = [
  { kind: 'queue', title: 'Queues', what: 'queue', a: 'a queue', explain: 'A platform queue (id or name) becomes a Frontline queue. Left unmapped, its id is used if it is a Frontline queue id, else its name if that is one; mapping it keeps it right when a name changes.' },
  { kind: 'agent', title: 'Agents', what: 'agent', a: 'an agent', explain: 'A platform agent (user id, ARN, worker SID) becomes a Frontline agent. Left unmapped, its id is used if it is a Frontline agent id, else its login name if that is one; mapping it keeps it right when a login changes.' },
  { kind: 'state', title: 'Agent states', what: 'agent state', a: 'an agent state', explain: 'A platform state or activity name becomes one of the five standard states. Names Frontline does not know are rejected until mapped.' },
  { kind: 'wrapCode', title: 'Wrap-up codes', what: 'wrap-up code', a: 'a wrap-up code', explain: 'Whether a contact wrapped up with this code was resolved, for first-contact resolution. A code mapped “not resolved” makes its contact unresolved.' },
  { kind: 'channel', title: 'Channels', what: 'channel', a: 'a channel', explain: 'A platform channel becomes one of Frontline’s four. Channels the platform’s defaults do not cover are rejected until mapped.' },
];

interface Row {
  kind: SeenKind;
  value: string;
  label: string | null;
  seen: SeenValueRow | null;
  rejections: number;
}

export function MappingEditor({ source, onReplay }: { source: SourceSummary; onReplay: () => void }) {
  const seen = useSeen(source.id);
  const held = useDeadLetters(source.id, 'held');
  const dir = useDirectory();
  const refresh = useRefreshSources();
  const base = source.mapping;
  const [draft, setDraft] = useState<{ mapping: SourceMapping; baseMs: number } | null>(null);
  const [extra, setExtra] = useState<{ kind: SeenKind; value: string }[]>([]);
  const [note, setNote] = useState<ReactNode>(null);
  const m = draft?.mapping ?? base;
  const names = useMemo((): ChangeNames => {
    const labels = new Map((seen.data ?? []).map((r) => [seenKey(r.kind, r.value), r.label]));
    const queues = new Map((dir.data?.queues ?? []).map((q) => [q.id, q.name]));
    const agents = new Map((dir.data?.agents ?? []).map((a) => [a.id, a.name]));
    return { label: (kind, value) => labels.get(seenKey(kind, value)), target: (kind, id) => (kind === 'queue' ? queues.get(id) : kind === 'agent' ? agents.get(id) : null) };
  }, [seen.data, dir.data]);
  const pending = mappingChanges(base, m, names);
  const edit = (next: SourceMapping) => {
    setNote(null);
    setDraft({ mapping: next, baseMs: draft?.baseMs ?? source.updatedMs });
  };
  const set = (kind: SeenKind, key: string, value: string | boolean | undefined) => edit(withEntry(m, kind, key, value));

  const rejections = useMemo(() => rejectionsByValue(seen.data ?? [], held.data?.deadLetters ?? []), [seen.data, held.data]);
  const rowsByKind = useMemo(() => {
    const out = new Map<SeenKind, Row[]>();
    for (const { kind } of SECTIONS) {
      const rows = new Map<string, Row>();
      for (const s of seen.data ?? []) if (s.kind === kind) rows.set(s.value, { kind, value: s.value, label: s.label, seen: s, rejections: rejections.get(seenKey(kind, s.value)) ?? 0 });
      const keys = [...Object.keys(m[TABLE_OF[kind]]), ...extra.filter((x) => x.kind === kind).map((x) => x.value)];
      for (const k of keys) if (!rows.has(k) && ![...rows.values()].some((r) => r.label === k)) rows.set(k, { kind, value: k, label: null, seen: null, rejections: 0 });
      out.set(
        kind,
        [...rows.values()].sort((a, b) => b.rejections - a.rejections || (b.seen?.count ?? -1) - (a.seen?.count ?? -1) || a.value.localeCompare(b.value)),
      );
    }
    return out;
  }, [seen.data, rejections, m, extra]);

  const save = useMutation({
    mutationFn: (v: { mapping: SourceMapping; lines: string[] }) => api<{ source: SourceSummary }>(sourcePath(source.id), { method: 'PATCH', body: { mapping: v.mapping } satisfies UpdateSourceBody }),
    onSuccess: async (_r, { lines }) => {
      setDraft(null);
      setExtra([]);
      await refresh();
      const heldCount = held.data?.total ?? 0;
      setNote(
        <div className="ok-box" role="status" data-testid="mapping-saved">
          <p>
            <strong>Mapping saved: {plural(lines.length, 'change')}.</strong> Records from now on use it.
            {heldCount > 0 ? (
              <>
                {' '}
                {plural(heldCount, 'record is', 'records are')} held as dead letters from before:{' '}
                <button type="button" className="link" onClick={onReplay}>
                  replay them on the Dead letters tab
                </button>
                .
              </>
            ) : null}
          </p>
          <ChangeList lines={lines} />
        </div>,
      );
    },
  });

  const matchByName = () => {
    const d = dir.data;
    if (!d) return;
    const found = suggestMatches(seen.data ?? [], m, d);
    let next = m;
    for (const f of found) next = withEntry(next, f.kind, f.value, f.id);
    if (found.length > 0) edit(next);
    const left = [...(rowsByKind.get('queue') ?? []), ...(rowsByKind.get('agent') ?? [])].filter((r) => r.seen && !entryOf(next, r.kind, r.value, r.label) && !inDirectory(d, r.kind, r.value)).length;
    const q = found.filter((f) => f.kind === 'queue').length;
    setNote(
      <p className={found.length > 0 ? 'ok' : 'muted'} role="status" data-testid="match-note">
        {found.length > 0 ? `Matched ${plural(found.length - q, 'agent')} and ${plural(q, 'queue')} by id or name (not saved yet).` : 'Nothing more to match by id or name.'}
        {left > 0 ? ` ${plural(left, 'value')} still to map by hand.` : ''}
      </p>,
    );
  };

  const errorOf = errText(seen.error ?? held.error ?? dir.error);
  return (
    <div className="mapping-editor" data-testid="mapping-editor">
      <div className="panel mapping-bar">
        <div>
          <strong>{pending.length === 0 ? 'No unsaved changes' : `${plural(pending.length, 'unsaved change')}`}</strong>
          {draft && draft.baseMs !== source.updatedMs ? <span className="notice-inline"> The source was changed elsewhere since you started; saving replaces its mapping with this one.</span> : null}
          {pending.length > 0 ? (
            <details className="pending-list">
              <summary>What will change</summary>
              <ChangeList lines={pending} />
            </details>
          ) : null}
        </div>
        <div className="row">
          <button type="button" className="secondary" onClick={matchByName} disabled={!dir.data || !seen.data}>
            Match queues and agents by name
          </button>
          <button type="button" className="secondary" onClick={() => (setDraft(null), setExtra([]), setNote(null))} disabled={pending.length === 0}>
            Discard changes
          </button>
          <button type="button" onClick={() => save.mutate({ mapping: m, lines: pending })} disabled={pending.length === 0 || save.isPending}>
            Save mapping
          </button>
        </div>
      </div>
      {note}
      {errText(save.error) ? <p className="error">{errText(save.error)}</p> : null}
      {errorOf ? <p className="error">{errorOf}</p> : null}
      {seen.isPending ? <p className="muted">Reading what the source has sent…</p> : null}
      {seen.data?.length === 0 ? <p className="muted">Nothing has arrived from this source yet: its values appear here as records come in. You can also add values by hand below.</p> : null}
      {rejections.size > 0 ? <RejectingValues rows={(seen.data ?? []).filter((r) => rejections.has(seenKey(r.kind, r.value)))} saved={base} onReplay={onReplay} /> : null}
      {SECTIONS.map((sec) => (
        <MappingTable
          key={sec.kind}
          section={sec}
          rows={rowsByKind.get(sec.kind) ?? []}
          mapping={m}
          base={base}
          dir={dir.data}
          onSet={set}
          onAdd={(value) => setExtra([...extra, { kind: sec.kind, value }])}
        />
      ))}
      <Rules source={source} mapping={m} onChange={edit} />
    </div>
  );
}

/** The values that kept records out: to map, or (mapped and saved since) to replay. */
function RejectingValues({ rows, saved, onReplay }: { rows: SeenValueRow[]; saved: SourceMapping; onReplay: () => void }) {
  const name = (r: SeenValueRow) => JSON.stringify(r.label ?? r.value);
  const mapped = rows.filter((r) => entryOf(saved, r.kind, r.value, r.label));
  const open = rows.filter((r) => !entryOf(saved, r.kind, r.value, r.label));
  return (
    <div className="mapping-alert" data-testid="rejecting-values">
      {open.length > 0 ? (
        <p>
          <span aria-hidden="true">✕ </span>
          {plural(open.length, 'value')} kept records out: {open.map(name).join(', ')}. Map {open.length === 1 ? 'it' : 'them'}, save, then replay the dead letters.
        </p>
      ) : null}
      {mapped.length > 0 ? (
        <p>
          <span aria-hidden="true">↻ </span>
          {mapped.map(name).join(', ')} {mapped.length === 1 ? 'is' : 'are'} mapped now, but the records {mapped.length === 1 ? 'it' : 'they'} kept out are still held:{' '}
          <button type="button" className="link" onClick={onReplay}>
            replay them on the Dead letters tab
          </button>
          .
        </p>
      ) : null}
    </div>
  );
}

/** Changes one line each; past a handful, the rest behind a disclosure. */
function ChangeList({ lines }: { lines: string[] }) {
  const FIRST = 6;
  const item = (l: string) => <li key={l}>{l}</li>;
  return (
    <>
      <ul className="change-list">{lines.slice(0, FIRST).map(item)}</ul>
      {lines.length > FIRST ? (
        <details className="pending-list">
          <summary>and {plural(lines.length - FIRST, 'more change')}</summary>
          <ul className="change-list">{lines.slice(FIRST).map(item)}</ul>
        </details>
      ) : null}
    </>
  );
}

function inDirectory(d: Directory, kind: SeenKind, id: string): boolean {
  if (kind === 'queue') return d.queues.some((q) => q.id === id);
  if (kind === 'agent') return d.agents.some((a) => a.id === id);
  return true;
}

const FILTER_FROM = 12;

function MappingTable(props: {
  section: (typeof SECTIONS)[number];
  rows: Row[];
  mapping: SourceMapping;
  base: SourceMapping;
  dir: Directory | undefined;
  onSet: (kind: SeenKind, key: string, value: string | boolean | undefined) => void;
  onAdd: (value: string) => void;
}) {
  const { section, rows, mapping, base, dir } = props;
  const now = useNow(30_000);
  const [filter, setFilter] = useState('');
  const [adding, setAdding] = useState('');
  const f = filter.trim().toLowerCase();
  const shown = f ? rows.filter((r) => r.value.toLowerCase().includes(f) || (r.label ?? '').toLowerCase().includes(f)) : rows;
  const bad = rows.filter((r) => r.rejections > 0).length;
  const id = `map-${section.kind}`;
  return (
    <section className="panel mapping-section" aria-labelledby={`${id}-title`} data-testid={id}>
      <div className="mapping-section-head">
        <h2 id={`${id}-title`}>
          {section.title}{' '}
          <span className="muted small-inline">
            {plural(rows.filter((r) => r.seen).length, 'value')} seen
            {bad > 0 ? (
              <span className="source-bad">
                {' '}
                · {plural(bad, 'value')} keeping records out
              </span>
            ) : null}
          </span>
        </h2>
        {rows.length >= FILTER_FROM ? (
          <label className="inline mapping-filter">
            Find
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="id or name" aria-label={`Find ${section.title.toLowerCase()}`} />
          </label>
        ) : null}
      </div>
      <p className="muted small-inline">{section.explain}</p>
      {rows.length > 0 ? (
        <div className="table-scroll">
          <table className="mapping-table">
            <thead>
              <tr>
                <th scope="col">Platform {section.what}</th>
                <th scope="col" className="num">
                  Seen
                </th>
                <th scope="col">Maps to now</th>
                <th scope="col">Map to</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const entry = entryOf(mapping, r.kind, r.value, r.label);
                const was = entryOf(base, r.kind, r.value, r.label);
                const changed = entry?.value !== was?.value;
                const notFrontline = dir !== undefined && (r.kind === 'queue' || r.kind === 'agent') && !entry && r.seen?.mappedTo == null && !inDirectory(dir, r.kind, r.value) && !(r.label && inDirectory(dir, r.kind, r.label));
                return (
                  <tr key={r.value} className={r.rejections > 0 ? 'rejecting' : changed ? 'editing' : notFrontline ? 'attention' : ''} data-testid={`mapping-row-${r.kind}`} data-value={r.value}>
                    <th scope="row" className="mapping-value">
                      {r.label && r.label !== r.value ? (
                        <>
                          <span className="mapping-label">{r.label}</span>
                          <code className="mapping-id" title={r.value}>
                            {shorten(r.value)}
                          </code>
                        </>
                      ) : (
                        <code className="mapping-main" title={r.value}>
                          {shorten(r.value, 60)}
                        </code>
                      )}
                      {r.rejections > 0 ? (
                        <span className="rejecting-note">
                          <span aria-hidden="true">✕ </span>kept {plural(r.rejections, 'record')} out
                        </span>
                      ) : null}
                    </th>
                    <td className="num" data-label="Seen">
                      {r.seen ? (
                        <>
                          {count(r.seen.count)}
                          <span className="muted small-inline mapping-last" title={new Date(r.seen.lastMs).toLocaleString('en-GB')}>
                            last {ago(r.seen.lastMs, now)}
                          </span>
                        </>
                      ) : (
                        <span className="muted small-inline">not seen yet</span>
                      )}
                    </td>
                    <td className="small-inline" data-label="Maps to now">
                      <NowMapsTo row={r} mapping={base} dir={dir} />
                    </td>
                    <td data-label="Map to">
                      <Control row={r} entry={entry} mapping={mapping} dir={dir} onSet={props.onSet} />
                      {changed ? <span className="small-inline changed-mark"> changed</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <form
        className="row center mapping-add"
        onSubmit={(e) => {
          e.preventDefault();
          const v = adding.trim();
          if (v) props.onAdd(v);
          setAdding('');
        }}
      >
        <label className="inline">
          Add {section.a} by hand
          <input value={adding} onChange={(e) => setAdding(e.target.value)} placeholder={section.kind === 'state' ? 'Team huddle' : section.kind === 'wrapCode' ? 'Callback needed' : 'as the platform sends it'} maxLength={200} />
        </label>
        <button type="submit" className="secondary small-button" disabled={!adding.trim()}>
          Add
        </button>
      </form>
    </section>
  );
}

/** What the saved mapping makes of a value now (the server's answer for seen values). */
function NowMapsTo({ row, mapping, dir }: { row: Row; mapping: SourceMapping; dir: Directory | undefined }) {
  const mapped = row.seen ? row.seen.mappedTo : (entryOf(mapping, row.kind, row.value, row.label)?.value ?? null);
  switch (row.kind) {
    case 'queue':
    case 'agent': {
      const nameOf = (id: string) => (row.kind === 'queue' ? dir?.queues.find((q) => q.id === id)?.name : dir?.agents.find((a) => a.id === id)?.name);
      if (typeof mapped === 'string') {
        const name = nameOf(mapped);
        return <span>{name ? `${name} (${mapped})` : mapped}</span>;
      }
      // Unmapped, the platform's id is used when it is a Frontline id, else its name (login, queue name) when that is
      // one (server/connectors/common.ts), else the id as it is: say which, and warn when neither is Frontline's.
      const byId = nameOf(row.value);
      if (byId) return <span>as is: {byId}</span>;
      const byLabel = row.label ? nameOf(row.label) : undefined;
      if (byLabel) return <span>by its name: {byLabel}</span>;
      if (!dir) return <span className="muted">not mapped</span>;
      return <span className="warn-text">not mapped, and neither its id nor its name is a Frontline {row.kind}</span>;
    }
    case 'state':
    case 'channel':
      if (typeof mapped === 'string') return <span>{mapped}</span>;
      return row.rejections > 0 ? <span className="source-bad">not mapped: rejected</span> : <span className="muted">platform default</span>;
    case 'wrapCode':
      if (mapped === true) return <span>resolved</span>;
      if (mapped === false) return <span>not resolved</span>;
      return <span className="muted">default ({mapping.resolvedByDefault ? 'resolved' : 'not resolved'})</span>;
  }
}

function Control({ row, entry, mapping, dir, onSet }: { row: Row; entry: { value: string | boolean; byLabel: boolean } | null; mapping: SourceMapping; dir: Directory | undefined; onSet: (kind: SeenKind, key: string, value: string | boolean | undefined) => void }) {
  const name = row.label && row.label !== row.value ? `${row.label} (${row.value})` : row.value;
  const current = entry && typeof entry.value === 'string' ? entry.value : '';
  const byLabel = entry?.byLabel ? <span className="muted small-inline"> (mapped by its name)</span> : null;
  switch (row.kind) {
    case 'queue': {
      const queues = [...(dir?.queues ?? [])].sort((a, b) => a.name.localeCompare(b.name));
      return (
        <>
          <select aria-label={`Frontline queue for ${name}`} value={current} onChange={(e) => onSet('queue', row.value, e.target.value || undefined)}>
            <option value="">Leave as is</option>
            {current && !queues.some((q) => q.id === current) ? <option value={current}>{current} (not in the directory)</option> : null}
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name} ({q.id})
              </option>
            ))}
          </select>
          {byLabel}
        </>
      );
    }
    case 'agent': {
      const agent = current ? dir?.agents.find((a) => a.id === current) : undefined;
      return (
        <>
          <input
            className="agent-input"
            list="source-agent-choices"
            aria-label={`Frontline agent for ${name}`}
            value={current}
            onChange={(e) => onSet('agent', row.value, e.target.value.trim() || undefined)}
            placeholder="Leave as is"
            autoComplete="off"
            spellCheck={false}
          />
          {current ? agent ? <span className="small-inline"> {agent.name}</span> : dir ? <span className="small-inline warn-text"> not in the directory</span> : null : null}
          {byLabel}
        </>
      );
    }
    case 'state':
      return (
        <select aria-label={`Standard state for ${name}`} value={current} onChange={(e) => onSet('state', row.value, e.target.value || undefined)}>
          <option value="">Default</option>
          {AGENT_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      );
    case 'channel':
      return (
        <select aria-label={`Frontline channel for ${name}`} value={current} onChange={(e) => onSet('channel', row.value, e.target.value || undefined)}>
          <option value="">Platform default</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
    case 'wrapCode':
      return (
        <select aria-label={`Resolved when wrapped up with ${name}`} value={entry ? (entry.value ? 'yes' : 'no') : ''} onChange={(e) => onSet('wrapCode', row.value, e.target.value === '' ? undefined : e.target.value === 'yes')}>
          <option value="">Default ({mapping.resolvedByDefault ? 'resolved' : 'not resolved'})</option>
          <option value="yes">Resolved</option>
          <option value="no">Not resolved</option>
        </select>
      );
  }
}

/** The switches: survey scale, resolved by default, strict queues and agents. */
function Rules({ source, mapping: m, onChange }: { source: SourceSummary; mapping: SourceMapping; onChange: (m: SourceMapping) => void }) {
  const info = PLATFORM_INFO[source.platform];
  return (
    <section className="panel form mapping-rules" aria-labelledby="rules-title">
      <h2 id="rules-title">Rules</h2>
      <label>
        Survey scale
        <select value={m.surveyScale ?? ''} onChange={(e) => onChange({ ...m, surveyScale: (e.target.value || undefined) as SourceMapping['surveyScale'] })}>
          <option value="">{`${info.label}’s default (${SCALE_WORDS[info.defaultSurveyScale]})`}</option>
          {SURVEY_SCALES.map((s) => (
            <option key={s} value={s}>
              {SCALE_WORDS[s]}
            </option>
          ))}
        </select>
        <span className="muted small-inline">The scale the platform’s customer survey answers on; CSAT counts the top of it as satisfied.</span>
      </label>
      <label className="check">
        <input type="checkbox" checked={m.resolvedByDefault} onChange={(e) => onChange({ ...m, resolvedByDefault: e.target.checked })} />
        A contact with no wrap-up code, or one not in the table, counts as resolved
      </label>
      <label className="check">
        <input type="checkbox" checked={m.strictQueues} onChange={(e) => onChange({ ...m, strictQueues: e.target.checked })} />
        Strict queues: reject records naming a queue not in the table (instead of using its id as is)
      </label>
      <label className="check">
        <input type="checkbox" checked={m.strictAgents} onChange={(e) => onChange({ ...m, strictAgents: e.target.checked })} />
        Strict agents: reject records naming an agent not in the table (instead of using its id as is)
      </label>
      <AgentChoices />
    </section>
  );
}

/** One list of the directory's agents for every agent field (a datalist per row would repeat thousands of options). */
function AgentChoices() {
  const dir = useDirectory();
  const team = new Map((dir.data?.teams ?? []).map((t) => [t.id, t.name]));
  return (
    <datalist id="source-agent-choices">
      {(dir.data?.agents ?? []).map((a) => (
        <option key={a.id} value={a.id} label={`${a.name} · ${team.get(a.teamId) ?? a.teamId}`} />
      ))}
    </datalist>
  );
}
