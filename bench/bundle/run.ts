/**
 * bench/bundle: what each page of the client costs to open for the first time, before and after a change.
 *
 * Builds this tree's client (vite build --manifest, into a temp folder) and the same client at a baseline git ref
 * (checked out with `git worktree add` into a temp folder with a node_modules link, built there, then removed). For
 * each route's first load it walks the manifest from the entry through static imports, plus the route's own chunks
 * and their static imports, and prints the JS and CSS files with raw and gzip -9 bytes (node:zlib; Frontline itself
 * serves files uncompressed, so gzip is what a compressing proxy in front would send), PASS/FAIL against the goals
 * (wall ≤ 150 kB gzip, any other page ≤ 250 kB gzip; kB = 1000 bytes), and the load average beside the figures.
 * Then it opens /wall and signed-in pages in Chromium against a real server and sums what was actually fetched.
 *
 *   npm run bench:bundle                       (baseline 3d0d00a, the commit before the split)
 *   npm run bench:bundle -- --base <git-ref>   (another baseline)   --no-base   --no-browser
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureInBrowser, type BrowserLoad } from './browser.js';
import { firstLoad, readManifest, sizeFiles, type Manifest, type Sized } from './first-load.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const WALL_GOAL = 150_000;
const PAGE_GOAL = 250_000;
const SIGNED_IN = 'src/SignedInApp.tsx';

interface Route {
  name: string;
  modules: string[];
  goal: number;
}

const page = (name: string, module: string): Route => ({ name, modules: [SIGNED_IN, `src/${module}`], goal: PAGE_GOAL });

/** Every route of client/src/App.tsx and SignedInApp.tsx, by the source modules its first load needs. */
const ROUTES: Route[] = [
  { name: 'wall', modules: ['src/wall/WallPage.tsx'], goal: WALL_GOAL },
  { name: 'sign-in', modules: ['src/auth/SignInPage.tsx'], goal: PAGE_GOAL },
  { name: 'setup', modules: ['src/auth/SetupPage.tsx'], goal: PAGE_GOAL },
  page('dashboard', 'dashboard/DashboardPage.tsx'),
  page('live', 'live/PulsePage.tsx'),
  page('explore', 'explore/ExplorePage.tsx'),
  page('charts', 'charts/ChartsPage.tsx'),
  page('cases', 'coaching/CasesPage.tsx'),
  page('case', 'coaching/CasePage.tsx'),
  page('contacts', 'drilldown/ContactsPages.tsx'),
  page('agent profile', 'drilldown/AgentProfilePage.tsx'),
  page('reviews', 'review/ReviewPages.tsx'),
  page('initiatives', 'improvement/InitiativesPage.tsx'),
  page('initiative', 'improvement/InitiativePage.tsx'),
  page('voice', 'voc/VocPage.tsx'),
  page('targets', 'admin/TargetsPage.tsx'),
  page('admin people', 'admin/PeoplePage.tsx'),
  page('admin boards', 'admin/BoardsPage.tsx'),
  page('admin screens', 'admin/ScreensPage.tsx'),
  page('admin keys, privacy, audit, account', 'admin/AdminPages.tsx'),
  page('admin notifications', 'notifications/NotificationsAdminPage.tsx'),
  page('admin sources', 'sources/SourcesPage.tsx'),
  page('admin source', 'sources/SourcePage.tsx'),
  page('admin system', 'admin/SystemPage.tsx'),
  page('qa scorecards', 'qa/ScorecardsPage.tsx'),
  page('qa calibrations', 'qa/CalibrationPages.tsx'),
  page('qa worklist', 'qa/QaPage.tsx'),
  page('qa evaluation', 'qa/EvaluationPage.tsx'),
];

const BROWSER_PAGES = [
  { path: '/wall', who: 'screen' as const, route: 'wall' },
  { path: '/', who: 'admin' as const, route: 'dashboard' },
  { path: '/charts', who: 'admin' as const, route: 'charts' },
];

interface Args {
  base: string | null;
  browser: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { base: '3d0d00a', browser: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-base') args.base = null;
    else if (a === '--no-browser') args.browser = false;
    else if (a === '--base') {
      const ref = argv[++i];
      if (!ref || ref.startsWith('--')) throw new Error('--base needs a git ref, e.g. --base 3d0d00a');
      args.base = ref;
    } else throw new Error(`unknown argument ${a}; use --base <git-ref>, --no-base or --no-browser`);
  }
  return args;
}

const kB = (n: number) => (n / 1000).toFixed(1);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function build(cwd: string, outDir: string): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(cwd, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--manifest', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  return performance.now() - t0;
}

/** Builds `ref` in a throwaway worktree; the worktree is removed whatever happens. */
function buildAtRef(ref: string, outDir: string): { commit: string; ms: number } {
  let commit: string;
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new Error(`baseline ${ref} is not a commit in this repository`);
  }
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bundle-base-'));
  execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', '--quiet', tree, commit], { stdio: 'inherit' });
  try {
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(tree, 'node_modules'));
    return { commit, ms: build(tree, outDir) };
  } finally {
    execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', tree], { stdio: 'inherit' });
  }
}

interface RouteFigures {
  route: Route;
  files: Sized[];
  gzip: number;
  raw: number;
}

function measure(manifest: Manifest, clientDir: string, strict: boolean): RouteFigures[] {
  return ROUTES.map((route) => {
    const fl = firstLoad(manifest, route.modules);
    if (strict && fl.inEntry.length > 0) throw new Error(`route ${route.name}: ${fl.inEntry.join(', ')} is not a chunk of its own (is the route table in bench/bundle/run.ts out of date?)`);
    const files = sizeFiles(clientDir, fl.files);
    return { route, files, gzip: files.reduce((s, f) => s + f.gzip, 0), raw: files.reduce((s, f) => s + f.raw, 0) };
  });
}

function printRoutes(title: string, figures: RouteFigures[]): void {
  console.log(`\n${title}`);
  for (const f of figures) {
    const js = f.files.filter((x) => x.kind === 'js');
    const css = f.files.filter((x) => x.kind === 'css');
    const sum = (xs: Sized[], k: 'raw' | 'gzip') => kB(xs.reduce((s, x) => s + x[k], 0));
    const verdict = f.gzip <= f.route.goal ? 'PASS' : 'FAIL';
    console.log(`  ${f.route.name.padEnd(36)} JS ${sum(js, 'raw').padStart(7)} kB raw ${sum(js, 'gzip').padStart(6)} kB gzip · CSS ${sum(css, 'raw').padStart(5)} raw ${sum(css, 'gzip').padStart(5)} gzip · total ${kB(f.gzip).padStart(6)} kB gzip ≤ ${kB(f.route.goal)}: ${verdict}`);
    for (const x of f.files) console.log(`      ${x.file.padEnd(52)} ${kB(x.raw).padStart(8)} kB ${kB(x.gzip).padStart(7)} kB gzip`);
  }
}

function printComparison(before: RouteFigures[] | null, after: RouteFigures[]): void {
  console.log(`\nFirst load, gzip -9 kB of JS+CSS (load average ${load()})`);
  console.log(`  ${'route'.padEnd(36)} ${'before'.padStart(8)} ${'after'.padStart(8)} ${'files'.padStart(6)}  goal`);
  for (const a of after) {
    const b = before?.find((x) => x.route.name === a.route.name);
    console.log(`  ${a.route.name.padEnd(36)} ${(b ? kB(b.gzip) : '-').padStart(8)} ${kB(a.gzip).padStart(8)} ${String(a.files.length).padStart(6)}  ≤ ${kB(a.route.goal)} ${a.gzip <= a.route.goal ? 'PASS' : 'FAIL'}`);
  }
}

function printBrowser(title: string, loads: BrowserLoad[], predicted: RouteFigures[] | null): void {
  console.log(`\n${title} (Chromium, fresh cache; load average ${load()})`);
  for (const l of loads) {
    const raw = l.files.reduce((s, f) => s + f.raw, 0);
    const gz = l.files.reduce((s, f) => s + f.gzip, 0);
    const route = BROWSER_PAGES.find((p) => p.path === l.path)?.route;
    const want = predicted?.find((p) => p.route.name === route);
    let check = '';
    if (want) {
      const got = new Set(l.files.map((f) => f.file));
      const missing = want.files.filter((f) => !got.has(f.file)).map((f) => f.file);
      const extra = [...got].filter((f) => !want.files.some((w) => w.file === f));
      check = missing.length + extra.length === 0 ? ' · same files as the manifest walk' : ` · differs from the manifest walk: missing ${missing.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'}`;
    }
    console.log(`  ${l.path.padEnd(8)} as ${l.who.padEnd(6)} ${String(l.files.length).padStart(3)} files ${kB(raw).padStart(8)} kB served ${kB(gz).padStart(7)} kB gzip${check}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bundle-'));
  try {
    console.log(`bench:bundle on ${os.cpus().length} cores, load average ${load()}`);
    const afterDir = path.join(work, 'after', 'client');
    const ms = build(ROOT, afterDir);
    console.log(`built this tree in ${(ms / 1000).toFixed(1)} s (load average ${load()})`);
    const after = measure(readManifest(afterDir), afterDir, true);

    let before: RouteFigures[] | null = null;
    let beforeDir: string | null = null;
    if (args.base) {
      beforeDir = path.join(work, 'before', 'client');
      const b = buildAtRef(args.base, beforeDir);
      console.log(`built baseline ${args.base} (${b.commit.slice(0, 10)}) in ${(b.ms / 1000).toFixed(1)} s (load average ${load()})`);
      before = measure(readManifest(beforeDir), beforeDir, false);
      printRoutes(`Before (${args.base}): files each first load fetches`, before);
    }
    printRoutes('After (this tree): files each first load fetches', after);
    printComparison(before, after);

    if (args.browser) {
      const pages = BROWSER_PAGES.map(({ path: p, who }) => ({ path: p, who }));
      if (beforeDir) printBrowser(`Before (${args.base}), fetched by the browser`, await measureInBrowser(beforeDir, pages), before);
      printBrowser('After (this tree), fetched by the browser', await measureInBrowser(afterDir, pages), after);
    }
    const failed = after.filter((f) => f.gzip > f.route.goal);
    if (failed.length > 0) {
      console.log(`\nFAIL: ${failed.map((f) => f.route.name).join(', ')} over goal`);
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
