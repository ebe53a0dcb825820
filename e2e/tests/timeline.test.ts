import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audit, close, launch, loggedInTab, type Tab } from '../src/browser.ts';

/** The home page's news feed (timeline): every persona has it, and its page lists the notices. */
const tabs: Tab[] = [];

beforeAll(async () => {
  await launch();
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  expect(problems).toEqual([]);
});

describe('timeline', () => {
  test('a student finds the news feed on the home page, then its page', async () => {
    const tab = await loggedInTab('eleve.demo');
    tabs.push(tab);
    const { page } = tab;
    const widget = page.locator('[data-widget="timeline"]');
    await widget.waitFor();
    expect(await widget.locator('h3').textContent()).toBe("Fil d'actualité");
    await widget.getByRole('link', { name: 'Tout voir' }).click();
    await page.locator('main h1', { hasText: "Fil d'actualité" }).waitFor();
    await audit(page, 'timeline');
  });
});
