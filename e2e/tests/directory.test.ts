import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/**
 * Directory administration as a local admin (direction.demo, Lycée Jean Jaurès): import an AAF set with the
 * progress bar and the report, print login sheets, fix a data-quality anomaly. Every page goes through axe.
 */

const FIXTURES = resolve(import.meta.dirname, '../../server/test/fixtures/aaf/full');
const tabs: Tab[] = [];
let work: string | null = null;

beforeAll(async () => {
  await launch();
});

let failures = 0;
afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  if (failed) failures++;
  for (const [i, t] of tabs.entries()) {
    if (t.page.isClosed()) continue;
    if (failed)
      await t.page.screenshot({ path: `${ARTIFACTS}/directory-failed-${failures}-tab${i}.png`, fullPage: true });
    await t.context.close();
  }
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  await close();
  if (work) rmSync(work, { recursive: true, force: true });
  expect(problems).toEqual([]);
});

async function admin(): Promise<{ page: Page; est: string; uai: string; csrf: string }> {
  const tab = await memberTab('direction.demo');
  tabs.push(tab);
  const me = (await (await tab.page.request.get('/api/me')).json()) as {
    csrfToken: string;
    memberships: { establishment: { id: string; uai: string } }[];
  };
  const m = me.memberships[0];
  if (!m) throw new Error('direction.demo has no membership');
  return { page: tab.page, est: m.establishment.id, uai: m.establishment.uai, csrf: me.csrfToken };
}

/** The AAF fixture set, its structure given the lycée's UAI and name (a local admin imports their own school). */
function fixturesFor(uai: string): string[] {
  work = mkdtempSync(join(tmpdir(), 'preau-aaf-'));
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => {
      const text = readFileSync(join(FIXTURES, f), 'utf8')
        .replaceAll('0930122C', uai)
        .replace('LYCEE PAUL ÉLUARD', 'Lycée Jean Jaurès');
      const out = join(work as string, f);
      writeFileSync(out, text);
      return out;
    });
}

describe('directory', () => {
  test('a local admin imports an AAF set (simulation): progress to 100 %, then the report', async () => {
    const { page, est, uai } = await admin();
    await page.getByRole('link', { name: 'Administration' }).first().click();
    await page.getByRole('button', { name: 'Annuaire' }).first().click();
    await page.getByRole('link', { name: "Import de l'annuaire" }).click();
    await page.locator('main h1', { hasText: "Import de l'annuaire" }).waitFor();
    expect(page.url()).toContain(`/admin/${est}/directory/import`);
    await audit(page, 'directory-import');

    await page.locator('input[name="files"]').setInputFiles(fixturesFor(uai));
    await page.getByText('7 fichiers sélectionnés').waitFor();
    expect(await page.getByLabel('Simulation').isChecked()).toBe(true);
    await page.getByRole('button', { name: "Lancer l'import" }).click();

    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 30_000 }).toBe('100');
    await page.getByText('Simulation terminée').waitFor();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    expect(await report.locator('tr[data-entity="students"] td').first().textContent()).toBe('6');
    expect(await report.textContent()).toContain('Date mal formée');
    await page.getByRole('button', { name: /Date mal formée \(1\)/ }).click();
    await report.getByText('ENT2D_Complet_20260901_Eleve_0001.xml').first().waitFor();
    // The detail is worded in French from the anomaly's params, not the server's English message.
    const detail = report.getByTestId('anomaly-detail').filter({ hasText: '31/02/2010' }).first();
    await detail.waitFor();
    expect(await detail.textContent()).toBe(
      "ENTPersonDateNaissance « 31/02/2010 » n'est pas une date valide au format jj/mm/aaaa",
    );
    expect(await detail.getAttribute('lang')).toBeNull();
    // The history lists the job.
    await page.locator('main', { hasText: 'Imports précédents' }).locator('tbody tr').first().waitFor();
    await audit(page, 'directory-import-report');
  });

  test('a CSV from school software: the mapping step speaks French, with samples; a column mapped by hand', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/import`);
    await page.locator('main h1', { hasText: "Import de l'annuaire" }).waitFor();
    work ??= mkdtempSync(join(tmpdir(), 'preau-csv-'));
    const csv = join(work, 'eleves-export.csv');
    writeFileSync(
      csv,
      [
        'Nom;Prénom;Date de naissance;Sexe;Classe;Mail resp;Club',
        'TESTEUR;Zoé;14/03/2010;F;2NDE1;zoe.parent@example.org;Échecs',
        'ESSAI;Noah;02/07/2010;M;2NDE1;noah.parent@example.org;Théâtre',
      ].join('\n'),
    );
    await page.locator('input[name="files"]').setInputFiles(csv);
    await page.getByRole('button', { name: "Lancer l'import" }).click();
    const step = page.getByTestId('mapping-file');
    await step.waitFor();
    await page.locator('main h2', { hasText: 'Correspondance des colonnes' }).waitFor();
    // Each column: its samples, and a choice among words, never the file format's keys.
    const row = (header: string) => step.locator(`tr[data-column="${header}"]`);
    expect(await row('Date de naissance').locator('td').first().textContent()).toContain('14/03/2010');
    const birth = row('Date de naissance').getByRole('combobox');
    expect(await birth.locator('option:checked').textContent()).toBe('Date de naissance');
    // « Sexe » is not read as a civilité.
    expect(await row('Sexe').getByRole('combobox').locator('option:checked').textContent()).not.toContain('Civilité');
    const options = await birth.locator('option').allTextContents();
    expect(options).toContain('Responsable 1 — Courriel');
    expect(options.some((o) => /^(r1|r2)\.|^[a-z]+[A-Z]/.test(o))).toBe(false);
    // The unknown column « Mail resp » gets its field by hand.
    await row('Mail resp').getByRole('combobox').selectOption({ label: 'Responsable 1 — Courriel' });
    await audit(page, 'directory-import-mapping');
    await page.getByRole('button', { name: "Lancer l'import avec cette correspondance" }).click();
    await expect
      .poll(() => page.getByRole('progressbar').getAttribute('aria-valuenow'), { timeout: 60_000 })
      .toBe('100');
    await page.getByTestId('import-report').waitFor();
  });

  test('login sheets of a class: the preview counts, a confirmation names the sheets it invalidates, a PDF', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/login-sheets`);
    await page.locator('main h1', { hasText: 'Fiches de connexion' }).waitFor();
    await page.getByLabel('Classe').locator('option').nth(1).waitFor({ state: 'attached' });
    await page.getByLabel('Classe').selectOption('2NDE1');
    await page.getByText('Une demi-page par personne').click();
    // The demo's pending students of 2NDE1 hold codes that still work: printing replaces them.
    const preview = page.getByTestId('sheets-preview');
    await expect.poll(() => preview.textContent()).toMatch(/fiches déjà imprimées ne fonctionneront plus/);
    const replaced = Number(/(\d+) fiches déjà imprimées/.exec((await preview.textContent()) ?? '')?.[1]);
    expect(replaced).toBeGreaterThan(1);
    await audit(page, 'directory-login-sheets');

    await page.getByTestId('login-sheets-print').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`les ${replaced} fiches déjà imprimées pour elles ne fonctionneront plus`).waitFor();
    await audit(page, 'directory-login-sheets-confirm');
    // Cancelling changes nothing: the preview still counts the same codes.
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await preview.textContent()).toContain(`${replaced} fiches déjà imprimées`);

    await page.getByTestId('login-sheets-print').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Remplacer les codes et imprimer' }).click(),
    ]);
    const pdf = readFileSync(await download.path());
    expect(pdf.length).toBeGreaterThan(1000);
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(download.suggestedFilename()).toBe('identifiants-2NDE1-eleves.pdf');
    await page.getByText('Les fiches ont été téléchargées.').waitFor();
    // Printed again at once, the new codes still work: the confirmation will count them again.
    await expect.poll(() => preview.textContent()).toContain(`${replaced} fiches déjà imprimées`);
  });

  test('data quality: a class without head teacher gets one, the count goes down', async () => {
    const { page, est, csrf } = await admin();
    // Make the anomaly: class 2NDE2 loses its head teachers (through the API, as the admin).
    const classes = (await (await page.request.get(`/api/establishments/${est}/classes`)).json()) as {
      items: { id: string; code: string; headTeachers: { id: string }[] }[];
    };
    const target = classes.items.find((c) => c.code === '2NDE2') ?? classes.items[0];
    if (!target) throw new Error('no class');
    for (const h of target.headTeachers) {
      const res = await page.request.delete(`/api/establishments/${est}/people/${h.id}/head-teacher/${target.id}`, {
        headers: { 'X-CSRF-Token': csrf },
      });
      expect(res.status()).toBeLessThan(300);
    }

    await page.goto(`/admin/${est}/directory/quality`);
    await page.locator('main h1', { hasText: 'Qualité des données' }).waitFor();
    const check = page.locator('[data-check="CLASS_WITHOUT_HEAD_TEACHER"]');
    await check.waitFor();
    const before = Number(await check.getByTestId('check-count').textContent());
    expect(before).toBeGreaterThan(0);
    await page.locator('[data-check="GUARDIAN_WITHOUT_CONTACT"]').waitFor();
    await audit(page, 'directory-quality');

    // The fix link opens the class's teachers (users list honouring ?class=…&profile=…).
    await check
      .locator(`tr[data-item="${target.code}"]`)
      .getByRole('link', { name: /Désigner un professeur principal/ })
      .click();
    await page.locator('main h1', { hasText: 'Utilisateurs' }).waitFor();
    expect(page.url()).toContain(`class=${target.code}`);
    expect(await page.getByLabel('Classe', { exact: true }).inputValue()).toBe(target.code);
    await page.locator('main tbody tr th a').first().click();
    await page.getByRole('heading', { name: 'Professeur principal' }).waitFor();
    await audit(page, 'directory-teacher-detail');
    await page.getByLabel('Classe', { exact: true }).selectOption(target.id);
    await page.getByRole('button', { name: 'Désigner comme professeur principal' }).click();
    await page.getByText(`Professeur principal de ${target.code}.`).waitFor();

    await page.goto(`/admin/${est}/directory/quality`);
    await check.waitFor();
    await expect
      .poll(async () => Number(await check.getByTestId('check-count').textContent()), { timeout: 20_000 })
      .toBe(before - 1);
  });

  test('people: edit a guardian’s contact, add a person (login and code shown once)', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/quality`);
    const check = page.locator('[data-check="GUARDIAN_WITHOUT_CONTACT"]');
    await check.waitFor();
    const before = Number(await check.getByTestId('check-count').textContent());
    await check
      .getByRole('link', { name: /Ajouter des coordonnées/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Modifier', exact: true }).click();
    await page.getByLabel('Téléphone portable').fill('06 12 34 56 78');
    await audit(page, 'directory-person-edit');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: 'Modifier la fiche' }).waitFor({ state: 'detached' });
    await page.goto(`/admin/${est}/directory/quality`);
    await expect
      .poll(async () => Number(await check.getByTestId('check-count').textContent()), { timeout: 20_000 })
      .toBe(before - 1);

    await page.goto(`/admin/${est}/users`);
    await page.getByRole('link', { name: 'Ajouter une personne' }).click();
    await page.locator('main h1', { hasText: 'Ajouter une personne' }).waitFor();
    await page.getByLabel('Nom', { exact: true }).fill('Nouvelle');
    await page.getByLabel('Prénom', { exact: true }).fill('Inès');
    await page.getByLabel('Date de naissance').fill('2010-05-04');
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await expect.poll(() => page.getByTestId('activation-code').textContent()).toMatch(/\S{4,}/);
    expect(await page.getByTestId('new-login').textContent()).toMatch(/\S+/);
    await audit(page, 'directory-person-new');
  });

  test('duplicates and school years pages', async () => {
    const { page, est } = await admin();
    await page.goto(`/admin/${est}/directory/duplicates`);
    await page.locator('main h1', { hasText: 'Doublons' }).waitFor();
    await page.locator('main', { hasText: 'Fusions effectuées' }).waitFor();
    await page.locator('main .preau-empty, main [data-testid="pair"]').first().waitFor();
    await audit(page, 'directory-duplicates');
    const pair = page.getByTestId('pair').first();
    if ((await pair.count()) > 0) {
      await pair.getByRole('button', { name: 'Fusionner ces comptes' }).click();
      await page.getByRole('dialog').getByText('Compte à conserver', { exact: true }).waitFor();
      await audit(page, 'directory-duplicates-modal');
      await page.getByRole('dialog').getByRole('button', { name: 'Annuler' }).click();
    }

    await page.goto(`/admin/${est}/directory/school-years`);
    await page.locator('main h1', { hasText: 'Années scolaires' }).waitFor();
    await page.locator('tr[data-year="2026-2027"]').waitFor();
    await page.getByRole('button', { name: 'Voir ce qui va changer' }).click();
    await page.getByTestId('rollover-preview').waitFor();
    await audit(page, 'directory-school-years');
  });
});
