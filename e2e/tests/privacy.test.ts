import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/** A parent reads what the ENT keeps about them and downloads it (right of access). */
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

describe('personal data', () => {
  test('a parent reads the processing register and downloads their data', async () => {
    const tab = await memberTab('parent.demo');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/privacy');
    await page.locator('main h1', { hasText: 'Mes données personnelles' }).waitFor();
    await page.getByRole('heading', { name: 'Annuaire' }).waitFor();
    await audit(page, 'privacy');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger mes données (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('mes-donnees-preau.json');
    const data = JSON.parse(readFileSync((await download.path()) ?? '', 'utf8'));
    expect(data.person.login).toBe('parent.demo');
    expect(data.modules.directory.guardianships.length).toBeGreaterThan(0);
  });
});
