/**
 * A team's or a queue's agents on a funnel plot (by queue, each agent's contacts on that queue alone): responses (n) across, rate up, the group rate and the 95% and 99.8% limits
 * (widened for overdispersion) drawn over n; below it a table where every agent's rate carries its interval. An agent's
 * point, or their name in the table, opens their contacts in the funnel's period for its KPI (a period over 31 days is
 * read by the contacts page in parts).
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { CartesianGrid, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { POSITION_WORDS, type FunnelAgent, type FunnelKpi, type FunnelPosition, type FunnelReply } from '../../../shared/charts.js';
import { count } from '../../../shared/kpi-format.js';
import { EMPTY_FILTER } from '../../../shared/segment-filter.js';
import { KPI_DEFINITIONS } from '../../../shared/kpis.js';
import { api, errText } from '../api/http.js';
import { contactsLink } from '../drilldown/ContactsPages.js';
import { COLOURS, niceAxis, pct } from './chart-words.js';

interface AgentDot {
  n: number;
  y: number;
  name: string;
  agent: FunnelAgent;
}

export function FunnelPanel({ group, kpi, days }: { group: { kind: 'team' | 'queue'; id: string; name: string }; kpi: FunnelKpi; days: number }) {
  const q = useQuery({
    queryKey: ['charts', 'funnel', group.kind, group.id, kpi, days],
    queryFn: () => api<FunnelReply>(`/api/v1/charts/funnel?${group.kind}=${encodeURIComponent(group.id)}&kpi=${kpi}&days=${days}`),
    staleTime: 5 * 60_000,
  });
  const label = KPI_DEFINITIONS[kpi].label;
  const f = q.data;
  return (
    <section className="panel charts-panel" aria-label="Agent funnel plot">
      <h2>
        {label} by agent, {group.kind} {group.name}
        {group.kind === 'queue' ? ' (each on this queue alone)' : ''} <span className="charts-sub">funnel plot · last {days} closed days</span>
      </h2>
      {q.error ? <p className="error">{errText(q.error)}</p> : null}
      {!f && !q.error ? <p className="muted">Loading…</p> : null}
      {f ? <FunnelBody f={f} /> : null}
    </section>
  );
}

/** The contacts behind an agent's point: theirs (on the funnel's queue, for a queue funnel), over its closed days, for its KPI. */
const agentContacts = (f: FunnelReply, a: FunnelAgent) => contactsLink(`agent:${a.agentId}`, f.from, f.to, f.kpi, f.group.kind === 'queue' ? { ...EMPTY_FILTER, queues: [f.group.id] } : EMPTY_FILTER);

function FunnelBody({ f }: { f: FunnelReply }) {
  const navigate = useNavigate();
  const on = f.agents.filter((a) => a.n > 0 && a.rate !== null);
  const dots: AgentDot[] = on.map((a) => ({ n: a.n, y: (a.rate as number) * 100, name: a.name, agent: a }));
  const line = (key: 'lower95' | 'upper95' | 'lower998' | 'upper998') => f.funnel.map((g) => ({ n: g.n, y: g[key] * 100 }));
  const ys = [...dots.map((d) => d.y), ...f.funnel.map((g) => g.lower998 * 100)];
  const xAxis = niceAxis(0, Math.max(10, ...f.funnel.map((g) => g.n), ...dots.map((d) => d.n)), { floor: 0 });
  const axis = niceAxis(ys.length ? Math.min(...ys) - 2 : 0, 100, { floor: 0, ceiling: 100 });
  const label = KPI_DEFINITIONS[f.kpi].label;
  return (
    <>
      {f.theta0 === null ? (
        <p className="muted">No {label} responses for this {f.group.kind} in the period.</p>
      ) : (
        <div className="charts-plot" data-testid="funnel-chart">
          <ResponsiveContainer>
            <ScatterChart margin={{ top: 12, right: 96, bottom: 18, left: 0 }} title="Agent funnel plot" desc="The table below lists each agent with a link to their contacts.">
              <CartesianGrid stroke="#eceff4" />
              <XAxis type="number" dataKey="n" name="responses" tick={{ fontSize: 11 }} domain={xAxis.domain} ticks={xAxis.ticks} allowDataOverflow label={{ value: `responses (n)`, position: 'insideBottom', offset: -10, fontSize: 11 }} />
              <YAxis type="number" dataKey="y" name={label} unit="%" tick={{ fontSize: 11 }} width={56} domain={axis.domain} ticks={axis.ticks} allowDataOverflow />
              <ReferenceLine y={f.theta0 * 100} stroke={COLOURS.mean} strokeWidth={1.5} label={{ value: `${f.group.kind} ${pct(f.theta0)}`, position: 'right', fill: COLOURS.mean, fontSize: 11 }} />
              <Scatter data={line('lower998')} line={{ stroke: COLOURS.data, strokeDasharray: '8 3', strokeWidth: 1.5 }} shape={() => <g />} isAnimationActive={false} legendType="none" tooltipType="none" />
              <Scatter data={line('upper998')} line={{ stroke: COLOURS.data, strokeDasharray: '8 3', strokeWidth: 1.5 }} shape={() => <g />} isAnimationActive={false} legendType="none" tooltipType="none" />
              <Scatter data={line('lower95')} line={{ stroke: COLOURS.limit, strokeDasharray: '3 3', strokeWidth: 1.5 }} shape={() => <g />} isAnimationActive={false} legendType="none" tooltipType="none" />
              <Scatter data={line('upper95')} line={{ stroke: COLOURS.limit, strokeDasharray: '3 3', strokeWidth: 1.5 }} shape={() => <g />} isAnimationActive={false} legendType="none" tooltipType="none" />
              <Scatter
                data={dots}
                isAnimationActive={false}
                shape={(p: { cx?: number; cy?: number; payload?: AgentDot }) => <AgentMark cx={p.cx} cy={p.cy} dot={p.payload} />}
                onClick={(p) => {
                  const d = p.payload as AgentDot | undefined;
                  if (d) void navigate(agentContacts(f, d.agent));
                }}
              />
              <Tooltip cursor={false} content={(p) => <AgentTip payload={p.payload as unknown as { payload: AgentDot }[] | undefined} active={p.active} />} />
            </ScatterChart>
          </ResponsiveContainer>
        </div>
      )}
      {f.theta0 !== null ? (
        <p className="muted small-inline" data-testid="funnel-hint" style={{ margin: '2px 0 0' }}>
          Click an agent's point, or their name in the table, for their contacts over these {f.days} days ({label} responses, those against it first).
        </p>
      ) : null}
      <ul className="charts-legend" aria-label="Key">
        <li>
          <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.mean} strokeWidth="1.5" /></svg> {f.group.kind} rate (θ0)
        </li>
        <li>
          <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.limit} strokeWidth="1.5" strokeDasharray="3 3" /></svg> 95% limits
        </li>
        <li>
          <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.data} strokeWidth="1.5" strokeDasharray="8 3" /></svg> 99.8% limits
        </li>
        <li>
          <svg width="14" height="14" aria-hidden="true"><polygon points="1,2 13,2 7,13" fill={COLOURS.concern} stroke="#1d2330" /></svg> below a limit
        </li>
        <li>
          <svg width="14" height="14" aria-hidden="true"><polygon points="1,12 13,12 7,1" fill={COLOURS.improvement} stroke="#1d2330" /></svg> above a limit
        </li>
      </ul>
      <p className="charts-caption">
        {f.group.kind === 'team' ? 'Team' : 'Queue'} rate {pct(f.theta0)} over {count(on.reduce((s, a) => s + a.n, 0))} responses from {f.units} agents.{' '}
        {f.phi === null
          ? 'Too few agents to estimate overdispersion: limits are for chance alone.'
          : `Overdispersion φ = ${f.phi.toFixed(2)}, τ² = ${f.tau2 === 0 ? '0' : f.tau2.toExponential(1)}${f.tau2 > 0 ? `: a spread between agents of about ${(Math.sqrt(f.tau2) * 100).toFixed(1)} points (SD) beyond chance, so the limits are widened` : ': no more spread than chance, so the limits are not widened'}.`}{' '}
        An agent outside the 99.8% limits differs from the {f.group.kind} by more than chance and ordinary variation would explain; within
        them, the difference is noise. Shrunken rates pull small samples towards the {f.group.kind} rate.
      </p>
      <AgentTable f={f} />
    </>
  );
}

function AgentMark({ cx, cy, dot }: { cx?: number | undefined; cy?: number | undefined; dot?: AgentDot | undefined }) {
  if (cx === undefined || cy === undefined || !dot) return <g />;
  const pos = dot.agent.position ?? 'within';
  // A wider transparent target than the mark itself, so a small dot is easy to hit.
  const hit = <circle cx={cx} cy={cy} r={9} fill="transparent" />;
  if (pos === 'within')
    return (
      <g style={{ cursor: 'pointer' }} data-testid="funnel-dot">
        {hit}
        <circle cx={cx} cy={cy} r={4.5} fill={COLOURS.common} fillOpacity={0.85} />
      </g>
    );
  const below = pos.startsWith('below');
  const d = below ? 1 : -1;
  const big = pos.endsWith('99.8') ? 8 : 6;
  return (
    <g style={{ cursor: 'pointer' }} data-testid="funnel-dot">
      {hit}
      <polygon points={`${cx - big},${cy - big * 0.8 * d} ${cx + big},${cy - big * 0.8 * d} ${cx},${cy + big * d}`} fill={below ? COLOURS.concern : COLOURS.improvement} stroke="#1d2330" strokeWidth={1} />
      <text x={cx + big + 3} y={cy + 4} fontSize={11} fill="#1d2330">
        {dot.name}
      </text>
    </g>
  );
}

function AgentTip({ active, payload }: { active?: boolean | undefined; payload?: { payload: AgentDot }[] | undefined }) {
  const d = payload?.find((p) => (p.payload as Partial<AgentDot>).agent)?.payload;
  if (!active || !d) return null;
  const a = d.agent;
  return (
    <div className="charts-tip">
      <strong>{a.name}</strong>: {pct(a.rate)} (95% CI {pct(a.wilson?.lower)}–{pct(a.wilson?.upper)}, n = {a.n})
      <br />
      {a.position ? POSITION_WORDS[a.position] : ''}
      <br />
      <span className="muted">Click for {a.name}'s contacts</span>
    </div>
  );
}

const POSITION_ICON: Record<FunnelPosition, string> = { within: '·', 'below-95': '▼', 'below-99.8': '▼▼', 'above-95': '▲', 'above-99.8': '▲▲' };

const ORDER: Record<FunnelPosition, number> = { 'below-99.8': 0, 'below-95': 1, 'above-99.8': 2, 'above-95': 3, within: 4 };

function AgentTable({ f }: { f: FunnelReply }) {
  // Signals first, then by name: not a league table ordered by rate, where chance would decide the places.
  const rows = [...f.agents].sort((a, b) => ORDER[a.position ?? 'within'] - ORDER[b.position ?? 'within'] || a.name.localeCompare(b.name));
  return (
    <div className="table-scroll">
      <table className="charts-agents" data-testid="funnel-table">
        <thead>
          <tr>
            <th>Agent</th>
            <th className="num" title="contacts handled in the period, all queues">Handled</th>
            <th className="num" title={KPI_DEFINITIONS[f.kpi].nIs}>n</th>
            <th className="num">Rate (95% Wilson interval)</th>
            <th className="num" title="empirical-Bayes (beta-binomial) estimate with its 95% credible interval">Shrunken rate (95% interval)</th>
            <th className="num">95% limits at this n</th>
            <th>Position</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.agentId} className={a.position && a.position !== 'within' ? `charts-row-${a.position.startsWith('below') ? 'below' : 'above'}` : ''}>
              <td>
                <Link to={agentContacts(f, a)} data-testid="funnel-agent-link">
                  {a.name}
                </Link>
              </td>
              <td className="num">{count(a.handled)}</td>
              <td className="num">{count(a.n)}</td>
              <td className="num">{a.rate === null ? '–' : `${pct(a.rate)} (${pct(a.wilson?.lower)}–${pct(a.wilson?.upper)})`}</td>
              <td className="num">{a.shrunken ? `${pct(a.shrunken.mean)} (${pct(a.shrunken.lower)}–${pct(a.shrunken.upper)})` : '–'}</td>
              <td className="num">{a.limits ? `${pct(a.limits.lower95)}–${pct(a.limits.upper95)}` : '–'}</td>
              <td className={a.position ? `charts-pos charts-pos-${a.position.split('-')[0] as string}` : 'muted'}>
                {a.position ? (
                  <>
                    <span aria-hidden="true">{POSITION_ICON[a.position]}</span> {POSITION_WORDS[a.position]}
                  </>
                ) : (
                  'No responses'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
