/**
 * The wall view of a paired screen: its boards (one, or a rotation with a dwell each), full screen, dark, no controls.
 * Every tile says how fresh its data is and turns visibly stale past the board's threshold; a banner shows a lost
 * connection; the socket reconnects with jittered backoff and every live tile resyncs from a snapshot. Only the current
 * board is mounted, live figures live in small stores (a tick re-renders only the tile it changes), and charts are
 * updated in place.
 */
import { TZDate } from '@date-fns/tz';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useEffect, useState, type ReactNode } from 'react';
import type { Board, Tile, TileData, WallConfig } from '../../../shared/boards.js';
import { targetKey, TILE_LABELS } from '../../../shared/board-words.js';
import { KPI_DEFINITIONS, KPI_NAMES, STATUS_WORDS, statusOf, type KpiName, type Target, type TargetStatus } from '../../../shared/kpis.js';
import { formatKpi } from '../../../shared/kpi-format.js';
import { api } from '../api/http.js';
import { useAge, useLiveKpis } from '../live/kpi-store.js';
import { usePulse } from '../live/pulse-store.js';
import { acquireSocket, releaseSocket } from '../live/socket.js';
import { WallTrend } from './WallTrend.js';
import './wall.css';

export const WALL_KEY = ['wall'] as const;

/** REST-fed tiles: how often each refreshes. A tile counts as stale only past twice that (or the board's threshold). */
const REFRESH_MS: Partial<Record<Tile['kind'], number>> = { trend: 60_000, agents: 15_000, comments: 30_000, coaching: 30_000 };

export function WallBoards({ config }: { config: WallConfig }) {
  const [index, setIndex] = useState(0);
  const boards = config.boards;
  const current = boards[index % boards.length];
  useEffect(() => {
    const dwell = current?.dwellSeconds;
    if (!dwell || boards.length < 2) return;
    const t = setTimeout(() => setIndex((i) => (i + 1) % boards.length), dwell * 1000);
    return () => clearTimeout(t);
  }, [index, current, boards.length]);
  useSoftReload(config.reloadHour, config.timeZone);
  if (!current) return null;
  return (
    <div className="wallboard" data-testid="wallboard">
      <ConnectionBanner />
      <header className="wb-head">
        <h1>{current.board.name}</h1>
        {boards.length > 1 ? (
          <span className="wb-dots" aria-label={`board ${(index % boards.length) + 1} of ${boards.length}`}>
            {boards.map((b, i) => (
              <span key={`${b.board.id}-${i}`} className={i === index % boards.length ? 'on' : ''} />
            ))}
          </span>
        ) : null}
        <Clock timeZone={config.timeZone} />
      </header>
      <BoardGrid key={current.board.id} board={current.board} config={config} />
    </div>
  );
}

function BoardGrid({ board, config }: { board: Board; config: WallConfig }) {
  return (
    <main className="wb-grid">
      {board.tiles.map((t) => {
        const refused = config.refused[`${board.id}|${t.id}`];
        return (
          <section key={t.id} className="wb-tile" style={{ gridColumn: `span ${t.w}`, gridRow: `span ${t.h}` }} data-testid={`wtile-${t.id}`}>
            {refused ? <TileFrame title={t.title ?? TILE_LABELS[t.kind]} asOf={null} staleAfter={board.staleAfterSeconds}><p className="wb-muted">{refused}</p></TileFrame> : <TileBody tile={t} board={board} config={config} />}
          </section>
        );
      })}
    </main>
  );
}

function TileBody({ tile, board, config }: { tile: Tile; board: Board; config: WallConfig }) {
  const target = (k: KpiName): Target | null => config.targets[targetKey(tile.scope, k)] ?? null;
  switch (tile.kind) {
    case 'kpi':
      return <KpiTileW tile={tile} target={target(tile.kpi as KpiName)} staleAfter={board.staleAfterSeconds} />;
    case 'alerts':
      return <AlertsTileW tile={tile} targets={target} staleAfter={board.staleAfterSeconds} />;
    case 'queue':
      return <QueueTileW tile={tile} staleAfter={board.staleAfterSeconds} />;
    case 'trend':
    case 'agents':
    case 'comments':
    case 'coaching':
      return <RestTileW tile={tile} board={board} target={tile.kpi ? target(tile.kpi) : null} />;
  }
}

/** The frame every tile shares: title, its own "updated N s ago", and the stale marker. */
function TileFrame({ title, asOf, staleAfter, status, children }: { title: string; asOf: number | null; staleAfter: number; status?: TargetStatus; children: ReactNode }) {
  const age = useAge(asOf);
  const stale = age === null || age > staleAfter;
  return (
    <div className={`wb-frame${stale ? ' stale' : ''}${status ? ` st-${status}` : ''}`} data-stale={stale ? 'yes' : 'no'}>
      <div className="wb-title">{title}</div>
      <div className="wb-body">{children}</div>
      <div className="wb-age" data-testid="age">
        {age === null ? 'waiting for data' : stale ? `⚠ stale: updated ${formatAge(age)} ago` : `updated ${formatAge(age)} ago`}
      </div>
    </div>
  );
}

function formatAge(s: number): string {
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function StatusMark({ status }: { status: TargetStatus }) {
  return (
    <span className={`wb-status st-${status}`}>
      <span aria-hidden="true">{STATUS_WORDS[status].icon}</span> {STATUS_WORDS[status].word}
    </span>
  );
}

const WINDOW_WORDS = { today: 'today', interval: 'this quarter-hour', rolling60: 'last hour' } as const;

const KpiTileW = memo(function KpiTileW({ tile, target, staleAfter }: { tile: Tile; target: Target | null; staleAfter: number }) {
  const kpi = tile.kpi as KpiName;
  const live = useLiveKpis(tile.scope, tile.window);
  const v = live.kpis?.[kpi] ?? null;
  const status = live.kpis ? statusOf(v?.value ?? null, target) : 'no-data';
  const def = KPI_DEFINITIONS[kpi];
  return (
    <TileFrame title={tile.title ?? `${def.label} · ${tile.scope} · ${WINDOW_WORDS[tile.window]}`} asOf={live.confirmedAt} staleAfter={staleAfter} status={status}>
      <div className="wb-kpi">
        <div className="wb-value" data-testid={`wvalue-${tile.id}`}>
          {formatKpi(kpi, v?.value ?? null)}
        </div>
        <StatusMark status={status} />
        <div className="wb-detail">
          {target ? `target ${target.direction === 'up' ? '≥' : '≤'} ${formatKpi(kpi, target.threshold)} · ` : ''}n = {v?.n ?? 0}
        </div>
      </div>
    </TileFrame>
  );
});

/**
 * Alert ticker: every KPI of the scope that is off target now. A new breach flashes once and stays marked until it
 * clears.
 */
const AlertsTileW = memo(function AlertsTileW({ tile, targets, staleAfter }: { tile: Tile; targets: (k: KpiName) => Target | null; staleAfter: number }) {
  const live = useLiveKpis(tile.scope, tile.window);
  const kpis = live.kpis;
  const breaches = kpis ? KPI_NAMES.filter((k) => statusOf(kpis[k].value, targets(k)) === 'off') : [];
  return (
    <TileFrame title={tile.title ?? `Alerts · ${tile.scope} · ${WINDOW_WORDS[tile.window]}`} asOf={live.confirmedAt} staleAfter={staleAfter}>
      {breaches.length === 0 ? (
        <p className="wb-allclear">
          <span aria-hidden="true">✓</span> No KPI off target
        </p>
      ) : (
        <ul className="wb-alerts">
          {breaches.map((k) => (
            // Keyed by KPI: the row mounts when the breach starts (its flash animation runs then, once), stays while
            // it lasts, and unmounts when it clears; a new breach flashes again.
            <li key={k} className="wb-alert" data-testid={`alert-${k}`}>
              <StatusMark status="off" /> <strong>{KPI_DEFINITIONS[k].label}</strong> {formatKpi(k, kpis?.[k].value ?? null)}
              <span className="wb-muted"> (target {formatKpi(k, targets(k)?.threshold ?? null)})</span>
            </li>
          ))}
        </ul>
      )}
    </TileFrame>
  );
});

function QueueTileW({ tile, staleAfter }: { tile: Tile; staleAfter: number }) {
  const { snapshot, receivedAt } = usePulse();
  const [kind, id] = tile.scope === 'centre' ? ['centre', ''] : (tile.scope.split(':') as [string, string]);
  const queues = (snapshot?.queues ?? []).filter((q) => kind === 'centre' || (kind === 'queue' && q.queueId === id) || (kind === 'site' && q.siteId === id) || (kind === 'channel' && q.channel === id));
  const waiting = queues.reduce((s, q) => s + q.waitingNow, 0);
  const longest = Math.max(0, ...queues.map((q) => q.longestWaitSeconds ?? 0));
  const states = snapshot?.agentsByState;
  return (
    <TileFrame title={tile.title ?? `Queues now · ${tile.scope}`} asOf={receivedAt} staleAfter={staleAfter}>
      <div className="wb-queue">
        <div>
          <div className="wb-value" data-testid={`wvalue-${tile.id}`}>
            {waiting}
          </div>
          <div className="wb-detail">waiting · longest {formatWait(longest)}</div>
        </div>
        {kind === 'centre' && states ? (
          <div className="wb-states">
            {Object.entries(states).map(([s, n]) => (
              <span key={s}>
                {s.replace('_', ' ')} <strong>{n}</strong>
              </span>
            ))}
          </div>
        ) : null}
        <table className="wb-table">
          <tbody>
            {queues
              .filter((q) => q.waitingNow > 0 || q.offered > 0)
              .sort((a, b) => b.waitingNow - a.waitingNow)
              .slice(0, 6)
              .map((q) => (
                <tr key={q.queueId}>
                  <td>{q.name}</td>
                  <td className="num">{q.waitingNow}</td>
                  <td className="num">{formatWait(q.longestWaitSeconds ?? 0)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </TileFrame>
  );
}

function formatWait(s: number): string {
  return s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}

/** Trend, agent grid, comments and coaching: fetched over REST at the tile's own pace. */
function RestTileW({ tile, board, target }: { tile: Tile; board: Board; target: Target | null }) {
  const every = REFRESH_MS[tile.kind] ?? 30_000;
  const q = useQuery({
    queryKey: ['wall-tile', board.id, tile.id],
    queryFn: async () => (await api<{ data: TileData }>(`/api/v1/wall/tiles/${encodeURIComponent(board.id)}/${encodeURIComponent(tile.id)}`)).data,
    refetchInterval: every,
    refetchIntervalInBackground: true,
    retry: true,
    retryDelay: (n) => Math.min(30_000, 1000 * 2 ** n) * (0.5 + Math.random() / 2),
  });
  const staleAfter = Math.max(board.staleAfterSeconds, (2 * every) / 1000);
  const asOf = q.dataUpdatedAt === 0 ? null : q.dataUpdatedAt;
  const d = q.data;
  const title = tile.title ?? `${TILE_LABELS[tile.kind]}${tile.kpi ? ` · ${KPI_DEFINITIONS[tile.kpi].label}` : ''} · ${tile.scope}`;
  return (
    <TileFrame title={title} asOf={asOf} staleAfter={staleAfter}>
      {!d ? <p className="wb-muted">{q.error ? 'Cannot load yet; retrying' : 'Loading…'}</p> : null}
      {d?.kind === 'trend' ? <WallTrend kpi={tile.kpi as KpiName} data={d} target={target} /> : null}
      {d?.kind === 'agents' ? <AgentGrid kpi={tile.kpi as KpiName} agents={d.agents} /> : null}
      {d?.kind === 'comments' ? <Comments comments={d.comments} /> : null}
      {d?.kind === 'coaching' ? (
        <div className="wb-kpi">
          <div className="wb-value" data-testid={`wvalue-${tile.id}`}>
            {d.open}
          </div>
          <div className="wb-detail">open coaching cases · {d.unassigned} not yet assigned</div>
        </div>
      ) : null}
    </TileFrame>
  );
}

function AgentGrid({ kpi, agents }: { kpi: KpiName; agents: Extract<TileData, { kind: 'agents' }>['agents'] }) {
  return (
    <div className="wb-agents">
      {agents.map((a) => (
        <div key={a.id} className={`wb-agent st-${a.status}`} title={`${a.name}: ${STATUS_WORDS[a.status].word}`}>
          <div className="wb-agent-name">{a.name}</div>
          <div className="wb-agent-fig">
            <span aria-hidden="true">{STATUS_WORDS[a.status].icon}</span> {formatKpi(kpi, a.value)} <span className="wb-muted">n={a.n}</span>
          </div>
          <div className={`wb-agent-state state-${a.state ?? 'unknown'}`}>{(a.state ?? 'no state').replace('_', ' ')}</div>
        </div>
      ))}
    </div>
  );
}

function Comments({ comments }: { comments: Extract<TileData, { kind: 'comments' }>['comments'] }) {
  if (comments.length === 0) return <p className="wb-muted">No comments yet today.</p>;
  return (
    <ul className="wb-comments">
      {comments.map((c) => (
        <li key={`${c.at}-${c.text.slice(0, 20)}`}>
          {c.csat !== null ? <span className={`wb-csat csat-${c.csat >= 4 ? 'good' : c.csat <= 2 ? 'bad' : 'mid'}`}>{c.csat}/5</span> : null} “{c.text}”
        </li>
      ))}
    </ul>
  );
}

function Clock({ timeZone }: { timeZone: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(t);
  }, []);
  return <span className="wb-clock">{new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(now)}</span>;
}

/** A banner while the live connection is down; the socket retries by itself with jittered backoff. */
function ConnectionBanner() {
  const [down, setDown] = useState<number | null>(null);
  const age = useAge(down);
  useEffect(() => {
    const s = acquireSocket();
    const onDown = () => setDown((d) => d ?? Date.now());
    const onUp = () => setDown(null);
    s.on('disconnect', onDown);
    s.on('connect_error', onDown);
    s.on('connect', onUp);
    if (!s.connected) onDown();
    return () => {
      s.off('disconnect', onDown);
      s.off('connect_error', onDown);
      s.off('connect', onUp);
      releaseSocket();
    };
  }, []);
  if (down === null) return null;
  return (
    <div className="wb-banner" role="status" data-testid="connection-banner">
      ⚠ Connection to Frontline lost {age !== null && age > 0 ? `${formatAge(age)} ago` : ''}: reconnecting. Figures below may be out of date.
    </div>
  );
}

/**
 * Layout changes (board edited, screen given something else): reload the layout and reconnect, so the socket carries
 * the screen's new scopes. After any reconnect, REST tiles refetch at once.
 */
export function useLayoutChanges(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const s = acquireSocket();
    const onChanged = () => {
      void qc.invalidateQueries({ queryKey: WALL_KEY });
      // The server closes this socket right after; come back after a short jittered pause.
      setTimeout(() => s.connect(), 500 + Math.random() * 1500);
    };
    const onConnect = () => void qc.invalidateQueries({ queryKey: ['wall-tile'] });
    s.on('wall:changed', onChanged);
    s.on('connect', onConnect);
    return () => {
      s.off('wall:changed', onChanged);
      s.off('connect', onConnect);
      releaseSocket();
    };
  }, [qc]);
}

/** Optional daily soft reload at a local hour of the centre: a last safety net, off unless configured. */
function useSoftReload(hour: number | null, timeZone: string): void {
  useEffect(() => {
    if (hour === null) return;
    const now = new TZDate(Date.now(), timeZone);
    const next = new TZDate(now.getFullYear(), now.getMonth(), now.getDate(), hour, 0, 0, timeZone);
    if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
    const t = setTimeout(() => window.location.reload(), next.getTime() - now.getTime());
    return () => clearTimeout(t);
  }, [hour, timeZone]);
}
