/**
 * Pages load as their own chunks (React.lazy). Two things can go wrong that a single bundle never had:
 * - the chunk is still on its way: a Suspense fallback holds the page's place and says "Loading…" to screen readers,
 *   shown only after a short delay (CSS) so a quick load does not flash;
 * - the chunk is gone: after a redeploy the old hashed files are deleted, so a tab opened before it asks for a file
 *   that no longer exists. The cure is one full reload (the new index.html names the new chunks). A reload that
 *   happened moments ago for the same reason is not repeated: then the boundary shows a message, never a white page.
 */
import { Component, lazy, type ComponentType, type ReactNode } from 'react';

/** How long after a stale-chunk reload another failure counts as "the reload did not help". */
export const STALE_CHUNK_RELOAD_WINDOW_MS = 30_000;
const RELOADED_AT_KEY = 'frontline:stale-chunk-reload-at';
/** Set once a reload is under way: whatever else fails meanwhile waits for it instead of showing an error. */
let reloading = false;

/**
 * Reloads the page once for a chunk that failed to load; true when a reload was started. sessionStorage survives
 * the reload, so a second failure within the window (the file is really missing, or the server is down) returns false.
 */
export function reloadForStaleChunk(now = Date.now()): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOADED_AT_KEY));
    if (Number.isFinite(last) && last > 0 && now - last < STALE_CHUNK_RELOAD_WINDOW_MS) return false;
    sessionStorage.setItem(RELOADED_AT_KEY, String(now));
  } catch {
    // Storage refused (private mode, quota): without a memory of the last reload, reloading could loop. Do not.
    return false;
  }
  reloading = true;
  window.location.reload();
  return true;
}

/** A reload that never settles: keeps Suspense showing its fallback until the page goes away. */
const pendingForever = new Promise<never>(() => undefined);

/** React.lazy for a named export, with the stale-chunk reload on a failed import. */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  return lazy(async () => {
    try {
      return { default: await load() };
    } catch (err) {
      // Vite's preload helper may have started the reload already (vite:preloadError in main.tsx) and handed back
      // no module; either way, wait for the reload rather than flash an error.
      if (reloading || reloadForStaleChunk()) return pendingForever;
      throw err;
    }
  });
}

/** What a page shows while its chunk loads: its own place kept, a polite "Loading…" for assistive technology. */
export function PageLoading({ className = 'page' }: { className?: string }) {
  return (
    <div className={`${className} page-loading`} role="status" aria-live="polite">
      <span className="muted">Loading…</span>
    </div>
  );
}

interface BoundaryState {
  failed: boolean;
}

/**
 * Catches a chunk that failed even after the reload (or a render error in the page) so the frame stays up. A screen
 * nobody stands at (the wall) passes `retryAfterMs`: it reloads by itself after that long, for as long as it takes.
 */
export class ChunkBoundary extends Component<{ children: ReactNode; className?: string; retryAfterMs?: number }, BoundaryState> {
  override state: BoundaryState = { failed: false };
  private retry: ReturnType<typeof setTimeout> | undefined;

  static getDerivedStateFromError(): BoundaryState {
    return { failed: true };
  }

  override componentDidCatch(): void {
    if (this.props.retryAfterMs !== undefined && this.retry === undefined) this.retry = setTimeout(() => window.location.reload(), this.props.retryAfterMs);
  }

  override componentWillUnmount(): void {
    clearTimeout(this.retry);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className={this.props.className ?? 'page'} role="alert">
        <p className="error">This page could not be shown. Frontline may have just been updated, or the server is not reachable.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
