/**
 * Customer voice: what customers say, for a scope and period. Top themes with their share, change against the
 * previous period, sentiment, CSAT and weekly trend, each with example comments; every theme and sentiment opens the
 * comments behind it (masked on the way in), with the contact and agent beside each. Admins and managers edit the
 * theme dictionary here; every comment is re-tagged when it changes.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { SENTIMENTS, type SentimentLabel, type ThemeDefinition, type ThemesReply, type ThemeSummary, type VocComment } from '../../../shared/voc.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { scopeChoices } from '../shell/scopes.js';

const DAY = 86_400_000;
const PERIODS = [7, 30, 90] as const;
const SENTIMENT_WORDS: Record<SentimentLabel, string> = { negative: '▼ Negative', neutral: '● Neutral', positive: '▲ Positive' };
const enc = encodeURIComponent;

function Spark({ points }: { points: number[] }) {
  const max = Math.max(1, ...points);
  const w = 90;
  const h = 22;
  const step = points.length > 1 ? w / (points.length - 1) : 0;
  return (
    <svg className="voc-spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden="true">
      <polyline fill="none" stroke="currentColor" strokeWidth="1.5" points={points.map((p, i) => `${(i * step).toFixed(1)},${(h - 2 - (p / max) * (h - 4)).toFixed(1)}`).join(' ')} />
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

export function VocPage({ me }: { me: Me }) {
  const dir = useDirectory();
  const [params, setParams] = useSearchParams();
  const scope = params.get('scope') ?? (me.role === 'agent' && me.agentId ? `agent:${me.agentId}` : 'centre');
  const days = Number(params.get('days') ?? 30);
  const theme = params.get('theme');
  const sentiment = params.get('sentiment') as SentimentLabel | null;
  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) if (v === null) next.delete(k);
    else next.set(k, v);
    setParams(next);
  };
  // A period ending at the start of the current minute, so the URL and the query key are stable.
  const [toMs] = useState(() => Math.floor(Date.now() / 60_000) * 60_000);
  const fromMs = toMs - days * DAY;
  const period = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
  const themes = useQuery({ queryKey: ['voc', scope, days, toMs], queryFn: () => api<ThemesReply>(`/api/v1/voc/themes?scope=${enc(scope)}&${period}`) });
  const drill = theme || sentiment;
  const comments = useQuery({
    queryKey: ['voc-comments', scope, days, toMs, theme, sentiment],
    enabled: Boolean(drill),
    queryFn: () => api<{ total: number; comments: VocComment[] }>(`/api/v1/voc/comments?scope=${enc(scope)}&${period}${theme ? `&theme=${enc(theme)}` : ''}${sentiment ? `&sentiment=${sentiment}` : ''}&limit=200`),
  });
  const agentName = (id: string | null) => (id ? (dir.data?.agents.find((a) => a.id === id)?.name ?? id) : '–');
  const scopes = me.role === 'agent' ? [{ value: scope, label: 'My comments' }] : scopeChoices(me, dir.data, { ownFigures: false });
  const d = themes.data;
  const total = d ? d.sentiment.negative + d.sentiment.neutral + d.sentiment.positive : 0;
  const chosen: ThemeSummary | undefined = d?.themes.find((t) => t.id === theme);
  return (
    <div className="page voc-page">
      <div className="topbar">
        <h1>Customer voice</h1>
        <div className="filters">
          <label>
            Scope
            <select value={scope} onChange={(e) => set({ scope: e.target.value, theme: null, sentiment: null })} aria-label="Scope">
              {scopes.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Period
            <select value={days} onChange={(e) => set({ days: e.target.value })} aria-label="Period">
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  Last {p} days
                </option>
              ))}
            </select>
          </label>
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
                  onClick={() => set({ sentiment: sentiment === s ? null : s, theme: null })}
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
                  <th>Trend (per day)</th>
                  <th>Example</th>
                </tr>
              </thead>
              <tbody>
                {d.themes.map((t) => (
                  <tr key={t.id} className={t.id === theme ? 'selected' : ''}>
                    <td>
                      <button type="button" className="link" onClick={() => set({ theme: t.id === theme ? null : t.id, sentiment: null })} data-testid={`theme-${t.id}`}>
                        {t.label}
                      </button>
                    </td>
                    <td className="num">{t.count}</td>
                    <td className="num">{(t.share * 100).toFixed(0)}%</td>
                    <td className="muted">{change(t, d.previousComments)}</td>
                    <td className="num">{t.count === 0 ? '–' : `${(t.negativeShare * 100).toFixed(0)}%`}</td>
                    <td className="num">{t.meanCsat === null ? '–' : t.meanCsat.toFixed(2)}</td>
                    <td>
                      <Spark points={t.trend.map((b) => b.count / Math.max(b.days, 1 / 24))} />
                    </td>
                    <td className="voc-quote">{t.examples[0] ? `“${t.examples[0].text}”` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {drill ? (
            <section className="panel" data-testid="voc-comments">
              <h2>
                {chosen ? chosen.label : sentiment ? SENTIMENT_WORDS[sentiment] : ''}: {comments.data?.total ?? '…'} comments{' '}
                <button type="button" className="link" onClick={() => set({ theme: null, sentiment: null })}>
                  clear
                </button>
              </h2>
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
                      <td>{c.contactId ?? '–'}</td>
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
