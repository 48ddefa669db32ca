/** The role of a person and what it is scoped to (teams, site, linked agent), as the People page edits it. */
import { ROLE_LABELS, ROLES, type Role } from '../../../shared/access.js';
import type { Directory } from '../../../shared/directory.js';

export interface Fields {
  role: Role;
  teamIds: string[];
  siteId: string;
  agentId: string;
}

export function ScopeFields({ f, set, dir }: { f: Fields; set: (f: Fields) => void; dir: Directory | undefined }) {
  return (
    <>
      <label>
        Role
        <select value={f.role} onChange={(e) => set({ ...f, role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      {f.role === 'team_leader' ? (
        <fieldset>
          <legend>Teams led</legend>
          {(dir?.teams ?? []).map((t) => (
            <label key={t.id} className="check">
              <input
                type="checkbox"
                checked={f.teamIds.includes(t.id)}
                onChange={(e) => set({ ...f, teamIds: e.target.checked ? [...f.teamIds, t.id] : f.teamIds.filter((x) => x !== t.id) })}
              />
              {t.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      {f.role === 'manager' ? (
        <label>
          Site
          <select value={f.siteId} onChange={(e) => set({ ...f, siteId: e.target.value })}>
            <option value="">Whole centre</option>
            {(dir?.sites ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        Linked agent {f.role === 'agent' ? '(required)' : '(optional)'}
        <select value={f.agentId} onChange={(e) => set({ ...f, agentId: e.target.value })}>
          <option value="">None</option>
          {(dir?.agents ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.id})
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

export const scopeBody = (f: Fields) => ({
  role: f.role,
  teamIds: f.role === 'team_leader' ? f.teamIds : [],
  siteId: f.role === 'manager' && f.siteId ? f.siteId : null,
  agentId: f.agentId || null,
});
