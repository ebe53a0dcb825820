import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export const baseUrl = () => inject('baseUrl');

let browser: Browser | null = null;

export async function launch(): Promise<Browser> {
  // Playwright gives each launch a fresh, temporary user-data-dir; contexts are fresh too.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

export async function close(): Promise<void> {
  await browser?.close();
  browser = null;
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen by this tab. */
  problems: string[];
}

/** A fresh context (cookies, storage) and page: one per person. */
export async function newTab(viewport = { width: 1280, height: 900 }): Promise<Tab> {
  if (!browser) throw new Error('launch() first');
  const context = await browser.newContext({ baseURL: baseUrl(), viewport, locale: 'fr-FR' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // A failed API call the test provoked (wrong password, closed service) is logged by the browser; not a bug.
    if (/Failed to load resource: the server responded with a status of (4\d\d)/.test(text)) return;
    problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return { context, page, problems };
}

const visited: { name: string; url: string }[] = [];

/**
 * Every page visited goes through here: wait for it to settle, run axe-core (no serious or critical violation),
 * save a screenshot in e2e/artifacts.
 */
export async function audit(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.locator('main h1').first().waitFor();
  // Fades (DSFR modals open and close with a transition) end first: axe must not read text half transparent.
  // Endless animations (a spinner) are left alone.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Number.POSITIVE_INFINITY)
        .map((a) => a.finished.catch(() => undefined)),
    ).then(() => undefined),
  );
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  visited.push({ name, url: page.url() });
  expect(bad, `axe on ${name} (${page.url()})`).toEqual([]);
}

export async function login(page: Page, user: string, password = 'demo'): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Identifiant').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

export async function loggedInTab(user: string, password = 'demo'): Promise<Tab> {
  const tab = await newTab();
  await login(tab.page, user, password);
  await tab.page
    .locator('main h1')
    .filter({ hasText: /Bonjour|Charte/ })
    .waitFor();
  return tab;
}

/**
 * After a login: accept the charter if one is pending (another test may have published a new version: every
 * member then accepts it again at their next login), so that the test goes on from the home page.
 */
export async function acceptCharterIfAsked(page: Page): Promise<void> {
  const h1 = page.locator('main h1').filter({ hasText: /Bonjour|Charte/ });
  await h1.first().waitFor();
  while ((await page.locator('main h1').first().textContent())?.startsWith('Charte')) {
    await page.getByText(/J'ai lu la charte/).click();
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();
    await page.waitForLoadState('networkidle');
    await page.locator('main h1').first().waitFor();
  }
}

/** A logged-in tab past any pending charter. */
export async function memberTab(user: string, password = 'demo'): Promise<Tab> {
  const tab = await loggedInTab(user, password);
  await acceptCharterIfAsked(tab.page);
  return tab;
}

/** The service keys of the tiles shown on the portal. */
export async function tiles(page: Page): Promise<string[]> {
  await page.locator('[data-testid="service-tiles"], [data-testid="no-services"]').first().waitFor();
  return page
    .locator('[data-testid="service-tiles"] > li')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-service') ?? ''));
}
