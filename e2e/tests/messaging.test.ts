import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/**
 * Messaging's main journeys: a teacher writes to "parents de 2NDE1" and sees the recipient count before sending;
 * a parent reads it and replies; a student cannot find a student of another class; the direction's page.
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

/**
 * People in two establishments pick the lycée, where 2NDE1 is: prof.demo by school and role ("Lycée Jean Jaurès —
 * Enseignant"), parent.demo by child ("Emma — Lycée Jean Jaurès").
 */
async function atTheLycee(page: Tab['page']) {
  const select = page.locator('select[name="establishment"]').first();
  await select.waitFor();
  const value = await select.evaluate(
    (s: HTMLSelectElement) => [...s.options].find((o) => o.textContent?.includes('Lycée Jean Jaurès'))?.value ?? '',
  );
  expect(value).not.toBe('');
  await select.selectOption(value);
}

const subject = `Sortie au planétarium ${Date.now().toString(36)}`;

describe('messaging', () => {
  test('a teacher writes to "parents de 2NDE1" and sees how many will receive it first', async () => {
    const tab = await memberTab('prof.demo');
    tabs.push(tab);
    const { page } = tab;
    await atTheLycee(page);
    await page.locator('[data-widget="messaging"]').waitFor();
    await page.locator('[data-widget="messaging"]').getByRole('link', { name: 'Ouvrir la messagerie' }).click();
    await page.locator('main h1', { hasText: 'Boîte de réception' }).waitFor();
    await audit(page, 'messaging-inbox');

    await page.getByRole('link', { name: 'Nouveau message' }).click();
    await page.locator('main h1', { hasText: 'Nouveau message' }).waitFor();
    await page.getByLabel('Chercher une personne ou une liste').fill('parents de 2NDE1');
    await page.getByRole('button', { name: 'Ajouter parents de 2NDE1' }).click();
    const audience = page.locator('[data-testid="audience"]');
    await audience.getByText(/Ce message sera reçu par \d+ destinataires/).waitFor();
    const text = (await audience.textContent()) ?? '';
    const total = Number(/reçu par (\d+) destinataires/.exec(text)?.[1]);
    expect(total).toBeGreaterThan(10);
    expect(text).toMatch(/\d+ parents/);
    await page.getByLabel('Objet').fill(subject);
    await page.locator('[data-testid="editor"]').click();
    await page.keyboard.type('Les élèves de 2NDE1 visiteront le planétarium jeudi. ');
    await page.getByRole('button', { name: 'Gras' }).click();
    await page.locator('button[aria-pressed="true"]', { hasText: 'Gras' }).waitFor();
    await page.locator('[data-testid="editor"]:focus').waitFor();
    await page.keyboard.type('Prévoir un pique-nique.');
    await audit(page, 'messaging-compose');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText(`Message envoyé à ${total} destinataires.`).waitFor();
    expect(await page.locator('[data-testid="message-body"] strong').textContent()).toBe('Prévoir un pique-nique.');
    await audit(page, 'messaging-sent');
  });

  test('a parent reads it (the live counter moves) and replies', async () => {
    const tab = await memberTab('parent.demo');
    tabs.push(tab);
    const { page } = tab;
    await atTheLycee(page);
    await page.goto('/messaging');
    await page.locator('main h1', { hasText: 'Boîte de réception' }).waitFor();
    const item = page.locator('[data-testid="mailbox"] li', { hasText: subject });
    await item.getByText('Non lu').waitFor();
    // the live counter in the header (server-sent events) counts the new message's notice
    const counter = page.locator('[data-testid="live-unread"]').first();
    const unread = async () => Number(/\((\d+) non lue?s?\)/.exec((await counter.textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(unread, { timeout: 10_000 }).toBeGreaterThan(0);
    const before = await unread();
    await item.getByRole('link', { name: subject }).click();
    await page.locator('main h1', { hasText: subject }).waitFor();
    // opening the message marks its notice read: the counter moves without a reload
    await expect.poll(unread, { timeout: 10_000 }).toBe(before - 1);
    await page.getByText('Les élèves de 2NDE1 visiteront le planétarium jeudi.').waitFor();
    await audit(page, 'messaging-message');
    await page.getByRole('link', { name: 'Répondre', exact: true }).click();
    await page.locator('main h1', { hasText: 'Répondre' }).waitFor();
    await page.locator('[data-testid="chosen"]').getByText('PROFESSEUR Paul').waitFor();
    expect(await page.getByLabel('Objet').inputValue()).toBe(`RE: ${subject}`);
    await page.locator('[data-testid="audience"]').getByText('Ce message sera reçu par 1 destinataire').waitFor();
    await page.locator('[data-testid="editor"]').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('Merci, Emma participera.');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText('Message envoyé à 1 destinataire.').waitFor();
  });

  test('a student cannot find a student of another class', async () => {
    // the direction's address book names a student of 2NDE2
    const direction = await memberTab('direction.demo');
    tabs.push(direction);
    const other = await direction.page.evaluate(async () => {
      const me = await (await fetch('/api/me')).json();
      const est = me.memberships[0].establishment.id;
      const book = await (await fetch(`/api/messaging/recipients?establishment=${est}&q=a&limit=100`)).json();
      return book.items.find((i: { detail?: string }) => i.detail === 'Élève de 2NDE2')?.label as string;
    });
    expect(other).toBeTruthy();

    const tab = await memberTab('eleve.demo');
    tabs.push(tab);
    const { page } = tab;
    await page.goto('/messaging/new');
    await page.locator('main h1', { hasText: 'Nouveau message' }).waitFor();
    await page.getByLabel('Chercher une personne ou une liste').fill(other);
    await page.locator('[data-testid="recipient-results"]').getByText('Personne ni liste ne correspond.').waitFor();
    await page.getByLabel('Chercher une personne ou une liste').fill('2NDE2');
    await page.locator('[data-testid="recipient-results"]').getByText('Personne ni liste ne correspond.').waitFor();
    // …while their own class is there
    await page.getByLabel('Chercher une personne ou une liste').fill('2NDE1');
    await page.getByRole('button', { name: 'Ajouter enseignants de 2NDE1' }).waitFor();
    await audit(page, 'messaging-compose-student');
  });

  test('the direction sets the rules, can suspend sending, and moderates', async () => {
    const tab = await memberTab('direction.demo');
    tabs.push(tab);
    const { page } = tab;
    const est = await page.evaluate(
      async () => (await (await fetch('/api/me')).json()).memberships[0].establishment.id,
    );
    await page.goto(`/admin/${est}/messaging`);
    await page.locator('main h1', { hasText: 'Messagerie' }).waitFor();
    await page
      .locator('[data-testid="rules-summary"]')
      .getByText("Les enseignants écrivent à tout l'établissement.")
      .waitFor();
    await page.locator('select[data-rule="student:direction"]').selectOption('all');
    await page.getByRole('button', { name: 'Enregistrer les règles' }).click();
    await page.getByText('Règles enregistrées.').waitFor();
    await page
      .locator('[data-testid="rules-summary"]')
      .getByText(/Les élèves écrivent .* et à la direction\./)
      .waitFor();
    await audit(page, 'messaging-admin');
  });
});
