/** Routes by who is signed in: setup on first run, sign-in, the wall screen, and the app for people by role. */
import { ExplorePage } from './explore/ExplorePage.js';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { CasePage } from './coaching/CasePage.js';
import { CasesPage } from './coaching/CasesPage.js';
import type { Me, Role } from '../../shared/access.js';
import { AccountPage, ApiKeysPage, AuditPage, PrivacyPage } from './admin/AdminPages.js';
import { SystemPage } from './admin/SystemPage.js';
import { BoardsPage } from './admin/BoardsPage.js';
import { PeoplePage } from './admin/PeoplePage.js';
import { ScreensPage } from './admin/ScreensPage.js';
import { TargetsPage } from './admin/TargetsPage.js';
import { useSession } from './auth/session.js';
import { SetupPage } from './auth/SetupPage.js';
import { SignInPage } from './auth/SignInPage.js';
import { ChartsPage } from './charts/ChartsPage.js';
import { VocPage } from './voc/VocPage.js';
import { ReviewsPage, SavedReviewPage } from './review/ReviewPages.js';
import { ContactPage, ContactsPage } from './drilldown/ContactsPages.js';
import { AgentProfilePage } from './drilldown/AgentProfilePage.js';
import { DashboardPage } from './dashboard/DashboardPage.js';
import { PulsePage } from './live/PulsePage.js';
import { NAV, Shell } from './shell/Shell.js';
import { NotificationsAdminPage } from './notifications/NotificationsAdminPage.js';
import { WallPage } from './wall/WallPage.js';

export function App() {
  const session = useSession();
  const location = useLocation();
  if (location.pathname === '/wall') return <WallPage />;
  if (session.isPending) return <p className="muted page">Loading…</p>;
  if (session.error) return <p className="error page">Frontline is not reachable. It retries on reload.</p>;
  const { principal, needsSetup } = session.data;
  if (needsSetup) return <SetupPage />;
  if (!principal) return <SignInPage />;
  if (principal.kind === 'display') return <Navigate to="/wall" replace />;
  return (
    <Shell me={principal}>
      <Routes>
        <Route path="/" element={<DashboardPage me={principal} />} />
        <Route path="/live" element={<PulsePage />} />
        <Route path="/explore" element={<Allowed me={principal} path="/explore" el={<ExplorePage me={principal} />} />} />
        <Route path="/contacts" element={<Allowed me={principal} path="/" el={<ContactsPage />} />} />
        <Route path="/contacts/:contactId" element={<Allowed me={principal} path="/" el={<ContactPage />} />} />
        <Route path="/agents/:agentId" element={<Allowed me={principal} path="/" el={<AgentProfilePage me={principal} />} />} />
        <Route path="/reviews" element={<Allowed me={principal} path="/reviews" el={<ReviewsPage me={principal} />} />} />
        <Route path="/reviews/:reviewId" element={<Allowed me={principal} path="/reviews" el={<SavedReviewPage />} />} />
        <Route path="/voice" element={<Allowed me={principal} path="/voice" el={<VocPage me={principal} />} />} />
        <Route path="/charts" element={<Allowed me={principal} path="/charts" el={<ChartsPage me={principal} />} />} />
        <Route path="/targets" element={<TargetsPage canEdit={principal.role === 'admin' || principal.role === 'manager'} />} />
        <Route path="/admin/people" element={<Allowed me={principal} path="/admin/people" el={<PeoplePage />} />} />
        <Route path="/admin/boards" element={<Allowed me={principal} path="/admin/boards" el={<BoardsPage me={principal} />} />} />
        <Route path="/admin/screens" element={<Allowed me={principal} path="/admin/screens" el={<ScreensPage />} />} />
        <Route path="/admin/keys" element={<Allowed me={principal} path="/admin/keys" el={<ApiKeysPage />} />} />
        <Route path="/admin/privacy" element={<Allowed me={principal} path="/admin/privacy" el={<PrivacyPage />} />} />
        <Route path="/admin/audit" element={<Allowed me={principal} path="/admin/audit" el={<AuditPage />} />} />
        <Route path="/admin/notifications" element={<Allowed me={principal} path="/admin/notifications" el={<NotificationsAdminPage />} />} />
        <Route path="/admin/system" element={<Allowed me={principal} path="/admin/system" el={<SystemPage />} />} />
        <Route path="/cases" element={<Allowed me={principal} path="/cases" el={<CasesPage me={principal} />} />} />
        <Route path="/cases/:caseId" element={<Allowed me={principal} path="/cases" el={<CasePage me={principal} />} />} />
        <Route path="/account" element={<AccountPage me={principal} />} />
        <Route path="*" element={<p className="page muted">No such page.</p>} />
      </Routes>
    </Shell>
  );
}

/** The client hides what a role cannot open; the server enforces it regardless. */
function Allowed({ me, path, el }: { me: Me; path: string; el: React.ReactElement }) {
  const roles: readonly Role[] = NAV.find((n) => n.to === path)?.roles ?? [];
  return roles.includes(me.role) ? el : <p className="page muted">This page is not available to your role.</p>;
}
