/**
 * Scorecards (issue 19, part 1): the list with each card's version and channels, one card with its criteria and
 * version history, authoring (blank or from a template) and publishing new versions, and the standards. Admins and
 * managers author; team leaders and coaches read.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Me } from '../../../shared/access.js';
import type { ScorecardDefinition } from '../../../shared/qa.js';
import type { ScorecardVersionView, StandardView } from '../../../shared/qa-scorecard-api.js';
import { criterionCount } from '../../../shared/qa-templates.js';
import { api, errText } from '../api/http.js';
import { QaTabs } from './QaTabs.js';
import { qaKeys, useScorecard, useScorecards, useStandards } from './qa-api.js';
import { BLANK, ScorecardEditor } from './ScorecardEditor.js';
import { StandardsPanel } from './StandardsPanel.js';

const canAuthor = (me: Me) => me.role === 'admin' || me.role === 'manager';
const day = (iso: string) => iso.slice(0, 10);

export function ScorecardsPage({ me }: { me: Me }) {
  const cards = useScorecards();
  return (
    <div className="page qa-page">
      <QaTabs />
      <h1>Scorecards</h1>
      <p className="muted">
        A scorecard is what evaluators monitor contacts against: sections of criteria, each checking one service standard, weighted, some critical.
        A published version never changes; evaluations and calibrations keep the version they were scored on.
      </p>
      <div className="panels">
        <section className="panel" aria-labelledby="cards-heading">
          <h2 id="cards-heading">Cards</h2>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th className="num">Version</th>
                <th>Channels</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {(cards.data ?? []).map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/qa/scorecards/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                  </td>
                  <td className="num">{c.currentVersion}</td>
                  <td>{c.channels.length === 0 ? 'any' : c.channels.join(', ')}</td>
                  <td>{c.retiredAt ? `retired ${day(c.retiredAt)}` : 'in use'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {cards.data?.length === 0 ? <p className="muted">No scorecards yet.</p> : null}
          {errText(cards.error) ? <p className="error">{errText(cards.error)}</p> : null}
          {canAuthor(me) ? (
            <Link className="qa-new-card" to="/qa/scorecards/new">
              New scorecard
            </Link>
          ) : null}
        </section>
        <StandardsPanel canEdit={canAuthor(me)} />
      </div>
    </div>
  );
}

export function ScorecardPage({ me }: { me: Me }) {
  const { scorecardId = '' } = useParams();
  if (scorecardId === 'new') {
    return (
      <div className="page qa-page">
        <p>
          <Link to="/qa/scorecards">← Scorecards</Link>
        </p>
        <h1>New scorecard</h1>
        {canAuthor(me) ? <ScorecardEditor start={BLANK} scorecardId={null} version={null} onDone={() => undefined} /> : <p className="muted">Only admins and managers author scorecards.</p>}
      </div>
    );
  }
  return <ExistingCard me={me} id={scorecardId} />;
}

function ExistingCard({ me, id }: { me: Me; id: string }) {
  const qc = useQueryClient();
  const card = useScorecard(id);
  const standards = useStandards();
  const [editing, setEditing] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  const old = useQuery({ queryKey: [...qaKeys.scorecard(id), 'v', viewing], enabled: viewing !== null, queryFn: async () => (await api<{ version: ScorecardVersionView }>(`/api/v1/qa/scorecards/${encodeURIComponent(id)}/versions/${viewing}`)).version });
  const retire = useMutation({ mutationFn: () => api(`/api/v1/qa/scorecards/${encodeURIComponent(id)}/retire`, { method: 'POST' }), onSuccess: () => void qc.invalidateQueries({ queryKey: ['qa', 'scorecards'] }) });
  if (!card.data) return <div className="page qa-page">{errText(card.error) ? <p className="error">{errText(card.error)}</p> : <p className="muted">Loading…</p>}</div>;
  const { scorecard: s, current, versions } = card.data;
  const shown = viewing !== null && old.data ? old.data : current;
  return (
    <div className="page qa-page">
      <p>
        <Link to="/qa/scorecards">← Scorecards</Link>
      </p>
      <h1>{s.name}</h1>
      <p className="muted">
        Version {s.currentVersion} · {s.channels.length === 0 ? 'any channel' : s.channels.join(', ')} · {criterionCount(current.definition)} criteria
        {s.retiredAt ? ` · retired ${day(s.retiredAt)}` : ''}
      </p>
      {s.description ? <p>{s.description}</p> : null}
      {canAuthor(me) && s.retiredAt === null && !editing ? (
        <div className="row">
          <button type="button" onClick={() => setEditing(true)}>
            Edit and publish a new version
          </button>
          <button type="button" className="danger" onClick={() => retire.mutate()} disabled={retire.isPending}>
            Retire scorecard
          </button>
        </div>
      ) : null}
      {errText(retire.error) ? <p className="error">{errText(retire.error)}</p> : null}
      <div className="panels">
        {editing ? (
          <ScorecardEditor key={s.currentVersion} start={{ name: s.name, description: s.description, channels: s.channels, definition: current.definition }} scorecardId={s.id} version={s.currentVersion} onDone={() => setEditing(false)} />
        ) : (
          <section className="panel" aria-labelledby="definition-heading">
            <h2 id="definition-heading">
              Version {shown.version}
              {shown.version !== s.currentVersion ? ' (an earlier version)' : ''}
            </h2>
            <DefinitionTable def={shown.definition} standards={standards.data ?? []} />
          </section>
        )}
        <section className="panel" aria-labelledby="history-heading">
          <h2 id="history-heading">Version history</h2>
          <ol className="trail" reversed>
            {versions.map((v) => (
              <li key={v.version}>
                <button type="button" className="link" aria-pressed={shown.version === v.version} onClick={() => setViewing(v.version === s.currentVersion ? null : v.version)}>
                  Version {v.version}
                </button>{' '}
                <span className="muted">{day(v.createdAt)}</span> · {v.changeNote}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}

/** A card as a table: one row per criterion, grouped by section. */
export function DefinitionTable({ def, standards }: { def: ScorecardDefinition; standards: readonly StandardView[] }) {
  const byId = new Map(standards.map((x) => [x.id, x]));
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th>Criterion</th>
            <th className="num">Weight</th>
            <th>Answered as</th>
            <th>Standard</th>
          </tr>
        </thead>
        {def.sections.map((sec) => (
          <tbody key={sec.title}>
            <tr>
              <th colSpan={4} scope="colgroup">
                {sec.title}
              </th>
            </tr>
            {sec.criteria.map((c) => (
              <tr key={c.key}>
                <td>
                  {c.label}
                  {c.critical ? <span className="qa-critical"> · Critical item</span> : null}
                  {c.guidance ? <div className="muted small-inline">{c.guidance}</div> : null}
                </td>
                <td className="num">{c.weight}</td>
                <td>
                  {c.scale === 'met' ? 'Met / not met' : 'Rating 1–5'}
                  {c.naAllowed ? ', N/A allowed' : ''}
                </td>
                <td>{byId.get(c.standardId) ? `${byId.get(c.standardId)?.code}: ${byId.get(c.standardId)?.title}` : c.standardId}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
