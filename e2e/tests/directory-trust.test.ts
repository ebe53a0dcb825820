import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/**
 * Directory administration that must be safe with real data (issue 9), as the lycée's local admin
 * (direction.demo): duplicates (a merge and its undo, "not the same person" and its undo), the refused
 * rollover, a person's login sheet reprinted. Every page goes through axe.
 */

const tabs: Tab[] = [];

beforeAll(async () => {
  await launch();
});

let failures = 0;
afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  if (failed) failures++;
  for (const [i, t] of tabs.entries()) {
    if (t.page.isClosed()) continue;
    if (failed) await t.page.screenshot({ path: `${ARTIFACTS}/trust-failed-${failures}-tab${i}.png`, fullPage: true });
    await t.context.close();
  }
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  await close();
  expect(problems).toEqual([]);
});

async function admin(): Promise<{ page: Page; est: string }> {
  const tab = await memberTab('direction.demo');
  tabs.push(tab);
  const me = (await (await tab.page.request.get('/api/me')).json()) as {
    memberships: { establishment: { id: string; name: string } }[];
  };
  const m = me.memberships.find((x) => x.establishment.name === 'Lycée Jean Jaurès');
  if (!m) throw new Error('direction.demo is not at the lycée');
  return { page: tab.page, est: m.establishment.id };
}

describe('duplicates', () => {
  test('the likely pairs say why; a merge, then its undo', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/duplicates`);
    await page.locator('main h1', { hasText: 'Doublons' }).waitFor();
    const pairs = page.getByTestId('pair');
    await pairs.first().waitFor();
    // The demo makes two duplicates on purpose, and no look-alikes by accident.
    expect(await pairs.count()).toBe(2);
    const students = page.locator('[data-testid="pair"][data-kind="student"]');
    expect(await students.getByTestId('pair-reasons').textContent()).toContain(
      'Même nom et même date de naissance : 95 %',
    );
    await audit(page, 'trust-duplicates');

    const names = await students.locator('.preau-pair a').allTextContents();
    expect(names).toHaveLength(2);
    await students.getByRole('button', { name: 'Fusionner ces comptes' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Compte à conserver', { exact: true }).waitFor();
    await audit(page, 'trust-duplicates-merge-modal');
    await dialog.getByRole('button', { name: 'Fusionner', exact: true }).click();
    await page.getByText(/Comptes fusionnés dans celui de/).waitFor();
    // The DSFR modal fades out: axe must not read it half transparent.
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => pairs.count()).toBe(1);
    const history = page.locator('section', { hasText: 'Fusions effectuées' });
    const row = history.locator('tbody tr').first();
    await row.getByRole('button', { name: 'Annuler la fusion' }).waitFor();
    await audit(page, 'trust-duplicates-merged');

    await row.getByRole('button', { name: 'Annuler la fusion' }).click();
    await page.getByText(/Fusion annulée : le compte de .* est rétabli\./).waitFor();
    await row.getByText(/Annulée le/).waitFor();
    await expect.poll(() => pairs.count()).toBe(2);
    await audit(page, 'trust-duplicates-undone');
  });

  test('"not the same person" removes a pair for good; its undo brings it back', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/duplicates`);
    const adults = page.locator('[data-testid="pair"][data-kind="adult"]');
    await adults.waitFor();
    expect(await adults.getByTestId('pair-reasons').textContent()).toContain('Même nom et mêmes enfants : 90 %');
    await adults.getByRole('button', { name: /Pas la même personne/ }).click();
    await page.getByText(/ne seront plus proposés comme doublons\./).waitFor();
    await adults.waitFor({ state: 'detached' });
    const dismissal = page.getByTestId('dismissal').first();
    await dismissal.waitFor();
    await audit(page, 'trust-duplicates-dismissed');
    // For good: a reload does not bring it back.
    await page.reload();
    await page.getByTestId('dismissal').first().waitFor();
    expect(await page.locator('[data-testid="pair"][data-kind="adult"]').count()).toBe(0);

    await page
      .getByTestId('dismissal')
      .first()
      .getByRole('button', { name: /Annuler « pas la même personne »/ })
      .click();
    await page.getByText(/sont de nouveau proposés s'ils se ressemblent toujours\./).waitFor();
    await page.locator('[data-testid="pair"][data-kind="adult"]').waitFor();
  });
});

describe('school years', () => {
  test('in November the rollover is refused; typed, it runs; then it is undone and nothing is lost', async () => {
    const { page, est } = await admin();
    const classes = async () =>
      ((await (await page.request.get(`/api/establishments/${est}/classes`)).json()) as { items: unknown[] }).items
        .length;
    const before = await classes();
    expect(before).toBeGreaterThan(0);
    await page.goto(`/admin/${est}/directory/school-years`);
    await page.locator('main h1', { hasText: 'Années scolaires' }).waitFor();
    await page.getByRole('button', { name: 'Voir ce qui va changer' }).click();
    const preview = page.getByTestId('rollover-preview');
    await preview
      .getByText(
        "L'année 2026-2027 n'est pas terminée : le passage à l'année suivante est possible à partir du 1er juillet 2027.",
      )
      .waitFor();
    await audit(page, 'trust-rollover-preview');

    // Confirmed by the box only: the server refuses, in French, and nothing changes.
    await preview.getByText(/Je confirme la clôture de l'année 2026-2027/).click();
    await preview.getByRole('button', { name: "Clore l'année 2026-2027" }).click();
    await preview.getByText(/Pour le faire quand même, confirmez en tapant le nom de l'année\./).waitFor();
    await audit(page, 'trust-rollover-refused');
    expect(await page.locator('tr[data-year="2026-2027"]').textContent()).toContain('En cours');
    expect(await classes()).toBe(before);
    // A wrong label: refused next to the field.
    await preview.getByLabel(/tapez le nom de l'année en cours/).fill('2027-2028');
    await preview.getByRole('button', { name: "Clore l'année 2026-2027" }).click();
    await preview.getByText(/tapez exactement le nom de l'année en cours : 2026-2027/).waitFor();
    expect(await classes()).toBe(before);

    // Typed right: the year closes.
    await preview.getByLabel(/tapez le nom de l'année en cours/).fill('2026-2027');
    await preview.getByRole('button', { name: "Clore l'année 2026-2027" }).click();
    await page.getByText(/L'année 2027-2028 est ouverte\./).waitFor();
    await page.locator('tr[data-year="2027-2028"]').waitFor();
    expect(await classes()).toBe(0);
    const row = page.locator('tr[data-rollover="2026-2027"]').first();
    await row.getByText('en avance').waitFor();
    await audit(page, 'trust-rollover-done');

    // And undone: 2026-2027 is current again, with its classes.
    await row.getByRole('button', { name: 'Annuler ce passage (de 2026-2027 à 2027-2028)' }).click();
    await page.getByText("Le passage est annulé : l'année 2026-2027 est de nouveau en cours.").waitFor();
    await expect.poll(() => page.locator('tr[data-year="2027-2028"]').count()).toBe(0);
    expect(await page.locator('tr[data-year="2026-2027"]').textContent()).toContain('En cours');
    expect(await classes()).toBe(before);
    await row.getByText(/Annulé le/).waitFor();
    await audit(page, 'trust-rollover-undone');
  });
});

describe('data quality', () => {
  test('anomalies only, with plurals; the progress apart, drawn to scale; one sheet reprinted from the list', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/quality`);
    await page.locator('main h1', { hasText: 'Qualité des données' }).waitFor();
    const total = page.getByTestId('anomalies-total');
    await total.waitFor();
    // The demo's day one: a few real anomalies, not 1,697 "not activated yet".
    const text = (await total.textContent()) ?? '';
    const n = Number(/^(\d+)/.exec(text)?.[1]);
    expect(n).toBeLessThan(400);
    expect(text).toBe(n === 1 ? '1 anomalie à corriger' : `${n} anomalies à corriger`);
    expect(await page.locator('[data-check="ACCOUNTS_NEVER_ACTIVATED"]').count()).toBe(0);
    for (const raw of await page.locator('[data-check] .fr-badge').allTextContents()) {
      const badge = raw.replace(/\s+/g, ' ').trim();
      const count = Number(/^(\d+)/.exec(badge)?.[1]);
      expect(badge).toBe(count <= 1 ? `${count} anomalie` : `${count} anomalies`);
    }

    const progress = page.locator('[data-progress]');
    await progress.getByTestId('activated').waitFor();
    expect(await progress.getByTestId('activated').textContent()).toMatch(/^\d+ comptes? activés? sur \d+$/);
    const bars = await progress
      .locator('.preau-barchart')
      .first()
      .locator('li')
      .evaluateAll((lis) =>
        lis.map((li) => ({
          track: (li.querySelector('.preau-barchart__track') as HTMLElement).getBoundingClientRect().width,
          value: (li.querySelector('.preau-barchart__value') as HTMLElement).getBoundingClientRect().width,
          figure: li.querySelector('.preau-barchart__figure')?.textContent ?? '',
        })),
      );
    // Each bar is the share of its own total (a progress bar each), exactly as its figure says.
    for (const b of bars) {
      const [v, t] = (/(\d+) sur (\d+)/.exec(b.figure) ?? []).slice(1).map(Number);
      expect(Math.abs(b.value - (b.track * v!) / t!)).toBeLessThan(1.5);
    }
    await audit(page, 'trust-quality');

    // Reprint one pending person's sheet from the list: their code still works, so a confirmation first.
    const row = progress.locator('tr[data-pending]').first();
    const name = (await row.locator('th a').textContent()) ?? '';
    // French elides "de" before a vowel: "la fiche d'ANDRÉ Océane", "la fiche de MARTIN Paul".
    const ofName = /^[AEIOUYÀÂÉÈÊÎÔÙÛ]/i.test(name) ? `d'${name}` : `de ${name}`;
    await row.getByRole('button', { name: `Réimprimer la fiche ${ofName}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Le code d'activation actuel ${ofName} fonctionne encore`).waitFor();
    await audit(page, 'trust-quality-reprint-confirm');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Remplacer le code et imprimer' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^identifiants-.+\.pdf$/);
    await page.getByText(`La fiche de connexion ${ofName} a été téléchargée.`).waitFor();
  });
});

describe('between establishments', () => {
  test('blocking a teacher of two schools at the lycée leaves the collège untouched; the page says who may change the account', async () => {
    const { page, est } = await admin();
    const teacher = await memberTab('prof.demo');
    tabs.push(teacher);
    const schools = async () =>
      (
        (await (await teacher.page.request.get('/api/me')).json()) as {
          memberships: { establishment: { name: string } }[];
        }
      ).memberships
        .map((m) => m.establishment.name)
        .sort();
    expect(await schools()).toEqual(['Collège Louise Michel', 'Lycée Jean Jaurès']);

    await page.goto(`/admin/${est}/users?q=prof.demo`);
    await page.getByRole('link', { name: 'PROFESSEUR Paul' }).click();
    await page.locator('main h1', { hasText: 'PROFESSEUR Paul' }).waitFor();
    await page.getByText(/aussi inscrite dans un autre établissement\. La bloquer ne la bloque qu'ici/).waitFor();
    // An active account: its sheet is reprinted at once (no code to replace).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Réimprimer la fiche de connexion' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('identifiants-prof.demo.pdf');
    await audit(page, 'trust-shared-person');

    await page.getByRole('button', { name: "Bloquer dans l'établissement" }).click();
    await page.getByRole('button', { name: "Débloquer dans l'établissement" }).waitFor();
    // The teacher's open session loses the lycée and keeps the collège (each instance's cache hears of it).
    await expect.poll(schools).toEqual(['Collège Louise Michel']);
    await teacher.page.goto('/');
    await teacher.page.locator('main h1').first().waitFor();
    expect(await teacher.page.locator('main').textContent()).not.toContain('Lycée Jean Jaurès');

    await page.getByRole('button', { name: "Débloquer dans l'établissement" }).click();
    await page.getByRole('button', { name: "Bloquer dans l'établissement" }).waitFor();
    await expect.poll(schools).toEqual(['Collège Louise Michel', 'Lycée Jean Jaurès']);
  });
});
