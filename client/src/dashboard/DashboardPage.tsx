/**
 * The team leader's live dashboard: KPI tiles (value, target, status in colour + icon + word, n, change against the
 * previous period, sparkline), a trend with its target line, the queue-now panel and the team's agents. REST through
 * React Query for targets, history and the agents; live figures through the KPI feed.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { contactsLink } from '../drilldown/ContactsPages.js';
import { ActivePoint, CHART_KEYS, PointList, useEnterOpensPoint } from '../shell/PointList.js';
import { ScopeSelect } from '../shell/ScopeSelect.js';
import { scopeChoices } from '../shell/scopes.js';
import type { Me } from '../../../shared/access.js';
import type { Directory } from '../../../shared/directory.js';
import { formulaOf, KPI_DEFINITIONS, KPI_NAMES, STATUS_WORDS, statusOf, type CreditRule, type KpiName, type KpiSet, type Target } from '../../../shared/kpis.js';
import { LIVE_WINDOWS, type LiveWindow } from '../../../shared/live.js';
import { api } from '../api/http.js';
import { usePulse } from '../live/pulse-store.js';
import { useAge, useLiveKpis } from '../live/kpi-store.js';
import { count, formatChange, formatKpi } from '../../../shared/kpi-format.js';
import type { KpisReply, TeamAgentsReply, TrendReply } from '../../../shared/api.js';
import { DEFAULT_TIME_ZONE } from '../../../shared/zones.js';

/** While a reply says `pending` (late events still being folded into history), ask again this often. */
const PENDING_REFETCH_MS = 3_000;
const refetchWhilePending = (q: { state: { data?: { pending: boolean } | undefined } }) => (q.state.data?.pending ? PENDING_REFETCH_MS : false);

const WINDOW_LABELS: Record<LiveWindow, string> = { today: 'Today', interval: 'This quarter-hour', rolling60: 'Last hour' };
const TILE_KPIS: KpiName[] = ['csat', 'fcrRepeat', 'serviceLevel', 'asa', 'abandonRate', 'aht', 'firstResponse', 'nps', 'qa', 'fcrSurvey', 'complaintsPer1000'];
/** Queue measures: an abandoned contact never reached a person, so for a team or an agent these would mislead. */
const QUEUE_ONLY: KpiName[] = ['serviceLevel', 'abandonRate'];


export function DashboardPage({ me }: { me: Me }) {
  const dir = useQuery({ queryKey: ['directory'], queryFn: async () => (await api<{ directory: Directory }>('/api/v1/directory')).directory });
  const options = useMemo(() => scopeChoices(me, dir.data, { ownFigures: true }), [me, dir.data]);
  // The scope lives in the URL (?scope=team:billing), so a view can be shared and breadcrumbs lead back to it.
  const [params, setParams] = useSearchParams();
  const wanted = params.get('scope');
  const scope = options.find((o) => o.value === wanted)?.value ?? options[0]?.value ?? 'centre';
  const setPicked = (v: string) => setParams({ scope: v });
  const [window, setWindow] = useState<LiveWindow>('today');
  const [focus, setFocus] = useState<KpiName>('csat');
  const live = useLiveKpis(scope, window);
  const age = useAge(live.receivedAt);

  // Targets, status and the previous period come with the REST answer for the same window.
  const rest = useQuery({
    queryKey: ['kpis', scope, live.from, live.to],
    enabled: live.from !== null,
    queryFn: () => api<KpisReply>(`/api/v1/kpis?scope=${encodeURIComponent(scope)}&from=${live.from}&to=${live.to}`),
    staleTime: 60_000,
    refetchInterval: refetchWhilePending,
  });
  const sparkFrom = live.from ?? new Date().toISOString();
  const sparks = useQueries({
    queries: TILE_KPIS.map((k) => ({
      queryKey: ['spark', k, scope, sparkFrom.slice(0, 13)],
      queryFn: () => api<TrendReply>(`/api/v1/trends?kpi=${k}&scope=${encodeURIComponent(scope)}&from=${new Date(Date.parse(sparkFrom) - 6 * 86_400_000).toISOString()}&to=${live.to ?? sparkFrom}&granularity=day`),
      staleTime: 5 * 60_000,
      enabled: live.from !== null,
      refetchInterval: refetchWhilePending,
    })),
  });
  const updating = rest.data?.pending === true || sparks.some((q) => q.data?.pending === true);

  return (
    <div className="page dashboard">
      <header className="topbar">
        <h1>
          Dashboard <span className="sub">{options.find((o) => o.value === scope)?.label ?? scope}</span>
        </h1>
        <div className="filters">
          <ScopeSelect value={scope} choices={options} onPick={setPicked} />
          <label className="inline">
            Window
            <select aria-label="Window" value={window} onChange={(e) => setWindow(e.target.value as LiveWindow)}>
              {LIVE_WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {WINDOW_LABELS[w]}
                </option>
              ))}
            </select>
          </label>
          <div className={`conn conn-${live.connection}`} role="status" data-testid="kpi-connection">
            <strong>{live.connection === 'live' ? '● Live' : live.connection === 'denied' ? '■ No access' : live.connection === 'ended' ? '■ Disconnected' : '▲ Connecting'}</strong>
            <span>{age === null ? 'no data yet' : `updated ${age} s ago`}</span>
          </div>
        </div>
      </header>
      {live.reason ? <p className="notice">{live.reason}</p> : null}
      <section className="kpi-tiles" aria-label="KPIs">
        {TILE_KPIS.map((k, i) =>
          (scope.startsWith('team:') || scope.startsWith('agent:')) && QUEUE_ONLY.includes(k) ? null : (
          <KpiTile
            key={k}
            kpi={k}
            value={live.kpis?.[k] ?? null}
            previous={rest.data?.previous[k] ?? null}
            target={rest.data?.targets[k] ?? null}
            targetKnown={rest.data !== undefined}
            spark={sparks[i]?.data?.points ?? []}
            selected={focus === k}
            onSelect={() => setFocus(k)}
            previousLabel={rest.data?.previousLabel ?? 'vs previous period'}
            credit={rest.data?.creditAgent ?? 'last'}
          />
          ),
        )}
      </section>
      {updating ? (
        <p className="muted small-inline" role="status" data-testid="kpi-pending">
          Updating… late events for this period are still being added; the figures may change in a few seconds.
        </p>
      ) : null}
      {scope.startsWith('team:') || scope.startsWith('agent:') ? (
        <p className="muted small-inline">Service level and abandonment are queue measures (an abandoned contact never reached anyone); see them by queue.</p>
      ) : null}
      <section className="panels">
        <div className="panel">
          <TrendPanel kpi={focus} scope={scope} target={rest.data?.targets[focus] ?? null} todayEnd={live.to} timeZone={rest.data?.timeZone ?? DEFAULT_TIME_ZONE} />
        </div>
        <div className="panel">
          <QueueNow />
        </div>
      </section>
      {scope.startsWith('team:') ? <TeamAgents teamId={scope.slice(5)} dir={dir.data} from={live.from} to={live.to} seq={live.seq} /> : null}
    </div>
  );
}

function KpiTile(props: {
  kpi: KpiName;
  value: KpiSet[KpiName] | null;
  previous: KpiSet[KpiName] | null;
  target: Target | null;
  /** False until the REST answer with the targets is in: until then the tile says so rather than "No target". */
  targetKnown: boolean;
  spark: { value: number | null }[];
  selected: boolean;
  onSelect: () => void;
  previousLabel: string;
  credit: CreditRule;
}) {
  const def = KPI_DEFINITIONS[props.kpi];
  const v = props.value?.value ?? null;
  const status = props.targetKnown ? statusOf(v, props.target) : 'pending';
  const chip = status === 'pending' ? { icon: '…', word: 'Checking target' } : STATUS_WORDS[status];
  const change = formatChange(props.kpi, v, props.previous?.value ?? null);
  const good = props.target?.direction ?? (def.direction === 'neither' ? null : def.direction);
  const changeClass = !change || change.delta === 0 || !good ? 'flat' : (change.delta > 0) === (good === 'up') ? 'better' : 'worse';
  const tip = `${def.label}: ${formulaOf(props.kpi, props.credit)}. n = ${props.value?.n ?? 0} ${def.nIs}.${props.value?.provisional ? ' Provisional: the 7-day repeat window is still open.' : ''}`;
  return (
    <button type="button" className={`kpi-tile status-${status}${props.selected ? ' selected' : ''}`} title={tip} onClick={props.onSelect} data-testid={`tile-${props.kpi}`}>
      <div className="tile-label">{def.label}</div>
      <div className="tile-value" data-testid={`value-${props.kpi}`}>
        {formatKpi(props.kpi, v)}
        {props.value?.provisional ? <span className="provisional" title="provisional"> *</span> : null}
      </div>
      <div className={`status-chip status-${status}`}>
        <span aria-hidden="true">{chip.icon}</span> {chip.word}
      </div>
      <div className="tile-detail">
        {props.target ? `Target ${props.target.direction === 'up' ? '≥' : '≤'} ${formatKpi(props.kpi, props.target.threshold)} · ` : ''}n={count(props.value?.n ?? 0)}
      </div>
      <div className={`tile-change ${changeClass}`}>{change ? `${change.text} ${props.previousLabel}` : props.targetKnown ? 'no figure to compare with' : '\u00a0'}</div>
      <Sparkline points={props.spark} />
    </button>
  );
}

function Sparkline({ points }: { points: { value: number | null }[] }) {
  const vals = points.map((p) => p.value).filter((x): x is number => x !== null);
  if (vals.length < 2) return <svg className="spark" aria-hidden="true" />;
  const min = Math.min(...vals);
  const max = Math.max(...vals);
  const w = 120;
  const h = 24;
  const step = w / (points.length - 1);
  const d = points
    .map((p, i) => (p.value === null ? null : `${i * step},${h - 2 - ((p.value - min) / (max - min || 1)) * (h - 4)}`))
    .filter(Boolean)
    .join(' ');
  return (
    <svg className="spark" viewBox={`0 0 ${w} ${h}`} aria-label="last 7 days">
      <polyline points={d} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

function TrendPanel({ kpi, scope, target, todayEnd, timeZone }: { kpi: KpiName; scope: string; target: Target | null; todayEnd: string | null; timeZone: string }) {
  const navigate = useNavigate();
  // The end of the scope's local today (from the live window), so no empty "tomorrow" point appears.
  const to = new Date(todayEnd ?? 0);
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const trend = useQuery({
    enabled: todayEnd !== null,
    queryKey: ['trend', kpi, scope, to.toISOString()],
    queryFn: () => api<TrendReply>(`/api/v1/trends?kpi=${kpi}&scope=${encodeURIComponent(scope)}&from=${from.toISOString()}&to=${to.toISOString()}&granularity=day`),
    refetchInterval: refetchWhilePending,
  });
  // The scope's own zone (a site's, or the centre's for centre-wide figures), as the trend states it.
  const dayLabel = new Intl.DateTimeFormat('en-GB', { timeZone: trend.data?.timeZone ?? timeZone, day: '2-digit', month: '2-digit' });
  const unit = KPI_DEFINITIONS[kpi].unit;
  const scale = (v: number | null) => (v === null ? null : unit === 'fraction' ? v * 100 : v);
  // Points start at local midnight; label them in the scope's time zone, not by their UTC date.
  const data = (trend.data?.points ?? []).map((p) => ({ day: dayLabel.format(new Date(p.start)), value: scale(p.value), n: p.n, start: p.start, end: p.end }));
  // Clicking a day opens the contacts behind that point.
  const openPoint = (index: number | undefined) => {
    const p = index === undefined ? undefined : data[index];
    if (p) void navigate(contactsLink(scope, p.start, p.end, kpi));
  };
  const keys = useEnterOpensPoint<(typeof data)[number]>((p) => void navigate(contactsLink(scope, p.start, p.end, kpi)));
  const csv = `/api/v1/trends?kpi=${kpi}&scope=${encodeURIComponent(scope)}&from=${from.toISOString()}&to=${to.toISOString()}&granularity=day&format=csv`;
  return (
    <>
      <h2>
        {KPI_DEFINITIONS[kpi].label}, last 30 days <a className="small-inline" href={csv}>CSV</a> <span className="muted small-inline">· click a day for its contacts{trend.data ? ` · days in ${trend.data.timeZone}` : ''}</span>
        {trend.data?.pending ? (
          <span className="muted small-inline" role="status" data-testid="trend-pending">
            {' '}
            · updating…
          </span>
        ) : null}
      </h2>
      <div style={{ width: '100%', height: 240 }} onKeyDown={keys.onKeyDown}>
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} title={`${KPI_DEFINITIONS[kpi].label} by day, last 30 days`} desc={CHART_KEYS} onClick={(e) => openPoint(e.activeTooltipIndex === undefined || e.activeTooltipIndex === null ? undefined : Number(e.activeTooltipIndex))} style={{ cursor: 'pointer' }}>
            <ActivePoint pointRef={keys.active} />
            <CartesianGrid stroke="#e5e8ee" />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} unit={unit === 'fraction' ? '%' : unit === 'seconds' ? 's' : ''} width={48} />
            <Tooltip formatter={(v) => [typeof v === 'number' ? v.toFixed(1) : String(v), KPI_DEFINITIONS[kpi].label]} />
            <Line type="monotone" dataKey="value" stroke="#1f5fbf" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} connectNulls />
            {target ? (
              <ReferenceLine y={scale(target.threshold) ?? 0} stroke="#b42318" strokeDasharray="6 4" strokeWidth={2} label={{ value: 'target', position: 'right', fill: '#b42318', fontSize: 11 }} />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <PointList
        what={`${KPI_DEFINITIONS[kpi].label}, last 30 days`}
        period="day"
        testId="trend-points"
        points={(trend.data?.points ?? []).map((p, i) => ({ key: p.start, label: data[i]?.day ?? '', value: formatKpi(kpi, p.value), n: p.n, to: contactsLink(scope, p.start, p.end, kpi) }))}
      />
    </>
  );
}

function QueueNow() {
  const { snapshot } = usePulse();
  return (
    <>
      <h2>Queues now</h2>
      {snapshot ? (
        <table>
          <thead>
            <tr>
              <th>Queue</th>
              <th className="num">Waiting</th>
              <th className="num">Longest wait</th>
              <th className="num">Offered today</th>
              <th className="num">Abandoned</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.queues.map((q) => (
              <tr key={q.queueId}>
                <td>{q.name}</td>
                <td className="num">{q.waitingNow}</td>
                <td className="num">{q.longestWaitSeconds === null ? '–' : formatKpi('asa', q.longestWaitSeconds)}</td>
                <td className="num">{count(q.offered)}</td>
                <td className="num">{count(q.abandoned)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Waiting for live data…</p>
      )}
      {snapshot ? (
        <p className="muted small-inline">
          Agents: {Object.entries(snapshot.agentsByState)
            .map(([s, n]) => `${n} ${s}`)
            .join(' · ')}
        </p>
      ) : null}
    </>
  );
}

/** Rows shown at once: a team of a few hundred still renders quickly, and the page stays the same height. */
const TEAM_PAGE = 50;

function TeamAgents({ teamId, dir, from, to, seq }: { teamId: string; dir: Directory | undefined; from: string | null; to: string | null; seq: number }) {
  const names = useMemo(() => new Map((dir?.agents ?? []).map((a) => [a.id, a.name])), [dir]);
  const [page, setPage] = useState(0);
  // Refreshed with the team's live sequence, at most every 5 seconds (a tick changes the team's figures). One request
  // for the whole team, however large it is.
  const bucket = Math.floor(seq / 20);
  const reply = useQuery({
    queryKey: ['team-agents', teamId, from, to, bucket],
    enabled: from !== null,
    queryFn: () => api<TeamAgentsReply>(`/api/v1/kpis/agents?team=${encodeURIComponent(teamId)}&from=${from}&to=${to}`),
    staleTime: 5_000,
    placeholderData: (prev: TeamAgentsReply | undefined) => (prev?.team === teamId ? prev : undefined),
  });
  const members = (dir?.agents ?? []).filter((a) => a.teamId === teamId);
  const byId = new Map((reply.data?.agents ?? []).map((a) => [a.agentId, a]));
  const pages = Math.max(1, Math.ceil(members.length / TEAM_PAGE));
  const current = Math.min(page, pages - 1);
  const shown = members.slice(current * TEAM_PAGE, (current + 1) * TEAM_PAGE);
  const cols: KpiName[] = ['csat', 'fcrRepeat', 'aht', 'qa'];
  return (
    <section className="panel agents-panel">
      <h2>Team agents</h2>
      <table data-testid="team-agents">
        <thead>
          <tr>
            <th>Agent</th>
            <th className="num" title="contacts offered to and reaching an outcome, less short abandons">Contacts</th>
            {cols.map((k) => (
              <th key={k} className="num" title={KPI_DEFINITIONS[k].formula}>
                {KPI_DEFINITIONS[k].label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((a) => {
            const k = byId.get(a.id);
            return (
              <tr key={a.id}>
                <td><Link to={`/agents/${encodeURIComponent(a.id)}`}>{names.get(a.id) ?? a.id}</Link></td>
                <td className="num">{k ? count(k.kpis.serviceLevel.n) : '…'}</td>
                {cols.map((c) => {
                  const kpi = k?.kpis[c as keyof typeof k.kpis];
                  return (
                    <td key={c} className={`num status-text-${k?.status[c as keyof typeof k.status] ?? 'no-data'}`} title={`n = ${kpi?.n ?? 0}`}>
                      {kpi ? `${formatKpi(c, kpi.value)} (${kpi.n})` : '…'}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      {pages > 1 ? (
        <nav className="pager" aria-label="Team agents pages">
          <button type="button" onClick={() => setPage(current - 1)} disabled={current === 0}>
            Previous
          </button>
          <span className="muted small-inline" data-testid="team-agents-range">
            {current * TEAM_PAGE + 1}–{Math.min(members.length, (current + 1) * TEAM_PAGE)} of {members.length}
          </span>
          <button type="button" onClick={() => setPage(current + 1)} disabled={current >= pages - 1}>
            Next
          </button>
        </nav>
      ) : null}
      <p className="muted small-inline">Figures with fewer than 10 responses move a lot by chance; n is shown in brackets.</p>
    </section>
  );
}

export const KPI_ORDER = KPI_NAMES;
