import { useEffect, useState } from 'react';
import type { AgentState } from '../../../shared/events.js';
import type { PulseSnapshot, QueuePulse } from '../../../shared/live.js';
import { usePulse, type ConnectionState } from './pulse-store.js';

const nf = new Intl.NumberFormat('en-GB');
const pct = (num: number, den: number) => (den === 0 ? '–' : `${((100 * num) / den).toFixed(1)}%`);

export function PulsePage() {
  const { snapshot, connection, receivedAt, reason } = usePulse();
  return (
    <div className="page">
      <header className="topbar">
        <h1>
          Live pulse <span className="sub">today</span>
        </h1>
        <ConnectionBadge connection={connection} receivedAt={receivedAt} />
      </header>
      {connection === 'denied' || connection === 'ended' ? <p className="notice">{reason}</p> : null}
      {snapshot ? <PulseBody snap={snapshot} /> : <p className="muted">Waiting for the first live snapshot…</p>}
      <footer className="muted small">
        Counts since midnight ({snapshot?.timeZone ?? 'centre time'}): raw counts of today&apos;s events as they arrive. The Dashboard has
        the KPIs, by their definitions, against their targets.
      </footer>
    </div>
  );
}

export function ConnectionBadge({ connection, receivedAt }: { connection: ConnectionState; receivedAt: number | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const age = receivedAt === null ? null : Math.max(0, Math.round((now - receivedAt) / 1000));
  const label = { live: '● Live', connecting: '○ Connecting', reconnecting: '▲ Reconnecting', ended: '■ Disconnected', denied: '■ No access' }[connection];
  return (
    <div className={`conn conn-${connection}`} data-testid="connection" role="status">
      <strong>{label}</strong>
      <span>{age === null ? 'no data yet' : `updated ${age} s ago`}</span>
    </div>
  );
}

export function PulseBody({ snap }: { snap: PulseSnapshot }) {
  const t = snap.totals;
  return (
    <>
      <section className="tiles" aria-label="Today">
        <Tile label="Offered" value={nf.format(t.offered)} testId="offered" hint="Contacts that entered a queue today" />
        <Tile label="Answered" value={nf.format(t.answered)} testId="answered" hint="Contacts answered by an agent today" />
        <Tile label="Abandoned" value={nf.format(t.abandoned)} detail={`${pct(t.abandoned, t.offered)} of offered`} hint="Contacts the customer left before an answer" />
        <Tile label="Waiting now" value={nf.format(snap.queues.reduce((s, q) => s + q.waitingNow, 0))} testId="waiting" hint="Offered, not yet answered or abandoned" />
        <Tile label="Surveys today" value={nf.format(t.surveys)} detail={`CSAT 4–5: ${pct(t.csatTopTwo, t.csatResponses)} (n=${t.csatResponses})`} hint="Survey responses received today; CSAT = share scoring 4 or 5" />
        <Tile label="Resolved at end" value={pct(t.resolvedAtEnd, t.handled)} detail={`n=${nf.format(t.handled)} handled`} hint="Contacts the agent marked resolved when ending them" />
        <Tile label="Events / min" value={nf.format(snap.eventsLastMinute)} testId="rate" hint="Events stored in the last 60 s" />
      </section>
      <section className="panels">
        <div className="panel">
          <h2>Queues now</h2>
          <QueueTable queues={snap.queues} />
        </div>
        <div className="panel">
          <h2>Agents by state</h2>
          <AgentStates counts={snap.agentsByState} />
        </div>
      </section>
    </>
  );
}

function Tile(props: { label: string; value: string; detail?: string; hint: string; testId?: string }) {
  return (
    <div className="tile" title={props.hint}>
      <div className="tile-label">{props.label}</div>
      <div className="tile-value" data-testid={props.testId}>
        {props.value}
      </div>
      {props.detail ? <div className="tile-detail">{props.detail}</div> : null}
    </div>
  );
}

function QueueTable({ queues }: { queues: QueuePulse[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Queue</th>
          <th>Channel</th>
          <th className="num">Offered</th>
          <th className="num">Answered</th>
          <th className="num">Abandoned</th>
          <th className="num">Waiting</th>
        </tr>
      </thead>
      <tbody>
        {queues.map((q) => (
          <tr key={q.queueId}>
            <td>{q.name}</td>
            <td>{q.channel ?? '–'}</td>
            <td className="num">{nf.format(q.offered)}</td>
            <td className="num">{nf.format(q.answered)}</td>
            <td className="num">{nf.format(q.abandoned)}</td>
            <td className="num">{nf.format(q.waitingNow)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const STATE_ORDER: AgentState[] = ['available', 'busy', 'wrap', 'break', 'offline'];

function AgentStates({ counts }: { counts: Record<AgentState, number> }) {
  const total = STATE_ORDER.reduce((s, k) => s + counts[k], 0);
  return (
    <ul className="states">
      {STATE_ORDER.map((s) => (
        <li key={s} className={`state state-${s}`}>
          <span className="state-name">{s}</span>
          <span className="bar" style={{ width: `${total === 0 ? 0 : (100 * counts[s]) / total}%` }} />
          <span className="num">{counts[s]}</span>
        </li>
      ))}
    </ul>
  );
}
