import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, login, memberTab, newTab, type Tab } from '../src/browser.ts';

/**
 * The timetable (emploi du temps) of the demo lycée, per persona: the student's week (and on a phone), the
 * guardian's child's week, the teacher's week, the direction's class week where it cancels a course — which the
 * student then sees as « Cours annulé » — and the direction's timetable page (a broken import file is refused).
 */
const tabs: Tab[] = [];
const track = async (t: Tab | Promise<Tab>) => {
  const tab = await t;
  tabs.push(tab);
  return tab;
};
/** A school week of the demo's year, the same whatever the day the tests run. */
const WEEK = '2026-12-07';
let work: string | null = null;

beforeAll(async () => {
  await launch();
});

let failures = 0;
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  failures++;
  for (const [i, t] of tabs.entries())
    if (!t.page.isClosed())
      await t.page.screenshot({ path: `${ARTIFACTS}/timetable-failed-${failures}-tab${i}.png`, fullPage: true });
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  if (work) rmSync(work, { recursive: true, force: true });
  expect(problems).toEqual([]);
});

async function lycee(page: Page): Promise<{ id: string; uai: string }> {
  const me = (await (await page.request.get('/api/me')).json()) as {
    memberships: { establishment: { id: string; uai: string; name: string } }[];
  };
  const m = me.memberships.find((x) => x.establishment.name === 'Lycée Jean Jaurès');
  if (!m) throw new Error('not a member of the lycée');
  return m.establishment;
}

async function weekShown(page: Page) {
  await page.locator('[data-testid="week"]').waitFor();
  await page.locator('[data-testid="course"]').first().waitFor();
}

describe('timetable', () => {
  test('the student opens the timetable from the portal, then goes from week to week', async () => {
    const { page } = await track(memberTab('eleve.demo'));
    await page.locator('[data-service="timetable"] a').click();
    await page.locator('main h1', { hasText: 'Emploi du temps' }).waitFor();
    await page.goto(`/timetable?date=${WEEK}`);
    await weekShown(page);
    expect(await page.getByTestId('week-label').textContent()).toContain(
      'Semaine du lundi 7 décembre au vendredi 11 décembre',
    );
    const monday = page.locator('section[data-day="2026-12-07"]');
    expect(await monday.getByRole('heading', { level: 2 }).textContent()).toBe('Lundi 7 décembre');
    expect(await monday.locator('[data-testid="course"]').count()).toBeGreaterThan(3);
    await audit(page, 'timetable-student');
    await page.getByRole('button', { name: 'Semaine suivante' }).click();
    await page.locator('section[data-day="2026-12-14"]').waitFor();
    // Christmas holidays (zone C): the week after is said, without courses.
    // The week of the 14th already announces the holidays (they start on Saturday 19th): wait for the next week.
    await page.getByRole('button', { name: 'Semaine suivante' }).click();
    await page.locator('section[data-day="2026-12-21"]').waitFor();
    await page.getByText('Vacances de Noël : du').first().waitFor();
    expect(await page.locator('[data-testid="course"]').count()).toBe(0);
  });

  test('on a phone the days are one under the other, readable', async () => {
    const tab = await track(newTab({ width: 390, height: 844 }));
    await login(tab.page, 'eleve.demo');
    await tab.page
      .locator('main h1')
      .filter({ hasText: /Bonjour/ })
      .waitFor();
    await tab.page.goto(`/timetable?date=${WEEK}`);
    await weekShown(tab.page);
    // One day at a time, chosen with the day buttons; the day shown is wide enough to read.
    const tabs = tab.page.getByTestId('day-tabs');
    await tabs.getByRole('button', { name: 'Mardi 8 décembre' }).click();
    await tab.page.locator('section[data-day="2026-12-08"]').waitFor();
    expect(await tab.page.locator('section[data-day]').count()).toBe(1);
    const box = await tab.page.locator('section[data-day="2026-12-08"]').boundingBox();
    expect(box!.width).toBeGreaterThan(340);
    await audit(tab.page, 'timetable-phone');
  });

  test("the guardian sees their child's week; the teacher their own", async () => {
    const parent = await track(memberTab('parent.demo'));
    await parent.page.goto(`/timetable?date=${WEEK}`);
    await weekShown(parent.page);
    await audit(parent.page, 'timetable-guardian');
    const prof = await track(memberTab('prof.demo'));
    await prof.page.goto(`/timetable?date=${WEEK}`);
    await weekShown(prof.page);
    expect(
      await prof.page.locator('[data-testid="course"]').filter({ hasText: 'Mathématiques' }).count(),
    ).toBeGreaterThan(0);
    await audit(prof.page, 'timetable-teacher');
  });

  test('the direction cancels a course of 2NDE1; the student sees « Cours annulé »', async () => {
    const { page } = await track(memberTab('direction.demo'));
    const est = await lycee(page);
    const classes = (await (await page.request.get(`/api/timetable/options?establishment=${est.id}`)).json()) as {
      classes: { id: string; name: string }[];
    };
    const c = classes.classes.find((x) => x.name === '2NDE1')!;
    await page.goto(`/timetable?class=${c.id}&date=${WEEK}`);
    await weekShown(page);
    await audit(page, 'timetable-class');
    const course = page.locator('section[data-day="2026-12-08"] [data-testid="course"]').first();
    const subject = (await course.locator('h3').textContent())!;
    await course.getByRole('button', { name: 'Modifier cette séance' }).click();
    await course.getByLabel('Motif (facultatif)').fill('Professeur absent');
    await course.getByRole('button', { name: 'Annuler la séance' }).click();
    await page.locator('section[data-day="2026-12-08"]').getByText('Cours annulé').first().waitFor();

    const student = await track(memberTab('eleve.demo'));
    await student.page.goto(`/timetable?date=${WEEK}`);
    await weekShown(student.page);
    const cancelled = student.page.locator('section[data-day="2026-12-08"] [data-testid="course"]', {
      hasText: 'Cours annulé',
    });
    await cancelled.first().waitFor();
    expect(await cancelled.first().locator('h3').textContent()).toBe(subject);
    expect(await cancelled.first().textContent()).toContain('Professeur absent');
    // Put it back, for the other tests of this run.
    await course.getByRole('button', { name: 'Rétablir' }).click();
    await page.locator('section[data-day="2026-12-08"]').getByText('Cours annulé').waitFor({ state: 'detached' });
  });

  test("the direction's timetable page: holidays, weeks A/B; a broken file is refused in French", async () => {
    const { page } = await track(memberTab('direction.demo'));
    const est = await lycee(page);
    await page.goto(`/admin/${est.id}/timetable`);
    await page.locator('main h1', { hasText: 'Emploi du temps' }).waitFor();
    await page.getByText('Vacances de la Toussaint').waitFor();
    await audit(page, 'timetable-admin');
    work = mkdtempSync(join(tmpdir(), 'preau-sts-'));
    const fixtures = resolve(import.meta.dirname, '../../server/test/fixtures/sts');
    const files = ['sts_emp.xml', 'emp_sts_broken.xml'].map((f) => {
      const out = join(work!, f);
      writeFileSync(out, readFileSync(join(fixtures, f)));
      return out;
    });
    await page.locator('input[name="files"], input[type="file"]').first().setInputFiles(files);
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    const alert = page.getByRole('alert').first();
    await alert.getByText('Le fichier « emp_sts_broken.xml » ne peut pas être lu').waitFor();
    expect(await alert.textContent()).toContain('Rien n’a été importé');
  });
});
