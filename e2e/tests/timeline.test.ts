import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/** The home page's news feed (timeline): every persona has it, its page lists the notices, its preferences. */
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
    const tab = await memberTab('eleve.demo');
    tabs.push(tab);
    const { page } = tab;
    const widget = page.locator('[data-widget="timeline"]');
    await widget.waitFor();
    expect(await widget.locator('h3').textContent()).toBe("Fil d'actualité");
    // the live counter (server-sent events) is in the header
    await page.locator('[data-testid="live-unread"]').first().waitFor();
    await widget.getByRole('link', { name: 'Tout voir' }).click();
    await page.locator('main h1', { hasText: "Fil d'actualité" }).waitFor();
    await audit(page, 'timeline');
  });

  test('a teacher chooses a daily digest of new messages and quiet hours from 18 h', async () => {
    const tab = await memberTab('prof.demo');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/timeline');
    await page.getByRole('link', { name: 'Choisir comment être prévenu' }).click();
    await page.locator('main h1', { hasText: 'Préférences de notification' }).waitFor();
    await page.getByText('Les courriels sont envoyés à prof.demo@example.org.').waitFor();
    const newMessage = page.locator('select[data-kind="messaging.message.new"]');
    expect(await newMessage.inputValue()).toBe('email');
    await newMessage.selectOption('digest');
    await page.getByLabel('De', { exact: true }).selectOption('18');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Vos préférences sont enregistrées.').waitFor();
    await audit(page, 'timeline-preferences');
    await page.reload();
    await page.locator('main h1', { hasText: 'Préférences de notification' }).waitFor();
    expect(await page.getByLabel('De', { exact: true }).inputValue()).toBe('18');
    expect(await page.locator('select[data-kind="messaging.message.new"]').inputValue()).toBe('digest');
  });

  test('a platform administrator reads the local outbox (no SMTP server in the tests)', async () => {
    const tab = await memberTab('admin.demo');
    tabs.push(tab);
    const { page } = tab;
    await page.getByRole('link', { name: 'Courriels' }).first().click();
    await page.locator('main h1', { hasText: 'Courriels envoyés par Préau' }).waitFor();
    await page.getByText("Aucun serveur SMTP n'est configuré").waitFor();
    await audit(page, 'timeline-outbox');
  });
});
