/** The before/after comparison of an initiative, its comment themes before and after, and the 30/60/90-day checks. */
import { useQuery } from '@tanstack/react-query';
import type { ComparisonRow, Initiative, InitiativeResults } from '../../../shared/initiatives.js';
import { api, errText } from '../api/http.js';
import { day, kpiLabel } from '../coaching/case-words.js';
import { enc, keys, pct, pts, secs, times, Verdict } from './parts.js';

function Rows({ rows, testId }: { rows: ComparisonRow[]; testId: string }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th>KPI</th>
          <th className="num">Before (95% interval, n)</th>
          <th className="num">After (95% interval, n)</th>
          <th className="num">Change (95% interval)</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const f = row.unit === 'rate' ? pct : secs;
          const c = row.unit === 'rate' ? pts : times;
          return (
            <tr key={row.kpi} data-kpi={row.kpi}>
              <td>
                {kpiLabel(row.kpi)} <span className="muted small-inline">({row.direction === 'up' ? 'higher is better' : 'lower is better'})</span>
              </td>
              <td className="num">
                {f(row.before.value)} <span className="muted">({f(row.before.low)}–{f(row.before.high)}, n {row.before.n.toLocaleString('en-GB')})</span>
              </td>
              <td className="num">
                {f(row.after.value)} <span className="muted">({f(row.after.low)}–{f(row.after.high)}, n {row.after.n.toLocaleString('en-GB')})</span>
              </td>
              <td className="num">
                {c(row.change)} <span className="muted">({c(row.changeLow)} to {c(row.changeHigh)})</span>
              </td>
              <td>
                <Verdict v={row.verdict} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const HEADLINE_ICON: Record<InitiativeResults['headline'], string> = { improved: '▲', worse: '▼', mixed: '◆', 'no-change': '●', 'no-data': '–' };

const CHECK_WORDS: Record<InitiativeResults['sustained'][number]['state'], string> = { pending: '… pending', sustained: '✓ sustained', 'not-sustained': '✗ not sustained', 'no-data': '– no data' };

export function BeforeAfter({ i }: { i: Initiative }) {
  const r = useQuery({ queryKey: keys.results(i.id, i.version), queryFn: async () => (await api<{ results: InitiativeResults | null }>(`/api/v1/initiatives/${enc(i.id)}/results`)).results });
  const v = r.data;
  return (
    <section className="panel case-panel" data-testid="before-after">
      <h2>Before and after the change</h2>
      {r.error ? <p className="error">{errText(r.error)}</p> : null}
      {!v ? (
        <p className="muted">{r.isLoading ? 'Loading…' : 'Measured once the change is recorded.'}</p>
      ) : (
        <>
          <p data-testid="before-after-summary">
            <span aria-hidden="true" className={`initiative-verdict-${v.headline}`}>
              {HEADLINE_ICON[v.headline]}
            </span>{' '}
            <strong>{v.summary}</strong>
          </p>
          <p className="muted small-inline">
            {v.windowDays} whole days before the change day against {v.windowDays} after it (the change day itself in neither).
            {v.provisional ? ` Provisional: ${v.daysElapsed} of ${v.windowDays} days after so far.` : ''} A verdict says improved or worse only when the 95% interval of the change excludes no change
            (Newcombe's interval for rates; the log scale for handle time); otherwise no change.
          </p>
          <Rows rows={v.rows} testId="before-after-table" />
          <h3>What customers said, before and after</h3>
          <p className="muted small-inline">
            {v.themes.comments.before} comments before, {v.themes.comments.after} after.
          </p>
          {v.themes.rows.length === 0 ? (
            <p className="muted">No comments in either window.</p>
          ) : (
            <table data-testid="themes-before-after">
              <thead>
                <tr>
                  <th>Theme</th>
                  <th className="num">Before</th>
                  <th className="num">After</th>
                </tr>
              </thead>
              <tbody>
                {v.themes.rows.map((t) => (
                  <tr key={t.id}>
                    <td>{t.label}</td>
                    <td className="num">
                      {t.before} <span className="muted">({v.themes.comments.before === 0 ? '–' : `${Math.round((100 * t.before) / v.themes.comments.before)}%`})</span>
                    </td>
                    <td className="num">
                      {t.after} <span className="muted">({v.themes.comments.after === 0 ? '–' : `${Math.round((100 * t.after) / v.themes.comments.after)}%`})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Sustained?</h3>
          <p className="muted small-inline">Each check compares the {v.windowDays} whole days ending with that day after the change against the same before window; pending until that day has passed.</p>
          <ul className="trail" data-testid="sustained-checks">
            {v.sustained.map((s) => (
              <li key={s.day}>
                <strong>{s.day} days:</strong> <span className={`check-${s.state}`}>{CHECK_WORDS[s.state]}</span>{' '}
                <span className="muted small-inline">
                  ({day(s.from)} to {day(new Date(Date.parse(s.to) - 1).toISOString())})
                </span>
                {s.rows.length > 0 ? (
                  <span className="small-inline">
                    {' '}
                    {s.rows
                      .filter((x) => x.verdict !== 'no-data')
                      .map((x) => `${kpiLabel(x.kpi)} ${x.verdict.replace('-', ' ')}`)
                      .join(' · ')}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
