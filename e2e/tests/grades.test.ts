import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, login, memberTab, newTab, type Tab } from '../src/browser.ts';

/**
 * Grades (module grades) in the demo lycée: a teacher enters a test for 2NDE1 on a phone-sized screen; the parent
 * does not see it during the publication delay, then sees it (and is told) once the teacher shows it; the grade
 * book; the student's overview and home widget; the direction's settings and reports, published and downloaded
 * by the parent. axe on every page.
 */
const tabs: Tab[] = [];
const track = async (t: Tab | Promise<Tab>) => {
  const tab = await t;
  tabs.push(tab);
  return tab;
};
const TITLE = `Contrôle e2e ${Date.now().toString(36)}`;

beforeAll(async () => {
  await launch();
});

let failures = 0;
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  failures++;
  for (const [i, t] of tabs.entries())
    if (!t.page.isClosed())
      await t.page.screenshot({ path: `${ARTIFACTS}/grades-failed-${failures}-tab${i}.png`, fullPage: true });
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  expect(problems).toEqual([]);
});

/** Works in the lycée (a person of two establishments starts in the first). */
async function atLycee(page: Page): Promise<string> {
  const me = (await (await page.request.get('/api/me')).json()) as {
    memberships: { establishment: { id: string; name: string } }[];
  };
  const m = me.memberships.find((x) => x.establishment.name === 'Lycée Jean Jaurès');
  if (!m) throw new Error('not a member of the lycée');
  await page.evaluate((id) => localStorage.setItem('preau.establishment', id), m.establishment.id);
  return m.establishment.id;
}

let establishment = '';

describe('grades', () => {
  test('a teacher enters a test for 2NDE1 on a phone; it waits for its delay', async () => {
    const tab = await track(newTab({ width: 390, height: 844 }));
    const { page } = tab;
    await login(page, 'prof.demo');
    await page
      .locator('main h1')
      .filter({ hasText: /Bonjour/ })
      .waitFor();
    establishment = await atLycee(page);
    await page.goto('/grades');
    await page.locator('main h1', { hasText: 'Notes et évaluations' }).waitFor();
    await page.getByTestId('grades-teaching').waitFor();
    await audit(page, 'grades-teacher-home');
    const card = page.locator('.preau-grades-target', { hasText: 'Classe 2NDE1' });
    await card.getByRole('link', { name: 'Nouvelle évaluation' }).click();
    await page.locator('main h1', { hasText: 'Nouvelle évaluation — Classe 2NDE1' }).waitFor();
    await page.getByTestId('entry-row').first().waitFor();
    await page.getByLabel('Intitulé').fill(TITLE);
    await page.getByLabel('Coefficient').fill('2');
    const rows = page.getByTestId('entry-row');
    const n = await rows.count();
    expect(n).toBeGreaterThan(20);
    // A grade above the scale is said at once, in French, next to the student.
    const first = rows.nth(0).locator('input');
    await first.fill('21');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await rows.nth(0).getByText('La note dépasse le barème (20).').waitFor();
    await audit(page, 'grades-entry-phone');
    await page.screenshot({ path: `${ARTIFACTS}/grades-entry-phone-screen.png` });
    // The class in a few taps: a grade per line (the keyboard's "next" is Tab), one absent.
    for (let i = 0; i < n; i++) {
      if (i === 3) {
        await rows.nth(i).getByRole('combobox').selectOption('absent');
        continue;
      }
      await rows
        .nth(i)
        .locator('input')
        .fill(String(8 + ((i * 7) % 12) + (i % 2 ? 0.5 : 0)).replace('.', ','));
    }
    await expect.poll(() => page.getByText(`${n} sur ${n} saisies`).count()).toBe(1);
    await rows.nth(12).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/grades-entry-phone-list.png` });
    // The entry list fits the phone's width: the grade fields are on screen, nothing scrolls sideways.
    const box = await rows.nth(1).locator('input').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Évaluation enregistrée.').waitFor();
    await page.getByText('En attente de publication').first().waitFor();
    expect(await page.getByTestId('visibility').textContent()).toContain(
      'Visible par les élèves et les familles à partir du',
    );
    await audit(page, 'grades-assessment-phone');
  });

  test('the parent does not see it during the delay; once shown, they are told and see it', async () => {
    const parent = await track(memberTab('parent.demo'));
    await atLycee(parent.page);
    await parent.page.goto('/grades');
    await parent.page.getByTestId('grades-overview').waitFor();
    await parent.page.getByTestId('grade-item').first().waitFor();
    expect(await parent.page.getByText(TITLE).count()).toBe(0);
    expect(await parent.page.getByRole('heading', { name: 'Notes de ÉLÈVE Emma' }).count()).toBe(1);
    await audit(parent.page, 'grades-parent');

    // The teacher hands the papers back and shows the grades now.
    const prof = tabs[0]!.page;
    await prof.getByRole('button', { name: 'Rendre visible maintenant (copies rendues)' }).click();
    await prof.getByText('Visible par les élèves et les familles', { exact: true }).waitFor();

    await parent.page.reload();
    const item = parent.page.getByTestId('grade-item').filter({ hasText: TITLE });
    await item.waitFor();
    expect(await item.getByTestId('grade-value').textContent()).toMatch(/^\d+(,5)? \/ 20$/);
    // The notice on the home page's timeline.
    await parent.page.goto('/');
    await parent.page.getByText(`« ${TITLE} » (2NDE1)`).first().waitFor();
    await audit(parent.page, 'grades-parent-home');
  });

  test("the teacher's grade book of 2NDE1", async () => {
    const prof = tabs[0]!.page;
    await prof.getByRole('link', { name: 'Retour au carnet de notes' }).click();
    await prof.locator('main h1', { hasText: 'Carnet de notes — Classe 2NDE1' }).waitFor();
    await prof.getByRole('link', { name: TITLE }).waitFor();
    expect(await prof.getByTestId('book-stats').textContent()).toMatch(/^Moyenne de la classe : \d/);
    await audit(prof, 'grades-book-phone');
  });

  test("the student's overview and home widget", async () => {
    const student = await track(memberTab('eleve.demo'));
    await student.page.getByTestId('grades-widget').waitFor();
    expect(await student.page.getByTestId('grades-widget').textContent()).toContain(TITLE);
    await student.page.goto('/grades');
    await student.page.getByTestId('overall').waitFor();
    expect(await student.page.locator('tr[data-subject="061300"]').count()).toBe(1);
    await audit(student.page, 'grades-student');
  });

  test('the direction sets the delay, writes its comment and publishes 2NDE1; the parent downloads the report', async () => {
    const { page } = await track(memberTab('direction.demo'));
    await page.goto(`/admin/${establishment}/grades`);
    await page.getByTestId('grades-settings').waitFor();
    await page.getByLabel('Délai de publication (en heures)').fill('24');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Réglages enregistrés.').waitFor();
    await audit(page, 'grades-admin');

    const options = (await (await page.request.get(`/api/grades/options?establishment=${establishment}`)).json()) as {
      reportClasses: { id: string; name: string }[];
    };
    const c = options.reportClasses.find((x) => x.name === '2NDE1')!;
    await page.goto(`/grades/reports?class=${c.id}&period=T1`);
    await page.getByTestId('report-student').first().waitFor();
    const emma = page.getByTestId('report-student').filter({ hasText: 'ÉLÈVE Emma' });
    const comment = emma.getByLabel('Appréciation de la direction');
    await comment.fill('Trimestre sérieux, continuez ainsi.');
    await comment.blur();
    await emma.getByText('Appréciation enregistrée.').waitFor();
    await audit(page, 'grades-reports');
    if ((await page.getByRole('button', { name: 'Publier les bulletins' }).count()) > 0) {
      await page.getByRole('button', { name: 'Publier les bulletins' }).click();
    } else {
      await page.getByRole('button', { name: 'Publier à nouveau' }).click();
    }
    await page.getByText(/^Publiés le /).waitFor();
    // The direction opens Emma's overview from the report.
    await page
      .getByTestId('report-student')
      .filter({ hasText: 'ÉLÈVE Emma' })
      .getByRole('link', { name: 'ÉLÈVE Emma', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Notes de ÉLÈVE Emma' }).waitFor();
    await page.getByTestId('overall').waitFor();
    await audit(page, 'grades-direction-student');

    const parent = await track(memberTab('parent.demo'));
    await atLycee(parent.page);
    await parent.page.goto('/grades');
    const link = parent.page.getByRole('link', { name: 'Télécharger le bulletin du 1er trimestre (PDF)' });
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    const pdf = await parent.page.request.get(href);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  test("the CPE reads 2NDE1's report and a student's overview", async () => {
    const { page } = await track(memberTab('cpe.demo'));
    await atLycee(page);
    await page.goto('/grades');
    await page.getByRole('link', { name: '2NDE1', exact: true }).click();
    await page.getByTestId('report-student').first().waitFor();
    // Reading only: no comment to write, no publication.
    expect(await page.locator('textarea').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Publier/ }).count()).toBe(0);
    await audit(page, 'grades-cpe-report');
    await page.getByRole('link', { name: 'ÉLÈVE Emma', exact: true }).click();
    await page.getByTestId('overall').waitFor();
    await audit(page, 'grades-cpe-student');
  });
});
