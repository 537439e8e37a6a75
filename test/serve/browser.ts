// Debian's chromium driven by playwright-core (never downloads a browser):
// a fresh profile per test, closed in teardown; screenshots into a temporary
// folder, or docs/screenshots/ when STRATA_SCREENSHOTS=1 (a test run leaves the
// committed ones alone).
import type { ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, tmpDir } from '../helpers/cli.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
const KEEP_SHOTS = process.env.STRATA_SCREENSHOTS === '1';
export const SHOTS = KEEP_SHOTS ? path.join(ROOT, 'docs/screenshots') : path.join(os.tmpdir(), `strata-screenshots-${process.pid}`);
if (!KEEP_SHOTS) process.on('exit', () => fs.rmSync(SHOTS, { recursive: true, force: true }));

export async function openBrowser(t: ExecutionContext): Promise<{ context: BrowserContext; page: Page; downloads: string }> {
  const profile = tmpDir(t, 'strata-chromium-');
  const downloads = tmpDir(t, 'strata-downloads-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    downloadsPath: downloads,
    viewport: { width: 1100, height: 760 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.teardown(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, downloads };
}

export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** Wait until the view for the current location has rendered. */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const v = document.getElementById('view');
    return v?.dataset.state === 'ready' && v.dataset.ready === location.hash;
  });
}
