/**
 * Explore: the manager's drill-down. A scope (centre › site › team, in breadcrumbs) narrowed by multi-select filters
 * (teams, queues, channels, contact reasons, hours of the day, days of the week), every KPI against the period
 * before, a daily trend and a "compare by" breakdown whose bars are the peers side by side. Every point, bar and
 * table row opens the contacts behind it; the whole view lives in the URL, so it can be shared, and its CSV holds
 * exactly what is on screen.
 */
import { useQuery } from '@tanstack/react-query';
import { TZDate } from '@date-fns/tz';
import { centreZoneOf, DEFAULT_TIME_ZONE } from '../../../shared/zones.js';
import { addDays, startOfDay } from 'date-fns';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Bar, BarChart, CartesianGrid, Cell, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Me } from '../../../shared/access.js';
import { CHANNELS } from '../../../shared/channels.js';
import { KPI_DEFINITIONS, STATUS_WORDS, type KpiName, type Target } from '../../../shared/kpis.js';
import { count, formatChange, formatKpi } from '../../../shared/kpi-format.js';
import type { SegmentBar, SegmentOption, SegmentReply } from '../../../shared/segments.js';
import { DIMENSION_WORDS, EMPTY_FILTER, filterFromParams, filterParams, SEGMENT_DIMENSIONS, WEEKDAY_NAMES, type SegmentDimension, type SegmentFilter } from '../../../shared/segment-filter.js';
import { api, errText } from '../api/http.js';
import { useDirectory, useScopeNames } from '../coaching/case-words.js';
import { contactsLink } from '../drilldown/ContactsPages.js';
import { ActivePoint, CHART_KEYS, PointList, useEnterOpensPoint } from '../shell/PointList.js';
import { ScopeSelect } from '../shell/ScopeSelect.js';
import { PeriodSelect } from '../shell/PeriodSelect.js';
import { scopeChoices } from '../shell/scopes.js';
import { filterParts } from './filter-words.js';

const PERIODS = [7, 28, 90] as const;
const TILE_KPIS: KpiName[] = ['csat', 'fcrSurvey', 'fcrRepeat', 'aht', 'serviceLevel', 'asa', 'abandonRate', 'firstResponse', 'nps', 'qa', 'complaintsPer1000'];
const QUEUE_ONLY: KpiName[] = ['serviceLevel', 'abandonRate'];
const enc = encodeURIComponent;

/** Better, worse or flat for a change, knowing which way is good for the KPI (or its target). */
function changeClass(kpi: KpiName, delta: number | undefined, target: Target | null): 'better' | 'worse' | 'flat' | 'neutral' {
  const good = target?.direction ?? (KPI_DEFINITIONS[kpi].direction === 'neither' ? null : KPI_DEFINITIONS[kpi].direction);
  if (delta === undefined || delta === 0) return 'flat';
  if (!good) return 'neutral';
  return delta > 0 === (good === 'up') ? 'better' : 'worse';
}
/** Icon and word, never colour alone; a KPI with no better direction (AHT without a target) just says it changed. */
const CHANGE_ICON = { better: '▲ better', worse: '▼ worse', flat: '■ no change', neutral: '◆ changed' } as const;
const TAB_WORDS: Record<SegmentDimension, string> = { team: 'Team', queue: 'Queue', channel: 'Channel', reason: 'Reason', hour: 'Hour', weekday: 'Weekday' };

export function ExplorePage({ me }: { me: Me }) {
  const dir = useDirectory();
  const names = useScopeNames();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const choices = useMemo(() => scopeChoices(me, dir.data, { ownFigures: false }), [me, dir.data]);
  const scope = choices.find((c) => c.value === params.get('scope'))?.value ?? choices[0]?.value ?? 'centre';
  const days = PERIODS.find((p) => String(p) === params.get('days')) ?? 28;
  const kpi = (params.get('kpi') && params.get('kpi')! in KPI_DEFINITIONS ? params.get('kpi') : 'csat') as KpiName;
  const teamScope = scope.startsWith('team:');
  // Within one team, teams are not a comparison: the tabs start at queues.
  const dimensions = SEGMENT_DIMENSIONS.filter((d) => !(teamScope && d === 'team'));
  const by = dimensions.find((d) => d === params.get('by')) ?? dimensions[0] ?? 'queue';
  const filter = filterFromParams(params);
  const tz = dir.data ? centreZoneOf(dir.data) : DEFAULT_TIME_ZONE;
  // Whole local days up to today's midnight in the centre's time zone: the dashboard covers today so far.
  const [openedAt] = useState(() => Date.now());
  const to = startOfDay(new TZDate(openedAt, tz));
  const from = addDays(to, -days);
  const fromIso = from.toISOString();
  const toIso = to.toISOString();

  /** Changes some of the view's parameters, keeping the rest (the URL is the view). */
  const update = (changes: Partial<{ scope: string; days: number; kpi: KpiName; by: SegmentDimension; filter: SegmentFilter }>) => {
    const next = new URLSearchParams({ scope: changes.scope ?? scope, days: String(changes.days ?? days), kpi: changes.kpi ?? kpi, by: changes.by ?? by });
    filterParams(changes.filter ?? filter, next);
    setParams(next);
  };
  const viewLink = (s: string, f: SegmentFilter = filter) => `/explore?${filterParams(f, new URLSearchParams({ scope: s, days: String(days), kpi, by })).toString()}`;

  const query = filterParams(filter, new URLSearchParams({ scope, from: fromIso, to: toIso, kpi, by })).toString();
  const seg = useQuery({
    queryKey: ['segments', query],
    queryFn: () => api<SegmentReply>(`/api/v1/segments?${query}`),
    enabled: dir.data !== undefined,
    placeholderData: (prev) => prev,
  });
  const r = seg.data;
  const narrowedFor = (b: SegmentBar): SegmentFilter => {
    switch (by) {
      case 'team':
        return { ...filter, teams: [b.key] };
      case 'queue':
        return { ...filter, queues: [b.key] };
      case 'channel':
        return { ...filter, channels: [b.key] };
      case 'reason':
        return { ...filter, reasons: [b.key] };
      case 'hour':
        return { ...filter, hours: [Number(b.key)] };
      case 'weekday':
        return { ...filter, weekdays: [Number(b.key)] };
    }
  };
  const barContacts = (b: SegmentBar) => contactsLink(scope, fromIso, toIso, kpi, narrowedFor(b));

  return (
    <div className="page explore">
      <header className="topbar">
        <div>
          <Crumbs scope={scope} link={viewLink} />
          <h1>
            Explore <span className="sub">{names(scope)}</span>
          </h1>
        </div>
        <div className="filters">
          <ScopeSelect value={scope} choices={choices} onPick={(s) => update({ scope: s, filter: EMPTY_FILTER })} />
          <PeriodSelect value={days} choices={PERIODS} onPick={(n) => update({ days: n })} />
          {r ? (
            <a className="small-inline" href={`/api/v1/segments?${query}&format=csv`} data-testid="segments-csv">
              CSV of this view
            </a>
          ) : null}
        </div>
      </header>

      <FilterBar filter={filter} options={r?.options} onChange={(f) => update({ filter: f })} />
      <p className="muted small-inline">
        {new Date(fromIso).toLocaleDateString('en-GB', { timeZone: tz, day: 'numeric', month: 'short' })} to {new Date(to.getTime() - 1).toLocaleDateString('en-GB', { timeZone: tz, day: 'numeric', month: 'short', year: 'numeric' })} ({tz}), compared with the {days} days before.
      </p>
      {seg.error ? <p className="error">{errText(seg.error)}</p> : null}

      <section className="kpi-tiles" aria-label="KPIs">
        {TILE_KPIS.filter((k) => !(teamScope && QUEUE_ONLY.includes(k))).map((k) => {
          const v = r?.kpis[k];
          const target = r?.targets[k] ?? null;
          const ch = formatChange(k, v?.value ?? null, r?.previous[k].value ?? null);
          const cls = changeClass(k, ch?.delta, target);
          const status = r?.status[k] ?? 'no-data';
          return (
            <button key={k} type="button" className={`kpi-tile status-${status}${k === kpi ? ' selected' : ''}`} onClick={() => update({ kpi: k })} data-testid={`seg-tile-${k}`} title={`${KPI_DEFINITIONS[k].label}: ${KPI_DEFINITIONS[k].formula}`}>
              <div className="tile-label">{KPI_DEFINITIONS[k].label}</div>
              <div className="tile-value" data-testid={`seg-value-${k}`}>
                {r ? formatKpi(k, v?.value ?? null) : '…'}
              </div>
              <div className={`status-chip status-${status}`}>
                <span aria-hidden="true">{STATUS_WORDS[status].icon}</span> {STATUS_WORDS[status].word}
              </div>
              <div className="tile-detail">
                {target ? `Target ${target.direction === 'up' ? '≥' : '≤'} ${formatKpi(k, target.threshold)} · ` : ''}n={count(v?.n ?? 0)}
              </div>
              <div className={`tile-change ${cls}`}>{ch ? `${CHANGE_ICON[cls]}: ${ch.text} vs previous ${days} days` : 'nothing to compare with'}</div>
            </button>
          );
        })}
      </section>

      <section className="panels explore-panels">
        <div className="panel">
          <h2>
            {KPI_DEFINITIONS[kpi].label} by day <span className="muted small-inline">· click a day for its contacts</span>
          </h2>
          {r ? <TrendChart reply={r} kpi={kpi} tz={tz} onPick={(p) => void navigate(contactsLink(scope, p.start, p.end, kpi, filter))} /> : <p className="muted">Loading…</p>}
          {r ? (
            <PointList
              what={`${KPI_DEFINITIONS[kpi].label} by day`}
              period="day"
              testId="segment-trend-points"
              points={r.trend.map((p) => ({ key: p.start, label: new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: '2-digit', month: '2-digit' }).format(new Date(p.start)), value: formatKpi(kpi, p.value), n: p.n, to: contactsLink(scope, p.start, p.end, kpi, filter) }))}
            />
          ) : null}
        </div>
        <div className="panel">
          <h2>Compare by</h2>
          <div className="tabs" role="tablist" aria-label="Compare by">
            {dimensions.map((d) => (
              <button key={d} type="button" role="tab" aria-selected={d === by} className={`tab${d === by ? ' active' : ''}`} onClick={() => update({ by: d })} title={DIMENSION_WORDS[d].label}>
                {TAB_WORDS[d]}
              </button>
            ))}
          </div>
          {r ? <BarsChart reply={r} kpi={kpi} onPick={(b) => void navigate(barContacts(b))} /> : null}
        </div>
      </section>

      {r ? (
        <section className="panel explore-table">
          <h2>
            {KPI_DEFINITIONS[kpi].label} by {DIMENSION_WORDS[by].label.toLowerCase()}
            {r.hiddenBars > 0 ? <span className="muted small-inline"> · {r.hiddenBars} other teams are outside what you can see</span> : null}
          </h2>
          <table data-testid="segment-bars">
            <thead>
              <tr>
                <th>{DIMENSION_WORDS[by].label}</th>
                <th className="num">{KPI_DEFINITIONS[kpi].label}</th>
                <th className="num">n</th>
                <th className="num">Previous {days} days</th>
                <th>Change</th>
                <th>Drill in</th>
              </tr>
            </thead>
            <tbody>
              {r.bars.map((b) => {
                const ch = formatChange(kpi, b.value, b.previous);
                const cls = changeClass(kpi, ch?.delta, r.targets[kpi] ?? null);
                const drill = by === 'team' && !b.key.startsWith('(') ? `team:${b.key}` : by === 'queue' ? `queue:${b.key}` : by === 'channel' ? `channel:${b.key}` : null;
                const canDrill = drill !== null && drill !== scope && choices.some((c) => c.value === drill);
                return (
                  <tr key={b.key}>
                    <td>
                      <Link to={barContacts(b)} data-testid="bar-contacts">
                        {b.label}
                      </Link>
                    </td>
                    <td className="num">{formatKpi(kpi, b.value)}</td>
                    <td className="num">{count(b.n)}</td>
                    <td className="num">{formatKpi(kpi, b.previous)}</td>
                    <td className={`tile-change ${cls}`}>{ch ? `${CHANGE_ICON[cls]}: ${ch.text}` : '–'}</td>
                    <td>{canDrill && drill ? <Link to={viewLink(drill, EMPTY_FILTER)}>Open {names(drill)} ›</Link> : null}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted small-inline">Rates over a handful of responses move a lot by chance; read them with their n.</p>
        </section>
      ) : null}

      {teamScope && dir.data ? (
        <section className="panel explore-table">
          <h2>Agents in {names(scope)}</h2>
          <ul className="agent-links">
            {dir.data.agents
              .filter((a) => a.teamId === scope.slice(5))
              .map((a) => (
                <li key={a.id}>
                  <Link to={`/agents/${enc(a.id)}`}>{a.name}</Link>
                </li>
              ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function Crumbs({ scope, link }: { scope: string; link: (scope: string) => string }) {
  const dir = useDirectory();
  const names = useScopeNames();
  const [kind, id] = scope.split(/:(.*)/s) as [string, string | undefined];
  const trail: string[] = ['centre'];
  if (kind === 'team') {
    const site = dir.data?.teams.find((t) => t.id === id)?.siteId;
    if (site && (dir.data?.sites.length ?? 0) > 1) trail.push(`site:${site}`);
  }
  if (kind !== 'centre') trail.push(scope);
  return (
    <nav className="crumbs" aria-label="Breadcrumbs">
      {trail.map((s, i) =>
        i === trail.length - 1 ? (
          <span key={s} aria-current="page">
            {s === 'centre' ? 'Centre' : names(s)}
          </span>
        ) : (
          <span key={s}>
            <Link to={link(s)}>{s === 'centre' ? 'Centre' : names(s)}</Link> ›{' '}
          </span>
        ),
      )}
    </nav>
  );
}

/** One drop-down of checkboxes per dimension, and the chosen values as chips that remove themselves. */
function FilterBar({ filter, options, onChange }: { filter: SegmentFilter; options: SegmentReply['options'] | undefined; onChange: (f: SegmentFilter) => void }) {
  const dir = useDirectory();
  const toggle = <K extends keyof SegmentFilter>(key: K, value: SegmentFilter[K][number]) => {
    const list = filter[key] as (string | number)[];
    const next = list.includes(value) ? list.filter((x) => x !== value) : [...list, value];
    onChange({ ...filter, [key]: next });
  };
  const hours = Array.from({ length: 24 }, (_, h) => ({ id: h, label: String(h).padStart(2, '0') }));
  const weekdays = WEEKDAY_NAMES.map((label, i) => ({ id: i + 1, label }));
  const channels: SegmentOption[] = options?.channels ?? CHANNELS.map((c) => ({ id: c, label: c }));
  return (
    <div className="filter-bar" aria-label="Filters">
      <Menu title="Teams" chosen={filter.teams} items={options?.teams ?? []} onToggle={(v) => toggle('teams', v)} />
      <Menu title="Queues" chosen={filter.queues} items={options?.queues ?? []} onToggle={(v) => toggle('queues', v)} />
      <Menu title="Channels" chosen={filter.channels} items={channels} onToggle={(v) => toggle('channels', v)} />
      <Menu title="Contact reasons" chosen={filter.reasons} items={options?.reasons ?? []} onToggle={(v) => toggle('reasons', v)} />
      <Menu title="Hours" chosen={filter.hours} items={hours} onToggle={(v) => toggle('hours', v)} grid />
      <Menu title="Days" chosen={filter.weekdays} items={weekdays} onToggle={(v) => toggle('weekdays', v)} />
      <div className="chips" data-testid="filter-chips">
        {filterParts(filter, dir.data).map((p) => (
          <button key={p.key} type="button" className="chip" onClick={() => onChange({ ...filter, [p.key]: [] })} aria-label={`Remove filter ${p.text}`}>
            {p.text} <span aria-hidden="true">×</span>
          </button>
        ))}
        {filterParts(filter, dir.data).length > 1 ? (
          <button type="button" className="chip chip-clear" onClick={() => onChange(EMPTY_FILTER)}>
            Clear all
          </button>
        ) : null}
      </div>
    </div>
  );
}

function Menu<T extends string | number>({ title, chosen, items, onToggle, grid }: { title: string; chosen: T[]; items: { id: T; label: string }[]; onToggle: (v: T) => void; grid?: boolean }) {
  return (
    <details
      className="filter-menu"
      data-testid={`filter-${title.toLowerCase().replace(/\s+/g, '-')}`}
      // Escape closes the drop-down and puts focus back on its button, as a native menu does.
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !e.currentTarget.open) return;
        e.currentTarget.open = false;
        e.currentTarget.querySelector('summary')?.focus();
      }}
    >
      <summary>
        {title}
        {chosen.length > 0 ? <span className="tab-count">{chosen.length}</span> : null}
      </summary>
      <fieldset className={grid ? 'filter-options filter-grid' : 'filter-options'}>
        <legend className="visually-hidden">{title}</legend>
        {items.length === 0 ? <span className="muted small-inline">Nothing to choose in this scope yet</span> : null}
        {items.map((it) => (
          <label key={String(it.id)} className="filter-option">
            <input type="checkbox" checked={chosen.includes(it.id)} onChange={() => onToggle(it.id)} /> {it.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function scaled(kpi: KpiName, v: number | null): number | null {
  return v === null ? null : KPI_DEFINITIONS[kpi].unit === 'fraction' ? v * 100 : v;
}
const unitOf = (kpi: KpiName) => (KPI_DEFINITIONS[kpi].unit === 'fraction' ? '%' : KPI_DEFINITIONS[kpi].unit === 'seconds' ? 's' : '');

function TrendChart({ reply, kpi, tz, onPick }: { reply: SegmentReply; kpi: KpiName; tz: string; onPick: (p: SegmentReply['trend'][number]) => void }) {
  const label = new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: '2-digit', month: '2-digit' });
  const data = reply.trend.map((p) => ({ ...p, day: label.format(new Date(p.start)), shown: scaled(kpi, p.value) }));
  const target = reply.targets[kpi] ?? null;
  const keys = useEnterOpensPoint<(typeof data)[number]>(onPick);
  return (
    <div style={{ width: '100%', height: 260 }} data-testid="segment-trend" onKeyDown={keys.onKeyDown}>
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 8, right: 24, bottom: 0, left: 0 }} title={`${KPI_DEFINITIONS[kpi].label} by day`} desc={CHART_KEYS} style={{ cursor: 'pointer' }} onClick={(e) => {
          const i = e.activeTooltipIndex === undefined || e.activeTooltipIndex === null ? undefined : Number(e.activeTooltipIndex);
          const p = i === undefined ? undefined : reply.trend[i];
          if (p) onPick(p);
        }}>
          <ActivePoint pointRef={keys.active} />
          <CartesianGrid stroke="#e5e8ee" />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 11 }} unit={unitOf(kpi)} width={52} domain={KPI_DEFINITIONS[kpi].unit === 'fraction' ? [(lo: number) => Math.max(0, Math.floor(lo / 5) * 5), (hi: number) => Math.min(100, Math.ceil(hi / 5) * 5)] : ['auto', 'auto']} allowDecimals={false} />
          <Tooltip formatter={(_v, _n, item) => [`${formatKpi(kpi, (item.payload as { value: number | null }).value)} (n=${(item.payload as { n: number }).n})`, KPI_DEFINITIONS[kpi].label]} />
          <Line type="monotone" dataKey="shown" stroke="#1f5fbf" strokeWidth={2} dot={{ r: 3 }} activeDot={{ r: 6 }} isAnimationActive={false} connectNulls />
          {target ? <ReferenceLine y={scaled(kpi, target.threshold) ?? 0} stroke="#b42318" strokeDasharray="6 4" strokeWidth={2} label={{ value: 'target', position: 'right', fill: '#b42318', fontSize: 11 }} /> : null}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function BarsChart({ reply, kpi, onPick }: { reply: SegmentReply; kpi: KpiName; onPick: (b: SegmentBar) => void }) {
  const data = reply.bars.filter((b) => b.value !== null).map((b) => ({ ...b, shown: scaled(kpi, b.value), before: scaled(kpi, b.previous) }));
  const whole = scaled(kpi, reply.kpis[kpi].value);
  if (data.length === 0) return <p className="muted">No figures for {KPI_DEFINITIONS[kpi].label} here in this period.</p>;
  const height = Math.max(160, data.length * 30 + 40);
  return (
    <div style={{ width: '100%', height }} data-testid="segment-bars-chart">
      <ResponsiveContainer>
        <BarChart data={data} title={`${KPI_DEFINITIONS[kpi].label} by segment`} desc="The table below the charts lists each segment with a link to its contacts." layout="vertical" margin={{ top: 4, right: 24, bottom: 0, left: 8 }} barCategoryGap={6}>
          <CartesianGrid stroke="#e5e8ee" horizontal={false} />
          <XAxis type="number" tick={{ fontSize: 11 }} unit={unitOf(kpi)} domain={[0, 'auto']} />
          <YAxis type="category" dataKey="label" width={130} tick={{ fontSize: 11 }} interval={0} />
          <Tooltip formatter={(_v, name, item) => {
            const b = item.payload as SegmentBar;
            return name === 'before' ? [formatKpi(kpi, b.previous), 'previous period'] : [`${formatKpi(kpi, b.value)} (n=${b.n})`, KPI_DEFINITIONS[kpi].label];
          }} />
          <Bar dataKey="before" name="before" fill="#c9d3e3" isAnimationActive={false} barSize={6} />
          <Bar dataKey="shown" name="shown" isAnimationActive={false} cursor="pointer" onClick={(d: unknown) => onPick((d as { payload: SegmentBar }).payload)} barSize={14}>
            {data.map((b) => (
              <Cell key={b.key} fill="#1f5fbf" />
            ))}
          </Bar>
          {whole !== null ? <ReferenceLine x={whole} stroke="#333" strokeDasharray="3 3" label={{ value: 'all', position: 'top', fontSize: 10 }} /> : null}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
