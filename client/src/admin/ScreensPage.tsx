/** Admins and team leaders: approve the code a wall screen shows, choose what it may show, revoke it. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { DisplayInfo } from '../../../shared/access.js';
import { api, errText } from '../api/http.js';


export function ScreensPage() {
  const qc = useQueryClient();
  const displays = useQuery({
    queryKey: ['displays'],
    queryFn: async () => (await api<{ displays: DisplayInfo[] }>('/api/v1/displays')).displays,
    refetchInterval: 5_000,
  });
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['centre']);
  const approve = useMutation({
    mutationFn: () => api('/api/v1/displays', { method: 'POST', body: { code, name, scopes } }),
    onSuccess: () => {
      setCode('');
      setName('');
      void qc.invalidateQueries({ queryKey: ['displays'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/displays/${id}/revoke`, { method: 'POST' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['displays'] }),
  });
  // The wall view shows the centre pulse today; team-scoped grants exist in the API and arrive here with the board
  // editor, so a screen is never paired for something it cannot show.
  const options = [{ id: 'centre', label: 'Centre pulse (queues and agent states, no names)' }];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    approve.mutate();
  };
  return (
    <div className="page">
      <h1>Screens</h1>
      <p className="muted">
        To pair a wall screen, open <code>/wall</code> in its browser: it shows a code. Type the code here, name the screen and choose what it may
        show. The screen gets a read-only credential it keeps for months; revoke it here and it disconnects within seconds.
      </p>
      <div className="panels">
        <div className="panel">
          <table>
            <thead>
              <tr>
                <th>Screen</th>
                <th>Shows</th>
                <th>Status</th>
                <th>Last seen</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(displays.data ?? []).map((d) => (
                <tr key={d.id}>
                  <td>{d.name}</td>
                  <td>{d.scopes.join(', ')}</td>
                  <td>{d.status === 'approved' ? 'approved, waiting for the screen' : d.status}</td>
                  <td className="muted">{d.lastSeenAt ? new Date(d.lastSeenAt).toLocaleString('en-GB') : '–'}</td>
                  <td>
                    {d.status !== 'revoked' ? (
                      <button type="button" className="danger" onClick={() => revoke.mutate(d.id)}>
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {errText(revoke.error) ? <p className="error">{errText(revoke.error)}</p> : null}
        </div>
        <form className="panel form" onSubmit={submit} aria-label="Pair a screen">
          <h2>Pair a screen</h2>
          <label>
            Code shown on the screen
            <input value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} placeholder="XXXX-XXXX" required autoComplete="off" />
          </label>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Billing floor, north wall" required />
          </label>
          <fieldset>
            <legend>May show</legend>
            {options.map((o) => (
              <label key={o.id} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(o.id)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, o.id] : scopes.filter((x) => x !== o.id))}
                />
                {o.label}
              </label>
            ))}
          </fieldset>
          {errText(approve.error) ? <p className="error">{errText(approve.error)}</p> : null}
          <button type="submit" disabled={approve.isPending || scopes.length === 0}>
            Pair
          </button>
        </form>
      </div>
    </div>
  );
}
