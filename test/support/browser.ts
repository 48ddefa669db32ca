/** Headless Chromium from Debian, driven by playwright-core. Missing browser: the test fails, it is never skipped. */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required for browser tests and was not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Where browser tests leave their screenshots (looked at by people, not compared). */
export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results');

export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: opts.fullPage ?? false });
}

/** Collects page errors and console errors into `errors` (a 401 from a signed-out session probe is expected). */
export function watchErrors(page: Page, errors: string[]): Page {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return page;
}

/**
 * Hovers a chart's dot until the chart's tooltip shows, and returns where it is. A chart can still re-lay itself out
 * after its first paint (axis widths, a second query landing), moving the dot away from a box read too early; so the
 * box is read again on each try, with a move away first so that every hover is a fresh mouse move.
 */
export async function hoverDot(page: Page, dot: Locator, chart: Locator, tries = 6): Promise<{ x: number; y: number }> {
  for (let i = 0; ; i++) {
    await dot.scrollIntoViewIfNeeded();
    const box = await dot.boundingBox();
    if (box) {
      // Every other try a pixel or two left of the centre: a chart's last dot sits on the plot's right edge, where
      // a hover on the exact centre can fall just outside the area that moves the tooltip.
      const at = { x: box.x + box.width / 2 - (i % 2) * Math.min(2, box.width / 4), y: box.y + box.height / 2 };
      await page.mouse.move(0, 0);
      await page.mouse.move(at.x, at.y, { steps: 3 });
      try {
        await chart.locator('.recharts-tooltip-wrapper').waitFor({ state: 'visible', timeout: 3_000 });
        return at;
      } catch (err) {
        if (i + 1 >= tries) {
          // Say what was under the mouse: a flake here (the tooltip stays hidden under load) is otherwise blind.
          const under = await page.evaluate(({ x, y }) => {
            const el = document.elementFromPoint(x, y);
            return el ? `${el.tagName.toLowerCase()}.${String(el.getAttribute('class') ?? '')} in ${el.closest('[data-testid]')?.getAttribute('data-testid') ?? 'no test id'}` : 'nothing';
          }, at);
          throw new Error(`no tooltip after ${tries} hovers; last at (${at.x.toFixed(0)}, ${at.y.toFixed(0)}) over ${under}`, { cause: err });
        }
      }
    }
    await page.waitForTimeout(300);
  }
}

/**
 * Follows the main navigation's link of that exact name. A page's own content can hold a link whose name contains a
 * section's (the review's "Evidence: charts"), so a bare getByRole('link', { name }) can match two elements.
 */
export async function navTo(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

const AXE_SOURCE_PATH = path.join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js');
let axeSource: string | undefined;

/** The WCAG 2.1 A and AA rules: the standard the product is held to. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core (from node_modules; @axe-core/playwright needs Node 22) on the whole document against
 * WCAG 2.1 A and AA, and fails with a readable list when any finding is serious or critical. Moderate and minor
 * findings are returned, so a caller can print or assert on them too.
 */
export async function expectAccessible(page: Page, label: string): Promise<AxeViolation[]> {
  axeSource ??= fs.readFileSync(AXE_SOURCE_PATH, 'utf8');
  // Evaluated through the DevTools protocol rather than added as a <script>: the product's Content-Security-Policy
  // rightly refuses inline script, and page.addScriptTag({ content }) would be blocked (and logged as an error).
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) }));
  }, [...AXE_TAGS]);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const lines = bad.map((v) => {
      const nodes = v.nodes.slice(0, 4).map((n) => `    - ${JSON.stringify(n.target)}: ${n.html.slice(0, 160)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n\s*/g, ' ').slice(0, 240)}` : ''}`);
      const more = v.nodes.length > 4 ? [`    … and ${v.nodes.length - 4} more`] : [];
      return [`  ${v.id} (${v.impact}, ${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'}): ${v.help}`, ...nodes, ...more].join('\n');
    });
    throw new Error(`${label} (${page.url()}): ${bad.length} serious or critical accessibility finding${bad.length === 1 ? '' : 's'} (WCAG 2.1 AA, axe-core)\n${lines.join('\n')}`);
  }
  return violations;
}
