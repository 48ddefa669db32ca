/**
 * /wall: what a wall screen opens. Unpaired, it shows a pairing code (no password typed on the screen); paired, it
 * shows the live pulse it was granted, full screen and dark. Revoked, it falls back to a fresh pairing code.
 * A screen given a board or rotation shows it (WallBoards); one given nothing shows the centre pulse.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';
import { SESSION_KEY, useSession, type SessionReply } from '../auth/session.js';
import { ConnectionBadge, PulseBody } from '../live/PulsePage.js';
import { usePulse } from '../live/pulse-store.js';
import type { WallConfig } from '../../../shared/boards.js';
import { usePageTitle } from '../shell/page-title.js';
import { useLayoutChanges, WALL_KEY, WallBoards } from './WallBoards.js';

export function WallPage() {
  const session = useSession();
  useEffect(() => {
    document.body.classList.add('wall-body');
    return () => document.body.classList.remove('wall-body');
  }, []);
  const p = session.data?.principal;
  usePageTitle(p?.kind === 'display' ? p.name : 'Pair this screen');
  if (session.isPending) return <div className="wall" />;
  return <div className="wall">{p?.kind === 'display' ? <WallScreen name={p.name} /> : <Pairing />}</div>;
}

function WallScreen({ name }: { name: string }) {
  const qc = useQueryClient();
  const config = useQuery({
    queryKey: WALL_KEY,
    queryFn: () => api<WallConfig>('/api/v1/wall'),
    // Picks up targets changed and boards edited while no socket message says so.
    refetchInterval: 60_000,
    refetchIntervalInBackground: true,
    retry: true,
    retryDelay: (n) => Math.min(30_000, 1000 * 2 ** n) * (0.5 + Math.random() / 2),
  });
  const { connection } = usePulse();
  useEffect(() => {
    if (connection === 'ended') void qc.invalidateQueries({ queryKey: SESSION_KEY });
  }, [connection, qc]);
  // Whatever the screen shows now (the pulse or a board), being given something else reaches it at once.
  useLayoutChanges();
  if (!config.data) return <p className="muted">{config.error ? 'Cannot reach Frontline yet; retrying…' : 'Loading…'}</p>;
  if (config.data.boards.length === 0) return <WallLive name={name} />;
  return <WallBoards config={config.data} />;
}

function WallLive({ name }: { name: string }) {
  const qc = useQueryClient();
  const { snapshot, connection, receivedAt } = usePulse();
  useEffect(() => {
    if (connection === 'ended') void qc.invalidateQueries({ queryKey: SESSION_KEY });
  }, [connection, qc]);
  return (
    <main>
      <header className="topbar">
        <h1>
          {name} <span className="sub">today</span>
        </h1>
        <ConnectionBadge connection={connection} receivedAt={receivedAt} />
      </header>
      {snapshot ? <PulseBody snap={snapshot} /> : <p className="muted">Waiting for live data…</p>}
    </main>
  );
}

function Pairing() {
  const qc = useQueryClient();
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await api<{ status: 'pending' | 'expired' | 'paired' }>('/api/v1/display/pairing');
        if (stopped) return;
        if (r.status === 'paired') {
          // The display cookie is set; the screen turns into its wall once the session is read again. Keep reading
          // until it does: one failed read (a restart, a busy server) must not leave an unattended screen on its code.
          for (let attempt = 0; !stopped; attempt++) {
            await qc.invalidateQueries({ queryKey: SESSION_KEY });
            if (qc.getQueryData<SessionReply>(SESSION_KEY)?.principal?.kind === 'display') return;
            await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1000 * 2 ** attempt)));
          }
          return;
        }
        if (r.status === 'expired') {
          setGeneration((g) => g + 1);
          return;
        }
      } catch {
        // network blip: keep polling
      }
      if (!stopped) timer = setTimeout(() => void poll(), 2_000);
    };
    api<{ code: string }>('/api/v1/display/pairing', { method: 'POST' })
      .then((r) => {
        if (stopped) return;
        setCode(r.code);
        setError(null);
        timer = setTimeout(() => void poll(), 2_000);
      })
      .catch((e: unknown) => {
        setError(e instanceof Error ? e.message : 'could not get a pairing code');
        timer = setTimeout(() => setGeneration((g) => g + 1), 10_000);
      });
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [generation, qc]);

  return (
    <main className="pairing">
      <h1 className="pairing-lead">Pair this screen</h1>
      <p className="pairing-code" data-testid="pairing-code">
        {code ?? '· · · ·'}
      </p>
      <p className="pairing-help">In Frontline, open Screens, enter this code and choose what this screen shows.</p>
      {error ? <p className="pairing-help">{error}</p> : null}
    </main>
  );
}
