/** Admins and team leaders: approve the code a wall screen shows, choose what it shows (a board, a rotation or the pulse), revoke it. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { DisplayInfo } from '../../../shared/access.js';
import { api, errText } from '../api/http.js';
import { showsLabel, useBoards, type BoardsReply } from './BoardsPage.js';


export function ScreensPage() {
  const qc = useQueryClient();
  const boards = useBoards();
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
  // A screen is paired for the centre pulse; choosing a board or rotation for it (the Shows column) grants it the
  // scopes of those boards' tiles, so a screen is never paired for something it cannot show.
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
          <table className="screens-table">
            <thead>
              <tr>
                <th>Screen</th>
                <th>May show</th>
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
                  <td>{d.status === 'approved' || d.status === 'paired' ? <ShowsControl d={d} boards={boards.data} /> : <span className="muted">–</span>}</td>
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
          <p className="muted small-inline">
            Shows: the centre pulse, one board, or a rotation through boards (build them on the Boards page). Daily soft reload reloads the
            screen&apos;s page once a day at that hour: a last safety net; off by default.
          </p>
          {errText(revoke.error ?? boards.error) ? <p className="error">{errText(revoke.error ?? boards.error)}</p> : null}
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

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hourText = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** What one screen shows, and its optional daily soft reload; saved together. */
function ShowsControl({ d, boards }: { d: DisplayInfo; boards: BoardsReply | undefined }) {
  const qc = useQueryClient();
  const [shows, setShows] = useState(d.shows ?? '');
  const [hour, setHour] = useState(d.reloadHour === null ? '' : String(d.reloadHour));
  const changed = shows !== (d.shows ?? '') || hour !== (d.reloadHour === null ? '' : String(d.reloadHour));
  const save = useMutation({
    mutationFn: () => api<{ display: DisplayInfo }>(`/api/v1/displays/${d.id}/shows`, { method: 'PUT', body: { shows: shows === '' ? null : shows, reloadHour: hour === '' ? null : Number(hour) } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['displays'] }),
  });
  const choices = [
    ...(boards?.boards ?? []).map((b) => ({ value: `board:${b.id}`, label: `Board: ${b.name}` })),
    ...(boards?.rotations ?? []).map((r) => ({ value: `rotation:${r.id}`, label: `Rotation: ${r.name}` })),
  ];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="shows-control" onSubmit={submit} aria-label="What this screen shows" data-testid={`shows-${d.id}`}>
      <div className="row">
        <label>
          Shows
          <select value={shows} onChange={(e) => setShows(e.target.value)}>
            <option value="">Centre pulse</option>
            {shows !== '' && !choices.some((c) => c.value === shows) ? <option value={shows}>{showsLabel(shows, boards)}</option> : null}
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label title="Reloads the screen's page once a day at this hour (the screen's local time): a last safety net; off by default.">
          Daily soft reload
          <select value={hour} onChange={(e) => setHour(e.target.value)}>
            <option value="">Never</option>
            {HOURS.map((h) => (
              <option key={h} value={String(h)}>
                {hourText(h)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="secondary" disabled={!changed || save.isPending}>
          Save
        </button>
      </div>
      <p className="muted small-inline" data-testid={`shows-now-${d.id}`}>
        Now: {showsLabel(d.shows, boards)} · {d.reloadHour === null ? 'no daily reload' : `reloads daily at ${hourText(d.reloadHour)}`}.
      </p>
      {errText(save.error) ? <p className="error small-inline">{errText(save.error)}</p> : null}
    </form>
  );
}
