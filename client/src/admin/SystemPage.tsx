/**
 * Admins: how this installation runs. One process on its own store, or one node of several on PostgreSQL and Redis:
 * who leads and runs the once-only duties, which nodes are linked, and whether Redis and the database answer. The
 * page is answered by whichever node the proxy picked, and says which.
 */
import { useQuery } from '@tanstack/react-query';
import { DUTY_WORDS, type OrphanReport, type SystemReply } from '../../../shared/api.js';
import { api, errText } from '../api/http.js';

function UpDown({ state, what }: { state: 'up' | 'down'; what: string }) {
  return (
    <span className={`status-chip status-${state === 'up' ? 'meets' : 'off'}`} data-testid={`system-${what}`}>
      <span aria-hidden="true">{state === 'up' ? '✓' : '✕'}</span> {state === 'up' ? 'Answering' : 'Not answering'}
    </span>
  );
}

/** Surveys, evaluations and complaints whose contact has not arrived (contract v2 orphans), per source. */
function OrphansPanel() {
  const q = useQuery({ queryKey: ['orphans'], queryFn: () => api<OrphanReport>('/api/v1/ingest/orphans'), refetchInterval: 30_000 });
  const o = q.data;
  return (
    <div className="panel" data-testid="system-orphans">
      <h2>Events waiting for their contact</h2>
      {errText(q.error) ? <p className="error">{errText(q.error)}</p> : null}
      {!o ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p>
            A survey, QA evaluation or complaint whose contact has not been offered yet is held and counted as soon as the contact arrives. After{' '}
            {o.ttlDays} days without it, it expires: it stays stored but no figure counts it. Now: <strong>{o.held}</strong> held,{' '}
            <strong>{o.expired}</strong> expired.
          </p>
          {o.sources.length === 0 ? (
            <p className="muted">Every event has found its contact.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Source</th>
                  <th className="num">Held</th>
                  <th>Oldest held</th>
                  <th>Expires</th>
                  <th className="num">Expired</th>
                </tr>
              </thead>
              <tbody>
                {o.sources.map((x) => (
                  <tr key={x.source}>
                    <td>{x.source}</td>
                    <td className="num">{x.held}</td>
                    <td>{x.oldestHeldAt ? new Date(x.oldestHeldAt).toLocaleString() : '–'}</td>
                    <td>{x.expiresAt ? new Date(x.expiresAt).toLocaleString() : '–'}</td>
                    <td className="num">{x.expired}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

export function SystemPage() {
  const system = useQuery({ queryKey: ['system'], queryFn: () => api<SystemReply>('/api/v1/cluster'), refetchInterval: 5_000 });
  const s = system.data;
  return (
    <div className="page">
      <h1>System</h1>
      {errText(system.error) ? <p className="error">{errText(system.error)}</p> : null}
      <OrphansPanel />
      {!s ? (
        <p className="muted">Loading…</p>
      ) : s.mode === 'single' ? (
        <div className="panel" data-testid="system-single">
          <h2>One process</h2>
          <p>
            This installation runs as one process on {s.store === 'sqlite' ? 'an embedded SQLite file' : 'PostgreSQL'}: <code>{s.where}</code>. It runs
            every duty itself.
          </p>
          <p className="muted small-inline">
            To run several nodes, give them the same PostgreSQL <code>DATABASE_URL</code> and a <code>REDIS_URL</code>, behind a proxy that
            passes WebSockets (README, Running several nodes).
          </p>
        </div>
      ) : (
        <>
          <div className="panels three">
            <div className="panel" data-testid="system-nodes">
              <h2>Nodes</h2>
              <p>
                This page was answered by <strong>{s.node}</strong>.
              </p>
              <table>
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>Role</th>
                  </tr>
                </thead>
                <tbody>
                  {s.members.map((m) => (
                    <tr key={m}>
                      <td>{m}</td>
                      <td>{m === s.leader ? 'Leader' : 'Follower'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {s.leader === null ? <p className="error">No node leads right now; a survivor takes over within seconds.</p> : null}
            </div>
            <div className="panel">
              <h2>Services</h2>
              <p>
                PostgreSQL <UpDown state={s.database} what="database" />
              </p>
              <p className="muted small-inline">
                <code>{s.where}</code>
              </p>
              <p>
                Redis <UpDown state={s.redis} what="redis" />
              </p>
              <p className="muted small-inline">
                Without Redis each node keeps serving its own screens; cross-node messages (sign-outs, screen changes) wait, and every screen
                re-reads its figures when Redis is back.
              </p>
            </div>
            <div className="panel">
              <h2>Once-only duties</h2>
              <p className="muted small-inline">
                Run by the leader{s.leader ? ` (${s.leader}${s.thisNodeLeads && s.leaderSince ? `, since ${new Date(s.leaderSince).toLocaleString('en-GB')}` : ''})` : ''}. If it stops, another node takes them over.
              </p>
              <p className="small-inline" data-testid="system-duties">
                On {s.node}: {s.duties.length === 0 ? 'none (a follower)' : s.duties.map((d) => DUTY_WORDS[d] ?? d).join(', ')}
              </p>
              <p className="muted small-inline">
                Change feed: {s.node} has applied events up to #{s.feed.position.toLocaleString('en-GB')} ({s.feed.delivered.toLocaleString('en-GB')} since it started).
              </p>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
