import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/**
 * Attachments by reference on the demo lycée: prof.demo puts a worksheet in « Mes documents », attaches it from
 * there to a lesson of 2NDE1 (and to a message to a parent); eleve.demo and parent.demo download it from the
 * logbook (and the message), though the teacher's own documents are closed to them. Every page goes through axe.
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
      await t.page.screenshot({ path: `${ARTIFACTS}/attachments-failed-${failures}-tab${i}.png`, fullPage: true });
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

const stamp = Date.now().toString(36);
const FILE = `Fiche de révision ${stamp}.pdf`;
const TITLE = `Révisions avec fiche ${stamp}`;
const SUBJECT = `Document pour la sortie ${stamp}`;
const pdf = () =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% ${stamp}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    'latin1',
  );

/** Work in the lycée (prof.demo and parent.demo also belong to the collège). */
async function atLycee(page: Page) {
  const me = (await (await page.request.get('/api/me')).json()) as {
    csrfToken: string;
    memberships: { establishment: { id: string; name: string } }[];
  };
  const id = me.memberships.find((m) => m.establishment.name === 'Lycée Jean Jaurès')!.establishment.id;
  await page.evaluate((v) => localStorage.setItem('preau.establishment', v), id);
  return { id, csrf: me.csrfToken };
}

let lesson: { date: string } | null = null;
let documentId = '';

describe('attachments by reference', () => {
  test('prof.demo attaches a worksheet from « Mes documents » to a lesson of 2NDE1', async () => {
    const { page } = await track(memberTab('prof.demo'));
    const { id: est, csrf } = await atLycee(page);
    // The worksheet in the teacher's own space (closed to the students and parents).
    const spaces = (await (await page.request.get(`/api/documents/spaces?establishment=${est}`)).json()) as {
      items: { id: string; kind: string }[];
    };
    const personal = spaces.items.find((s) => s.kind === 'personal')!;
    const up = await page.request.post(`/api/documents/spaces/${personal.id}/files`, {
      headers: { 'x-csrf-token': csrf },
      multipart: { file: { name: FILE, mimeType: 'application/pdf', buffer: pdf() } },
    });
    expect(up.status()).toBe(201);
    documentId = ((await up.json()) as { id: string }).id;

    // The last 2NDE1 course of the next four weeks whose lesson is not written (the logbook's test takes the first).
    const today = paris();
    const entries = (await (
      await page.request.get(`/api/logbook/entries?establishment=${est}&from=${today}&to=${plus(today, 27)}`)
    ).json()) as {
      items: { courseId: string; date: string; lesson: unknown; can: { write: boolean }; class?: { name: string } }[];
    };
    const free = entries.items.filter((e) => e.can.write && !e.lesson && e.class?.name === '2NDE1').at(-1)!;
    expect(free).toBeTruthy();
    lesson = { date: free.date };

    await page.goto(`/logbook/lesson?course=${free.courseId}&date=${free.date}`);
    await page.getByTestId('lesson-form').waitFor();
    await page.getByLabel('Titre de la séance').fill(TITLE);
    const picker = page.getByTestId('attachment-picker').first();
    await picker.getByText('Aucun document joint.').waitFor();
    await picker.getByRole('button', { name: 'Joindre un document' }).click();
    await picker.getByTestId('picker-mine').waitFor();
    await audit(page, 'attachments-lesson-picker');
    await picker.getByRole('button', { name: `Joindre « ${FILE} »` }).click();
    await picker.getByRole('button', { name: `Retirer « ${FILE} »` }).waitFor();
    expect(await picker.getByRole('button', { name: `« ${FILE} » déjà joint` }).isDisabled()).toBe(true);
    // « Partagés avec moi » is offered too.
    await picker.getByText('Partagés avec moi').click();
    await picker.getByTestId('picker-shared').waitFor();
    await audit(page, 'attachments-lesson-chosen');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/logbook\?view=mine/);
    const entry = page.getByTestId('entry').filter({ hasText: TITLE });
    await entry.getByRole('link', { name: new RegExp(FILE) }).waitFor();
  });

  test('eleve.demo and parent.demo download it from the logbook; the file itself stays closed to them', async () => {
    for (const who of ['eleve.demo', 'parent.demo']) {
      const { page } = await track(memberTab(who));
      await atLycee(page);
      await page.goto(`/logbook?view=lessons&date=${lesson!.date}`);
      const entry = page.getByTestId('entry').filter({ hasText: TITLE });
      await entry.waitFor();
      const link = entry.getByRole('link', { name: new RegExp(FILE) });
      await link.waitFor();
      expect(await entry.textContent()).toContain('PDF');
      await audit(page, `attachments-lesson-${who.replace('.demo', '')}`);
      const href = (await link.getAttribute('href'))!;
      expect(href).toMatch(/^\/api\/documents\/references\/[0-9a-f-]+\/content$/);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe(FILE);
      const got = await page.request.get(href);
      expect(got.status()).toBe(200);
      expect((await got.body()).equals(pdf())).toBe(true);
      expect((await page.request.get(`/api/documents/files/${documentId}/content`)).status()).toBe(404);
    }
  });

  test('prof.demo attaches it to a message to parent.demo, who reads it and downloads the file', async () => {
    const teacher = (await track(memberTab('prof.demo'))).page;
    await atLycee(teacher);
    await teacher.goto('/messaging/new');
    await teacher.getByLabel('Objet').fill(SUBJECT);
    await teacher.locator('main h1', { hasText: 'Nouveau message' }).waitFor();
    await teacher.getByLabel('Chercher une personne ou une liste').fill('Nadia');
    const parent = teacher
      .getByTestId('recipient-results')
      .getByRole('button', { name: /Ajouter .*Nadia/ })
      .first();
    await parent.waitFor();
    await parent.click();
    const picker = teacher.getByTestId('attachment-picker');
    await picker.getByRole('button', { name: 'Joindre un document' }).click();
    await picker.getByRole('button', { name: `Joindre « ${FILE} »` }).click();
    await picker.getByRole('button', { name: `Retirer « ${FILE} »` }).waitFor();
    await audit(teacher, 'attachments-compose');
    await teacher.getByRole('button', { name: 'Envoyer' }).click();
    await teacher.waitForURL(/\/messaging\/messages\//);
    await teacher
      .getByTestId('message-attachments')
      .getByRole('link', { name: new RegExp(FILE) })
      .waitFor();

    const { page } = await track(memberTab('parent.demo'));
    await atLycee(page);
    await page.goto('/messaging');
    await page
      .getByRole('link', { name: new RegExp(SUBJECT) })
      .first()
      .click();
    const files = page.getByTestId('message-attachments');
    await files.getByRole('heading', { name: '1 pièce jointe' }).waitFor();
    await audit(page, 'attachments-message-parent');
    const href = (await files.getByRole('link', { name: new RegExp(FILE) }).getAttribute('href'))!;
    const got = await page.request.get(href);
    expect(got.status()).toBe(200);
    expect((await got.body()).equals(pdf())).toBe(true);
  });
});
