import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  ARTIFACTS,
  acceptCharterIfAsked,
  audit,
  close,
  launch,
  login,
  memberTab,
  newTab,
  type Tab,
} from '../src/browser.ts';

/**
 * School life (module school_life) at the demo lycée: prof.demo takes the roll call of 2NDE1 on a phone (Emma
 * absent, another student late); parent.demo is told, finds the absence and justifies it; cpe.demo accepts it from
 * the justifications to review, and sees the day's board and the absenteeism list; the parent then sees it
 * justified. Axe on each page, screenshots in e2e/artifacts.
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
      await t.page.screenshot({ path: `${ARTIFACTS}/school-life-failed-${failures}-tab${i}.png`, fullPage: true });
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  expect(problems).toEqual([]);
});

async function lycee(page: Page): Promise<string> {
  const me = (await (await page.request.get('/api/me')).json()) as {
    memberships: { establishment: { id: string; name: string } }[];
  };
  const m = me.memberships.find((x) => x.establishment.name === 'Lycée Jean Jaurès');
  if (!m) throw new Error('not a member of the lycée');
  // The establishment shown: the lycée (prof.demo and parent.demo belong to the collège too).
  await page.evaluate((id) => localStorage.setItem('preau.establishment', id), m.establishment.id);
  return m.establishment.id;
}

const parisToday = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
/** A day as the app writes it: "mardi 1er décembre" (the first of a month is an ordinal in French). */
const frDay = (date: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', weekday: 'long', day: 'numeric', month: 'long' })
    .formatToParts(new Date(`${date}T12:00:00Z`))
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('');
const addDays = (date: string, n: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/** The next day (today included) when prof.demo teaches 2NDE1, and that course. */
async function nextCourse(page: Page, establishment: string) {
  let day = parisToday();
  for (let i = 0; i < 40; i++, day = addDays(day, 1)) {
    const res = await page.request.get(`/api/school-life/my-courses?establishment=${establishment}&date=${day}`);
    const body = (await res.json()) as {
      items: { courseId: string; audience: string; cancelled: boolean; start: string }[];
    };
    const c = body.items.find((x) => x.audience === '2NDE1' && !x.cancelled);
    if (c) return { day, course: c };
  }
  throw new Error('no course of 2NDE1 for prof.demo in the next weeks');
}

let day = '';

describe('school life', () => {
  test('a teacher takes the roll call of 2NDE1 on a phone: Emma absent, a student 10 minutes late', async () => {
    const tab = await track(newTab({ width: 390, height: 844 }));
    const { page } = tab;
    await login(page, 'prof.demo');
    // Another file may have published a new charter version: accept it, as prof.demo would.
    await acceptCharterIfAsked(page);
    const est = await lycee(page);
    const next = await nextCourse(page, est);
    day = next.day;
    await page.goto(`/school-life?date=${day}`);
    await page.getByRole('heading', { name: /Mes cours du/ }).waitFor();
    await audit(page, 'school-life-teacher-courses-phone');
    await page
      .getByRole('link', { name: /Faire l’appel de 2NDE1/ })
      .first()
      .click();
    await page.locator('main h1', { hasText: 'Appel — 2NDE1' }).waitFor();
    await page.getByTestId('roll-call-row').first().waitFor();
    expect(await page.getByTestId('roll-call-summary').textContent()).toBe('Tout le monde est présent');
    await audit(page, 'school-life-roll-call-phone');
    const emma = page.getByTestId('roll-call-row').filter({ hasText: 'ÉLÈVE Emma' });
    await emma.getByRole('button', { name: 'Absent' }).click();
    const other = page.getByTestId('roll-call-row').filter({ hasNotText: 'ÉLÈVE Emma' }).first();
    await other.getByRole('button', { name: 'Retard' }).click();
    await other.locator('label', { hasText: '10 min' }).click();
    expect(await other.getByLabel('10 min').isChecked()).toBe(true);
    expect(await page.getByTestId('roll-call-summary').textContent()).toBe('1 absent · 1 retard');
    await page.screenshot({ path: `${ARTIFACTS}/school-life-roll-call-phone-marked.png`, fullPage: false });
    await page.getByRole('button', { name: 'Valider l’appel' }).click();
    await page.getByText(/Appel enregistré à/).waitFor();
    await audit(page, 'school-life-roll-call-saved-phone');
    // Back to the day: the course says the roll call is taken.
    await page.getByRole('link', { name: 'Retour à mes cours' }).click();
    await page
      .getByText(/Appel fait à .* — 1 absent/)
      .first()
      .waitFor();
  });

  test('the parent is told, and justifies the absence with a reason and a comment', async () => {
    const { page } = await track(memberTab('parent.demo'));
    await lycee(page);
    await page.reload();
    const widget = page.getByTestId('school-life-widget');
    await widget.waitFor();
    expect(await widget.textContent()).toMatch(/absences? à justifier/);
    await page.goto('/timeline');
    await page
      .getByText(/Absence d'ÉLÈVE Emma le .* : à justifier\./)
      .first()
      .waitFor();
    await page.goto('/school-life');
    await page.getByRole('heading', { name: 'Absences et retards', level: 2 }).waitFor();
    await audit(page, 'school-life-guardian');
    const dayLabel = frDay(day);
    const card = page.getByTestId('absence').filter({ hasText: dayLabel }).filter({ hasText: 'Mathématiques' }).first();
    await card.getByRole('button', { name: 'Justifier' }).click();
    await card.getByLabel('Motif').selectOption({ label: 'Maladie' });
    await card.getByLabel('Commentaire (facultatif)').fill('Fièvre depuis la veille, elle reste à la maison.');
    await card.locator('input[type="file"]').setInputFiles({
      name: 'certificat-medical.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    });
    await audit(page, 'school-life-guardian-justify');
    await card.getByRole('button', { name: 'Envoyer la justification' }).click();
    await card.getByText('Justification envoyée').waitFor();
    await card.getByRole('link', { name: /certificat-medical\.pdf/ }).waitFor();
  });

  test('the CPE accepts the justification; sees the board and the absenteeism list', async () => {
    const { page } = await track(memberTab('cpe.demo'));
    await page.goto('/school-life?tab=justifications');
    await page.getByRole('heading', { name: 'Justifications en attente de réponse' }).waitFor();
    const card = page
      .getByTestId('absence')
      .filter({ hasText: 'ÉLÈVE Emma' })
      .filter({ hasText: 'Fièvre depuis la veille' })
      .first();
    await card.waitFor();
    await card.getByRole('link', { name: /certificat-medical\.pdf/ }).waitFor();
    await audit(page, 'school-life-cpe-justifications');
    await card.getByRole('button', { name: 'Accepter' }).click();
    await card.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Tableau du jour' }).click();
    await page.getByTestId('board-summary').waitFor();
    await audit(page, 'school-life-cpe-board');
    await page.getByRole('button', { name: 'Absentéisme' }).click();
    await page.getByRole('heading', { name: 'Élèves au seuil d’absentéisme' }).waitFor();
    await audit(page, 'school-life-cpe-absenteeism');
    // The CPE's own entry: a whole day for a student of 2NDE2 found by their class.
    await page.getByRole('button', { name: 'Absences et retards' }).click();
    await page.getByRole('heading', { name: 'Saisir une absence' }).waitFor();
    await page.getByLabel('Rechercher un élève').fill('2NDE2');
    const student = page.locator('#sl-entry-student');
    await student.locator('option:not([disabled])').first().waitFor({ state: 'attached' });
    const chosen = await student.locator('option:not([disabled])').first().getAttribute('value');
    await student.selectOption(chosen!);
    await page.getByRole('button', { name: 'Enregistrer l’absence' }).click();
    await page.getByText('Absence enregistrée.').waitFor();
    await audit(page, 'school-life-cpe-entry');
  });

  test('the parent sees the absence justified', async () => {
    const { page } = await track(memberTab('parent.demo'));
    await lycee(page);
    await page.goto('/school-life');
    const dayLabel = frDay(day);
    const card = page.getByTestId('absence').filter({ hasText: dayLabel }).filter({ hasText: 'Mathématiques' }).first();
    await card.getByText('Justifiée').waitFor();
    expect(await card.textContent()).toContain('Motif : Maladie');
  });
  test('the CPE adds an absence reason, puts it first and saves; it is there after a reload', async () => {
    const { page } = await track(memberTab('cpe.demo'));
    const establishment = await lycee(page);
    const me = (await (await page.request.get('/api/me')).json()) as { csrfToken: string };
    const before = (await (
      await page.request.get(`/api/school-life/reasons?establishment=${establishment}`)
    ).json()) as { items: { code: string; label: string; legitimate: boolean }[] };
    try {
      await page.goto('/school-life');
      await page.getByRole('button', { name: 'Motifs d’absence' }).click();
      await page.getByRole('heading', { name: 'Motifs d’absence', level: 2 }).waitFor();
      await page.getByLabel('Libellé du nouveau motif').fill('Rendez-vous administratif');
      await page.getByRole('button', { name: 'Ajouter à la liste' }).click();
      const rows = page.locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(before.items.length + 1);
      for (let i = 0; i < before.items.length; i++)
        await page.getByRole('button', { name: 'Monter « Rendez-vous administratif »' }).click();
      await audit(page, 'school-life-reasons');
      await page.getByRole('button', { name: 'Enregistrer les motifs' }).click();
      await page.getByText('Motifs enregistrés').waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Motifs d’absence', level: 2 }).waitFor();
      await expect.poll(() => rows.count()).toBe(before.items.length + 1);
      expect(await rows.first().locator('input[type="text"], input:not([type])').first().inputValue()).toBe(
        'Rendez-vous administratif',
      );
    } finally {
      // Other test files share the demo lycée: its reasons as they were.
      await page.request.put('/api/school-life/reasons', {
        headers: { 'x-csrf-token': me.csrfToken },
        data: { establishment, items: before.items },
      });
    }
  });
});
