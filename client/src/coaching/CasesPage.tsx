/**
 * The coaching inbox. Coaches pick up new cases (unassigned individual cases and recognitions), work their own, and
 * see which follow-up reviews are due; team leaders and managers also see their teams' cases and the systemic reviews
 * they own; agents see the cases about them. The API scopes every list by role; a case changing anywhere refreshes
 * the lists (socket `case:changed`, see CaseNotices).
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import type { CaseSummary, Me } from '../../../shared/access.js';
import { STAGE_WORDS, type InboxView } from '../../../shared/coaching.js';
import { api, errText } from '../api/http.js';
import { day, KIND_WORDS, kpiLabel, text, useExplanation, useScopeNames } from './case-words.js';

interface Tab {
  view: InboxView;
  label: string;
  lead: string;
}

function tabsFor(me: Me): Tab[] {
  const newTab: Tab = { view: 'new', label: 'New', lead: 'Flagged and not yet taken. Open one to read the evidence, then take it.' };
  const mine: Tab = { view: 'mine', label: 'Mine', lead: 'Cases assigned to you (or systemic reviews you own), open.' };
  const due: Tab = { view: 'due', label: 'Follow-ups due', lead: 'Sessions held whose follow-up date has come: review the before/after and close.' };
  const closed: Tab = { view: 'closed', label: 'Closed', lead: 'Closed cases with their outcomes.' };
  if (me.role === 'agent') return [{ view: 'all', label: 'My cases', lead: 'Cases about you: read the evidence, respond, and tick off your actions.' }, closed];
  if (me.role === 'coach') return [newTab, mine, due, closed];
  return [{ view: 'all', label: 'All open', lead: 'Every open case in your teams, individual, systemic and recognition.' }, newTab, mine, due, closed];
}

export function CasesPage({ me }: { me: Me }) {
  const tabs = tabsFor(me);
  const [params, setParams] = useSearchParams();
  const current = tabs.find((t) => t.view === params.get('view')) ?? tabs[0]!;
  const counts = useQuery({
    queryKey: ['cases', 'counts', me.id],
    queryFn: async () => {
      const out: Partial<Record<InboxView, number>> = {};
      await Promise.all(tabs.filter((t) => t.view !== 'closed').map(async (t) => (out[t.view] = (await api<{ cases: CaseSummary[] }>(`/api/v1/cases?view=${t.view}&limit=1000`)).cases.length)));
      return out;
    },
    refetchInterval: 60_000,
  });
  const list = useQuery({ queryKey: ['cases', current.view], queryFn: async () => (await api<{ cases: CaseSummary[] }>(`/api/v1/cases?view=${current.view}&limit=500`)).cases, refetchInterval: 60_000 });
  const name = useScopeNames();
  const explain = useExplanation();
  const rows = list.data ?? [];
  return (
    <div className="page">
      <h1>Coaching</h1>
      <p className="muted">
        System before person: team and queue charts are checked first, then each agent against peers on the same queues. Every flag says why in
        plain words and keeps its evidence.
      </p>
      <div className="tabs" role="tablist" aria-label="Inbox">
        {tabs.map((t) => (
          <button
            key={t.view}
            type="button"
            role="tab"
            aria-selected={t.view === current.view}
            className={t.view === current.view ? 'tab active' : 'tab'}
            data-testid={`inbox-${t.view}`}
            onClick={() => setParams({ view: t.view })}
          >
            {t.label}
            {counts.data?.[t.view] !== undefined ? <span className="tab-count">{counts.data[t.view]}</span> : null}
          </button>
        ))}
      </div>
      <p className="muted small-inline">{current.lead}</p>
      {list.error ? <p className="error">{errText(list.error)}</p> : null}
      {list.isLoading ? (
        <p className="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="muted panel">Nothing here.</p>
      ) : (
        <table className="inbox" data-testid="inbox-table">
          <thead>
            <tr>
              <th>Opened</th>
              <th>Who</th>
              <th>KPI</th>
              <th>Kind</th>
              <th>Stage</th>
              <th>{current.view === 'closed' ? 'Outcome' : 'Follow-up'}</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id} data-testid="inbox-row">
                <td>{text(c.figures.day, c.openedAt.slice(0, 10))}</td>
                <td>
                  <Link to={`/cases/${c.id}`}>{name(c.scope)}</Link>
                </td>
                <td>{kpiLabel(c.kpi)}</td>
                <td>
                  <span className={`kind kind-${c.kind}`}>{KIND_WORDS[c.kind].short}</span>
                </td>
                <td>
                  {STAGE_WORDS[c.stage].split(':')[0]}
                  {c.response ? <span className={`response response-${c.response}`}> · {c.response}</span> : null}
                </td>
                <td>{current.view === 'closed' ? (c.outcome ?? '–').replace('_', ' ') : c.followUpAt ? day(c.followUpAt) : c.sessionAt ? `session ${day(c.sessionAt)}` : '–'}</td>
                <td className="case-why">{explain(c.figures.explanation, c.rule)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
