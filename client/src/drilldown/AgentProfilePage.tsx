/**
 * One agent's profile: the period at a glance (value, 95% interval, shrunken estimate, the team's figure, rank among
 * the team and change against the previous period, status against target in icon and word), a chart per KPI week by
 * week (raw value as dots, shrunken estimate as a line, 95% interval as a band, the team dashed, the target dash-dot;
 * a click opens the contacts behind that week), the weekly table exactly as the CSV export writes it, the QA
 * evaluations counted, and the coaching cases and recognitions the viewer may open.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Me } from '../../../shared/access.js';
import {
  PROFILE_DEFAULT_WEEKS,
  PROFILE_KPIS,
  WEEK_TABLE_HEADER,
  ordinal,
  weekTableRows,
  type AgentProfileReply,
  type ChangeVerdict,
  type ProfileCase,
  type ProfileKpi,
  type ProfileSummaryRow,
  type ProfileWeek,
} from '../../../shared/agent-profile.js';
import { OUTCOME_WORDS, STAGE_WORDS } from '../../../shared/coaching-words.js';
import { count, formatKpi } from '../../../shared/kpi-format.js';
import { KPI_DEFINITIONS, STATUS_WORDS } from '../../../shared/kpis.js';
import { api, errText } from '../api/http.js';
import { COLOURS, niceAxis } from '../charts/chart-words.js';
import { kpiLabel } from '../coaching/case-words.js';
import { contactsLink } from './ContactsPages.js';
import { ActivePoint, CHART_KEYS, PointList, useEnterOpensPoint } from '../shell/PointList.js';
import { PeriodSelect } from '../shell/PeriodSelect.js';
import { Suspense } from 'react';
import { lazyPage } from '../shell/lazy.js';

const AgentEvaluations = lazyPage(async () => (await import('../qa/EvaluationList.js')).AgentEvaluations);

const enc = encodeURIComponent;
const PERIODS = [4, 8, 12, 26, 52] as const;
/** Okabe-Ito blue for the agent, grey for the team, bluish green for the target (as on the other charts). */
const AGENT = '#0072b2';

const VERDICT: Record<ChangeVerdict, { icon: string; word: string; cls: string }> = {
  better: { icon: '▲', word: 'better', cls: 'better' },
  worse: { icon: '▼', word: 'worse', cls: 'worse' },
  unclear: { icon: '≈', word: 'within chance', cls: 'flat' },
  changed: { icon: '↕', word: 'changed', cls: 'flat' },
  'no-data': { icon: '–', word: 'no data', cls: 'flat' },
};

/** A KPI value as drawn: percentages for rates. */
const drawn = (kpi: ProfileKpi, v: number | null | undefined): number | null => (v === null || v === undefined ? null : KPI_DEFINITIONS[kpi].unit === 'fraction' ? v * 100 : v);
const undrawn = (kpi: ProfileKpi, v: number): number => (KPI_DEFINITIONS[kpi].unit === 'fraction' ? v / 100 : v);

export function AgentProfilePage({ me }: { me: Me }) {
  const { agentId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const weeks = Number(params.get('weeks') ?? PROFILE_DEFAULT_WEEKS);
  const q = useQuery({
    queryKey: ['agent-profile', agentId, weeks],
    queryFn: () => api<AgentProfileReply>(`/api/v1/agents/${enc(agentId)}/profile?weeks=${weeks}`),
    staleTime: 60_000,
  });
  const p = q.data;
  const csv = `/api/v1/agents/${enc(agentId)}/profile?weeks=${weeks}&format=csv`;
  return (
    <div className="page profile">
      <Crumbs p={p} agentId={agentId} />
      <header className="topbar">
        <h1 data-testid="profile-title">
          {p ? p.agent.name : agentId}
          {p ? <span className="sub">{p.team ? `Team ${p.team.name} · ` : ''}{periodText(p)}</span> : null}
        </h1>
        <div className="filters">
          <PeriodSelect value={weeks} choices={PERIODS} unit="weeks" onPick={(n) => setParams({ weeks: String(n) })} />
          <a href={csv} download>
            Download CSV
          </a>
        </div>
      </header>
      {q.error ? <p className="error">{errText(q.error)}</p> : null}
      {!p && !q.error ? <p className="muted">Loading…</p> : null}
      {p ? <ProfileBody p={p} me={me} /> : null}
    </div>
  );
}

function periodText(p: AgentProfileReply): string {
  const d = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: p.timeZone });
  const last = new Date(Date.parse(p.to) - 86_400_000).toISOString();
  return `${p.weeks.length} weeks, ${d(p.from)} to ${d(last)}`;
}

function Crumbs({ p, agentId }: { p: AgentProfileReply | undefined; agentId: string }) {
  return (
    <nav className="crumbs" aria-label="Breadcrumbs">
      <Link to="/?scope=centre">Centre</Link> ›{' '}
      {p?.team ? (
        <>
          {p.teamVisible ? <Link to={`/?scope=${enc(`team:${p.team.id}`)}`}>Team {p.team.name}</Link> : <span>Team {p.team.name}</span>} ›{' '}
        </>
      ) : null}
      <span>{p?.agent.name ?? agentId}</span>
    </nav>
  );
}

function ProfileBody({ p, me }: { p: AgentProfileReply; me: Me }) {
  const own = me.agentId === p.agent.id;
  return (
    <>
      {!p.teamVisible ? (
        <p className="muted small-inline">
          {own ? 'Your' : 'The'} team’s own figures are shown to team leaders and managers; shrunken estimates and the rank still use them.
        </p>
      ) : null}
      <section className="profile-tiles" aria-label="The period at a glance">
        {p.summary.map((row) => (
          <SummaryTile key={row.kpi} row={row} p={p} />
        ))}
      </section>
      <section className="profile-charts" aria-label="Week by week">
        {PROFILE_KPIS.map((k) => (
          <KpiChart key={k} kpi={k} p={p} target={p.summary.find((r) => r.kpi === k)?.target ?? null} />
        ))}
      </section>
      <ChartKey teamVisible={p.teamVisible} hasTarget={p.summary.some((r) => r.target !== null)} />
      <WeekTable p={p} />
      <section className="panels profile-lower">
        <QaTable p={p} />
        <Suspense fallback={null}>
          <AgentEvaluations agentId={p.agent.id} />
        </Suspense>
        <CaseList cases={p.cases} canOpen={me.role !== 'admin'} />
      </section>
      <p className="charts-caption">{p.method}</p>
    </>
  );
}

function SummaryTile({ row, p }: { row: ProfileSummaryRow; p: AgentProfileReply }) {
  const def = KPI_DEFINITIONS[row.kpi];
  const f = (v: number | null | undefined) => formatKpi(row.kpi, v ?? null);
  const verdict = row.change ? VERDICT[row.change.verdict] : null;
  const changeText = row.change
    ? def.unit === 'fraction'
      ? `${row.change.delta >= 0 ? '+' : '−'}${Math.abs(row.change.delta * 100).toFixed(1)} pts`
      : `${row.change.delta >= 0 ? '+' : '−'}${f(Math.abs(row.change.delta))}`
    : null;
  return (
    <div className={`kpi-tile profile-tile status-${row.status}`} data-testid={`profile-tile-${row.kpi}`} title={`${def.label}: ${def.formula}. n = ${row.n} ${def.nIs}.`}>
      <div className="tile-label">{def.label}</div>
      <div className="tile-value">
        {f(row.value)}
        {row.kpi === 'aht' && row.median !== null ? <span className="profile-aside"> median {f(row.median)}</span> : null}
      </div>
      <div className={`status-chip status-${row.status}`}>
        <span aria-hidden="true">{STATUS_WORDS[row.status].icon}</span> {STATUS_WORDS[row.status].word}
        {row.target ? ` (${row.target.direction === 'up' ? '≥' : '≤'} ${f(row.target.threshold)})` : ''}
      </div>
      <dl className="profile-figures">
        <dt>n</dt>
        <dd>
          {count(row.n)} {def.nIs}
        </dd>
        <dt>95% interval</dt>
        <dd>{row.interval ? `${f(row.interval.low)} to ${f(row.interval.high)}` : '–'}</dd>
        {row.kpi !== 'aht' ? (
          <>
            <dt title="the agent's figure pulled towards the team's by how little evidence it has">Shrunken</dt>
            <dd>{row.shrunken ? f(row.shrunken.mean) : '–'}</dd>
          </>
        ) : null}
        {p.teamVisible ? (
          <>
            <dt>Team</dt>
            <dd>{row.team ? f(row.team.value) : '–'}</dd>
          </>
        ) : null}
        <dt>Rank</dt>
        <dd data-testid={`profile-rank-${row.kpi}`}>{row.rank ? `${ordinal(row.rank.position)} of ${row.rank.of} in the team` : row.kpi === 'aht' ? 'not ranked (no better direction)' : '–'}</dd>
      </dl>
      <div className={`tile-change ${verdict?.cls ?? 'flat'}`}>
        {verdict && changeText ? (
          <>
            <span aria-hidden="true">{verdict.icon}</span> {changeText} vs previous {p.weeks.length} weeks: {verdict.word}
          </>
        ) : (
          'no previous figure to compare with'
        )}
      </div>
    </div>
  );
}

interface Point {
  week: string;
  start: string;
  end: string;
  partial: boolean;
  raw: number | null;
  n: number;
  band: [number, number] | null;
  shrunken: number | null;
  team: number | null;
}

function KpiChart({ kpi, p, target }: { kpi: ProfileKpi; p: AgentProfileReply; target: ProfileSummaryRow['target'] }) {
  const navigate = useNavigate();
  const def = KPI_DEFINITIONS[kpi];
  const label = new Intl.DateTimeFormat('en-GB', { timeZone: p.timeZone, day: '2-digit', month: 'short' });
  const data: Point[] = p.weeks.map((w: ProfileWeek) => {
    const f = w.kpis[kpi];
    return {
      week: label.format(new Date(w.start)),
      start: w.start,
      end: w.end,
      partial: w.partial,
      raw: drawn(kpi, f.value),
      n: f.n,
      band: f.interval ? [drawn(kpi, f.interval.low) as number, drawn(kpi, f.interval.high) as number] : null,
      shrunken: drawn(kpi, f.shrunken?.mean),
      team: drawn(kpi, f.team?.value),
    };
  });
  const ys = data.flatMap((d) => [d.raw, d.shrunken, d.team, ...(d.band ?? [])]).filter((v): v is number => v !== null);
  if (target) ys.push(drawn(kpi, target.threshold) as number);
  const axis = yAxisOf(kpi, ys);
  // Handle times are ticked in whole or half minutes.
  const tick = (v: number) => (def.unit === 'fraction' ? `${v}%` : def.unit === 'seconds' ? `${Number((v / 60).toFixed(1))}\u00a0min` : String(v));
  const open = (i: number | undefined) => {
    const d = i === undefined ? undefined : data[i];
    if (d) void navigate(contactsLink(`agent:${p.agent.id}`, d.start, d.end, kpi));
  };
  const keys = useEnterOpensPoint<Point>((d) => void navigate(contactsLink(`agent:${p.agent.id}`, d.start, d.end, kpi)));
  const empty = data.every((d) => d.raw === null);
  return (
    <section className="panel profile-chart" aria-label={`${def.label} week by week`} data-testid={`profile-chart-${kpi}`}>
      <h2>
        {def.label} <span className="charts-sub">week by week · click a week for its contacts</span>
      </h2>
      {empty ? (
        <p className="muted">No {def.label} figures in this period.</p>
      ) : (
        <div className="profile-plot" onKeyDown={keys.onKeyDown}>
          <ResponsiveContainer>
            <ComposedChart
              data={data}
              title={`${def.label} week by week`}
              desc={CHART_KEYS}
              margin={{ top: 8, right: target ? 92 : 12, bottom: 0, left: 0 }}
              onClick={(e) => open(e.activeTooltipIndex === undefined || e.activeTooltipIndex === null ? undefined : Number(e.activeTooltipIndex))}
              style={{ cursor: 'pointer' }}
            >
              <ActivePoint pointRef={keys.active} />
              <CartesianGrid stroke="#eceff4" />
              <XAxis dataKey="week" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={8} />
              <YAxis tick={{ fontSize: 11 }} width={def.unit === 'seconds' ? 58 : 44} domain={axis.domain} ticks={axis.ticks} tickFormatter={tick} allowDataOverflow />
              <Area dataKey="band" stroke="none" fill={AGENT} fillOpacity={0.14} isAnimationActive={false} connectNulls legendType="none" activeDot={false} />
              {p.teamVisible ? <Line dataKey="team" stroke={COLOURS.common} strokeWidth={1.5} strokeDasharray="6 4" dot={false} activeDot={false} isAnimationActive={false} connectNulls /> : null}
              <Line dataKey="shrunken" stroke={AGENT} strokeWidth={2} dot={false} activeDot={false} isAnimationActive={false} connectNulls />
              <Line dataKey="raw" stroke="none" dot={(d: { cx?: number; cy?: number; payload?: Point; index?: number }) => <RawDot key={d.index} {...d} />} activeDot={{ r: 6, fill: AGENT }} isAnimationActive={false} />
              {target ? (
                <ReferenceLine
                  y={drawn(kpi, target.threshold) as number}
                  stroke={COLOURS.target}
                  strokeWidth={2.5}
                  strokeDasharray="12 4 2 4"
                  ifOverflow="extendDomain"
                  label={{ value: `target ${target.direction === 'up' ? '≥' : '≤'} ${formatKpi(kpi, target.threshold)}`, position: 'right', fill: COLOURS.targetText, fontSize: 11 }}
                />
              ) : null}
              <Tooltip content={(t) => <WeekTip kpi={kpi} active={t.active} payload={t.payload as unknown as { payload: Point }[] | undefined} />} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      {empty ? null : (
        <PointList
          what={`${def.label} week by week`}
          period="week"
          testId={`profile-points-${kpi}`}
          points={data.map((d) => ({ key: d.start, label: `${d.week}${d.partial ? ' (so far)' : ''}`, value: d.raw === null ? '–' : formatKpi(kpi, undrawn(kpi, d.raw)), n: d.n, to: contactsLink(`agent:${p.agent.id}`, d.start, d.end, kpi) }))}
        />
      )}
    </section>
  );
}

/** Round ticks over the drawn values: percentages and QA scores within 0-100, handle times in minutes. */
function yAxisOf(kpi: ProfileKpi, ys: number[]): { domain: [number, number]; ticks: number[] } {
  if (ys.length === 0) return { domain: [0, 1], ticks: [0, 1] };
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  if (KPI_DEFINITIONS[kpi].unit === 'seconds') {
    const m = niceAxis(lo / 60, hi / 60, { floor: 0 }, 5);
    return { domain: [m.domain[0] * 60, m.domain[1] * 60], ticks: m.ticks.map((t) => t * 60) };
  }
  return niceAxis(lo, hi, { floor: 0, ceiling: 100 }, 5);
}

/** A raw weekly value: filled, or hollow for a week still running. */
function RawDot({ cx, cy, payload }: { cx?: number | undefined; cy?: number | undefined; payload?: Point | undefined }) {
  if (cx === undefined || cy === undefined || !payload || payload.raw === null) return <g />;
  return <circle cx={cx} cy={cy} r={4} fill={payload.partial ? '#fff' : AGENT} stroke={AGENT} strokeWidth={1.5} />;
}

function WeekTip({ kpi, active, payload }: { kpi: ProfileKpi; active?: boolean | undefined; payload?: { payload: Point }[] | undefined }) {
  const d = payload?.[0]?.payload;
  if (!active || !d) return null;
  const f = (v: number | null) => (v === null ? '–' : formatKpi(kpi, undrawn(kpi, v)));
  return (
    <div className="charts-tip">
      <strong>Week of {d.week}</strong>
      {d.partial ? ' (so far)' : ''}
      <br />
      {KPI_DEFINITIONS[kpi].label} {f(d.raw)} (n = {d.n})
      {d.band ? `, 95% interval ${f(d.band[0])} to ${f(d.band[1])}` : ''}
      <br />
      {d.shrunken !== null ? `Shrunken estimate ${f(d.shrunken)}` : kpi === 'aht' ? 'Not shrunk (handle time)' : 'No shrunken estimate'}
      {d.team !== null ? ` · team ${f(d.team)}` : ''}
      <br />
      <span className="muted">Click for the contacts behind this week</span>
    </div>
  );
}

function ChartKey({ teamVisible, hasTarget }: { teamVisible: boolean; hasTarget: boolean }) {
  return (
    <ul className="charts-legend" aria-label="Key">
      <li>
        <svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="4" fill={AGENT} /></svg> the week’s own figure
      </li>
      <li>
        <svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="4" fill="#fff" stroke={AGENT} strokeWidth="1.5" /></svg> week still running
      </li>
      <li>
        <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={AGENT} strokeWidth="2" /></svg> shrunken estimate
      </li>
      <li>
        <svg width="26" height="12" aria-hidden="true"><rect x="0" y="1" width="26" height="10" fill={AGENT} fillOpacity="0.14" /></svg> 95% interval
      </li>
      {teamVisible ? (
        <li>
          <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.common} strokeWidth="1.5" strokeDasharray="6 4" /></svg> team
        </li>
      ) : null}
      {hasTarget ? (
        <li>
          <svg width="26" height="10" aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke={COLOURS.target} strokeWidth="2.5" strokeDasharray="12 4 2 4" /></svg> target
        </li>
      ) : null}
    </ul>
  );
}

function WeekTable({ p }: { p: AgentProfileReply }) {
  const rows = weekTableRows(p);
  return (
    <section className="panel profile-weeks">
      <h2>
        Week by week{' '}
        <a className="small-inline" href={`/api/v1/agents/${enc(p.agent.id)}/profile?weeks=${p.weeks.length}&format=csv`} download>
          CSV
        </a>
      </h2>
      <details>
        <summary>
          Show the table ({rows.length} rows: {PROFILE_KPIS.length} KPIs × {p.weeks.length} weeks), as the CSV has it
        </summary>
        <div className="table-scroll">
          <table data-testid="profile-week-table">
            <thead>
              <tr>
                {WEEK_TABLE_HEADER.map((h, i) => (
                  <th key={h} className={i >= 2 ? 'num' : ''}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r[1]}-${r[0]}`}>
                  {r.map((c, i) => (
                    <td key={i} className={i >= 2 ? 'num' : ''}>
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function QaTable({ p }: { p: AgentProfileReply }) {
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: p.timeZone }) : '–');
  return (
    <section className="panel" aria-label="QA scores counted">
      <h2>
        QA scores counted <span className="charts-sub">{p.qa.total === 0 ? 'none in this period' : `${p.qa.total} counted in this period${p.qa.total > p.qa.rows.length ? `, latest ${p.qa.rows.length}` : ''}`}</span>
      </h2>
      {p.qa.rows.length > 0 ? (
        <div className="table-scroll profile-scroll">
          <table data-testid="profile-qa">
            <thead>
              <tr>
                <th>Evaluated</th>
                <th>Contact</th>
                <th className="num">Score</th>
                <th>Critical item</th>
              </tr>
            </thead>
            <tbody>
              {p.qa.rows.map((r) => (
                <tr key={`${r.contactId}-${r.evaluatedAt}`} className={r.criticalFail ? 'evidence-negative' : ''}>
                  <td>{when(r.evaluatedAt)}</td>
                  <td>
                    <Link to={`/contacts/${enc(r.contactId)}`}>{r.contactId}</Link> <span className="muted small-inline">{when(r.contactAt)}</span>
                  </td>
                  <td className="num">{r.criticalFail ? `${scoreWords(r.score)} → 0` : scoreWords(r.score)}</td>
                  <td>{r.criticalFail ? <span className="profile-fail"><span aria-hidden="true">✕</span> Failed (scores 0)</span> : <span className="muted"><span aria-hidden="true">✓</span> Passed</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

const KIND: Record<ProfileCase['kind'], { icon: string; word: string }> = {
  individual: { icon: '◆', word: 'Coaching' },
  recognition: { icon: '★', word: 'Recognition' },
};

function CaseList({ cases, canOpen }: { cases: ProfileCase[]; canOpen: boolean }) {
  const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : '–');
  return (
    <section className="panel" aria-label="Coaching and recognitions">
      <h2>Coaching history and recognitions</h2>
      {cases.length === 0 ? (
        <p className="muted">{canOpen ? 'No coaching cases or recognitions you can open.' : 'Coaching cases are for the people who work them; admins do not see them.'}</p>
      ) : (
        <ul className="profile-cases" data-testid="profile-cases">
          {cases.map((c) => (
            <li key={c.id}>
              <span className={`kind kind-${c.kind}`}>
                <span aria-hidden="true">{KIND[c.kind].icon}</span> {KIND[c.kind].word}
              </span>{' '}
              <Link to={`/cases/${enc(c.id)}`}>
                {kpiLabel(c.kpi)}: {c.rule}
              </Link>
              <div className="muted small-inline">
                Opened {day(c.openedAt)} · {c.status === 'closed' ? `Closed ${day(c.closedAt)}${c.outcome ? `: ${OUTCOME_WORDS[c.outcome]}` : ''}` : STAGE_WORDS[c.stage]}
                {c.response ? ` · ${c.response === 'acknowledged' ? '✓ acknowledged' : '! disputed'} by the agent` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A QA score as people read it: whole numbers as they are, anything else to one decimal (the KPI keeps it exact). */
function scoreWords(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}
