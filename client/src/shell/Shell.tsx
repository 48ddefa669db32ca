/** The signed-in frame: who you are, what you can open (by role), sign out. */
import { useMutation } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { ROLE_LABELS, type Role } from '../../../shared/roles.js';
import { api } from '../api/http.js';
import { useResetSession } from '../auth/session.js';
import { pulseStore } from '../live/pulse-store.js';
import { CaseNotices } from '../coaching/CaseNotices.js';

interface NavItem {
  to: string;
  label: string;
  roles: readonly Role[];
}

export const NAV: readonly NavItem[] = [
  { to: '/', label: 'Dashboard', roles: ['admin', 'manager', 'team_leader', 'coach', 'agent'] },
  { to: '/live', label: 'Live pulse', roles: ['admin', 'manager', 'team_leader', 'coach', 'agent'] },
  { to: '/explore', label: 'Explore', roles: ['admin', 'manager', 'team_leader'] },
  { to: '/charts', label: 'Charts', roles: ['admin', 'manager', 'team_leader'] },
  { to: '/reviews', label: 'Review', roles: ['admin', 'manager', 'team_leader'] },
  { to: '/voice', label: 'Voice', roles: ['admin', 'manager', 'team_leader', 'coach', 'agent'] },
  { to: '/targets', label: 'Targets', roles: ['admin', 'manager', 'team_leader', 'coach', 'agent'] },
  { to: '/cases', label: 'Coaching', roles: ['manager', 'team_leader', 'coach', 'agent'] },
  { to: '/admin/people', label: 'People', roles: ['admin'] },
  { to: '/admin/boards', label: 'Boards', roles: ['admin', 'manager', 'team_leader'] },
  { to: '/admin/screens', label: 'Screens', roles: ['admin', 'team_leader'] },
  { to: '/admin/keys', label: 'API keys', roles: ['admin'] },
  { to: '/admin/privacy', label: 'Privacy', roles: ['admin'] },
  { to: '/admin/audit', label: 'Audit log', roles: ['admin'] },
  { to: '/admin/system', label: 'System', roles: ['admin'] },
];

export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const reset = useResetSession();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => api('/api/v1/auth/logout', { method: 'POST' }),
    onSettled: async () => {
      pulseStore.stop();
      await reset();
      await navigate('/');
    },
  });
  return (
    <div className="shell">
      <nav className="nav no-print" aria-label="Main">
        <span className="brand">Frontline</span>
        {NAV.filter((n) => n.roles.includes(me.role)).map((n) => (
          <NavLink key={n.to} to={n.to} end={n.to === '/'} className={({ isActive }) => (isActive ? 'active' : '')}>
            {n.label}
          </NavLink>
        ))}
        {me.role === 'agent' && me.agentId ? (
          <NavLink to={`/agents/${encodeURIComponent(me.agentId)}`} className={({ isActive }) => (isActive ? 'active' : '')}>
            My profile
          </NavLink>
        ) : null}
        <span className="spacer" />
        {/* Your own account (password, sessions) sits under your name, which leaves the main row to the pages. */}
        <NavLink to="/account" className={({ isActive }) => `who${isActive ? ' active' : ''}`} data-testid="who" title="My account: password and sessions">
          {me.displayName}
          <span className="who-role"> · {ROLE_LABELS[me.role]}</span>
        </NavLink>
        <button type="button" className="link" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </nav>
      <main>{children}</main>
      {me.role === 'admin' ? null : <CaseNotices />}
    </div>
  );
}
