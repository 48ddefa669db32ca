/**
 * Routes by who is signed in: setup on first run, sign-in, the wall screen, and the app for people by role.
 * Each of these is loaded as its own chunk: a wall screen (often a weak computer) fetches the wall's code only.
 */
import { Suspense } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from './auth/session.js';
import { ChunkBoundary, lazyPage, PageLoading } from './shell/lazy.js';

const WallPage = lazyPage(async () => (await import('./wall/WallPage.js')).WallPage);
const SetupPage = lazyPage(async () => (await import('./auth/SetupPage.js')).SetupPage);
const SignInPage = lazyPage(async () => (await import('./auth/SignInPage.js')).SignInPage);
const SignedInApp = lazyPage(async () => (await import('./SignedInApp.js')).SignedInApp);

/** A wall screen whose code failed to load tries again this often by itself: nobody is there to press Reload. */
const WALL_RETRY_MS = 60_000;

export function App() {
  const session = useSession();
  const location = useLocation();
  if (location.pathname === '/wall') {
    return (
      <ChunkBoundary className="wall" retryAfterMs={WALL_RETRY_MS}>
        <Suspense fallback={<PageLoading className="wall" />}>
          <WallPage />
        </Suspense>
      </ChunkBoundary>
    );
  }
  if (session.isPending) return <PageLoading />;
  if (session.error) return <p className="error page">Frontline is not reachable. It retries on reload.</p>;
  const { principal, needsSetup } = session.data;
  if (!needsSetup && principal?.kind === 'display') return <Navigate to="/wall" replace />;
  return (
    <ChunkBoundary>
      <Suspense fallback={<PageLoading />}>{needsSetup ? <SetupPage /> : principal?.kind === 'user' ? <SignedInApp me={principal} /> : <SignInPage />}</Suspense>
    </ChunkBoundary>
  );
}
