/** Improvement initiatives: the list (by status and scope) with each one's before/after result, and opening one by hand. */
import { useState } from 'react';
import type { Me } from '../../../shared/access.js';
import { INITIATIVE_STATUSES, STATUS_WORDS } from '../../../shared/initiative-words.js';
import { errText } from '../api/http.js';
import { useDirectory } from '../coaching/case-words.js';
import { scopeChoices } from '../shell/scopes.js';
import { InitiativeTable, OpenInitiative, useInitiatives } from './parts.js';

export function InitiativesPage({ me }: { me: Me }) {
  const [status, setStatus] = useState('');
  const [scope, setScope] = useState('');
  const dir = useDirectory();
  const choices = scopeChoices(me, dir.data, { ownFigures: false });
  const list = useInitiatives({ ...(status ? { status } : {}), ...(scope ? { scope } : {}) });
  const canOpen = me.role === 'admin' || me.role === 'manager' || me.role === 'team_leader';
  const openable = me.role === 'team_leader' ? choices.filter((c) => c.value.startsWith('team:')) : choices;
  const [manualScope, setManualScope] = useState('');
  const chosen = manualScope || openable[0]?.value || '';
  return (
    <div className="page">
      <h1>Improvement initiatives</h1>
      <p className="muted charts-lead">
        A change to how the service works, with its evidence, root cause, plan, success criteria and stakeholders' sign-off; once the change is made, the same KPIs are compared over equal windows before
        and after it, with 95% intervals, and checked again at 30, 60 and 90 days.
      </p>
      <div className="filters">
        <label className="inline">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any status</option>
            {INITIATIVE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Scope
          <select value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="">Any scope</option>
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error ? <p className="error">{errText(list.error)}</p> : null}
      {list.data ? <InitiativeTable rows={list.data} /> : <p className="muted">Loading…</p>}
      {canOpen && openable.length > 0 ? (
        <section className="panel initiative-manual">
          <h2>Open one by hand</h2>
          <p className="muted small-inline">Most initiatives start from a review's recommendation or a systemic case; open one here when the evidence came from elsewhere.</p>
          <label className="inline">
            Scope of the change
            <select value={chosen} onChange={(e) => setManualScope(e.target.value)}>
              {openable.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>{' '}
          <OpenInitiative key={chosen} origin={{ kind: 'manual', scope: chosen }} title="" problem="" label="Start an initiative" />
        </section>
      ) : null}
    </div>
  );
}
