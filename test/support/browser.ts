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
