/**
 * The app for a signed-in person: the shell and its pages. A chunk of its own (the wall and the sign-in page never
 * load it), and every page in it is a chunk too, so a page fetches only its own code (recharts only where a chart is).
 */
import { Suspense } from 'react';
import { Route, Routes, useLocation } from 'react-router';
import type { Me, Role } from '../../shared/access.js';
import { ChunkBoundary, lazyPage, PageLoading } from './shell/lazy.js';
import { NAV, Shell } from './shell/Shell.js';

const DashboardPage = lazyPage(async () => (await import('./dashboard/DashboardPage.js')).DashboardPage);
const PulsePage = lazyPage(async () => (await import('./live/PulsePage.js')).PulsePage);
const ExplorePage = lazyPage(async () => (await import('./explore/ExplorePage.js')).ExplorePage);
const ContactsPage = lazyPage(async () => (await import('./drilldown/ContactsPages.js')).ContactsPage);
const ContactPage = lazyPage(async () => (await import('./drilldown/ContactsPages.js')).ContactPage);
const AgentProfilePage = lazyPage(async () => (await import('./drilldown/AgentProfilePage.js')).AgentProfilePage);
const ReviewsPage = lazyPage(async () => (await import('./review/ReviewPages.js')).ReviewsPage);
const SavedReviewPage = lazyPage(async () => (await import('./review/ReviewPages.js')).SavedReviewPage);
const InitiativesPage = lazyPage(async () => (await import('./improvement/InitiativesPage.js')).InitiativesPage);
const InitiativePage = lazyPage(async () => (await import('./improvement/InitiativePage.js')).InitiativePage);
const VocPage = lazyPage(async () => (await import('./voc/VocPage.js')).VocPage);
const ChartsPage = lazyPage(async () => (await import('./charts/ChartsPage.js')).ChartsPage);
const TargetsPage = lazyPage(async () => (await import('./admin/TargetsPage.js')).TargetsPage);
const PeoplePage = lazyPage(async () => (await import('./admin/PeoplePage.js')).PeoplePage);
const BoardsPage = lazyPage(async () => (await import('./admin/BoardsPage.js')).BoardsPage);
const ScreensPage = lazyPage(async () => (await import('./admin/ScreensPage.js')).ScreensPage);
const ApiKeysPage = lazyPage(async () => (await import('./admin/AdminPages.js')).ApiKeysPage);
const PrivacyPage = lazyPage(async () => (await import('./admin/AdminPages.js')).PrivacyPage);
const AuditPage = lazyPage(async () => (await import('./admin/AdminPages.js')).AuditPage);
const AccountPage = lazyPage(async () => (await import('./admin/AdminPages.js')).AccountPage);
const NotificationsAdminPage = lazyPage(async () => (await import('./notifications/NotificationsAdminPage.js')).NotificationsAdminPage);
const SourcesPage = lazyPage(async () => (await import('./sources/SourcesPage.js')).SourcesPage);
const SourcePage = lazyPage(async () => (await import('./sources/SourcePage.js')).SourcePage);
const SystemPage = lazyPage(async () => (await import('./admin/SystemPage.js')).SystemPage);
const CasesPage = lazyPage(async () => (await import('./coaching/CasesPage.js')).CasesPage);
const CasePage = lazyPage(async () => (await import('./coaching/CasePage.js')).CasePage);
const ScorecardsPage = lazyPage(async () => (await import('./qa/ScorecardsPage.js')).ScorecardsPage);
const ScorecardPage = lazyPage(async () => (await import('./qa/ScorecardsPage.js')).ScorecardPage);
const CalibrationsPage = lazyPage(async () => (await import('./qa/CalibrationPages.js')).CalibrationsPage);
const CalibrationPage = lazyPage(async () => (await import('./qa/CalibrationPages.js')).CalibrationPage);
const QaPage = lazyPage(async () => (await import('./qa/QaPage.js')).QaPage);
const EvaluationPage = lazyPage(async () => (await import('./qa/EvaluationPage.js')).EvaluationPage);

export function SignedInApp({ me }: { me: Me }) {
  const { pathname } = useLocation();
  return (
    <Shell me={me}>
      {/* Keyed by path: a page that failed to load does not keep the next one from trying. */}
      <ChunkBoundary key={pathname}>
        <Suspense fallback={<PageLoading />}>
          <Routes>
            <Route path="/" element={<DashboardPage me={me} />} />
            <Route path="/live" element={<PulsePage />} />
            <Route path="/explore" element={<Allowed me={me} path="/explore" el={<ExplorePage me={me} />} />} />
            <Route path="/contacts" element={<Allowed me={me} path="/" el={<ContactsPage />} />} />
            <Route path="/contacts/:contactId" element={<Allowed me={me} path="/" el={<ContactPage me={me} />} />} />
            <Route path="/agents/:agentId" element={<Allowed me={me} path="/" el={<AgentProfilePage me={me} />} />} />
            <Route path="/reviews" element={<Allowed me={me} path="/reviews" el={<ReviewsPage me={me} />} />} />
            <Route path="/reviews/:reviewId" element={<Allowed me={me} path="/reviews" el={<SavedReviewPage />} />} />
            <Route path="/initiatives" element={<Allowed me={me} path="/initiatives" el={<InitiativesPage me={me} />} />} />
            <Route path="/initiatives/:initiativeId" element={<Allowed me={me} path="/initiatives" el={<InitiativePage />} />} />
            <Route path="/voice" element={<Allowed me={me} path="/voice" el={<VocPage me={me} />} />} />
            <Route path="/charts" element={<Allowed me={me} path="/charts" el={<ChartsPage me={me} />} />} />
            <Route path="/targets" element={<TargetsPage canEdit={me.role === 'admin' || me.role === 'manager'} />} />
            <Route path="/admin/people" element={<Allowed me={me} path="/admin/people" el={<PeoplePage />} />} />
            <Route path="/admin/boards" element={<Allowed me={me} path="/admin/boards" el={<BoardsPage me={me} />} />} />
            <Route path="/admin/screens" element={<Allowed me={me} path="/admin/screens" el={<ScreensPage />} />} />
            <Route path="/admin/keys" element={<Allowed me={me} path="/admin/keys" el={<ApiKeysPage />} />} />
            <Route path="/admin/privacy" element={<Allowed me={me} path="/admin/privacy" el={<PrivacyPage />} />} />
            <Route path="/admin/audit" element={<Allowed me={me} path="/admin/audit" el={<AuditPage />} />} />
            <Route path="/admin/notifications" element={<Allowed me={me} path="/admin/notifications" el={<NotificationsAdminPage />} />} />
            <Route path="/admin/sources" element={<Allowed me={me} path="/admin/sources" el={<SourcesPage />} />} />
            <Route path="/admin/sources/:sourceId" element={<Allowed me={me} path="/admin/sources" el={<SourcePage />} />} />
            <Route path="/admin/system" element={<Allowed me={me} path="/admin/system" el={<SystemPage />} />} />
            <Route path="/cases" element={<Allowed me={me} path="/cases" el={<CasesPage me={me} />} />} />
            <Route path="/cases/:caseId" element={<Allowed me={me} path="/cases" el={<CasePage me={me} />} />} />
            <Route path="/qa/scorecards" element={<Allowed me={me} path="/qa" el={<ScorecardsPage me={me} />} />} />
            <Route path="/qa/scorecards/:scorecardId" element={<Allowed me={me} path="/qa" el={<ScorecardPage me={me} />} />} />
            <Route path="/qa/calibrations" element={<Allowed me={me} path="/qa" el={<CalibrationsPage me={me} />} />} />
            <Route path="/qa/calibrations/:calibrationId" element={<Allowed me={me} path="/qa" el={<CalibrationPage />} />} />
            <Route path="/qa" element={<Allowed me={me} path="/qa" el={<QaPage me={me} />} />} />
            <Route path="/qa/evaluations/:evaluationId" element={<EvaluationPage me={me} />} />
            <Route path="/account" element={<AccountPage me={me} />} />
            <Route path="*" element={<p className="page muted">No such page.</p>} />
          </Routes>
        </Suspense>
      </ChunkBoundary>
    </Shell>
  );
}

/** The client hides what a role cannot open; the server enforces it regardless. */
function Allowed({ me, path, el }: { me: Me; path: string; el: React.ReactElement }) {
  const roles: readonly Role[] = NAV.find((n) => n.to === path)?.roles ?? [];
  return roles.includes(me.role) ? el : <p className="page muted">This page is not available to your role.</p>;
}
