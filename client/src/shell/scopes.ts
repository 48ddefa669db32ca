/**
 * The scopes a person may pick, by role (the server checks again): a team leader's teams, the centre (or a site
 * manager's site), sites and teams for managers and admins, queues and channels; optionally the agent's own figures.
 * One list for every page with a scope picker: dashboard, charts, customer voice, review.
 */
import type { Me } from '../../../shared/access.js';
import type { Directory } from '../../../shared/directory.js';

export interface ScopeChoice {
  value: string;
  label: string;
}

export function scopeChoices(me: Me, d: Directory | undefined, opts: { ownFigures: boolean }): ScopeChoice[] {
  const out: ScopeChoice[] = [];
  const teams = d?.teams ?? [];
  const wholeCentre = me.role !== 'manager' || me.siteId === null;
  if (me.role === 'team_leader') for (const t of teams.filter((x) => me.teamIds.includes(x.id))) out.push({ value: `team:${t.id}`, label: `Team: ${t.name}` });
  if (opts.ownFigures && me.role === 'agent' && me.agentId) out.push({ value: `agent:${me.agentId}`, label: 'My figures' });
  if (wholeCentre) out.push({ value: 'centre', label: 'Whole centre' });
  if (me.role === 'manager' || me.role === 'admin') {
    for (const s of (d?.sites ?? []).filter((x) => me.siteId === null || x.id === me.siteId)) out.push({ value: `site:${s.id}`, label: `Site: ${s.name}` });
    for (const t of teams.filter((x) => me.siteId === null || x.siteId === me.siteId)) out.push({ value: `team:${t.id}`, label: `Team: ${t.name}` });
  }
  for (const q of (d?.queues ?? []).filter((x) => wholeCentre || x.siteId === me.siteId)) out.push({ value: `queue:${q.id}`, label: `Queue: ${q.name}` });
  if (wholeCentre) for (const c of ['voice', 'chat', 'email']) out.push({ value: `channel:${c}`, label: `Channel: ${c}` });
  return out;
}
