/**
 * Live case notices for a signed-in person: when a case they may see changes (or the flagger files one), the server
 * pushes `case:changed`; the inbox and the case page re-read, and a notice addressed to this person (assigned to
 * them, about them) shows as a toast linking to the case.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { CaseChangedNotice } from '../../../shared/coaching.js';
import { ACTION_WORDS } from '../../../shared/coaching-words.js';
import { acquireSocket, releaseSocket } from '../live/socket.js';
import { kpiLabel, useScopeNames } from './case-words.js';

const SHOW_MS = 12_000;

export function CaseNotices() {
  const qc = useQueryClient();
  const name = useScopeNames();
  const [toasts, setToasts] = useState<(CaseChangedNotice & { key: number })[]>([]);
  useEffect(() => {
    const socket = acquireSocket();
    let n = 0;
    const onChanged = (notice: CaseChangedNotice) => {
      void qc.invalidateQueries({ queryKey: ['cases'] });
      void qc.invalidateQueries({ queryKey: ['case', notice.caseId] });
      if (!notice.forYou) return;
      const key = ++n;
      // Flagger runs file many cases at once: one toast per case would bury the page, so keep the latest three.
      setToasts((t) => [...t.slice(-2), { ...notice, key }]);
      setTimeout(() => setToasts((t) => t.filter((x) => x.key !== key)), SHOW_MS);
    };
    // Case notices from another node may have been missed (the server says resync): re-read every list on screen.
    const onResync = () => void qc.invalidateQueries();
    socket.on('case:changed', onChanged);
    socket.on('live:resync', onResync);
    return () => {
      socket.off('case:changed', onChanged);
      socket.off('live:resync', onResync);
      releaseSocket();
    };
  }, [qc]);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.key} className="toast" data-testid="case-toast">
          <button type="button" className="link" aria-label="Dismiss" onClick={() => setToasts((all) => all.filter((x) => x.key !== t.key))}>
            ×
          </button>
          <strong>{t.by}</strong> {ACTION_WORDS[t.action] ?? t.action}: <Link to={`/cases/${t.caseId}`}>{kpiLabel(t.kpi)} · {name(t.scope)}</Link>
        </div>
      ))}
    </div>
  );
}
