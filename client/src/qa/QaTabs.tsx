/** Quality monitoring has one entry in the main navigation; its pages are reached through these tabs. */
import { NavLink } from 'react-router';

const TABS = [
  { to: '/qa', label: 'Worklist' },
  { to: '/qa/scorecards', label: 'Scorecards' },
  { to: '/qa/calibrations', label: 'Calibration' },
] as const;

export function QaTabs() {
  return (
    <nav className="tabs" aria-label="Quality monitoring">
      {TABS.map((t) => (
        <NavLink key={t.to} to={t.to} end={t.to === '/qa'} className={({ isActive }) => `tab${isActive ? ' active' : ''}`}>
          {t.label}
        </NavLink>
      ))}
    </nav>
  );
}
