/** The signed-in frame: who you are, what you can open (by role), sign out. */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { NavLink, useLocation, useNavigate } from 'react-router';
import type { Me } from '../../../shared/access.js';
import { ROLE_LABELS, type Role } from '../../../shared/roles.js';
import { api } from '../api/http.js';
import { useResetSession } from '../auth/session.js';
import { pulseStore } from '../live/pulse-store.js';
import { CaseNotices } from '../coaching/CaseNotices.js';
import { usePageTitle } from './page-title.js';

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
  { to: '/initiatives', label: 'Initiatives', roles: ['admin', 'manager', 'team_leader', 'coach'] },
  { to: '/voice', label: 'Voice', roles: ['admin', 'manager', 'team_leader', 'coach', 'agent'] },
  { to: '/targets', label: 'Targets', roles: ['admin', 'manager', 'team_leader', 'coach', 'agent'] },
  { to: '/cases', label: 'Coaching', roles: ['manager', 'team_leader', 'coach', 'agent'] },
  // One entry for quality monitoring (the admin's row is full at 1440 px); its pages have their own tabs (qa/QaTabs).
  { to: '/qa', label: 'QA', roles: ['admin', 'manager', 'team_leader', 'coach'] },
  { to: '/admin/people', label: 'People', roles: ['admin'] },
  { to: '/admin/boards', label: 'Boards', roles: ['admin', 'manager', 'team_leader'] },
  { to: '/admin/screens', label: 'Screens', roles: ['admin', 'team_leader'] },
  { to: '/admin/sources', label: 'Sources', roles: ['admin'] },
  { to: '/admin/keys', label: 'API keys', roles: ['admin'] },
  { to: '/admin/notifications', label: 'Notifications', roles: ['admin', 'manager'] },
  { to: '/admin/privacy', label: 'Privacy', roles: ['admin'] },
  { to: '/admin/audit', label: 'Audit log', roles: ['admin'] },
  { to: '/admin/system', label: 'System', roles: ['admin'] },
];

/** The page a path opens, by name: a section of the main navigation, or one thing within one. */
export function pageName(pathname: string): string {
  const [, top, area, item] = pathname.split('/');
  if (top === 'qa' && area === 'scorecards') return item ? 'Scorecard' : 'Scorecards';
  if (top === 'qa' && area === 'calibrations') return item ? 'Calibration session' : 'Calibration';
  const exact = NAV.find((n) => n.to === pathname);
  if (exact) return exact.label === 'Review' ? 'Service quality review' : exact.label;
  const [, first, second] = pathname.split('/');
  if (first === 'contacts') return second ? `Contact ${decodeURIComponent(second)}` : 'Contacts';
  if (first === 'agents' && second) return 'Agent profile';
  if (first === 'reviews' && second) return 'Saved review';
  if (first === 'cases' && second) return 'Coaching case';
  if (first === 'qa' && second === 'evaluations') return 'QA evaluation';
  if (first === 'initiatives' && second) return 'Improvement initiative';
  if (first === 'admin' && second === 'sources') return 'Source';
  if (first === 'account') return 'My account';
  return 'No such page';
}

/** Moves focus to the page's content, past the navigation (the first thing a keyboard reaches; WCAG 2.4.1). */
function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}
    >
      Skip to content
    </a>
  );
}

export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const location = useLocation();
  usePageTitle(pageName(location.pathname));
  // A link inside the page that led here is gone with the old page, leaving the focus nowhere (Tab would start again
  // at the skip link): start the keyboard at the new page's content instead. A nav link keeps its focus, and the
  // first page after sign-in starts at the top, skip link first.
  const firstPath = useRef(location.pathname);
  useEffect(() => {
    if (location.pathname === firstPath.current) return;
    firstPath.current = '';
    if (document.activeElement === null || document.activeElement === document.body) document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);
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
  const links = NAV.filter((n) => n.roles.includes(me.role));
  return (
    <div className="shell">
      <SkipLink />
      <nav className={`nav no-print${links.length > 12 ? ' nav-many' : ''}`} aria-label="Main">
        <span className="brand">Frontline</span>
        {links.map((n) => (
          <NavLink key={n.to} to={n.to} end={n.to === '/'} className={({ isActive }) => (isActive || (n.label === 'QA' && location.pathname.startsWith('/qa/')) ? 'active' : '')}>
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
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      {me.role === 'admin' ? null : <CaseNotices />}
    </div>
  );
}
