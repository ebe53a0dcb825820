import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/**
 * The logbook's main journey on the demo lycée: prof.demo fills a lesson of 2NDE1 and the homework for the next
 * day, eleve.demo ticks it « fait », parent.demo sees it (read-only), direction.demo reads the class's logbook
 * and signs it. The home widgets of each. Every page goes through axe.
 */
const tabs: Tab[] = [];
const track = async (t: Tab | Promise<Tab>) => {
  const tab = await t;
  tabs.push(tab);
  return tab;
};

beforeAll(async () => {
  await launch();
});

let failures = 0;
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  failures++;
  for (const [i, t] of tabs.entries())
    if (!t.page.isClosed())
      await t.page.screenshot({ path: `${ARTIFACTS}/logbook-failed-${failures}-tab${i}.png`, fullPage: true });
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  expect(problems).toEqual([]);
});

const paris = (d = new Date()) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(d);
const plus = (date: string, n: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
/** A day as the app writes it: "mardi 1er décembre" (the first of a month is an ordinal in French). */
const frDay = (date: string) =>
  new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' })
    .formatToParts(new Date(`${date}T12:00:00Z`))
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('');
/**
 * The homework this file writes: a text of its own (the demo's homework says "Exercices 12 à 15 page 87." in
 * every subject, and all browser test files share one server).
 */
const HOMEWORK = 'Droites : exercices 31 à 34 page 112.';

async function lycee(page: Page) {
  const me = (await (await page.request.get('/api/me')).json()) as {
    memberships: { establishment: { id: string; name: string } }[];
  };
  return me.memberships.find((m) => m.establishment.name === 'Lycée Jean Jaurès')!.establishment.id;
}

/** Work in the lycée (parent.demo also belongs to the collège). */
async function atLycee(page: Page) {
  const id = await lycee(page);
  await page.evaluate((v) => localStorage.setItem('preau.establishment', v), id);
  return id;
}

let lesson: { courseId: string; date: string; due: string; title: string } | null = null;

describe('logbook', () => {
  test("prof.demo fills a lesson of 2NDE1 and the next day's homework from « mes séances »", async () => {
    const { page } = await track(memberTab('prof.demo'));
    const est = await atLycee(page);
    await page.goto('/');
    await page.locator('[data-widget="logbook"]').waitFor();
    await audit(page, 'logbook-teacher-home');
    // The first 2NDE1 course from today on whose lesson is not written yet.
    const today = paris();
    const entries = (await (
      await page.request.get(`/api/logbook/entries?establishment=${est}&from=${today}&to=${plus(today, 27)}`)
    ).json()) as {
      items: { courseId: string; date: string; lesson: unknown; can: { write: boolean }; class?: { name: string } }[];
    };
    const free = entries.items.find((e) => e.can.write && !e.lesson && e.class?.name === '2NDE1')!;
    expect(free).toBeTruthy();
    let due = plus(free.date, 1);
    while ([0, 6].includes(new Date(`${due}T12:00:00Z`).getUTCDay())) due = plus(due, 1);
    lesson = { courseId: free.courseId, date: free.date, due, title: 'Équations de droites' };

    await page.goto(`/logbook?view=mine&date=${free.date}`);
    await page.locator('main h1', { hasText: 'Cahier de textes' }).waitFor();
    await page.getByTestId('entry').first().waitFor();
    await audit(page, 'logbook-teacher-week');
    await page.getByRole('link', { name: new RegExp(`Remplir la séance — Mathématiques, ${free.date}`) }).click();
    await page.getByTestId('lesson-form').waitFor();
    await page.getByLabel('Titre de la séance').fill(lesson.title);
    await page.getByTestId('lesson-content').click();
    await page.keyboard.type('Coefficient directeur et ordonnée à l’origine. Exercices 1 à 4 faits en classe.');
    await page.getByRole('button', { name: 'Ajouter un travail' }).click();
    const hw = page.getByTestId('homework-editor').first();
    await hw.getByLabel('Pour le').fill(due);
    await hw.getByLabel('Consigne').fill(HOMEWORK);
    await hw.getByLabel('Durée estimée (minutes)').fill('30');
    await audit(page, 'logbook-lesson-editor');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/logbook\?view=mine/);
    await page.getByText(lesson.title).waitFor();
  });

  test('eleve.demo finds it for the day it is due, and ticks it « fait »', async () => {
    const { page } = await track(memberTab('eleve.demo'));
    await page.goto(`/logbook?view=todo&date=${paris()}`);
    await page.locator('main h1', { hasText: 'Cahier de textes' }).waitFor();
    const item = page.getByTestId('homework').filter({ hasText: HOMEWORK });
    await item.waitFor();
    expect(
      await page.getByRole('heading', { name: `Pour le ${frDay(lesson!.due)}`, exact: false }).count(),
    ).toBeGreaterThan(0);
    await audit(page, 'logbook-student-todo');
    // A DSFR checkbox: its label draws the box and takes the click, as for a person.
    const saved = page.waitForResponse((r) => r.url().includes('/done') && r.request().method() === 'PUT');
    await item.locator('label', { hasText: /^Fait$/ }).click();
    expect((await saved).status()).toBe(200);
    await page.reload();
    await page.getByTestId('homework').filter({ hasText: HOMEWORK }).waitFor();
    expect(await page.getByTestId('homework').filter({ hasText: HOMEWORK }).getByLabel('Fait').isChecked()).toBe(true);
    // The lesson history by subject.
    await page.goto(`/logbook?view=lessons&date=${lesson!.date}`);
    await page.getByText(lesson!.title).waitFor();
    await audit(page, 'logbook-student-lessons');
  });

  test('parent.demo sees their child’s homework and that it is done, without ticking it', async () => {
    const { page } = await track(memberTab('parent.demo'));
    await atLycee(page);
    await page.goto(`/logbook?view=todo&date=${paris()}`);
    const item = page.getByTestId('homework').filter({ hasText: HOMEWORK });
    await item.waitFor();
    expect(await item.textContent()).toContain('Fait');
    expect(await item.getByRole('checkbox').count()).toBe(0);
    await audit(page, 'logbook-guardian');
    await page.goto('/');
    await page.locator('[data-widget="logbook"]').waitFor();
    await audit(page, 'logbook-guardian-home');
  });

  test("direction.demo reads 2NDE1's logbook and signs it", async () => {
    const { page } = await track(memberTab('direction.demo'));
    const est = await lycee(page);
    const options = (await (await page.request.get(`/api/timetable/options?establishment=${est}`)).json()) as {
      classes: { id: string; name: string }[];
    };
    const c = options.classes.find((x) => x.name === '2NDE1')!;
    await page.goto(`/logbook?view=class&target=class:${c.id}&date=${lesson!.date}`);
    await page.getByText(lesson!.title).waitFor();
    await audit(page, 'logbook-direction-class');
    const form = page.getByTestId('visa-form');
    await form.getByLabel('Viser les séances jusqu’au'.replace('’', "'")).fill(lesson!.date);
    await form.getByLabel('Commentaire (facultatif)').fill('Cahier bien tenu.');
    await form.getByRole('button', { name: 'Viser' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: /séances? visées?/ })
      .waitFor();
    const entry = page.getByTestId('entry').filter({ hasText: lesson!.title });
    await entry.getByText('Visé').waitFor();
    await page.goto('/logbook?view=fill');
    await page.getByText('des cours ont leur séance écrite').waitFor();
    await audit(page, 'logbook-direction-fill');
  });
});
