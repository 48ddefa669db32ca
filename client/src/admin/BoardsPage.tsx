/**
 * Team leaders, managers and admins: build wallboards from tiles over the scopes they can see, and rotations through
 * them. Screens are told what to show on the Screens page. Everything is checked with the shared schemas before it is
 * sent; the server checks again (and checks who may see each scope).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { Me } from '../../../shared/access.js';
import { boardBody, rotationBody, TILE_KINDS, TILE_LABELS, TREND_RANGES, type Board, type Rotation, type TileKind } from '../../../shared/boards.js';
import type { Directory } from '../../../shared/directory.js';
import { CHANNELS } from '../../../shared/events.js';
import { KPI_DEFINITIONS, KPI_NAMES, type KpiName } from '../../../shared/kpis.js';
import { LIVE_WINDOWS, type LiveWindow } from '../../../shared/live.js';
import { api, errText } from '../api/http.js';

type TrendRange = (typeof TREND_RANGES)[number];

const GRID_CELLS = 72;
const WINDOW_LABELS: Record<LiveWindow, string> = { today: 'Today', interval: 'This quarter-hour', rolling60: 'Last hour' };
const RANGE_LABELS: Record<TrendRange, string> = { today: 'Today by hour', '7d': 'Last 7 days', '30d': 'Last 30 days' };
const NEEDS_KPI: readonly TileKind[] = ['kpi', 'trend', 'agents'];
const HAS_WINDOW: readonly TileKind[] = ['kpi', 'alerts'];
/** An agents tile shows the agents of the centre, a site or a team. */
const AGENT_SCOPES = /^(centre|site:|team:)/;

export interface BoardsReply {
  boards: Board[];
  rotations: Rotation[];
}

export function useBoards() {
  return useQuery({ queryKey: ['boards'], queryFn: () => api<BoardsReply>('/api/v1/boards') });
}

/** 'board:ID' / 'rotation:ID' / null as a person reads it. */
export function showsLabel(shows: string | null, data: BoardsReply | undefined): string {
  if (shows === null) return 'Centre pulse';
  const [kind, id] = shows.split(':');
  if (kind === 'board') {
    const b = data?.boards.find((x) => x.id === id);
    return b ? `Board: ${b.name}` : 'A board you cannot see';
  }
  const r = data?.rotations.find((x) => x.id === id);
  return r ? `Rotation: ${r.name}` : 'A rotation you cannot see';
}

interface ScopeOption {
  value: string;
  label: string;
  group: string;
}

/** The scopes this person may put on a board: the same rules the server applies to what they can see. */
function boardScopeOptions(me: Me, d: Directory | undefined): ScopeOption[] {
  const admin = me.role === 'admin';
  const tl = me.role === 'team_leader';
  const manager = me.role === 'manager';
  const covers = (siteId: string | undefined) => me.siteId === null || (siteId !== undefined && siteId === me.siteId);
  const teamSite = new Map((d?.teams ?? []).map((t) => [t.id, t.siteId]));
  const opts: ScopeOption[] = [];
  if (admin || tl || (manager && me.siteId === null)) opts.push({ value: 'centre', label: 'Whole centre', group: 'Centre' });
  for (const s of d?.sites ?? []) {
    if (admin || (manager && covers(s.id)) || (tl && me.teamIds.some((t) => teamSite.get(t) === s.id))) opts.push({ value: `site:${s.id}`, label: `Site: ${s.name}`, group: 'Sites' });
  }
  for (const t of d?.teams ?? []) {
    if (admin || (manager && covers(t.siteId)) || (tl && me.teamIds.includes(t.id))) opts.push({ value: `team:${t.id}`, label: `Team: ${t.name}`, group: 'Teams' });
  }
  for (const q of d?.queues ?? []) {
    if (admin || tl || (manager && (me.siteId === null || covers(q.siteId)))) opts.push({ value: `queue:${q.id}`, label: `Queue: ${q.name}`, group: 'Queues' });
  }
  if (admin || tl || (manager && me.siteId === null)) for (const c of CHANNELS) opts.push({ value: `channel:${c}`, label: `Channel: ${c}`, group: 'Channels' });
  for (const a of d?.agents ?? []) {
    if (admin || (manager && covers(teamSite.get(a.teamId))) || (tl && me.teamIds.includes(a.teamId))) opts.push({ value: `agent:${a.id}`, label: `Agent: ${a.name}`, group: 'Agents' });
  }
  return opts;
}

function ScopeSelect({ value, options, onChange, label }: { value: string; options: ScopeOption[]; onChange: (v: string) => void; label: string }) {
  const groups = [...new Set(options.map((o) => o.group))];
  const known = options.some((o) => o.value === value);
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {known ? null : <option value={value}>{value}</option>}
      {groups.map((g) => (
        <optgroup key={g} label={g}>
          {options
            .filter((o) => o.group === g)
            .map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

// ---- plain validation messages ----

const FIELD_WORDS: Record<string, string> = {
  name: 'Name',
  staleAfterSeconds: 'Stale after',
  tiles: 'Tiles',
  items: 'Boards in the rotation',
  kind: 'kind',
  scope: 'scope',
  kpi: 'KPI',
  window: 'window',
  range: 'range',
  w: 'width',
  h: 'height',
  title: 'title',
  id: 'id',
  boardId: 'board',
  dwellSeconds: 'dwell',
};

function plainIssue(issue: z.core.$ZodIssue): string {
  const p = issue.path;
  const field = (k: PropertyKey | undefined) => (k === undefined ? '' : (FIELD_WORDS[String(k)] ?? String(k)));
  let where: string;
  if ((p[0] === 'tiles' || p[0] === 'items') && typeof p[1] === 'number') where = `${p[0] === 'tiles' ? 'Tile' : 'Board'} ${p[1] + 1}${p[2] === undefined ? '' : ` ${field(p[2])}`}`;
  else where = field(p[0]) || 'Board';
  let what = issue.message;
  if (issue.code === 'too_small') {
    const min = String(issue.minimum);
    what = issue.origin === 'string' ? (min === '1' ? 'is required' : `needs at least ${min} characters`) : issue.origin === 'array' ? `needs at least ${min}` : `must be at least ${min}`;
  } else if (issue.code === 'too_big') {
    const max = String(issue.maximum);
    what = issue.origin === 'string' ? `must be at most ${max} characters` : issue.origin === 'array' ? `can hold at most ${max}` : `must be at most ${max}`;
  } else if (issue.code === 'invalid_type' && issue.expected === 'number') what = 'must be a whole number';
  else if (issue.code === 'invalid_type' && issue.expected === 'int') what = 'must be a whole number';
  return `${where}: ${what}`;
}

/** Rows of the form the issues point at, for highlighting. */
function rowsWithIssues(issues: readonly z.core.$ZodIssue[], key: 'tiles' | 'items'): Set<number> {
  return new Set(issues.filter((i) => i.path[0] === key && typeof i.path[1] === 'number').map((i) => i.path[1] as number));
}

/** Move up, move down and remove, for one row of an ordered list (tiles of a board, boards of a rotation). */
function RowActions<T>({ what, list, index: i, onChange }: { what: string; list: T[]; index: number; onChange: (next: T[]) => void }) {
  const n = i + 1;
  return (
    <td className="actions">
      <button type="button" className="icon" aria-label={`Move ${what} ${n} up`} title="Move up" disabled={i === 0} onClick={() => onChange(move(list, i, -1))}>
        ↑
      </button>
      <button type="button" className="icon" aria-label={`Move ${what} ${n} down`} title="Move down" disabled={i === list.length - 1} onClick={() => onChange(move(list, i, 1))}>
        ↓
      </button>
      <button type="button" className="link danger-link" aria-label={`Remove ${what} ${n}`} onClick={() => onChange(list.filter((_, j) => j !== i))}>
        Remove
      </button>
    </td>
  );
}

function move<T>(list: T[], i: number, by: -1 | 1): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j] as T, out[i] as T];
  return out;
}

// ---- page ----

export function BoardsPage({ me }: { me: Me }) {
  const qc = useQueryClient();
  const list = useBoards();
  const dir = useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory });
  const options = boardScopeOptions(me, dir.data);
  const [boardEdit, setBoardEdit] = useState<{ key: number; board: Board | null; saved: boolean }>({ key: 0, board: null, saved: false });
  const [rotEdit, setRotEdit] = useState<{ key: number; rotation: Rotation | null; saved: boolean }>({ key: 0, rotation: null, saved: false });
  const refresh = () => qc.invalidateQueries({ queryKey: ['boards'] });
  const removeBoard = useMutation({
    mutationFn: (id: string) => api(`/api/v1/boards/${id}`, { method: 'DELETE' }),
    onSuccess: (_r, id) => {
      if (boardEdit.board?.id === id) setBoardEdit({ key: boardEdit.key + 1, board: null, saved: false });
      void refresh();
    },
  });
  const removeRotation = useMutation({
    mutationFn: (id: string) => api(`/api/v1/rotations/${id}`, { method: 'DELETE' }),
    onSuccess: (_r, id) => {
      if (rotEdit.rotation?.id === id) setRotEdit({ key: rotEdit.key + 1, rotation: null, saved: false });
      void refresh();
    },
  });
  const boards = list.data?.boards ?? [];
  const rotations = list.data?.rotations ?? [];
  const boardName = (id: string) => boards.find((b) => b.id === id)?.name ?? id;
  return (
    <div className="page">
      <h1>Boards</h1>
      <p className="muted">
        A board is a layout of tiles on a 12 × 6 grid, filled left to right, top to bottom. A rotation cycles through boards, each for its dwell
        time. Choose what each screen shows on the Screens page; a screen showing a board follows your edits within seconds. You can only put
        scopes you can see yourself on a board.
      </p>
      <div className="panels">
        <div className="panel">
          <h2>Boards</h2>
          <table aria-label="Boards">
            <thead>
              <tr>
                <th>Name</th>
                <th className="num">Tiles</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {boards.map((b) => (
                <tr key={b.id} className={boardEdit.board?.id === b.id ? 'editing' : ''}>
                  <td>{b.name}</td>
                  <td className="num">{b.tiles.length}</td>
                  <td className="muted">{new Date(b.updatedAt).toLocaleString('en-GB')}</td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => setBoardEdit({ key: boardEdit.key + 1, board: b, saved: false })}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="link danger-link"
                      disabled={removeBoard.isPending}
                      onClick={() => {
                        if (window.confirm(`Delete the board "${b.name}"? This cannot be undone.`)) removeBoard.mutate(b.id);
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
              {list.isSuccess && boards.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No boards yet: start from the one below.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {errText(list.error ?? removeBoard.error) ? <p className="error">{errText(list.error ?? removeBoard.error)}</p> : null}
          <button type="button" className="secondary new-button" onClick={() => setBoardEdit({ key: boardEdit.key + 1, board: null, saved: false })}>
            New board
          </button>
        </div>
        <div className="panel">
          <h2>Rotations</h2>
          <table aria-label="Rotations">
            <thead>
              <tr>
                <th>Name</th>
                <th>Boards (dwell)</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rotations.map((r) => (
                <tr key={r.id} className={rotEdit.rotation?.id === r.id ? 'editing' : ''}>
                  <td>{r.name}</td>
                  <td className="muted">{r.items.map((i) => `${boardName(i.boardId)} (${i.dwellSeconds} s)`).join(' → ')}</td>
                  <td className="actions">
                    <button type="button" className="link" onClick={() => setRotEdit({ key: rotEdit.key + 1, rotation: r, saved: false })}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="link danger-link"
                      disabled={removeRotation.isPending}
                      onClick={() => {
                        if (window.confirm(`Delete the rotation "${r.name}"? Its boards stay.`)) removeRotation.mutate(r.id);
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
              {list.isSuccess && rotations.length === 0 ? (
                <tr>
                  <td colSpan={3} className="muted">
                    No rotations yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          {errText(removeRotation.error) ? <p className="error">{errText(removeRotation.error)}</p> : null}
          <button type="button" className="secondary new-button" disabled={boards.length === 0} onClick={() => setRotEdit({ key: rotEdit.key + 1, rotation: null, saved: false })}>
            New rotation
          </button>
        </div>
      </div>
      {dir.isSuccess ? (
        <BoardEditor
          key={`b${boardEdit.key}`}
          board={boardEdit.board}
          saved={boardEdit.saved}
          options={options}
          onSaved={(b) => {
            setBoardEdit({ key: boardEdit.key + 1, board: b, saved: true });
            void refresh();
          }}
          onNew={() => setBoardEdit({ key: boardEdit.key + 1, board: null, saved: false })}
        />
      ) : (
        <p className={dir.error ? 'error' : 'muted'}>{dir.error ? errText(dir.error) : 'Loading the directory…'}</p>
      )}
      {list.isSuccess ? (
        <RotationEditor
          key={`r${rotEdit.key}-${boards.length === 0 ? 'none' : 'some'}`}
          rotation={rotEdit.rotation}
          saved={rotEdit.saved}
          boards={boards}
          onSaved={(r) => {
            setRotEdit({ key: rotEdit.key + 1, rotation: r, saved: true });
            void refresh();
          }}
          onNew={() => setRotEdit({ key: rotEdit.key + 1, rotation: null, saved: false })}
        />
      ) : null}
    </div>
  );
}

// ---- board editor ----

interface TileDraft {
  id: string;
  kind: TileKind;
  scope: string;
  kpi: KpiName | '';
  window: LiveWindow;
  range: TrendRange;
  w: number;
  h: number;
  title: string;
}

function draftOf(board: Board): { name: string; stale: string; tiles: TileDraft[] } {
  return {
    name: board.name,
    stale: String(board.staleAfterSeconds),
    tiles: board.tiles.map((t) => ({ id: t.id, kind: t.kind, scope: t.scope, kpi: t.kpi ?? '', window: t.window, range: t.range ?? '7d', w: t.w, h: t.h, title: t.title ?? '' })),
  };
}

/** A new board: two KPI tiles, the queues now and the alert ticker, for the first scope this person can pick. */
function starter(scope: string): { name: string; stale: string; tiles: TileDraft[] } {
  const base = { scope, window: 'today' as LiveWindow, range: '7d' as TrendRange, title: '' };
  return {
    name: 'New board',
    stale: '30',
    tiles: [
      { ...base, id: 't1', kind: 'kpi', kpi: 'csat', w: 3, h: 2 },
      { ...base, id: 't2', kind: 'kpi', kpi: 'serviceLevel', w: 3, h: 2 },
      { ...base, id: 't3', kind: 'queue', kpi: '', w: 6, h: 4 },
      { ...base, id: 't4', kind: 'alerts', kpi: '', w: 6, h: 2 },
    ],
  };
}

function freshId(tiles: TileDraft[]): string {
  const used = new Set(tiles.map((t) => t.id));
  let n = tiles.length + 1;
  while (used.has(`t${n}`)) n++;
  return `t${n}`;
}

/** The body as the API takes it: each kind sends only the fields it uses. */
function toBody(name: string, stale: string, tiles: TileDraft[]): z.input<typeof boardBody> {
  return {
    name,
    staleAfterSeconds: stale.trim() === '' ? Number.NaN : Number(stale),
    tiles: tiles.map((t) => ({
      id: t.id,
      kind: t.kind,
      scope: t.scope,
      ...(NEEDS_KPI.includes(t.kind) && t.kpi !== '' ? { kpi: t.kpi } : {}),
      ...(HAS_WINDOW.includes(t.kind) ? { window: t.window } : {}),
      ...(t.kind === 'trend' ? { range: t.range } : {}),
      w: t.w,
      h: t.h,
      ...(t.title.trim() === '' ? {} : { title: t.title }),
    })),
  };
}

function BoardEditor(props: { board: Board | null; saved: boolean; options: ScopeOption[]; onSaved: (b: Board) => void; onNew: () => void }) {
  const { board, options } = props;
  const [initial] = useState(() => (board ? draftOf(board) : starter(options[0]?.value ?? 'centre')));
  const [name, setName] = useState(initial.name);
  const [stale, setStale] = useState(initial.stale);
  const [tiles, setTiles] = useState<TileDraft[]>(initial.tiles);
  const [dirty, setDirty] = useState(false);
  const body = toBody(name, stale, tiles);
  const checked = boardBody.safeParse(body);
  const issues = checked.success ? [] : checked.error.issues;
  const badRows = rowsWithIssues(issues, 'tiles');
  const cells = tiles.reduce((s, t) => s + t.w * t.h, 0);
  const below = placeTiles(tiles)
    .map((at, i) => ({ n: i + 1, out: at.row + (tiles[i]?.h ?? 0) > 6 }))
    .filter((x) => x.out)
    .map((x) => x.n);
  const save = useMutation({
    mutationFn: (b: z.output<typeof boardBody>) =>
      board ? api<{ board: Board }>(`/api/v1/boards/${board.id}`, { method: 'PUT', body: b }) : api<{ board: Board }>('/api/v1/boards', { method: 'POST', body: b }),
    onSuccess: (r) => props.onSaved(r.board),
  });
  const touch = () => setDirty(true);
  const editTiles = (next: TileDraft[]) => {
    touch();
    setTiles(next);
  };
  const setTile = (i: number, patch: Partial<TileDraft>) => editTiles(tiles.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const changeKind = (i: number, kind: TileKind) => {
    const t = tiles[i];
    if (!t) return;
    const patch: Partial<TileDraft> = { kind };
    if (NEEDS_KPI.includes(kind) && t.kpi === '') patch.kpi = 'csat';
    if (kind === 'agents' && !AGENT_SCOPES.test(t.scope)) patch.scope = options.find((o) => AGENT_SCOPES.test(o.value))?.value ?? t.scope;
    setTile(i, patch);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (checked.success) save.mutate(checked.data);
  };
  return (
    <form className="panel form board-editor" aria-label="Board editor" onSubmit={submit}>
      <h2>{board ? `Edit board: ${board.name}` : 'New board'}</h2>
      <div className="row">
        <label className="grow">
          Name
          <input
            value={name}
            onChange={(e) => {
              touch();
              setName(e.target.value);
            }}
            maxLength={80}
            required
          />
        </label>
        <label>
          Stale after (seconds)
          <input
            type="number"
            min={5}
            max={3600}
            value={stale}
            onChange={(e) => {
              touch();
              setStale(e.target.value);
            }}
            className="short"
          />
        </label>
      </div>
      <p className="muted small-inline">A tile whose figures are older than this says so on the screen instead of showing old numbers as current.</p>
      <div className="table-scroll">
      <table className="tile-rows" aria-label="Tiles">
        <thead>
          <tr>
            <th>#</th>
            <th>Tile</th>
            <th>Scope</th>
            <th>KPI</th>
            <th>Period</th>
            <th title="columns of 12">Width</th>
            <th title="rows of 6">Height</th>
            <th>Title (optional)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tiles.map((t, i) => {
            const n = i + 1;
            const scopeOpts = t.kind === 'agents' ? options.filter((o) => AGENT_SCOPES.test(o.value)) : options;
            return (
              <tr key={t.id} className={badRows.has(i) ? 'attention' : ''} data-testid={`tile-row-${i}`}>
                <td className="muted">{n}</td>
                <td>
                  <select aria-label={`Tile ${n} kind`} value={t.kind} onChange={(e) => changeKind(i, e.target.value as TileKind)}>
                    {TILE_KINDS.map((k) => (
                      <option key={k} value={k}>
                        {TILE_LABELS[k]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <ScopeSelect label={`Tile ${n} scope`} value={t.scope} options={scopeOpts} onChange={(scope) => setTile(i, { scope })} />
                </td>
                <td>
                  {NEEDS_KPI.includes(t.kind) ? (
                    <select aria-label={`Tile ${n} KPI`} value={t.kpi} onChange={(e) => setTile(i, { kpi: e.target.value as KpiName | '' })}>
                      {t.kpi === '' ? <option value="">Choose a KPI</option> : null}
                      {KPI_NAMES.map((k) => (
                        <option key={k} value={k}>
                          {KPI_DEFINITIONS[k].label}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
                <td>
                  {HAS_WINDOW.includes(t.kind) ? (
                    <select aria-label={`Tile ${n} window`} value={t.window} onChange={(e) => setTile(i, { window: e.target.value as LiveWindow })}>
                      {LIVE_WINDOWS.map((w) => (
                        <option key={w} value={w}>
                          {WINDOW_LABELS[w]}
                        </option>
                      ))}
                    </select>
                  ) : t.kind === 'trend' ? (
                    <select aria-label={`Tile ${n} range`} value={t.range} onChange={(e) => setTile(i, { range: e.target.value as TrendRange })}>
                      {TREND_RANGES.map((r) => (
                        <option key={r} value={r}>
                          {RANGE_LABELS[r]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className="muted">now</span>
                  )}
                </td>
                <td>
                  <select aria-label={`Tile ${n} width`} value={t.w} onChange={(e) => setTile(i, { w: Number(e.target.value) })}>
                    {Array.from({ length: 12 }, (_, k) => k + 1).map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={`Tile ${n} height`} value={t.h} onChange={(e) => setTile(i, { h: Number(e.target.value) })}>
                    {Array.from({ length: 6 }, (_, k) => k + 1).map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input aria-label={`Tile ${n} title`} value={t.title} maxLength={60} placeholder="automatic" onChange={(e) => setTile(i, { title: e.target.value })} />
                </td>
                <RowActions what="tile" list={tiles} index={i} onChange={editTiles} />
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
      <div className="row center">
        <button
          type="button"
          className="secondary"
          disabled={tiles.length >= 24}
          onClick={() => editTiles([...tiles, { id: freshId(tiles), kind: 'kpi', scope: options[0]?.value ?? 'centre', kpi: 'csat', window: 'today', range: '7d', w: 3, h: 2, title: '' }])}
        >
          Add a tile
        </button>
        <span className={cells > GRID_CELLS ? 'error cells' : 'muted cells'} data-testid="cells-used">
          Cells used {cells} of {GRID_CELLS}
        </span>
      </div>
      <BoardPreview tiles={tiles} />
      {below.length > 0 && cells <= GRID_CELLS ? (
        <p className="notice small-inline">
          {below.length === 1 ? `Tile ${below[0]} falls` : `Tiles ${below.join(', ')} fall`} below the sixth row: tiles fill the grid in order, so
          a wide tile after a gap leaves cells empty. Reorder or resize so every tile fits.
        </p>
      ) : null}
      {issues.length > 0 ? (
        <div className="issues" aria-live="polite" aria-label="Problems with this board">
          <strong>Fix before saving:</strong>
          <ul>
            {issues.map((i, k) => (
              <li key={k}>{plainIssue(i)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {errText(save.error) ? <p className="error">{errText(save.error)}</p> : null}
      {props.saved && !dirty ? <p className="ok">Saved. Screens showing this board follow within seconds.</p> : null}
      <div className="row">
        <button type="submit" disabled={!checked.success || save.isPending}>
          {board ? 'Save board' : 'Create board'}
        </button>
        {board ? (
          <button type="button" className="secondary" onClick={props.onNew}>
            Start a new board
          </button>
        ) : null}
      </div>
    </form>
  );
}

/**
 * Where each tile lands on the screen: CSS grid auto-placement as the wall does it (row by row, no back-filling), so a
 * tile can fall below the sixth row even when the cells add up.
 */
function placeTiles(tiles: readonly { w: number; h: number }[]): { row: number; col: number }[] {
  const taken = new Set<string>();
  const free = (r: number, c: number, w: number, h: number) => {
    for (let y = r; y < r + h; y++) for (let x = c; x < c + w; x++) if (taken.has(`${y},${x}`)) return false;
    return true;
  };
  let row = 0;
  let col = 0;
  return tiles.map((t) => {
    const w = Math.min(Math.max(t.w, 1), 12);
    const h = Math.max(t.h, 1);
    for (;;) {
      if (col + w > 12) {
        row++;
        col = 0;
        continue;
      }
      if (free(row, col, w, h)) break;
      col++;
    }
    for (let y = row; y < row + h; y++) for (let x = col; x < col + w; x++) taken.add(`${y},${x}`);
    const at = { row, col };
    col += w;
    return at;
  });
}

/** The 12 × 6 grid as the screen fills it; a tile below the sixth row is marked. */
function BoardPreview({ tiles }: { tiles: TileDraft[] }) {
  const places = placeTiles(tiles);
  return (
    <div className="board-preview" aria-label="Layout preview" role="img">
      {tiles.map((t, i) => {
        const at = places[i] ?? { row: 0, col: 0 };
        const out = at.row + t.h > 6;
        return (
          <div
            key={t.id}
            className={`preview-tile kind-${t.kind}${out ? ' outside' : ''}`}
            style={{ gridColumn: `${at.col + 1} / span ${t.w}`, gridRow: `${at.row + 1} / span ${t.h}` }}
            title={out ? 'below the sixth row: the screen has no room for it' : undefined}
          >
            <span>
              {i + 1}. {t.title.trim() || (t.kind === 'kpi' && t.kpi !== '' ? KPI_DEFINITIONS[t.kpi].label : TILE_LABELS[t.kind])}
            </span>
          </div>
        );
      })}
    </div>
  );
}

// ---- rotation editor ----

interface ItemDraft {
  key: number;
  boardId: string;
  dwell: string;
}

function RotationEditor(props: { rotation: Rotation | null; saved: boolean; boards: Board[]; onSaved: (r: Rotation) => void; onNew: () => void }) {
  const { rotation, boards } = props;
  const [name, setName] = useState(rotation?.name ?? 'New rotation');
  const [items, setItems] = useState<ItemDraft[]>(() =>
    rotation ? rotation.items.map((i, k) => ({ key: k, boardId: i.boardId, dwell: String(i.dwellSeconds) })) : boards.slice(0, 2).map((b, k) => ({ key: k, boardId: b.id, dwell: '60' })),
  );
  const [nextKey, setNextKey] = useState(100);
  const [dirty, setDirty] = useState(false);
  const body: z.input<typeof rotationBody> = { name, items: items.map((i) => ({ boardId: i.boardId, dwellSeconds: i.dwell.trim() === '' ? Number.NaN : Number(i.dwell) })) };
  const checked = rotationBody.safeParse(body);
  const issues = checked.success ? [] : checked.error.issues;
  const badRows = rowsWithIssues(issues, 'items');
  const total = items.reduce((s, i) => s + (Number(i.dwell) || 0), 0);
  const save = useMutation({
    mutationFn: (b: z.output<typeof rotationBody>) =>
      rotation ? api<{ rotation: Rotation }>(`/api/v1/rotations/${rotation.id}`, { method: 'PUT', body: b }) : api<{ rotation: Rotation }>('/api/v1/rotations', { method: 'POST', body: b }),
    onSuccess: (r) => props.onSaved(r.rotation),
  });
  const change = (next: ItemDraft[]) => {
    setDirty(true);
    setItems(next);
  };
  if (boards.length === 0) {
    return (
      <div className="panel rotation-editor">
        <h2>New rotation</h2>
        <p className="muted">Create a board first: a rotation cycles through boards.</p>
      </div>
    );
  }
  return (
    <form
      className="panel form rotation-editor"
      aria-label="Rotation editor"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (checked.success) save.mutate(checked.data);
      }}
    >
      <h2>{rotation ? `Edit rotation: ${rotation.name}` : 'New rotation'}</h2>
      <label>
        Name
        <input
          value={name}
          onChange={(e) => {
            setDirty(true);
            setName(e.target.value);
          }}
          maxLength={80}
          required
        />
      </label>
      <table className="tile-rows" aria-label="Boards in the rotation">
        <thead>
          <tr>
            <th>#</th>
            <th>Board</th>
            <th>Dwell (seconds, at least 5)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((it, i) => {
            const n = i + 1;
            const known = boards.some((b) => b.id === it.boardId);
            return (
              <tr key={it.key} className={badRows.has(i) ? 'attention' : ''}>
                <td className="muted">{n}</td>
                <td>
                  <select aria-label={`Rotation board ${n}`} value={it.boardId} onChange={(e) => change(items.map((x, j) => (j === i ? { ...x, boardId: e.target.value } : x)))}>
                    {known ? null : <option value={it.boardId}>A board you cannot see</option>}
                    {boards.map((b) => (
                      <option key={b.id} value={b.id}>
                        {b.name}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`Rotation board ${n} dwell`}
                    type="number"
                    min={5}
                    max={3600}
                    className="short"
                    value={it.dwell}
                    onChange={(e) => change(items.map((x, j) => (j === i ? { ...x, dwell: e.target.value } : x)))}
                  />
                </td>
                <RowActions what="board" list={items} index={i} onChange={change} />
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row center">
        <button
          type="button"
          className="secondary"
          disabled={items.length >= 20}
          onClick={() => {
            setNextKey(nextKey + 1);
            change([...items, { key: nextKey, boardId: boards[0]?.id ?? '', dwell: '60' }]);
          }}
        >
          Add a board
        </button>
        <span className="muted">{total > 0 ? `One full cycle takes ${total} s` : ''}</span>
      </div>
      {issues.length > 0 ? (
        <div className="issues" aria-live="polite" aria-label="Problems with this rotation">
          <strong>Fix before saving:</strong>
          <ul>
            {issues.map((i, k) => (
              <li key={k}>{plainIssue(i)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {errText(save.error) ? <p className="error">{errText(save.error)}</p> : null}
      {props.saved && !dirty ? <p className="ok">Saved. Screens showing this rotation follow within seconds.</p> : null}
      <div className="row">
        <button type="submit" disabled={!checked.success || save.isPending}>
          {rotation ? 'Save rotation' : 'Create rotation'}
        </button>
        {rotation ? (
          <button type="button" className="secondary" onClick={props.onNew}>
            Start a new rotation
          </button>
        ) : null}
      </div>
    </form>
  );
}
