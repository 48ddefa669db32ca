/**
 * The service quality review: choose a scope and period, read the review on one page (made to print, and to PDF
 * through the browser's print dialog), save it as a snapshot, and collect stakeholders' comments on saved reviews.
 * Every day on a KPI's small chart opens the contacts behind it, by mouse on the chart or through the list of days
 * beside it.
 */
import { TZDate } from '@date-fns/tz';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { addDays } from 'date-fns';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { assuranceWords, variationWords } from '../../../shared/charts.js';
import { KPI_DEFINITIONS, STATUS_WORDS } from '../../../shared/kpis.js';
import type { Recommendation, ResultRow, SavedReview, ServiceReview } from '../../../shared/review.js';
import { zoneOf } from '../../../shared/zones.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { InitiativeTable, OpenInitiative, useInitiatives } from '../improvement/parts.js';
import { contactsLink } from '../drilldown/ContactsPages.js';
import { ScopeSelect } from '../shell/ScopeSelect.js';
import { scopeChoices } from '../shell/scopes.js';

const enc = encodeURIComponent;
const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

function fmt(kpi: ResultRow['kpi'], v: number | null): string {
  if (v === null) return '–';
  return KPI_DEFINITIONS[kpi].unit === 'seconds' ? `${Math.round(v)} s` : `${(v * 100).toFixed(1)}%`;
}

/** The contacts behind one local day of the review, for a KPI. */
type DayLink = (day: string, kpi: ResultRow['kpi']) => string;

/**
 * Links from a review's local days to the contacts behind them, or null while the centre's time zone is unknown or
 * does not fit the review. Points carry only their local day (and saved snapshots were made before they carried
 * more), so each day's bounds are its local midnights in the scope's zone, as the server takes it (shared/zones.ts),
 * whose daily points are aligned to those midnights; a day on a clock change is 23 or 25
 * hours. The zone is checked against every special cause, which carries its point's bounds from the server.
 */
function useDayLinks(r: ServiceReview): DayLink | null {
  const dir = useDirectory();
  if (!dir.data) return null;
  const tz = zoneOf(r.scope, dir.data);
  // From the date's parts: a date-time string would be read in the browser's zone, not the centre's.
  const bounds = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const start = new TZDate(y, m - 1, d, tz);
    return { start: new Date(start.getTime()).toISOString(), end: new Date(addDays(start, 1).getTime()).toISOString() };
  };
  const fits = r.results.every((x) =>
    x.specialCauses.every((s) => {
      const b = bounds(s.day);
      return b.start === new Date(s.start).toISOString() && b.end === new Date(s.end).toISOString();
    }),
  );
  if (!fits) return null;
  return (day, kpi) => {
    const b = bounds(day);
    return contactsLink(r.scope, b.start, b.end, kpi);
  };
}

const dayMonth = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`;

/**
 * A small XmR chart for print: points, mean, limits, target; special causes as orange (concern) or blue (improvement)
 * marks with a shape. With `dayLink`, each day's column opens the contacts behind that point.
 */
function MiniXmr({ r, target, dayLink }: { r: ResultRow; target: number | null; dayLink: DayLink | null }) {
  const navigate = useNavigate();
  const [hover, setHover] = useState<number | null>(null);
  const w = 260;
  const h = 70;
  const vals = [...r.points.map((p) => p.value), ...(r.limits ? [r.limits.upper, r.limits.lower] : []), ...(target === null ? [] : [target])];
  if (r.points.length === 0) return <span className="muted">no data</span>;
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const y = (v: number) => h - 4 - ((v - lo) / (hi - lo || 1)) * (h - 8);
  const x = (i: number) => 4 + (i * (w - 8)) / Math.max(1, r.points.length - 1);
  const step = (w - 8) / Math.max(1, r.points.length - 1);
  const hovered = hover === null ? undefined : r.points[hover];
  return (
    <svg
      className="mini-xmr"
      width={w}
      height={h}
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={`${KPI_DEFINITIONS[r.kpi].label} XmR chart`}
      style={dayLink ? { cursor: 'pointer' } : undefined}
      onMouseLeave={() => setHover(null)}
    >
      {r.limits ? (
        <>
          <line x1={0} x2={w} y1={y(r.limits.upper)} y2={y(r.limits.upper)} stroke="#999" strokeDasharray="4 3" />
          <line x1={0} x2={w} y1={y(r.limits.lower)} y2={y(r.limits.lower)} stroke="#999" strokeDasharray="4 3" />
          <line x1={0} x2={w} y1={y(r.limits.mean)} y2={y(r.limits.mean)} stroke="#555" />
        </>
      ) : null}
      {target !== null ? <line x1={0} x2={w} y1={y(target)} y2={y(target)} stroke="#009e73" strokeDasharray="8 3" strokeWidth={1.5} /> : null}
      <polyline fill="none" stroke="#1d2330" strokeWidth={1.2} points={r.points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')} />
      {r.points.map((p, i) =>
        p.mark === 'concern' ? (
          <polygon key={i} points={`${x(i) - 4},${y(p.value) - 3} ${x(i) + 4},${y(p.value) - 3} ${x(i)},${y(p.value) + 4}`} fill="#e69f00" />
        ) : p.mark === 'improvement' ? (
          <rect key={i} x={x(i) - 3} y={y(p.value) - 3} width={6} height={6} fill="#0072b2" />
        ) : (
          <circle key={i} cx={x(i)} cy={y(p.value)} r={1.6} fill="#1d2330" />
        ),
      )}
      {hovered && hover !== null ? <circle cx={x(hover)} cy={y(hovered.value)} r={5} fill="none" stroke="#0072b2" strokeWidth={1.5} /> : null}
      {dayLink
        ? r.points.map((p, i) => (
            <rect
              key={`hit-${p.day}`}
              x={x(i) - step / 2}
              y={0}
              width={step}
              height={h}
              fill="transparent"
              onMouseEnter={() => setHover(i)}
              onClick={() => void navigate(dayLink(p.day, r.kpi))}
              data-testid="mini-xmr-day"
            >
              <title>{`${dayMonth(p.day)}: ${fmt(r.kpi, p.value)}. Click for the contacts behind this day.`}</title>
            </rect>
          ))
        : null}
    </svg>
  );
}

/** The chart's days as links to their contacts: the keyboard's way to what a click on the chart opens. */
function DayList({ r, dayLink }: { r: ResultRow; dayLink: DayLink | null }) {
  if (!dayLink || r.points.length === 0) return null;
  return (
    <details className="no-print" data-testid={`review-days-${r.kpi}`}>
      <summary className="small-inline">Days ({r.points.length}), each with its contacts</summary>
      <ul className="small-inline" style={{ listStyle: 'none', padding: 0, margin: '4px 0 0', columns: 2 }}>
        {r.points.map((p) => (
          <li key={p.day}>
            <Link to={dayLink(p.day, r.kpi)}>{dayMonth(p.day)}</Link> {fmt(r.kpi, p.value)}
            {p.mark === 'concern' ? ' ▼' : p.mark === 'improvement' ? ' ■' : p.mark === 'neither' ? ' ◆' : ''}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function ReviewDocument({ r, act }: { r: ServiceReview; act?: (index: number, rec: Recommendation) => ReactNode }) {
  const dir = useDirectory();
  const dayLink = useDayLinks(r);
  const agentName = (id: string | null) => (id ? (dir.data?.agents.find((a) => a.id === id)?.name ?? id) : '–');
  return (
    <article className="review-doc" data-testid="review-doc">
      <header>
        <h1>
          Service quality review: {r.scopeName}, {r.from} to {r.to}
        </h1>
        <p className="muted small-inline">
          {r.days} days · built {new Date(r.generatedAt).toLocaleString('en-GB')} · figures as on that date
        </p>
      </header>

      <section>
        <h2>1. Recommendations</h2>
        <ol className="recommendations" data-testid="review-recommendations">
          {r.recommendations.map((x, i) => (
            <li key={i}>
              <strong>{x.text}</strong>
              <br />
              <span className="muted">Because: {x.because}</span> <Link to={x.evidence.href}>Evidence: {x.evidence.label}</Link>
              {act ? <div>{act(i, x)}</div> : null}
            </li>
          ))}
        </ol>
      </section>

      <section>
        <h2>2. Results against targets</h2>
        <table data-testid="review-results">
          <thead>
            <tr>
              <th>KPI</th>
              <th className="num">Result</th>
              <th className="num">n</th>
              <th className="num">Previous {r.days} days</th>
              <th>Target</th>
              <th>Status</th>
              <th>Variation</th>
              <th>Assurance</th>
              <th>Daily XmR</th>
            </tr>
          </thead>
          <tbody>
            {r.results.map((x) => {
              const plan = r.plan.find((p) => p.kpi === x.kpi);
              const t = plan?.target ?? null;
              return (
                <tr key={x.kpi} data-testid={`review-result-${x.kpi}`}>
                  <td>{KPI_DEFINITIONS[x.kpi].label}</td>
                  <td className="num">{fmt(x.kpi, x.value)}</td>
                  <td className="num">{x.n.toLocaleString('en-GB')}</td>
                  <td className="num">{fmt(x.kpi, x.previous)}</td>
                  <td>{t ? `${t.direction === 'up' ? '≥' : '≤'} ${fmt(x.kpi, t.threshold)}` : 'none'}</td>
                  <td>
                    {STATUS_WORDS[x.status].icon} {STATUS_WORDS[x.status].word}
                  </td>
                  <td>{variationWords(x.variation)}</td>
                  <td>{assuranceWords(x.assurance, t !== null)}</td>
                  <td>
                    <MiniXmr r={x} target={t?.threshold ?? null} dayLink={dayLink} />
                    <DayList r={x} dayLink={dayLink} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="muted small-inline">
          Charts: daily points; mean solid, process limits dashed grey, target dashed green; ▼ orange: special cause of concern, ■ blue: improvement.
          {dayLink ? <span className="no-print"> Click a day on a chart, or open its list of days, for the contacts behind it.</span> : null}
        </p>
      </section>

      <section>
        <h2>3. Trends and special causes</h2>
        {r.results.every((x) => x.specialCauses.length === 0) ? (
          <p>No special causes: every KPI varied within its process limits.</p>
        ) : (
          <ul>
            {r.results
              .filter((x) => x.specialCauses.length > 0)
              .map((x) => (
                <li key={x.kpi}>
                  <strong>{KPI_DEFINITIONS[x.kpi].label}</strong>:{' '}
                  {x.specialCauses
                    .slice(-5)
                    .map((s) => `${s.day} ${s.kind} (${s.side}: ${s.rules.join(', ')})`)
                    .join('; ')}
                  {x.specialCauses.length > 5 ? ` and ${x.specialCauses.length - 5} earlier` : ''}
                </li>
              ))}
          </ul>
        )}
      </section>

      <section>
        <h2>4. Segment differences</h2>
        {r.segments.length === 0 ? <p className="muted">No segments below this scope.</p> : null}
        <div className="segments">
          {r.segments.map((s) => (
            <table key={`${s.kpi}-${s.by}`} className="segment-table">
              <caption>
                {KPI_DEFINITIONS[s.kpi].label} by {s.by} (whole: {s.overall === null ? '–' : `${(s.overall * 100).toFixed(1)}%`})
              </caption>
              <tbody>
                {s.rows.map((row) => (
                  <tr key={row.scope} className={row.differs === 'worse' ? 'evidence-negative' : ''}>
                    <td>{row.name}</td>
                    <td className="num">{row.value === null ? '–' : `${(row.value * 100).toFixed(1)}%`}</td>
                    <td className="num muted">{row.low === null ? '' : `${(row.low * 100).toFixed(0)}–${((row.high ?? 0) * 100).toFixed(0)}%`}</td>
                    <td className="num muted">n {row.n}</td>
                    <td>{row.differs === 'worse' ? '▼ below' : row.differs === 'better' ? '▲ above' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
        <p className="muted small-inline">A segment is marked only when its 95% Wilson interval excludes the whole scope's rate.</p>
      </section>

      <section>
        <h2>5. What customers said</h2>
        <p>
          {r.themes.comments} comments: {r.themes.sentiment.negative} negative, {r.themes.sentiment.neutral} neutral, {r.themes.sentiment.positive} positive.
        </p>
        <table>
          <tbody>
            {r.themes.top.map((t) => (
              <tr key={t.id}>
                <td>
                  <strong>{t.label}</strong>
                </td>
                <td className="num">{t.count}</td>
                <td className="num">{(t.share * 100).toFixed(0)}%</td>
                <td className="num">{(t.negativeShare * 100).toFixed(0)}% negative</td>
                <td className="voc-quote">{t.examples[0] ? `“${t.examples[0].text}” (${agentName(t.examples[0].agentId)})` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section>
        <h2>6. Coaching and improvement actions</h2>
        <p>
          Opened in the period: {r.coaching.opened.individual} coaching cases, {r.coaching.opened.systemic} systemic reviews, {r.coaching.opened.recognition} recognitions. Actions: {r.coaching.actions.agreed} agreed,{' '}
          {r.coaching.actions.done} done, {r.coaching.actions.overdue} overdue.
        </p>
        {r.coaching.closed.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>Case</th>
                <th>Outcome</th>
                <th>Before / after</th>
              </tr>
            </thead>
            <tbody>
              {r.coaching.closed.map((c) => (
                <tr key={c.caseId}>
                  <td>
                    <Link to={`/cases/${c.caseId}`}>
                      {c.kind} · {c.kpi}
                    </Link>
                  </td>
                  <td>
                    {c.outcome?.replace('_', ' ') ?? '–'}
                    {c.reason ? `: ${c.reason}` : ''}
                  </td>
                  <td>{c.review ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No cases closed in the period.</p>
        )}
      </section>

      <section>
        <h2>7. Measurement plan</h2>
        <table className="plan">
          <thead>
            <tr>
              <th>KPI</th>
              <th>Definition</th>
              <th>Source</th>
              <th>Frequency</th>
              <th>Target (owner)</th>
            </tr>
          </thead>
          <tbody>
            {r.plan.map((p) => (
              <tr key={p.kpi}>
                <td>{p.label}</td>
                <td>
                  {p.formula} <span className="muted">(n: {p.nIs})</span>
                </td>
                <td>{p.source}</td>
                <td>{p.frequency}</td>
                <td>{p.target ? `${p.target.direction === 'up' ? '≥' : '≤'} ${fmt(p.kpi, p.target.threshold)} ± ${fmt(p.kpi, p.target.tolerance)} on ${p.target.scope}${p.target.owner ? ` (${p.target.owner})` : ''}` : 'none set'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}

function defaultPeriod(): { from: string; to: string } {
  const today = new Date();
  const to = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  const from = new Date(to.getFullYear(), to.getMonth(), to.getDate() - 29);
  return { from: isoDay(from), to: isoDay(to) };
}

export function ReviewsPage({ me }: { me: Me }) {
  const dir = useDirectory();
  const [params, setParams] = useSearchParams();
  const def = defaultPeriod();
  const scope = params.get('scope') ?? (me.role === 'team_leader' && me.teamIds[0] ? `team:${me.teamIds[0]}` : 'centre');
  const from = params.get('from') ?? def.from;
  const to = params.get('to') ?? def.to;
  const [title, setTitle] = useState('');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const preview = useQuery({ queryKey: ['review-preview', scope, from, to], queryFn: async () => (await api<{ review: ServiceReview }>(`/api/v1/reviews/preview?scope=${enc(scope)}&from=${from}&to=${to}`)).review });
  const saved = useQuery({ queryKey: ['reviews'], queryFn: async () => (await api<{ reviews: Omit<SavedReview, 'snapshot' | 'comments'>[] }>('/api/v1/reviews')).reviews });
  const save = useMutation({
    mutationFn: () => api<{ id: string }>('/api/v1/reviews', { method: 'POST', body: { scope, from, to, title } }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['reviews'] });
      await navigate(`/reviews/${r.id}`);
    },
  });
  // Reviews are of the system: no agent scope.
  const scopes = scopeChoices(me, dir.data, { ownFigures: false });
  const set = (patch: Record<string, string>) => setParams({ scope, from, to, ...patch });
  return (
    <div className="page">
      <div className="no-print">
        <h1>Service quality review</h1>
        <div className="filters">
          <ScopeSelect value={scope} choices={scopes} onPick={(s) => set({ scope: s })} inline={false} />
          <label>
            From
            <input type="date" value={from} onChange={(e) => set({ from: e.target.value })} aria-label="From" />
          </label>
          <label>
            To
            <input type="date" value={to} onChange={(e) => set({ to: e.target.value })} aria-label="To" />
          </label>
          <label>
            Title
            <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. November review" aria-label="Title" />
          </label>
          <button type="button" className="align-end" disabled={save.isPending || !preview.data} onClick={() => save.mutate()}>
            Save snapshot
          </button>
          <button type="button" className="secondary align-end" onClick={() => window.print()}>
            Print / PDF
          </button>
        </div>
        {save.error ? <p className="error">{errText(save.error)}</p> : null}
        {(saved.data ?? []).length > 0 ? (
          <details className="saved-reviews">
            <summary>Saved reviews ({saved.data?.length})</summary>
            <ul>
              {(saved.data ?? []).map((r) => (
                <li key={r.id}>
                  <Link to={`/reviews/${r.id}`}>{r.title}</Link> <span className="muted">{r.scope}, {r.from} to {r.to}</span>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </div>
      {preview.error ? <p className="error">{errText(preview.error)}</p> : null}
      {preview.isLoading ? <p className="muted">Building the review…</p> : null}
      {preview.data ? <ReviewDocument r={preview.data} /> : null}
      {preview.data ? <ReviewInitiatives scope={preview.data.scope} /> : null}
    </div>
  );
}

export function SavedReviewPage() {
  const { reviewId = '' } = useParams();
  const qc = useQueryClient();
  const r = useQuery({ queryKey: ['review', reviewId], queryFn: async () => (await api<{ review: SavedReview & { createdByName: string | null } }>(`/api/v1/reviews/${enc(reviewId)}`)).review });
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () => api(`/api/v1/reviews/${enc(reviewId)}/comments`, { method: 'POST', body: { text } }),
    onSuccess: async () => {
      setText('');
      await qc.invalidateQueries({ queryKey: ['review', reviewId] });
    },
  });
  if (r.error) return <p className="page error">{errText(r.error)}</p>;
  if (!r.data) return <p className="page muted">Loading…</p>;
  const d = r.data;
  return (
    <div className="page">
      <p className="no-print">
        <Link to="/reviews">← Reviews</Link> · saved {new Date(d.createdAt).toLocaleString('en-GB')} by {d.createdByName ?? d.createdBy} · a snapshot: figures as they were then{' '}
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print / PDF
        </button>
      </p>
      <h2 className="review-title">{d.title}</h2>
      <ReviewDocument
        r={d.snapshot}
        act={(index, rec) => <OpenInitiative origin={{ kind: 'review', reviewId: d.id, index }} title={rec.text.replace(/[:.].*$/, '').slice(0, 120)} problem={`${rec.text} Because: ${rec.because}`} label="Open an initiative from this recommendation" />}
      />
      <ReviewInitiatives scope={d.snapshot.scope} />
      <section className="review-comments" data-testid="review-comments">
        <h2>Stakeholders' comments</h2>
        {d.comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
        <ol className="trail">
          {d.comments.map((c) => (
            <li key={c.id}>
              <span className="muted small-inline">{new Date(c.at).toLocaleString('en-GB')}</span>
              <br />
              <strong>{c.authorName ?? c.author}</strong>: {c.text}
            </li>
          ))}
        </ol>
        <form
          className="form no-print"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <label>
            Add a comment
            <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} aria-label="Comment" />
          </label>
          <button type="submit" disabled={add.isPending}>
            Add comment
          </button>
          {add.error ? <p className="error">{errText(add.error)}</p> : null}
        </form>
      </section>
    </div>
  );
}

/** The improvement initiatives for a review's scope, with their before/after results (computed now, not in the snapshot). */
function ReviewInitiatives({ scope }: { scope: string }) {
  const list = useInitiatives({ scope });
  return (
    <section className="review-initiatives panel" data-testid="review-initiatives">
      <h2>Improvement initiatives for this scope</h2>
      <p className="muted small-inline">Their results as they stand today: each compares the same KPIs over equal windows before and after its change.</p>
      {list.error ? <p className="error">{errText(list.error)}</p> : list.data ? <InitiativeTable rows={list.data} /> : <p className="muted">Loading…</p>}
    </section>
  );
}
