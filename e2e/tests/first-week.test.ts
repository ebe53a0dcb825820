// biome-ignore-all lint/performance/useDomNodeTextContent: the text people read, as rendered (innerText), is what is checked
import { type EstablishmentProfile, SERVICE_CATALOGUE } from '@preau/contracts';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, login, newTab, type Tab, tiles } from '../src/browser.ts';

/*
 * Each persona's first day, taken again in a browser (issue 9): log in, the portal, the account page, a closed or
 * unknown service, the legal pages. On every page: axe (no serious or critical violation), and the words people
 * read — no raw error code, no placeholder, plurals, ordinals and elision right — and no tile leading nowhere.
 */

/** The services built so far (catalogue `available`) that a profile sees by default: the only tiles it gets. */
const builtFor = (profile: EstablishmentProfile) =>
  SERVICE_CATALOGUE.filter(
    (s) => s.available && s.defaultStatus !== 'closed' && s.defaultProfiles.includes(profile),
  ).map((s) => s.key);
const NOT_BUILT = SERVICE_CATALOGUE.filter((s) => !s.available).length;

/** An error code shown as text (`WRONG_PASSWORD`, `INVALID_CREDENTIALS`…). */
const RAW_CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/;
/** Text left for later, or a value that was never filled in. */
const PLACEHOLDER =
  /à compléter|lors de l'installation|TODO|lorem ipsum|\bundefined\b|\bnull\b|\bNaN\b|\{\{|\}\}|\[object Object\]/i;
/** "1 secondes", "1 anomalies"…: French takes the singular for 0 and 1. */
const BAD_PLURAL =
  /\b[01] (secondes|minutes|anomalies|élèves|fiches|sessions|enfants|établissements|utilisateurs|comptes|jours)\b/;
/** The first of a month is "1er" in French. */
const BAD_ORDINAL =
  /\b1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|janv\.|févr\.|avr\.|juil\.|sept\.|oct\.|nov\.|déc\.)/;
/** "de ANDRÉ", "de Emma": French elides before a vowel. */
const BAD_ELISION = /\b[Dd]e [AEIOUYÀÂÉÈÊÎÔÙÛaeiouyàâéèêîôùû][\p{L}'-]/u;

/** Every page of the first day: axe, a screenshot, and the words checked. */
async function firstDayPage(page: Page, name: string): Promise<void> {
  await audit(page, `first-week-${name}`);
  const text = await page.locator('body').innerText();
  for (const [what, re] of [
    ['raw error code', RAW_CODE],
    ['placeholder', PLACEHOLDER],
    ['plural', BAD_PLURAL],
    ['ordinal', BAD_ORDINAL],
    ['elision', BAD_ELISION],
  ] as const) {
    expect(re.exec(text)?.[0] ?? null, `${what} on ${name} (${page.url()})`).toBeNull();
  }
}

const tabs: Tab[] = [];
async function track(tab: Promise<Tab>): Promise<Tab> {
  const t = await tab;
  tabs.push(t);
  return t;
}

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
      await t.page.screenshot({ path: `${ARTIFACTS}/first-week-failed-${failures}-tab${i}.png`, fullPage: true });
    await t.context.close();
  }
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  await close();
  expect(problems).toEqual([]);
});

/** Logged in, past any charter waiting for acceptance (other browser tests publish new versions). */
async function personaTab(user: string, password = 'demo'): Promise<Tab> {
  const tab = await track(newTab());
  await login(tab.page, user, password);
  await passCharters(tab.page);
  return tab;
}

async function passCharters(page: Page): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const h1 = page.locator('main h1').filter({ hasText: /Bonjour|Charte|Votre adresse/ });
    await h1.waitFor();
    const title = (await h1.textContent()) ?? '';
    if (title.startsWith('Bonjour')) return;
    if (title.startsWith('Votre adresse')) {
      await page.getByRole('button', { name: 'Passer cette étape' }).click();
      continue;
    }
    await page.getByLabel(/J'ai lu la charte/).check({ force: true });
    const accepted = page.waitForResponse(
      (r) => r.url().includes('/api/me/charter/accept') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();
    expect((await accepted).status()).toBe(204);
    // The gate then shows the next charter (its box not ticked yet) or makes way.
    await page.waitForFunction(() => {
      const h1 = document.querySelector('main h1')?.textContent ?? '';
      const box = document.querySelector<HTMLInputElement>('input[name="accept"]');
      return !h1.startsWith('Charte') || (box !== null && !box.checked);
    });
  }
  await page.locator('main h1', { hasText: 'Bonjour' }).waitFor();
}

/**
 * A person added by the lycée's direction, as the directory would give them, activated with a password of their
 * own: browser tests of other files change the demo accounts (passwords, charters), these are this file's.
 */
async function newPerson(body: Record<string, unknown>): Promise<{ login: string; code: string }> {
  const direction = await personaTab('direction.demo');
  const me = await (await direction.page.request.get('/api/me')).json();
  const lycee = (me.memberships as { establishment: { id: string; name: string } }[]).find((m) =>
    m.establishment.name.startsWith('Lycée'),
  )!.establishment.id;
  const created = await direction.page.request.post(`/api/establishments/${lycee}/people`, {
    headers: { 'x-csrf-token': me.csrfToken },
    data: body,
  });
  expect(created.status(), await created.text()).toBe(201);
  const { person, activationCode } = (await created.json()) as {
    person: { login: string };
    activationCode: { code: string };
  };
  await direction.context.close();
  return { login: person.login, code: activationCode.code };
}

async function activated(body: Record<string, unknown>, password: string): Promise<string> {
  const { login: user, code } = await newPerson(body);
  const tab = await track(newTab());
  const res = await tab.page.request.post('/api/auth/activate', { data: { login: user, code, password } });
  expect(res.status(), await res.text()).toBe(200);
  await tab.context.close();
  return user;
}

/** The password's live check has answered for what was typed (TOO_SHORT is only met by a long enough one). */
async function rulesMet(page: Page): Promise<void> {
  for (const rule of ['TOO_SHORT', 'COMMON', 'CONTAINS_NAME']) {
    await expect
      .poll(() => page.locator(`[data-rule="${rule}"]`).first().getAttribute('data-ok'), { timeout: 15_000 })
      .toBe('true');
  }
}

/** The account page's line for one establishment: its roles there. */
async function accountRoles(page: Page): Promise<string[]> {
  await page.locator('main h1', { hasText: 'Mon compte' }).waitFor();
  return page.locator('.preau-dl-row dd').allInnerTexts();
}

/** Every tile of the portal leads to a page with a title, never to "Page introuvable". */
async function everyTileLeadsSomewhere(page: Page, name: string): Promise<void> {
  const hrefs = await page
    .locator('[data-testid="service-tiles"] a')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const [i, href] of hrefs.entries()) {
    await page.goto(href);
    await page.locator('main h1').first().waitFor();
    expect(await page.locator('main h1').first().innerText(), href).not.toMatch(/Page introuvable|Service fermé/);
    if (i === 0) await firstDayPage(page, `${name}-tile`);
  }
}

describe("each persona's first day", () => {
  test('a student: no tile leading nowhere, an account that says who they are, unknown addresses give the 404 page', async () => {
    const { page } = await personaTab('eleve.demo');
    await page.locator('main h1', { hasText: 'Bonjour Emma' }).waitFor();
    // Only what is built: no tile marked "bientôt disponible", and each tile leads to its service.
    expect(await tiles(page)).toEqual(builtFor('student'));
    if (builtFor('student').length === 0) await page.getByText('apparaîtront ici dès leur ouverture').waitFor();
    expect(await page.getByText('Bientôt disponible').count()).toBe(0);
    await firstDayPage(page, 'student-portal');
    await everyTileLeadsSomewhere(page, 'student');

    await page.goto('/account');
    expect(await accountRoles(page)).toEqual(['Élève — 2NDE1']);
    await firstDayPage(page, 'student-account');

    // A wrong current password: the reason in French next to the field, never WRONG_PASSWORD.
    await page.locator('input[name="current-password"]').fill('pas le bon mot de passe');
    await page.locator('input[name="new-password"]').fill('Cartable-Lumineux-2026');
    await page.locator('input[name="confirm-password"]').fill('Cartable-Lumineux-2026');
    await rulesMet(page);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.getByText('Le mot de passe actuel est incorrect.').waitFor();
    await firstDayPage(page, 'student-account-wrong-password');

    // An unknown service, and one of the student's not built yet: both lead nowhere (404), never to a dead page.
    const unbuilt = SERVICE_CATALOGUE.find((s) => !s.available && s.defaultProfiles.includes('student'))!.key;
    for (const address of ['/services/nimporte-quoi', `/services/${unbuilt}`]) {
      await page.goto(address);
      await page.locator('main h1', { hasText: 'Page introuvable' }).waitFor();
    }
    await firstDayPage(page, 'student-unknown-service');
  });

  test('a parent of children in two schools: "Responsable légale", and the choice is by child, not by UAI', async () => {
    const { page } = await personaTab('parent.demo');
    const switcher = page.getByLabel('Enfant affiché');
    await switcher.waitFor();
    const options = await switcher.locator('option').allTextContents();
    expect(options.sort()).toEqual(['Emma — Lycée Jean Jaurès', 'Hugo — Collège Louise Michel']);
    expect(options.join(' ')).not.toMatch(/\d{7}[A-Z]/);
    await firstDayPage(page, 'guardian-portal');
    await switcher.selectOption({ label: 'Hugo — Collège Louise Michel' });
    await expect.poll(() => page.locator('.fr-text--lead').first().textContent()).toBe('Collège Louise Michel');
    await page.getByText('enfant : ÉLÈVE Hugo').waitFor();
    await page.goto('/account');
    const roles = await accountRoles(page);
    expect(roles.every((r) => r.startsWith('Responsable légale'))).toBe(true);
    await firstDayPage(page, 'guardian-account');
  });

  test('a teacher in two schools chooses by school and role', async () => {
    const { page } = await personaTab('prof.demo');
    await page.getByLabel('Établissement affiché').waitFor();
    const options = await page.getByLabel('Établissement affiché').locator('option').allTextContents();
    expect(options.sort()).toEqual(['Collège Louise Michel — Enseignant', 'Lycée Jean Jaurès — Enseignant']);
    expect(await tiles(page)).toEqual(builtFor('teacher'));
    await firstDayPage(page, 'teacher-portal');
    await page.goto('/account');
    await accountRoles(page);
    await firstDayPage(page, 'teacher-account');
  });

  test('the CPE is named as such, from the position the directory gives', async () => {
    const cpe = await activated(
      {
        profile: 'staff',
        firstName: 'Yanis',
        lastName: 'Belkacem',
        functions: ["EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION"],
      },
      'Vie-Scolaire-Rentrée-2026',
    );
    const { page } = await personaTab(cpe, 'Vie-Scolaire-Rentrée-2026');
    await page.locator('main h1', { hasText: 'Bonjour Yanis' }).waitFor();
    expect(await page.locator('main .preau-muted').first().innerText()).toBe('BELKACEM Yanis — CPE');
    await firstDayPage(page, 'cpe-portal');
    await page.goto('/account');
    expect(await accountRoles(page)).toEqual(['CPE']);
    await firstDayPage(page, 'cpe-account');
  });

  test('the direction sees what is coming, marked, each tile leading to its page; "Administratrice locale"', async () => {
    const { page } = await personaTab('direction.demo');
    const shown = await tiles(page);
    expect(shown.length).toBe(SERVICE_CATALOGUE.length);
    expect(await page.locator('[data-testid="service-tiles"]').getByText('Bientôt disponible').count()).toBe(NOT_BUILT);
    expect(await page.locator('main .preau-muted').first().innerText()).toBe(
      'DIRECTION Claire — Direction, Administratrice locale',
    );
    await firstDayPage(page, 'direction-portal');
    await everyTileLeadsSomewhere(page, 'direction');
    await page.goto('/services/nimporte-quoi');
    await page.locator('main h1', { hasText: 'Page introuvable' }).waitFor();
    await page.goto('/account');
    expect((await accountRoles(page))[0]).toBe('Direction, Administratrice locale');
    await firstDayPage(page, 'direction-account');
  });

  test('the services table: twelve "Modifier" buttons, each named by its service; no overlap at 1,280 px', async () => {
    const { page } = await personaTab('direction.demo');
    await page.getByRole('link', { name: 'Administration' }).first().click();
    await page.locator('main h1', { hasText: 'Services' }).waitFor();
    await page.locator('main table tbody tr').first().waitFor();
    const buttons = page.locator('main table tbody').getByRole('button');
    expect(await buttons.count()).toBe(12);
    const names = await buttons.evaluateAll((bs) => bs.map((b) => (b.textContent ?? '').replace(/\s+/g, ' ').trim()));
    expect(new Set(names).size).toBe(12);
    for (const n of names) expect(n).toMatch(/^Modifier \S/);
    await page.getByRole('button', { name: 'Modifier Cahier de textes', exact: true }).waitFor();
    // Seen: "Modifier" only (the service's name is for screen readers).
    const seen = await page.getByRole('button', { name: 'Modifier Cahier de textes', exact: true }).evaluate((b) => {
      const copy = b.cloneNode(true) as HTMLElement;
      for (const hidden of copy.querySelectorAll('.fr-sr-only')) hidden.remove();
      return (copy.textContent ?? '').trim();
    });
    expect(seen).toBe('Modifier');
    await firstDayPage(page, 'services-admin');

    await page.getByRole('button', { name: 'Modifier Espace documentaire', exact: true }).click();
    const editor = page.locator('tr[data-service="documents"] form');
    await editor.waitFor();
    // No two checkboxes (nor their labels) overlap, and none runs into the next column.
    const boxes = await editor.locator('.fr-checkbox-group').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      }),
    );
    expect(boxes.length).toBe(6);
    const overlap = (a: (typeof boxes)[0], b: (typeof boxes)[0]) =>
      a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        expect(overlap(boxes[i]!, boxes[j]!), `checkboxes ${i} and ${j}`).toBe(false);
    const textareas = await editor.locator('textarea').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      }),
    );
    for (const b of boxes) for (const t of textareas) expect(overlap(b, t)).toBe(false);
    // One per line: no two share a line (inline, "Enseignant" ran into "Personnel").
    const rows = [...boxes].sort((a, b) => a.y - b.y);
    for (let i = 1; i < rows.length; i++)
      expect(rows[i]!.y, `checkbox ${i} on its own line`).toBeGreaterThanOrEqual(rows[i - 1]!.y + rows[i - 1]!.h - 1);
    await page.screenshot({ path: `${ARTIFACTS}/first-week-services-edit-1280.png`, fullPage: true });
    await firstDayPage(page, 'services-admin-edit');
  });

  test('a code typed as a password: the login page offers activation, the code is checked before a password is asked', async () => {
    // A new parent, created by the direction: their sheet gives a login and an activation code.
    const { login: newLogin, code } = await newPerson({ profile: 'guardian', firstName: 'Inès', lastName: 'Ouali' });
    const person = { login: newLogin };
    const activationCode = { code };

    const { page } = await track(newTab());
    await login(page, person.login, activationCode.code.toLowerCase().replace('-', ''));
    const hint = page.getByTestId('activate-instead');
    await hint.waitFor();
    await page.getByText('Ce que vous avez saisi ressemble à un code d').waitFor();
    await firstDayPage(page, 'login-code-as-password');
    await hint.click();
    await page.locator('main h1', { hasText: 'Activer mon compte' }).waitFor();
    expect(await page.getByLabel('Identifiant').inputValue()).toBe(person.login);
    expect(page.url()).not.toContain(activationCode.code);

    // A wrong code is refused at once, before any password is asked.
    await page.getByLabel("Code d'activation").fill('ZZZZZ-ZZZZZ');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText("Identifiant ou code d'activation incorrect, ou code expiré.").waitFor();
    expect(await page.getByText('Étape 1 sur 4').count()).toBe(1);
    await firstDayPage(page, 'activation-wrong-code');

    await page.getByLabel("Code d'activation").fill(activationCode.code);
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText('Étape 2 sur 4').waitFor();
    const strong = 'Préau-Rentrée-Sereine-2026';
    await page.locator('input[name="new-password"]').fill(strong);
    await page.locator('input[name="confirm-password"]').fill(strong);
    await rulesMet(page);
    await page.getByRole('button', { name: 'Activer mon compte' }).click();
    await passCharters(page);
    await page.locator('main h1', { hasText: 'Bonjour Inès' }).waitFor();
    expect(await tiles(page)).toEqual(builtFor('guardian'));
    await firstDayPage(page, 'new-parent-portal');
  });

  test('the legal pages read the instance: a demonstration, said plainly, never "à compléter"', async () => {
    const { page } = await track(newTab());
    await page.goto('/legal-notice');
    await page.locator('main h1', { hasText: 'Mentions légales' }).waitFor();
    await page.getByTestId('demo-instance').waitFor();
    await page.getByText('Instance de démonstration (aucun exploitant)').waitFor();
    await firstDayPage(page, 'legal-notice');
    await page.goto('/accessibility');
    await page.locator('main h1', { hasText: "Déclaration d'accessibilité" }).waitFor();
    expect(await page.getByTestId('a11y-status').innerText()).toBe('Préau est non conforme avec le RGAA 4.1.');
    await firstDayPage(page, 'accessibility');
    // Not a State service: no Marianne block ("République française") in the header or the footer.
    expect(await page.locator('.fr-header__logo').isVisible()).toBe(false);
    expect(await page.locator('footer').innerText()).not.toMatch(/République/i);
  });

  test('one language switch changes every visible string at once, dates and server words included', async () => {
    const { page } = await personaTab('direction.demo');
    await tiles(page);
    expect(await page.locator('[data-service="logbook"] h3').innerText()).toBe('Cahier de textes');
    await page.getByRole('button', { name: 'Display in English' }).click();
    await page.locator('main h1', { hasText: 'Hello Claire' }).waitFor();
    // The service names come from the server: fetched again in English.
    await expect.poll(() => page.locator('[data-service="logbook"] h3').innerText()).toBe('Class logbook');
    await page.goto('/account');
    await page.locator('main h1', { hasText: 'My account' }).waitFor();
    await page.locator('.preau-sessions').waitFor();
    const text = await page.locator('body').innerText();
    for (const french of [
      'Mon compte',
      'Sessions actives',
      'Ouverte le',
      'Se déconnecter',
      'Accueil',
      'Administratrice',
    ]) {
      expect(text, french).not.toContain(french);
    }
    expect(text).toMatch(/Opened \d{1,2} [A-Z][a-z]{2,4} \d{4}/);
    await audit(page, 'first-week-account-en');
    await page.getByRole('button', { name: 'Afficher en français' }).click();
    await page.locator('main h1', { hasText: 'Mon compte' }).waitFor();
    expect(await page.locator('body').innerText()).toMatch(/Ouverte le \d/);
  });
});

describe("the operator's identity", () => {
  test('the platform administrator ("Administratrice de la plateforme") sets a Région as operator; a State service shows the Marianne', async () => {
    const { page } = await personaTab('admin.demo');
    // Every browser test file shares this server: the identity found here is put back whatever happens.
    const before = (await (await page.request.get('/api/operator')).json()) as Record<string, unknown>;
    try {
      await page.goto('/account');
      await page.getByText('Administratrice de la plateforme').waitFor();
      await firstDayPage(page, 'platform-admin-account');

      await page.goto('/platform/operator');
      await page.locator('main h1', { hasText: "Identité de l'exploitant" }).waitFor();
      await firstDayPage(page, 'operator-page');
      // DSFR radios: the label covers the input
      await page.getByLabel('Région', { exact: true }).check({ force: true });
      await page.locator('input[name="name"]').fill('Région Île-de-France');
      await page.getByLabel("Nom de l'éditeur").fill('Région Île-de-France');
      // a 1×1 PNG as the logo
      await page.locator('input[name="logo"]').setInputFiles({
        name: 'logo.png',
        mimeType: 'image/png',
        buffer: Buffer.from(
          'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
          'base64',
        ),
      });
      await page.getByLabel('Texte alternatif du logo').fill('Région Île-de-France');
      await page.getByLabel('État de conformité au RGAA').selectOption('partial');
      await page.getByRole('button', { name: 'Ajouter un lien' }).click();
      await page.getByLabel('Intitulé du lien 1').fill('Plan du site');
      await page.getByLabel('Adresse du lien 1').fill('javascript:alert(1)');
      await page.getByRole('button', { name: "Enregistrer l'identité" }).click();
      // refused, next to its field, in French
      await page.getByRole('heading', { name: 'Corrigez les champs signalés' }).waitFor();
      await page.getByText('Adresse invalide : une adresse web (https://…) ou une page de l’ENT (/page).').waitFor();
      await firstDayPage(page, 'operator-page-refused');
      await page.getByLabel('Adresse du lien 1').fill('/accessibility');
      await page.getByRole('button', { name: "Enregistrer l'identité" }).click();
      await page.getByText("Identité de l'exploitant enregistrée").waitFor();
      await firstDayPage(page, 'operator-saved');

      // Everyone reads it: no Marianne for a Région, its logo and name instead.
      const visitor = await track(newTab());
      await visitor.page.goto('/legal-notice');
      await visitor.page.getByText('Exploitant du service : Région Île-de-France (région).').waitFor();
      expect(await visitor.page.locator('.fr-header__logo').isVisible()).toBe(false);
      expect(await visitor.page.getByRole('img', { name: 'Région Île-de-France' }).first().isVisible()).toBe(true);
      const footer = await visitor.page.locator('footer').innerText();
      expect(footer).toContain('exploité par Région Île-de-France');
      expect(footer).not.toMatch(/démonstration/);
      expect(footer).toMatch(/Accessibilité\s*:\s*partiellement conforme/);
      expect(await visitor.page.getByTestId('demo-instance').count()).toBe(0);
      await firstDayPage(visitor.page, 'legal-notice-region');

      // A State service: the Marianne block comes back.
      await page.getByLabel("Service de l'État (académie, rectorat, ministère…)").check({ force: true });
      await page.getByRole('button', { name: "Enregistrer l'identité" }).click();
      await page.getByText("Identité de l'exploitant enregistrée").waitFor();
      await visitor.page.reload();
      // The header is drawn before the operator's identity arrives: wait for the page to read it.
      await visitor.page.getByText("Exploitant du service : Région Île-de-France (service de l'État).").waitFor();
      expect(await visitor.page.locator('.fr-header__logo').isVisible()).toBe(true);
      expect(await visitor.page.locator('.fr-header__logo').innerText()).toMatch(/République\s+Française/i);
      await visitor.page.screenshot({ path: `${ARTIFACTS}/first-week-operator-state.png` });

      // Back to what the other browser tests expect: no State block, "non conforme", the demonstration's name.
      await page.getByLabel('Autre (groupement, syndicat mixte…)').check({ force: true });
      await page.locator('input[name="name"]').fill('Instance de démonstration de Préau');
      await page.getByLabel('État de conformité au RGAA').selectOption('none');
      await page.getByRole('button', { name: 'Retirer le logo' }).click();
      await page.getByRole('button', { name: "Enregistrer l'identité" }).click();
      await page.getByText("Identité de l'exploitant enregistrée").waitFor();
    } finally {
      const { configured: _c, updatedAt: _u, ...identity } = before;
      const { csrfToken } = (await (await page.request.get('/api/me')).json()) as { csrfToken: string };
      const res = await page.request.put('/api/operator', { headers: { 'x-csrf-token': csrfToken }, data: identity });
      expect(res.status(), await res.text()).toBe(200);
    }
  });
});
