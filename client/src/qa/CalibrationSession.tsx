/**
 * One calibration session: the contact, the card to score and my answers while it is open (blind: nobody else's
 * answers are on this page until the reveal); after the reveal, the spread per criterion with the flagged criteria
 * marked by an icon and words, and each evaluator's score against the mean.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { ContactRecord } from '../../../shared/contacts.js';
import { SCORE_FLAG_RANGE_POINTS, type CalibrationSpread, type Leaning } from '../../../shared/qa-calibration.js';
import type { CalibrationDetail, CalibrationSubmissionView } from '../../../shared/qa-calibration-api.js';
import { scoreEvaluation, type Answer } from '../../../shared/qa-score.js';
import { api, errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { describe as describeEvent } from '../drilldown/ContactsPages.js';
import { qaKeys, useCalibration } from './qa-api.js';
import { ScorecardAnswers, valueWords } from './ScorecardAnswers.js';

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const LEANING_WORDS: Record<Leaning, string> = { harsh: 'Harsh (below the mean)', lenient: 'Lenient (above the mean)', in_line: 'In line' };

export function CalibrationPage() {
  const { calibrationId = '' } = useParams();
  const q = useCalibration(calibrationId);
  if (q.error) return <p className="page error">{errText(q.error)}</p>;
  if (!q.data) return <p className="page muted">Loading…</p>;
  return <Session d={q.data} />;
}

function Session({ d }: { d: CalibrationDetail }) {
  const qc = useQueryClient();
  const c = d.calibration;
  const [answers, setAnswers] = useState<Answer[]>(d.mySubmission?.answers ?? []);
  const put = (next: CalibrationDetail) => qc.setQueryData(qaKeys.calibration(c.id), next);
  const submit = useMutation({ mutationFn: () => api<CalibrationDetail>(`/api/v1/qa/calibrations/${encodeURIComponent(c.id)}/score`, { method: 'PUT', body: { answers } }), onSuccess: (next) => (put(next), void qc.invalidateQueries({ queryKey: qaKeys.calibrations })) });
  const close = useMutation({ mutationFn: () => api<CalibrationDetail>(`/api/v1/qa/calibrations/${encodeURIComponent(c.id)}/close`, { method: 'POST' }), onSuccess: (next) => (put(next), void qc.invalidateQueries({ queryKey: qaKeys.calibrations })) });
  const complete = scoreEvaluation(d.definition, answers).ok;
  const submitted = c.evaluators.filter((e) => e.submitted).length;
  return (
    <div className="page qa-page">
      <p>
        <Link to="/qa/calibrations">← Calibration</Link>
      </p>
      <h1>{c.title}</h1>
      <p className="muted">
        {c.scorecardName} (version {c.scorecardVersion}) · contact {c.contactId} · organised by {c.organiser.name}
        {c.dueDate ? ` · due ${c.dueDate}` : ''} · {c.revealed ? 'scores revealed' : `${submitted} of ${c.evaluators.length} submitted`}
      </p>
      <p className="muted small-inline">Calibration scores judge how evaluators read the card, not the agent: they never count in the QA KPI and the agent never sees them.</p>
      <section className="panel" aria-labelledby="evaluators-heading">
        <h2 id="evaluators-heading">Evaluators</h2>
        <ul className="qa-evaluators">
          {c.evaluators.map((e) => (
            <li key={e.id}>
              {e.submitted ? '✓' : '…'} {e.name} <span className="muted">{e.submitted ? 'submitted' : 'not yet'}</span>
            </li>
          ))}
        </ul>
        {c.mine.organiser && !c.revealed ? (
          <button type="button" className="secondary" disabled={close.isPending} onClick={() => close.mutate()}>
            Close and reveal the scores
          </button>
        ) : null}
        {errText(close.error) ? <p className="error">{errText(close.error)}</p> : null}
      </section>
      {d.spread && d.submissions ? <SpreadTables spread={d.spread} subs={d.submissions} /> : null}
      <div className="panels">
        {c.mine.evaluator ? (
          <section className="panel" aria-labelledby="my-card-heading">
            <h2 id="my-card-heading">{c.revealed ? 'My answers' : 'Score the contact'}</h2>
            {!c.revealed ? <p className="muted small-inline">Blind: you see only your own answers until everyone has submitted or the organiser closes the session.</p> : null}
            <ScorecardAnswers definition={d.definition} answers={c.revealed ? (d.mySubmission?.answers ?? []) : answers} onChange={setAnswers} readOnly={c.revealed} />
            {!c.revealed ? (
              <>
                {errText(submit.error) ? <p className="error">{errText(submit.error)}</p> : null}
                {submit.isSuccess ? <p className="ok" role="status">Your scores are in. You may change them until the reveal.</p> : null}
                <button type="button" disabled={!complete || submit.isPending} onClick={() => submit.mutate()}>
                  {c.mine.submitted ? 'Submit my scores again' : 'Submit my scores'}
                </button>
              </>
            ) : null}
          </section>
        ) : (
          <section className="panel">
            <h2>The card</h2>
            <p className="muted">You organise this session; the evaluators’ scores show here when they are revealed.</p>
          </section>
        )}
        <ContactPanel record={d.contact} />
      </div>
    </div>
  );
}

function ContactPanel({ record }: { record: CalibrationDetail['contact'] }) {
  const dir = useDirectory();
  const agentName = (id: string) => dir.data?.agents.find((a) => a.id === id)?.name ?? id;
  if (!record) return <section className="panel muted">The contact is no longer stored.</section>;
  const c: ContactRecord['contact'] = record.contact;
  return (
    <section className="panel" aria-labelledby="contact-heading">
      <h2 id="contact-heading">Contact {c.contactId}</h2>
      <p>
        {c.channel ?? '–'} · agent {c.agentId ? agentName(c.agentId) : '–'} · {c.csatLabel !== null ? `CSAT ${c.csatLabel}` : 'no survey'}
        {c.comment ? ` — “${c.comment}”` : ''}
      </p>
      <ol className="trail">
        {record.timeline.map((e) => (
          <li key={e.id}>
            <span className="muted small-inline">{new Date(e.occurredAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}</span>
            <br />
            {describeEvent(e, agentName)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function SpreadTables({ spread, subs }: { spread: CalibrationSpread; subs: CalibrationSubmissionView[] }) {
  const o = spread.overall;
  return (
    <>
      <section className="panel" aria-labelledby="spread-heading">
        <h2 id="spread-heading">Spread per criterion</h2>
        <p className="muted small-inline">
          {spread.flaggedCount === 0 ? 'No criterion is flagged: the evaluators read the card alike.' : `${spread.flaggedCount} criteri${spread.flaggedCount === 1 ? 'on is' : 'a are'} flagged for discussion.`} Flagged: met / not met
          answers that differ, ratings 2 or more points apart, or N/A beside scores. Mean, SD and range are of the share of the criterion’s weight earned.
        </p>
        <div className="table-scroll">
          <table className="qa-spread">
            <thead>
              <tr>
                <th>Criterion</th>
                {subs.map((s) => (
                  <th key={s.evaluatorId}>{s.name}</th>
                ))}
                <th className="num">Mean</th>
                <th className="num">SD</th>
                <th className="num">Range</th>
                <th>Agreement</th>
              </tr>
            </thead>
            <tbody>
              {spread.criteria.map((c) => (
                <tr key={c.key} className={c.flagged ? 'qa-flagged' : ''}>
                  <td>{c.label}</td>
                  {c.answers.map((a) => (
                    <td key={a.evaluatorId}>{a.value === null ? '–' : valueWords(a.value)}</td>
                  ))}
                  <td className="num">{pct(c.mean)}</td>
                  <td className="num">{pct(c.sd)}</td>
                  <td className="num">{pct(c.range)}</td>
                  <td>{c.flagged ? <strong className="qa-flag">⚑ Flagged: {c.reason}</strong> : c.agree ? '✓ All agree' : 'Close (within one point)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel" aria-labelledby="scores-heading">
        <h2 id="scores-heading">Scores</h2>
        <p>
          Mean {o.mean?.toFixed(1) ?? '–'} · SD {o.sd?.toFixed(1) ?? '–'} · range {o.min?.toFixed(1) ?? '–'} to {o.max?.toFixed(1) ?? '–'} ({o.range?.toFixed(1) ?? '–'} points)
          {o.flagged ? <strong className="qa-flag"> · ⚑ Flagged: the scores are more than {SCORE_FLAG_RANGE_POINTS} points apart</strong> : null}
        </p>
        <table>
          <thead>
            <tr>
              <th>Evaluator</th>
              <th className="num">Score</th>
              <th className="num">From the mean</th>
              <th>Reading</th>
            </tr>
          </thead>
          <tbody>
            {o.evaluators.map((e) => (
              <tr key={e.evaluatorId}>
                <td>{subs.find((s) => s.evaluatorId === e.evaluatorId)?.name ?? e.evaluatorId}</td>
                <td className="num">
                  {e.score.toFixed(1)}
                  {e.criticalFail ? ' (critical item not met)' : ''}
                </td>
                <td className="num">{`${e.diff >= 0 ? '+' : '−'}${Math.abs(e.diff).toFixed(1)}`}</td>
                <td>{LEANING_WORDS[e.leaning]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
