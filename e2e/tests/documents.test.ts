import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, baseUrl, close, launch, login, memberTab, newTab, type Tab } from '../src/browser.ts';

/**
 * The documents service's main journey: a teacher (prof.demo) uploads a worksheet to the 2NDE1 class space by
 * the file picker, the progress of the upload shown; a student of 2NDE1 (eleve.demo) opens it; a student of
 * another class cannot find it, neither in their spaces nor by searching, nor by its address; a parent reads
 * the folder the teacher opened to the families. axe on each page, screenshots in e2e/artifacts.
 */
const tabs: Tab[] = [];
const WORKSHEET = 'Fiche — équations du second degré.pdf';
let fileUrl = '';

/** A real PDF of about 3 MB (a comment pads it), so the upload takes long enough to show its progress. */
function worksheet(): Buffer {
  const head =
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n';
  return Buffer.concat([
    Buffer.from(head, 'latin1'),
    Buffer.from(`%${'x'.repeat(78)}\n`.repeat(40_000), 'latin1'),
    Buffer.from('trailer<</Root 1 0 R>>\n%%EOF\n', 'latin1'),
  ]);
}

async function track(tab: Promise<Tab>): Promise<Tab> {
  const t = await tab;
  tabs.push(t);
  return t;
}

/**
 * For people of the collège and the lycée: show the lycée (the portal's switcher). A teacher chooses by school and
 * role ("Lycée Jean Jaurès — Enseignant"), a parent by child ("Emma — Lycée Jean Jaurès").
 */
async function chooseLycee(page: Page, label: 'Établissement affiché' | 'Enfant affiché' = 'Établissement affiché') {
  const select = page.getByLabel(label);
  const value = await select.locator('option', { hasText: 'Lycée Jean Jaurès' }).getAttribute('value');
  await select.selectOption(value!);
  await page.locator('main', { hasText: 'Lycée Jean Jaurès' }).first().waitFor();
}

async function openClassSpace(page: Page) {
  await page.locator('nav.fr-sidemenu').getByRole('link', { name: 'Classe 2NDE1' }).click();
  await page.locator('main h1', { hasText: 'Classe 2NDE1' }).waitFor();
}

beforeAll(async () => {
  await launch();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    for (const [i, t] of tabs.entries()) {
      if (!t.page.isClosed())
        await t.page.screenshot({ path: `${ARTIFACTS}/documents-failed-tab${i}.png`, fullPage: true });
    }
  }
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  expect(problems).toEqual([]);
});

describe('documents', () => {
  test('a teacher uploads a worksheet to the 2NDE1 space, the progress shown', async () => {
    const { page } = await track(memberTab('prof.demo'));
    // prof.demo teaches at the collège and the lycée: the lycée's 2NDE1.
    await chooseLycee(page);
    await page.locator('[data-service="documents"] a').click();
    await page.locator('main h1', { hasText: 'Mes documents' }).waitFor();
    await page.locator('[data-testid="quota"]').waitFor();
    await audit(page, 'documents-mine');

    await openClassSpace(page);
    // The demo's chapter is there already.
    await page.getByRole('link', { name: 'Chapitre 3 — Fonctions affines' }).waitFor();
    await audit(page, 'documents-class-space');

    // A slow network (1.5 Mbit/s up) so the progress can be seen moving.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 200_000,
    });
    await page
      .locator('[data-testid="file-input"]')
      .setInputFiles({ name: WORKSHEET, mimeType: 'application/pdf', buffer: worksheet() });
    const bar = page.locator('[data-testid="upload-progress"]').first();
    await bar.waitFor();
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/documents-upload-progress.png` });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await page.locator('[data-testid="uploads"] li', { hasText: 'Déposé' }).waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    const link = page.locator('[data-testid="documents-list"]').getByRole('link', { name: WORKSHEET });
    await link.waitFor();
    await audit(page, 'documents-class-uploaded');

    await link.click();
    await page.locator('main h1', { hasText: WORKSHEET }).waitFor();
    fileUrl = new URL(page.url()).pathname;
    expect(await page.locator('[data-testid="versions"] tr').count()).toBe(1);
    await audit(page, 'documents-file-teacher');
  });

  test('a student of 2NDE1 opens it', async () => {
    expect(fileUrl).toMatch(/^\/documents\/files\//);
    const { page } = await track(memberTab('eleve.demo'));
    // The timeline of the home page announces it.
    await page.locator('[data-widget="timeline"]').getByText(WORKSHEET, { exact: false }).first().waitFor();
    await page.goto('/documents');
    await page.locator('main h1', { hasText: 'Mes documents' }).waitFor();
    await openClassSpace(page);
    expect(await page.getByText('Vous consultez cet espace : vous ne pouvez pas y déposer de document.').count()).toBe(
      1,
    );
    expect(await page.locator('[data-testid="dropzone"]').count()).toBe(0);
    await page.locator('[data-testid="documents-list"]').getByRole('link', { name: WORKSHEET }).click();
    await page.locator('main h1', { hasText: WORKSHEET }).waitFor();
    await page.locator('iframe.preau-preview--pdf').waitFor();
    const id = fileUrl.split('/').pop();
    const res = await page.request.get(`/api/documents/files/${id}/content`);
    expect(res.status()).toBe(200);
    expect((await res.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(res.headers()['content-disposition']).toMatch(
      /^attachment; filename="Fiche _ equations du second degre.pdf"/,
    );
    await audit(page, 'documents-file-student');
  });

  test('a student of another class cannot find it', async () => {
    // direction.demo gives a 2NDE2 student an activation code; the student activates and logs in.
    const admin = await track(memberTab('direction.demo'));
    const me = await (await admin.page.request.get('/api/me')).json();
    const lycee = me.memberships.find((m: { establishment: { name: string } }) =>
      m.establishment.name.startsWith('Lycée'),
    ).establishment.id;
    const list = await (
      await admin.page.request.get(
        `/api/establishments/${lycee}/users?class=2NDE2&profile=student&status=pending_activation&pageSize=1`,
      )
    ).json();
    // A student still awaiting activation: the other browser test files share the server, and may have merged,
    // blocked or activated the first one of the class.
    const student = list.items[0];
    expect(student).toBeTruthy();
    const issued = await admin.page.request.post(`/api/establishments/${lycee}/users/${student.id}/activation-code`, {
      headers: { 'x-csrf-token': me.csrfToken },
    });
    expect(issued.status(), await issued.text()).toBe(201);
    const code = await issued.json();
    const password = 'Tournesol-bleu-42';
    const activated = await admin.page.request.post('/api/auth/activate', {
      headers: { origin: baseUrl() },
      data: { login: student.login, code: code.code, password },
    });
    expect(activated.status(), await activated.text()).toBe(200);

    const { page } = await track(newTab());
    await login(page, student.login, password);
    await page
      .locator('main h1')
      .filter({ hasText: /Bonjour|Charte/ })
      .waitFor();
    if ((await page.locator('main h1').textContent())?.startsWith('Charte')) {
      await page.getByText(/J'ai lu la charte/).click();
      await page.getByRole('button', { name: 'Accepter et continuer' }).click();
      await page.locator('main h1', { hasText: 'Bonjour' }).waitFor();
    }
    await page.goto('/documents');
    await page.locator('main h1', { hasText: 'Mes documents' }).waitFor();
    const menu = page.locator('nav.fr-sidemenu');
    await menu.getByRole('link', { name: 'Classe 2NDE2' }).waitFor();
    expect(await menu.getByRole('link', { name: 'Classe 2NDE1' }).count()).toBe(0);
    await page.getByLabel('Rechercher un document par son nom').fill('équations');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.locator('main h1', { hasText: 'Résultats pour « équations »' }).waitFor();
    await page.getByText('Aucun document de vos espaces ne porte ce nom.').waitFor();
    await audit(page, 'documents-other-class-search');
    // Nor by its address.
    await page.goto(fileUrl);
    // The app words a 404 itself (the same for "does not exist" and "not yours": nothing is given away).
    await page.getByRole('alert').getByText("Cet élément n'existe pas, ou vous n'y avez pas accès.").waitFor();
    const id = fileUrl.split('/').pop();
    expect((await page.request.get(`/api/documents/files/${id}/content`)).status()).toBe(404);
  });

  test('a parent reads the folder the teacher opened to the families', async () => {
    const { page } = await track(memberTab('parent.demo'));
    await chooseLycee(page, 'Enfant affiché');
    await page.goto('/documents');
    await page.locator('main h1', { hasText: 'Mes documents' }).waitFor();
    await openClassSpace(page);
    const list = page.locator('[data-testid="documents-list"]');
    await list.getByRole('link', { name: 'Informations aux familles' }).click();
    await page.locator('main h1', { hasText: 'Informations aux familles' }).waitFor();
    await page.getByRole('link', { name: /Sortie au Palais de la découverte/ }).waitFor();
    expect(await page.getByRole('link', { name: WORKSHEET }).count()).toBe(0);
    await audit(page, 'documents-parent-families');
    await page.goto('/documents/shared');
    await page.getByRole('link', { name: 'Note de rentrée aux familles.pdf' }).waitFor();
    await audit(page, 'documents-parent-shared');
  });
});
