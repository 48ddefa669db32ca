/**
 * A system XmR chart (NHS "Making Data Count"): the points joined, the mean solid, the process limits dashed, the
 * target as its own dash-dot line; special-cause points coloured (orange concern, blue improvement) and shaped
 * (triangle, square), the icons as badges with words, and the rules with their lengths under the chart. Every point
 * opens the contacts behind it (its day or quarter-hour, the chart's scope and KPI), by mouse on the chart or through
 * the list of points under it.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { assuranceWords, variationWords, type ChartGranularity, type XmrChartReply, type XmrMark } from '../../../shared/charts.js';
import { formatKpi } from '../../../shared/kpi-format.js';
import { KPI_DEFINITIONS, type KpiName } from '../../../shared/kpis.js';
import { api, errText } from '../api/http.js';
import { contactsLink } from '../drilldown/ContactsPages.js';
import { ActivePoint, CHART_KEYS, useEnterOpensPoint } from '../shell/PointList.js';
import { axisUnit, COLOURS, MARK_WORDS, niceAxis, rulesCaption, rulesText, scaled, shortDay } from './chart-words.js';

interface Datum {
  label: string;
  value: number;
  n: number;
  mark: XmrMark | null;
  side: 'high' | 'low' | null;
  rules: string;
  raw: number;
  /** The point's period [start, end): a local day or a quarter-hour. */
  start: string;
  end: string;
}

export function useXmr(scope: string, kpi: KpiName, granularity: ChartGranularity, days: number) {
  return useQuery({
    queryKey: ['charts', 'xmr', scope, kpi, granularity, days],
    queryFn: () => api<XmrChartReply>(`/api/v1/charts/xmr?scope=${encodeURIComponent(scope)}&kpi=${kpi}&granularity=${granularity}&days=${days}`),
    staleTime: granularity === 'interval' ? 60_000 : 5 * 60_000,
    refetchInterval: granularity === 'interval' ? 60_000 : false,
  });
}

export function XmrPanel({ scopeLabel, kpi, chart }: { scopeLabel: string; kpi: KpiName; chart: ReturnType<typeof useXmr> }) {
  const navigate = useNavigate();
  const def = KPI_DEFINITIONS[kpi];
  const c = chart.data;
  const title = `${def.label}, ${scopeLabel}`;
  const keys = useEnterOpensPoint<Datum>((d) => {
    if (c) void navigate(contactsLink(c.scope, d.start, d.end, c.kpi));
  });
  if (chart.error) return <Frame title={title}><p className="error">{errText(chart.error)}</p></Frame>;
  if (!c) return <Frame title={title}><p className="muted">Loading…</p></Frame>;
  const data: Datum[] = c.points.map((p) => ({
    label: c.granularity === 'day' ? shortDay(p.label) : p.label,
    value: scaled(kpi, p.value),
    n: p.n,
    mark: p.mark,
    side: p.low.length > 0 && (p.mark === 'concern' || p.high.length === 0) ? 'low' : p.high.length > 0 ? 'high' : null,
    rules: rulesText(p.high, p.low),
    raw: p.value,
    start: p.start,
    end: p.end,
  }));
  // The reply's own scope and KPI, so a link always matches the chart drawn.
  const linkOf = (d: Datum) => contactsLink(c.scope, d.start, d.end, c.kpi);
  const openPoint = (index: number | undefined) => {
    const d = index === undefined ? undefined : data[index];
    if (d) void navigate(linkOf(d));
  };
  const l = c.limits;
  const lines = [l?.mean, l?.upper, l?.lower, c.target?.threshold].filter((x): x is number => x !== undefined).map((x) => scaled(kpi, x));
  const axis = yAxis(kpi, [...data.map((d) => d.value), ...lines]);
  const nudge = labelNudges(
    {
      ...(l ? { mean: scaled(kpi, l.mean), upper: scaled(kpi, l.upper), lower: scaled(kpi, l.lower) } : {}),
      ...(c.target ? { target: scaled(kpi, c.target.threshold) } : {}),
    },
    axis.domain,
  );
  const offChart = l !== null && (scaled(kpi, l.upper) > axis.domain[1] || scaled(kpi, l.lower) < axis.domain[0]);
  const period = c.granularity === 'day' ? `closed days ${shortDay(c.points[0]?.label ?? '')} to ${shortDay(c.points[c.points.length - 1]?.label ?? '')}` : 'today, completed quarter-hours';
  return (
    <Frame title={title} sub={`${data.length} points · ${period}${c.periodsWithoutData ? ` · ${c.periodsWithoutData} periods without data left out` : ''}`}>
      <div className="charts-badges" data-testid="xmr-badges">
        <span className={`charts-badge charts-badge-${variationClass(c.variation)}`} data-testid="variation-badge">
          <span aria-hidden="true">{variationIcon(c.variation)}</span> {variationWords(c.variation)}
        </span>
        <span className={`charts-badge charts-badge-${c.assurance ?? 'none'}`} data-testid="assurance-badge">
          <span aria-hidden="true">{c.assurance === 'pass' ? '✓' : c.assurance === 'fail' ? '✕' : c.assurance === 'hit-or-miss' ? '≈' : '·'}</span> {assuranceWords(c.assurance, c.target !== null)}
        </span>
      </div>
      {data.length === 0 ? (
        <p className="muted">No figures in this period.</p>
      ) : (
        <div className="charts-plot" data-testid="xmr-chart" onKeyDown={keys.onKeyDown}>
          <ResponsiveContainer>
            <LineChart
              data={data}
              title={title}
              desc={CHART_KEYS}
              margin={{ top: 12, right: 96, bottom: 4, left: 0 }}
              onClick={(e) => openPoint(e.activeTooltipIndex === undefined || e.activeTooltipIndex === null ? undefined : Number(e.activeTooltipIndex))}
              style={{ cursor: 'pointer' }}
            >
              <ActivePoint pointRef={keys.active} />
              <CartesianGrid stroke="#eceff4" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={14} />
              <YAxis tick={{ fontSize: 11 }} unit={axisUnit(kpi)} width={56} domain={axis.domain} ticks={axis.ticks} />
              <Tooltip content={(p) => <PointTip kpi={kpi} active={p.active} payload={p.payload as unknown as { payload: Datum }[] | undefined} />} />
              {l ? <ReferenceLine y={scaled(kpi, l.mean)} stroke={COLOURS.mean} strokeWidth={1.5} ifOverflow="hidden" label={edge(`mean ${formatKpi(kpi, l.mean)}`, COLOURS.mean, nudge.mean)} /> : null}
              {l ? <ReferenceLine y={scaled(kpi, l.upper)} stroke={COLOURS.limit} strokeDasharray="6 4" strokeWidth={1.5} ifOverflow="hidden" label={edge('upper limit', COLOURS.common, nudge.upper)} /> : null}
              {l ? <ReferenceLine y={scaled(kpi, l.lower)} stroke={COLOURS.limit} strokeDasharray="6 4" strokeWidth={1.5} ifOverflow="hidden" label={edge('lower limit', COLOURS.common, nudge.lower)} /> : null}
              {c.target ? (
                <ReferenceLine
                  y={scaled(kpi, c.target.threshold)}
                  stroke={COLOURS.target}
                  strokeDasharray="12 4 2 4"
                  strokeWidth={2.5}
                  ifOverflow="hidden"
                  label={edge(`target ${c.target.direction === 'up' ? '≥' : '≤'} ${formatKpi(kpi, c.target.threshold)}`, COLOURS.targetText, nudge.target)}
                />
              ) : null}
              <Line
                dataKey="value"
                stroke={COLOURS.data}
                strokeWidth={1.75}
                isAnimationActive={false}
                dot={(p) => <XmrDot key={`dot-${p.index}`} cx={p.cx} cy={p.cy} payload={p.payload as Datum} />}
                activeDot={{ r: 7, fill: 'none', stroke: COLOURS.improvement, strokeWidth: 2 }}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      {data.length > 0 ? (
        <p className="muted small-inline" data-testid="xmr-hint" style={{ margin: '2px 0 0' }}>
          Click a point for its contacts ({c.granularity === 'day' ? 'that day' : 'that quarter-hour'}, {def.label}), or open the list of points below.
        </p>
      ) : null}
      <Legend hasTarget={c.target !== null} hasNeither={data.some((d) => d.mark === 'neither')} />
      <p className="charts-caption" data-testid="rules-caption">
        {l ? (
          <>
            {l.fixed ? `Limits fixed from the first ${l.baselinePoints} points` : `Trial limits from ${l.baselinePoints} points (fewer than ${c.rules.baselinePoints})`}: mean {formatKpi(kpi, l.mean)}, process limits {formatKpi(kpi, l.lower)} to{' '}
            {formatKpi(kpi, l.upper)}
            {offChart ? ' (a limit beyond what the measure can reach is left off the chart)' : ''}.{' '}
          </>
        ) : null}
        {c.variation === null ? `Icons show from ${c.rules.minimumPoints} points; this chart has ${data.length}. ` : null}
        {rulesCaption(c.rules)} A run is marked from the point that completes it.
        {c.granularity === 'interval' && data.length > 0
          ? ` Quarter-hour points rest on few responses each (median n = ${median(data.map((d) => d.n))}): read them as a live view and judge change on the daily chart.`
          : ''}
      </p>
      {data.length > 0 ? <PointList kpi={kpi} data={data} linkOf={linkOf} granularity={c.granularity} timeZone={c.timeZone} /> : null}
    </Frame>
  );
}

/** The points as a table, each opening its contacts: the chart's keyboard and screen-reader way in. */
function PointList({ kpi, data, linkOf, granularity, timeZone }: { kpi: KpiName; data: Datum[]; linkOf: (d: Datum) => string; granularity: ChartGranularity; timeZone: string }) {
  // Quarter-hour labels are the centre's local times: the end is read in the same zone.
  const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  return (
    <details className="charts-points" data-testid="xmr-points" style={{ marginTop: 8 }}>
      <summary>
        The {data.length} points as a list, each linking to its contacts
      </summary>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{granularity === 'day' ? 'Day' : 'Quarter-hour'}</th>
              <th className="num">{KPI_DEFINITIONS[kpi].label}</th>
              <th className="num" title={KPI_DEFINITIONS[kpi].nIs}>n</th>
              <th>Signal</th>
            </tr>
          </thead>
          <tbody>
            {[...data].reverse().map((d) => (
              <tr key={d.start}>
                <td>
                  <Link to={linkOf(d)} data-testid="xmr-point-link">
                    {granularity === 'day' ? d.label : `${d.label}–${hhmm.format(new Date(d.end))}`}
                  </Link>
                </td>
                <td className="num">{formatKpi(kpi, d.raw)}</td>
                <td className="num">{d.n.toLocaleString('en-GB')}</td>
                <td>{d.mark ? `${MARK_WORDS[d.mark]}: ${d.rules}` : 'Common cause'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

function Frame({ title, sub, children }: { title: string; sub?: string; children: ReactNode }) {
  return (
    <section className="panel charts-panel" aria-label="System chart">
      <h2>
        {title} {sub ? <span className="charts-sub">{sub}</span> : null}
      </h2>
      {children}
    </section>
  );
}

function edge(value: string, fill: string, dy = 0) {
  return { value, position: 'right' as const, fill, fontSize: 11, dy };
}

const PLOT_PX = 274;
const LABEL_GAP_PX = 13;

/** Vertical offsets (px) keeping the right-hand line labels apart when lines run close together. */
function labelNudges(lines: Partial<Record<'mean' | 'upper' | 'lower' | 'target', number>>, [lo, hi]: [number, number]): Record<'mean' | 'upper' | 'lower' | 'target', number> {
  const out = { mean: 0, upper: 0, lower: 0, target: 0 };
  const placed = (Object.entries(lines) as ['mean' | 'upper' | 'lower' | 'target', number][])
    .filter(([, v]) => v >= lo && v <= hi)
    .map(([k, v]) => ({ k, y: (1 - (v - lo) / (hi - lo || 1)) * PLOT_PX }))
    .sort((a, b) => a.y - b.y);
  let last = -Infinity;
  for (const p of placed) {
    const y = Math.max(p.y, last + LABEL_GAP_PX);
    out[p.k] = y - p.y;
    last = y;
  }
  return out;
}

function yAxis(kpi: KpiName, values: number[]): { domain: [number, number]; ticks: number[] } {
  if (values.length === 0) return { domain: [0, 1], ticks: [0, 1] };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.05, 0.5);
  const fraction = KPI_DEFINITIONS[kpi].unit === 'fraction';
  return niceAxis(lo - pad, hi + pad, { ...(fraction || lo >= 0 ? { floor: 0 } : {}), ...(fraction ? { ceiling: 100 } : {}) });
}

function variationClass(v: XmrChartReply['variation']): string {
  if (v === null) return 'none';
  if (v === 'common-cause') return 'common';
  return v.split('-')[0] as string;
}

function variationIcon(v: XmrChartReply['variation']): string {
  if (v === null) return '·';
  if (v === 'common-cause') return '●';
  if (v.startsWith('concern')) return v.endsWith('low') ? '▼' : '▲';
  if (v.startsWith('improvement')) return '■';
  return '◆';
}

/** The point's shape says what it is without colour: circle common cause, triangle concern, square improvement. */
function XmrDot({ cx, cy, payload }: { cx?: number | undefined; cy?: number | undefined; payload: Datum }) {
  if (cx === undefined || cy === undefined) return null;
  const m = payload.mark;
  if (m === null) return <circle cx={cx} cy={cy} r={3} fill={COLOURS.common} />;
  const stroke = '#1d2330';
  if (m === 'concern') {
    const d = payload.side === 'high' ? -1 : 1;
    return <polygon points={`${cx - 6},${cy - 5 * d} ${cx + 6},${cy - 5 * d} ${cx},${cy + 7 * d}`} fill={COLOURS.concern} stroke={stroke} strokeWidth={1} />;
  }
  if (m === 'improvement') return <rect x={cx - 5} y={cy - 5} width={10} height={10} fill={COLOURS.improvement} stroke={stroke} strokeWidth={1} />;
  return <polygon points={`${cx},${cy - 7} ${cx + 6},${cy} ${cx},${cy + 7} ${cx - 6},${cy}`} fill={COLOURS.neither} stroke={stroke} strokeWidth={1} />;
}

function PointTip({ kpi, active, payload }: { kpi: KpiName; active?: boolean | undefined; payload?: { payload: Datum }[] | undefined }) {
  const d = payload?.[0]?.payload;
  if (!active || !d) return null;
  return (
    <div className="charts-tip">
      <strong>{d.label}</strong>: {formatKpi(kpi, d.raw)} (n = {d.n} {KPI_DEFINITIONS[kpi].nIs})
      <br />
      {d.mark ? `${MARK_WORDS[d.mark]}: ${d.rules}` : 'Common cause'}
      <br />
      <span className="muted">Click for the contacts behind this point</span>
    </div>
  );
}

function Legend({ hasTarget, hasNeither }: { hasTarget: boolean; hasNeither: boolean }) {
  return (
    <ul className="charts-legend" aria-label="Key">
      <li>
        <svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="3" fill={COLOURS.common} /></svg> common cause
      </li>
      <li>
        <svg width="14" height="14" aria-hidden="true"><polygon points="1,2 13,2 7,13" fill={COLOURS.concern} stroke="#1d2330" /></svg> special cause: concern
      </li>
      <li>
        <svg width="14" height="14" aria-hidden="true"><rect x="2" y="2" width="10" height="10" fill={COLOURS.improvement} stroke="#1d2330" /></svg> special cause: improvement
      </li>
      {hasNeither ? (
        <li>
          <svg width="14" height="14" aria-hidden="true"><polygon points="7,0 13,7 7,14 1,7" fill={COLOURS.neither} stroke="#1d2330" /></svg> special cause (this KPI has no good direction)
        </li>
      ) : null}
      <li>
        <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.mean} strokeWidth="1.5" /></svg> mean
      </li>
      <li>
        <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.limit} strokeWidth="1.5" strokeDasharray="6 4" /></svg> process limits
      </li>
      {hasTarget ? (
        <li>
          <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.target} strokeWidth="2.5" strokeDasharray="12 4 2 4" /></svg> target
        </li>
      ) : null}
    </ul>
  );
}
