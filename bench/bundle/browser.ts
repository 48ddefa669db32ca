/**
 * The same first loads, measured in Chromium instead of read from the manifest: a real server serves a build, a paired
 * screen opens /wall and an admin opens signed-in pages, and every JS and CSS response the browser actually fetched
 * is summed (raw bytes as served, and gzip -9 of each body).
 */
import { launchBrowser } from '../../test/support/browser.js';
import { pairDisplay, seedPeople, sessionFor } from '../../test/support/people.js';
import { startTestServer } from '../../test/support/server.js';
import { gzipSize } from './first-load.js';

export interface Fetched {
  file: string;
  raw: number;
  gzip: number;
}

export interface BrowserLoad {
  path: string;
  who: 'screen' | 'admin';
  files: Fetched[];
}

/** "fl_session=abc; __Host-fl_session=abc" → the first name=value pair, as a browser cookie. */
function firstCookie(header: string, url: string): { name: string; value: string; url: string } {
  const [pair] = header.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq < 1) throw new Error(`not a cookie: ${header}`);
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), url };
}

/** Opens each page in a fresh browser context (an empty cache) and returns the client files it fetched. */
export async function measureInBrowser(clientDir: string, pages: readonly { path: string; who: 'screen' | 'admin' }[]): Promise<BrowserLoad[]> {
  const t = await startTestServer({ clientDir });
  const browser = await launchBrowser();
  try {
    const people = await seedPeople(t);
    const admin = await sessionFor(t, people.admin);
    const screen = await pairDisplay(t, admin, ['centre'], 'Bench wall');
    const out: BrowserLoad[] = [];
    for (const p of pages) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      await context.addCookies([firstCookie(p.who === 'screen' ? screen.cookie : (admin.cookie ?? ''), t.baseUrl)]);
      const page = await context.newPage();
      const bodies: Promise<Fetched | null>[] = [];
      page.on('response', (res) => {
        const url = new URL(res.url());
        if (!/^\/assets\/.+\.(js|css)$/.test(url.pathname)) return;
        bodies.push(
          res.body().then(
            (b) => ({ file: url.pathname.slice(1), raw: b.length, gzip: gzipSize(b) }),
            () => null,
          ),
        );
      });
      await page.goto(`${t.baseUrl}${p.path}`, { waitUntil: 'load' });
      // Drawn: no Suspense fallback left, and the page's frame is there (a chunk's static imports load before it runs).
      const frame = p.who === 'screen' ? '.wall' : 'nav[aria-label="Main"]';
      await page.waitForFunction((sel) => document.querySelector(sel) !== null && document.querySelector('.page-loading') === null, frame, { timeout: 60_000 });
      const files = (await Promise.all(bodies)).filter((f): f is Fetched => f !== null);
      out.push({ path: p.path, who: p.who, files: [...new Map(files.map((f) => [f.file, f])).values()] });
      await context.close();
    }
    return out;
  } finally {
    await browser.close();
    await t.close();
  }
}
