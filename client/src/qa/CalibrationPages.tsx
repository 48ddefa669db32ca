/**
 * Calibration (issue 19, part 4): sessions where several evaluators score the same contact blind, then see their
 * spread. The list has what I am to score, what I organise, and the closed ones; admins, managers and team leaders
 * open a session on a contact (one whose agent they may view) with a scorecard and 2–12 evaluators.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { MAX_CALIBRATION_EVALUATORS, MIN_CALIBRATION_EVALUATORS, type CalibrationSummary } from '../../../shared/qa-calibration-api.js';
import { ROLE_LABELS, type Role } from '../../../shared/roles.js';
import { api, errText } from '../api/http.js';
import { QaTabs } from './QaTabs.js';
import { qaKeys, useCalibrations, useScorecards } from './qa-api.js';

export { CalibrationPage } from './CalibrationSession.js';

const ORGANISERS: readonly Role[] = ['admin', 'manager', 'team_leader'];

function SessionTable({ title, rows, empty }: { title: string; rows: CalibrationSummary[]; empty: string }) {
  const id = `cal-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span className="tab-count">{rows.length}</span>
      </h2>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Session</th>
              <th>Scorecard</th>
              <th>Contact</th>
              <th>Due</th>
              <th className="num">Submitted</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/qa/calibrations/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                  {c.mine.evaluator && !c.revealed ? <span className="muted"> · {c.mine.submitted ? 'you have submitted' : 'to score'}</span> : null}
                </td>
                <td>
                  {c.scorecardName} <span className="muted">v{c.scorecardVersion}</span>
                </td>
                <td>{c.contactId}</td>
                <td>{c.dueDate ?? '–'}</td>
                <td className="num">
                  {c.evaluators.filter((e) => e.submitted).length} of {c.evaluators.length}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function CalibrationsPage({ me }: { me: Me }) {
  const list = useCalibrations();
  const all = list.data ?? [];
  const open = all.filter((c) => !c.revealed);
  return (
    <div className="page qa-page">
      <QaTabs />
      <h1>Calibration</h1>
      <p className="muted">
        Several evaluators score the same contact on the same card without seeing each other’s answers. When all have scored, or the organiser closes the
        session, Frontline shows the spread per criterion and flags the criteria read differently: the ones to talk through so every evaluator applies the
        standard alike.
      </p>
      {errText(list.error) ? <p className="error">{errText(list.error)}</p> : null}
      <SessionTable title="To score" rows={open.filter((c) => c.mine.evaluator)} empty="Nothing waiting for your scores." />
      {ORGANISERS.includes(me.role) ? <SessionTable title="I organise" rows={open.filter((c) => c.mine.organiser)} empty="You organise no open session." /> : null}
      <SessionTable title="Revealed" rows={all.filter((c) => c.revealed)} empty="No session has been revealed yet." />
      {ORGANISERS.includes(me.role) ? <OpenSession /> : null}
    </div>
  );
}

function OpenSession() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const cards = useScorecards();
  const people = useQuery({ queryKey: qaKeys.evaluators, queryFn: async () => (await api<{ evaluators: { id: string; name: string; role: Role }[] }>('/api/v1/qa/calibrations/evaluators')).evaluators });
  const [f, setF] = useState({ contactId: params.get('contact') ?? '', scorecardId: '', title: '', dueDate: '' });
  const [invited, setInvited] = useState<string[]>([]);
  const open = useMutation({
    mutationFn: async () => (await api<{ id: string }>('/api/v1/qa/calibrations', { method: 'POST', body: { ...f, dueDate: f.dueDate || null, evaluatorIds: invited } })).id,
    onSuccess: (id) => {
      void qc.invalidateQueries({ queryKey: qaKeys.calibrations });
      void navigate(`/qa/calibrations/${encodeURIComponent(id)}`);
    },
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <form
      className="panel form"
      aria-label="Open a calibration session"
      onSubmit={(e) => {
        e.preventDefault();
        open.mutate();
      }}
    >
      <h2>Open a calibration session</h2>
      <div className="row">
        <label className="grow">
          Title
          <input value={f.title} onChange={set('title')} placeholder="Complaint calibration, week 49" required />
        </label>
        <label>
          Contact id
          <input value={f.contactId} onChange={set('contactId')} required />
        </label>
        <label>
          Scorecard
          <select value={f.scorecardId} onChange={set('scorecardId')} required>
            <option value="">Pick a scorecard…</option>
            {(cards.data ?? [])
              .filter((c) => c.retiredAt === null)
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} (v{c.currentVersion})
                </option>
              ))}
          </select>
        </label>
        <label>
          Due (optional)
          <input type="date" value={f.dueDate} onChange={set('dueDate')} />
        </label>
      </div>
      <fieldset>
        <legend>
          Evaluators ({MIN_CALIBRATION_EVALUATORS}–{MAX_CALIBRATION_EVALUATORS}; {invited.length} chosen)
        </legend>
        <div className="row">
          {(people.data ?? []).map((p) => (
            <label key={p.id} className="check">
              <input type="checkbox" checked={invited.includes(p.id)} onChange={(e) => setInvited(e.target.checked ? [...invited, p.id] : invited.filter((x) => x !== p.id))} />
              {p.name} <span className="muted">({ROLE_LABELS[p.role]})</span>
            </label>
          ))}
        </div>
      </fieldset>
      {errText(open.error) ? <p className="error">{errText(open.error)}</p> : null}
      <div className="row">
        <button type="submit" disabled={open.isPending || invited.length < MIN_CALIBRATION_EVALUATORS || invited.length > MAX_CALIBRATION_EVALUATORS}>
          Open the session
        </button>
      </div>
    </form>
  );
}
