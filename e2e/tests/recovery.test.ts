import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audit, close, launch, memberTab, newTab, type Tab } from '../src/browser.ts';

/**
 * "Mot de passe oublié": from the login page, a link by e-mail (read here on the local outbox page, as there is no
 * SMTP server in the tests), opened in another browser: the page asks for the new password of that account.
 */
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

describe('account recovery', () => {
  test('the login page leads to "Mot de passe oublié"; the same answer for anyone; the link opens the reset page', async () => {
    const tab = await newTab();
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/login');
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await page.locator('main h1', { hasText: 'Mot de passe oublié' }).waitFor();
    await page.getByText("Pas d'adresse électronique enregistrée ?").waitFor();
    await audit(page, 'recovery-request');
    await page.getByLabel('Identifiant ou adresse électronique').fill('cpe.demo@example.org');
    await page.getByRole('button', { name: 'Recevoir un lien' }).click();
    await page.getByText('Demande prise en compte').waitFor();
    await audit(page, 'recovery-sent');

    // The mail, on the platform administrators' local outbox page.
    const admin = await memberTab('admin.demo');
    tabs.push(admin);
    await admin.page.goto('/platform/outbox');
    const mail = admin.page
      .locator('[data-testid="outbox"] li', { hasText: 'choisir un nouveau mot de passe' })
      .first();
    await mail.waitFor();
    const body = (await mail.textContent()) ?? '';
    expect(body).toContain('« cpe.demo »');
    const link = /(https?:\/\/\S+\/reset-password#token=[A-Za-z0-9_-]+)/.exec(body)?.[1];
    expect(link).toBeTruthy();

    const other = await newTab();
    tabs.push(other);
    await other.page.goto(link!);
    await other.page.locator('main h1', { hasText: 'Choisir un nouveau mot de passe' }).waitFor();
    await other.page.getByText('Nouveau mot de passe pour le compte cpe.demo').waitFor();
    await audit(other.page, 'recovery-reset');

    // A made-up link: said plainly, with the way to ask again.
    await other.page.goto('/reset-password#token=un-lien-invente-de-trente-caracteres');
    await other.page.getByText('Lien non valable').waitFor();
    await other.page.getByRole('link', { name: 'Demander un nouveau lien' }).waitFor();
  });
});
