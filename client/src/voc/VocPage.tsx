/**
 * Customer voice: what customers say, for a scope and period. Top themes with their share, change against the
 * previous period, sentiment, CSAT and weekly trend, each with example comments; every theme and sentiment opens the
 * comments behind it (masked on the way in), with the contact and agent beside each; a point on a theme's trend opens
 * the same drill narrowed to that point's week (or day), and each contact opens its record. Admins and managers edit
 * the theme dictionary here; every comment is re-tagged when it changes.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { SENTIMENTS, type SentimentLabel, type ThemeDefinition, type ThemesReply, type ThemeSummary, type VocComment } from '../../../shared/voc.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { ScopeSelect } from '../shell/ScopeSelect.js';
import { PeriodSelect } from '../shell/PeriodSelect.js';
import { scopeChoices } from '../shell/scopes.js';

const DAY = 86_400_000;
const PERIODS = [7, 30, 90] as const;
const SENTIMENT_WORDS: Record<SentimentLabel, string> = { negative: '▼ Negative', neutral: '● Neutral', positive: '▲ Positive' };
const enc = encodeURIComponent;

/** A trend bucket with its end: the next bucket's start, or the period's end for the last (which may be shorter). */
interface Bucket {
  from: string;
  to: string;
  count: number;
  days: number;
}

function bucketsOf(t: ThemeSummary, periodTo: string): Bucket[] {
  return t.trend.map((b, i) => ({ from: b.from, to: t.trend[i + 1]?.from ?? periodTo, count: b.count, days: b.days }));
}

const shortWhen = (iso: string) => new Date(iso).toLocaleString('en-GB', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
const dayMonth = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { day: '2-digit', month: '2-digit' });
/** "24/09–01/10": a bucket starts and ends at the period's minute of the day (the exact times are in its title). */
const bucketLabel = (b: Bucket) => `${dayMonth(b.from)}–${dayMonth(b.to)}`;

/**
 * A theme's trend (comments per day in each bucket); with `onPick`, each point opens the theme's comments in that
 * bucket. The same buckets are links in the comments panel, for the keyboard.
 */
function Spark({ buckets, label, onPick }: { buckets: Bucket[]; label: string; onPick: (b: Bucket) => void }) {
  const [hover, setHover] = useState<number | null>(null);
  const points = buckets.map((b) => b.count / Math.max(b.days, 1 / 24));
  const max = Math.max(1, ...points);
  const w = 110;
  const h = 28;
  const pad = 5;
  const step = points.length > 1 ? (w - 2 * pad) / (points.length - 1) : 0;
  const x = (i: number) => pad + i * step;
  const y = (p: number) => h - pad - (p / max) * (h - 2 * pad);
  return (
    <svg className="voc-spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden="true" style={{ cursor: 'pointer', display: 'block' }} onMouseLeave={() => setHover(null)}>
      <polyline fill="none" stroke="currentColor" strokeWidth="1.5" points={points.map((p, i) => `${x(i).toFixed(1)},${y(p).toFixed(1)}`).join(' ')} />
      {points.map((p, i) => (
        <circle key={i} cx={x(i)} cy={y(p)} r={hover === i ? 4 : 2.2} fill={hover === i ? '#fff' : 'currentColor'} stroke="currentColor" strokeWidth={hover === i ? 2 : 0} />
      ))}
      {buckets.map((b, i) => (
        <rect key={b.from} x={x(i) - (step || w) / 2} y={0} width={step || w} height={h} fill="transparent" onMouseEnter={() => setHover(i)} onClick={() => onPick(b)} data-testid="voc-trend-point">
          <title>{`${label}, ${shortWhen(b.from)} to ${shortWhen(b.to)}: ${b.count} comment${b.count === 1 ? '' : 's'}. Click for them.`}</title>
        </rect>
      ))}
    </svg>
  );
}

/**
 * Change against the previous period as a change in share of comments (points), which stays meaningful when the
 * two periods hold different volumes; the count is given beside it.
 */
function change(t: ThemeSummary, previousComments: number): string {
  if (previousComments === 0) return 'no comments in the previous period';
  const pts = (t.share - t.previousCount / previousComments) * 100;
  const sign = Math.abs(pts) < 0.05 ? '±' : pts > 0 ? '+' : '−';
  return `${sign}${Math.abs(pts).toFixed(1)} pts share (was ${t.previousCount})`;
}

/** The page's query with some parameters changed (null: removed). */
function linkParams(params: URLSearchParams, patch: Record<string, string | null>): string {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(patch)) if (v === null) next.delete(k);
  else next.set(k, v);
  return next.toString();
}

export function VocPage({ me }: { me: Me }) {
  const dir = useDirectory();
  const [params, setParams] = useSearchParams();
  const scope = params.get('scope') ?? (me.role === 'agent' && me.agentId ? `agent:${me.agentId}` : 'centre');
  const days = Number(params.get('days') ?? 30);
  const theme = params.get('theme');
  const sentiment = params.get('sentiment') as SentimentLabel | null;
  // A theme's drill may be narrowed to one point of its trend: [from, to) inside the page's period.
  const pointFrom = theme ? params.get('from') : null;
  const pointTo = theme ? params.get('to') : null;
  const atPoint = pointFrom !== null && pointTo !== null;
  const set = (patch: Record<string, string | null>) => setParams(linkParams(params, patch));
  // A period ending at the start of the current minute, so the URL and the query key are stable.
  const [toMs] = useState(() => Math.floor(Date.now() / 60_000) * 60_000);
  const fromMs = toMs - days * DAY;
  const period = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
  const themes = useQuery({ queryKey: ['voc', scope, days, toMs], queryFn: () => api<ThemesReply>(`/api/v1/voc/themes?scope=${enc(scope)}&${period}`) });
  const drill = theme || sentiment;
  const drillPeriod = atPoint ? `from=${enc(pointFrom)}&to=${enc(pointTo)}` : period;
  const comments = useQuery({
    queryKey: ['voc-comments', scope, days, toMs, theme, sentiment, pointFrom, pointTo],
    enabled: Boolean(drill),
    queryFn: () => api<{ total: number; comments: VocComment[] }>(`/api/v1/voc/comments?scope=${enc(scope)}&${drillPeriod}${theme ? `&theme=${enc(theme)}` : ''}${sentiment ? `&sentiment=${sentiment}` : ''}&limit=200`),
  });
  const agentName = (id: string | null) => (id ? (dir.data?.agents.find((a) => a.id === id)?.name ?? id) : '–');
  const scopes = me.role === 'agent' ? [{ value: scope, label: 'My comments' }] : scopeChoices(me, dir.data, { ownFigures: false });
  const d = themes.data;
  const total = d ? d.sentiment.negative + d.sentiment.neutral + d.sentiment.positive : 0;
  const chosen: ThemeSummary | undefined = d?.themes.find((t) => t.id === theme);
  const chosenBuckets = chosen && d ? bucketsOf(chosen, d.to) : [];
  const pickPoint = (t: ThemeSummary, b: Bucket) => set({ theme: t.id, sentiment: null, from: b.from, to: b.to });
  return (
    <div className="page voc-page">
      <div className="topbar">
        <h1>Customer voice</h1>
        <div className="filters">
          <ScopeSelect value={scope} choices={scopes} onPick={(s) => set({ scope: s, theme: null, sentiment: null, from: null, to: null })} inline={false} />
          <PeriodSelect value={days} choices={PERIODS} onPick={(n) => set({ days: String(n), from: null, to: null })} className="" />
        </div>
      </div>
      <p className="muted">Survey comments and complaint summaries, with personal data masked on the way in. Themes come from the dictionary below; sentiment from wink-nlp.</p>
      {themes.error ? <p className="error">{errText(themes.error)}</p> : null}
      {d ? (
        <>
          <section className="panel">
            <h2>
              {d.comments.toLocaleString('en-GB')} comments <span className="muted small-inline">in the last {days} days</span>
            </h2>
            <div className="voc-sentiment" role="group" aria-label="Sentiment">
              {SENTIMENTS.map((s) => (
                <button
                  key={s}
                  type="button"
                  className={`voc-sent voc-sent-${s}${sentiment === s ? ' active' : ''}`}
                  style={{ flexGrow: Math.max(1, d.sentiment[s]) }}
                  onClick={() => set({ sentiment: sentiment === s ? null : s, theme: null, from: null, to: null })}
                  data-testid={`sentiment-${s}`}
                >
                  {SENTIMENT_WORDS[s]} {d.sentiment[s]} ({total === 0 ? 0 : Math.round((d.sentiment[s] / total) * 100)}%)
                </button>
              ))}
            </div>
          </section>
          <section className="panel">
            <h2>Top themes</h2>
            <table className="voc-themes" data-testid="voc-themes">
              <thead>
                <tr>
                  <th>Theme</th>
                  <th className="num">Comments</th>
                  <th className="num">Share</th>
                  <th>Change vs previous {days} days</th>
                  <th className="num">Negative</th>
                  <th className="num">Mean CSAT</th>
                  <th title="comments per day in each week (each day, for 7 days); click a point for its comments">Trend (per day)</th>
                  <th>Example</th>
                </tr>
              </thead>
              <tbody>
                {d.themes.map((t) => (
                  <tr key={t.id} className={t.id === theme ? 'selected' : ''}>
                    <td>
                      <button type="button" className="link" onClick={() => set({ theme: t.id === theme ? null : t.id, sentiment: null, from: null, to: null })} data-testid={`theme-${t.id}`}>
                        {t.label}
                      </button>
                    </td>
                    <td className="num">{t.count}</td>
                    <td className="num">{(t.share * 100).toFixed(0)}%</td>
                    <td className="muted">{change(t, d.previousComments)}</td>
                    <td className="num">{t.count === 0 ? '–' : `${(t.negativeShare * 100).toFixed(0)}%`}</td>
                    <td className="num">{t.meanCsat === null ? '–' : t.meanCsat.toFixed(2)}</td>
                    <td>
                      <Spark buckets={bucketsOf(t, d.to)} label={t.label} onPick={(b) => pickPoint(t, b)} />
                    </td>
                    <td className="voc-quote">{t.examples[0] ? `“${t.examples[0].text}”` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted small-inline">Click a theme for its comments, or a point on its trend for that {days > 14 ? 'week' : 'day'}&apos;s.</p>
          </section>
          {drill ? (
            <section className="panel" data-testid="voc-comments">
              <h2>
                {chosen ? chosen.label : sentiment ? SENTIMENT_WORDS[sentiment] : ''}: {comments.data?.total ?? '…'} comments
                {atPoint ? <span className="muted small-inline" data-testid="voc-point-period"> from {shortWhen(pointFrom)} to {shortWhen(pointTo)}</span> : null}{' '}
                {atPoint ? (
                  <button type="button" className="link" onClick={() => set({ from: null, to: null })}>
                    whole {days} days
                  </button>
                ) : null}{' '}
                <button type="button" className="link" onClick={() => set({ theme: null, sentiment: null, from: null, to: null })}>
                  clear
                </button>
              </h2>
              {chosen && chosenBuckets.length > 1 ? (
                <nav className="small-inline" aria-label={`${chosen.label} by ${days > 14 ? 'week' : 'day'}`} data-testid="voc-trend-links">
                  By {days > 14 ? 'week' : 'day'}:{' '}
                  {chosenBuckets.map((b, i) => {
                    const here = atPoint && b.from === pointFrom;
                    return (
                      <span key={b.from}>
                        {i > 0 ? ' · ' : null}
                        {here ? (
                          <strong aria-current="true">
                            {bucketLabel(b)} ({b.count})
                          </strong>
                        ) : (
                          <Link to={`?${linkParams(params, { theme: chosen.id, sentiment: null, from: b.from, to: b.to })}`} title={`${shortWhen(b.from)} to ${shortWhen(b.to)}`}>
                            {bucketLabel(b)} ({b.count})
                          </Link>
                        )}
                      </span>
                    );
                  })}
                </nav>
              ) : null}
              {comments.error ? <p className="error">{errText(comments.error)}</p> : null}
              <table>
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Contact</th>
                    <th>Agent</th>
                    <th>Queue</th>
                    <th className="num">CSAT</th>
                    <th>Sentiment</th>
                    <th>Comment</th>
                  </tr>
                </thead>
                <tbody>
                  {(comments.data?.comments ?? []).map((c, i) => (
                    <tr key={`${c.contactId ?? 'none'}-${i}`} data-testid="voc-comment">
                      <td>{new Date(c.at).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' })}</td>
                      <td>{c.contactId ? <Link to={`/contacts/${enc(c.contactId)}`}>{c.contactId}</Link> : '–'}</td>
                      <td>{agentName(c.agentId)}</td>
                      <td>{c.queueId ?? '–'}</td>
                      <td className="num">{c.csat ?? '–'}</td>
                      <td>{c.sentiment <= -0.05 ? 'negative' : c.sentiment >= 0.05 ? 'positive' : 'neutral'}</td>
                      <td>{c.text}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {me.role === 'admin' || me.role === 'manager' ? <DictionaryEditor /> : null}
    </div>
  );
}

function DictionaryEditor() {
  const qc = useQueryClient();
  const dict = useQuery({ queryKey: ['voc-dictionary'], queryFn: () => api<{ themes: ThemeDefinition[]; version: number }>('/api/v1/voc/dictionary') });
  const [draft, setDraft] = useState<{ id: string; label: string; phrases: string }[] | null>(null);
  const save = useMutation({
    mutationFn: (themes: ThemeDefinition[]) => api('/api/v1/voc/dictionary', { method: 'PUT', body: { themes } }),
    onSuccess: async () => {
      setDraft(null);
      await qc.invalidateQueries({ queryKey: ['voc-dictionary'] });
      await qc.invalidateQueries({ queryKey: ['voc'] });
    },
  });
  const rows = draft ?? (dict.data?.themes ?? []).map((t) => ({ id: t.id, label: t.label, phrases: t.phrases.join(', ') }));
  const edit = (i: number, patch: Partial<(typeof rows)[number]>) => setDraft(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <details className="panel voc-dictionary">
      <summary>Theme dictionary (version {dict.data?.version ?? '…'})</summary>
      <p className="muted small-inline">Phrases are matched as whole words, ignoring case; end one with * for any ending (refund* matches refunds). Saving re-tags every comment.</p>
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Label</th>
            <th>Phrases (comma-separated)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>
                <input value={r.id} onChange={(e) => edit(i, { id: e.target.value })} aria-label={`Theme ${i + 1} id`} />
              </td>
              <td>
                <input value={r.label} onChange={(e) => edit(i, { label: e.target.value })} aria-label={`Theme ${i + 1} label`} />
              </td>
              <td>
                <textarea value={r.phrases} rows={2} onChange={(e) => edit(i, { phrases: e.target.value })} aria-label={`Theme ${i + 1} phrases`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" className="link" onClick={() => setDraft([...rows, { id: '', label: '', phrases: '' }])}>
          + Add a theme
        </button>
        <button type="button" disabled={!draft || save.isPending} onClick={() => save.mutate(rows.map((r) => ({ id: r.id.trim(), label: r.label.trim(), phrases: r.phrases.split(',').map((p) => p.trim()).filter(Boolean) })))}>
          Save dictionary
        </button>
        {draft ? (
          <button type="button" className="secondary" onClick={() => setDraft(null)}>
            Discard changes
          </button>
        ) : null}
      </div>
      {save.error ? <p className="error">{errText(save.error)}</p> : null}
    </details>
  );
}
