import { type EstablishmentProfile, SERVICE_CATALOGUE } from '@preau/contracts';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, loggedInTab, login, newTab, type Tab, tiles } from '../src/browser.ts';

/**
 * The demo seed keeps the catalogue's defaults: a persona sees the services whose profiles meet theirs — those
 * built, and, for those who open services (the direction), the ones not built yet too (marked "bientôt disponible").
 */
function expectedTiles(profiles: EstablishmentProfile[]): string[] {
  const opensServices = profiles.some((p) => p === 'principal' || p === 'local_admin');
  return SERVICE_CATALOGUE.filter(
    (s) =>
      s.defaultStatus !== 'closed' &&
      s.defaultProfiles.some((p) => profiles.includes(p)) &&
      (s.available || opensServices),
  ).map((s) => s.key);
}

const tabs: Tab[] = [];

/** Accept the charters waiting (the platform's, then the establishment's), until the portal shows. */
async function acceptCharterIfAsked(page: Page): Promise<void> {
  const h1 = page.locator('main h1').filter({ hasText: /Bonjour|Charte/ });
  await h1.waitFor();
  for (let i = 0; i < 3 && (await h1.textContent())?.startsWith('Charte'); i++) {
    await page.getByText(/J'ai lu la charte/).click();
    const accepted = page.waitForResponse(
      (r) => r.url().includes('/api/me/charter/accept') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();
    expect((await accepted).status()).toBe(204);
    // The gate then shows the next charter (its box not ticked yet) or makes way.
    await page.waitForFunction(() => {
      const title = document.querySelector('main h1')?.textContent ?? '';
      const box = document.querySelector<HTMLInputElement>('input[name="accept"]');
      return !title.startsWith('Charte') || (box !== null && !box.checked);
    });
    await h1.waitFor();
  }
  await page.locator('main h1', { hasText: 'Bonjour' }).waitFor();
}
/**
 * A staff member of the lycée of this file's own, created by the direction and activated with `password`: a test
 * that changes an account's password must not change a demo account that other files log in with.
 */
async function newStaff(firstName: string, lastName: string, password: string): Promise<string> {
  const direction = await loggedInTab('direction.demo');
  const me = await (await direction.page.request.get('/api/me')).json();
  const lycee = (me.memberships as { establishment: { id: string; name: string } }[]).find((m) =>
    m.establishment.name.startsWith('Lycée'),
  )!.establishment.id;
  const created = await direction.page.request.post(`/api/establishments/${lycee}/people`, {
    headers: { 'x-csrf-token': me.csrfToken },
    data: { profile: 'staff', firstName, lastName },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { person, activationCode } = (await created.json()) as {
    person: { login: string };
    activationCode: { code: string };
  };
  await direction.context.close();
  const fresh = await newTab();
  const activated = await fresh.page.request.post('/api/auth/activate', {
    data: { login: person.login, code: activationCode.code, password },
  });
  expect(activated.status(), await activated.text()).toBe(200);
  await fresh.context.close();
  return person.login;
}

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
    if (failed) await t.page.screenshot({ path: `${ARTIFACTS}/failed-${failures}-tab${i}.png`, fullPage: true });
    await t.context.close();
  }
});

afterAll(async () => {
  // No console error, page error or CSP violation in any tab of the run.
  const problems = tabs.flatMap((t) => t.problems);
  await close();
  expect(problems).toEqual([]);
});

describe('login', () => {
  test('a wrong password gets a clear French message', async () => {
    const { page } = await track(newTab());
    await page.goto('/');
    await page.waitForURL('**/login');
    await audit(page, 'login');
    await login(page, 'eleve.demo', 'pas-le-bon');
    const alert = page.getByRole('alert').first();
    await expect.poll(() => alert.textContent()).toContain('Identifiant ou mot de passe incorrect');
    await expect.poll(() => page.url()).toContain('/login');
    await audit(page, 'login-wrong-password');
  });

  test('English is one click away, and remembered', async () => {
    const { page } = await track(newTab());
    await page.goto('/login');
    await page.getByRole('button', { name: 'Display in English' }).click();
    await page.locator('main h1', { hasText: 'Log in to Préau' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await audit(page, 'login-en');
    await page.reload();
    await page.locator('main h1', { hasText: 'Log in to Préau' }).waitFor();
    await page.getByRole('button', { name: 'Afficher en français' }).click();
    await page.locator('main h1', { hasText: 'Se connecter à Préau' }).waitFor();
  });

  test('empty fields are reported next to the fields', async () => {
    const { page } = await track(newTab());
    await page.goto('/login');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Saisissez votre identifiant.').waitFor();
    await page.getByText('Saisissez votre mot de passe.').waitFor();
  });

  test('keyboard only: skip link, fields, submit with Enter, then navigate and log out', async () => {
    const { page } = await track(newTab());
    await page.goto('/login');
    await page.locator('main h1').waitFor();
    // The first Tab reaches the skip links.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Contenu');
    await page.keyboard.press('Enter');
    // Tab until the login field has focus.
    for (let i = 0; i < 30; i++) {
      if ((await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)) === 'login') break;
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('login');
    await page.keyboard.type('eleve.demo');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('password');
    await page.keyboard.type('demo');
    await page.keyboard.press('Enter');
    await page.locator('main h1', { hasText: 'Bonjour Emma' }).waitFor();
    // Keyboard navigation: Tab until the link to the account page has focus, Enter opens it.
    for (let i = 0; i < 40; i++) {
      const href = await page.evaluate(() => document.activeElement?.getAttribute('href'));
      if (href === '/account') break;
      await page.keyboard.press('Tab');
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('/account');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/account');
    await page.locator('main h1', { hasText: 'Mon compte' }).waitFor();
    // Log out from the header, with the keyboard.
    await page.getByRole('button', { name: 'Se déconnecter' }).first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/login');
  });
});

describe('portal', () => {
  const personas: { login: string; profiles: EstablishmentProfile[]; name: string }[] = [
    { login: 'eleve.demo', profiles: ['student'], name: 'Emma' },
    { login: 'parent.demo', profiles: ['guardian'], name: 'Nadia' },
    { login: 'prof.demo', profiles: ['teacher'], name: '' },
    { login: 'cpe.demo', profiles: ['staff'], name: '' },
    { login: 'direction.demo', profiles: ['principal', 'local_admin'], name: 'Claire' },
  ];

  for (const persona of personas) {
    test(`${persona.login} sees exactly the tiles of their profile`, async () => {
      const { page } = await track(loggedInTab(persona.login));
      await page.locator('main h1', { hasText: `Bonjour ${persona.name}` }).waitFor();
      const shown = await tiles(page);
      expect(shown.sort()).toEqual(expectedTiles(persona.profiles).sort());
      // The UI shows what the server answers, nothing more.
      const est = await page.evaluate(() => localStorage.getItem('preau.establishment'));
      const api = await page.request.get(`/api/portal${est ? `?establishment=${est}` : ''}`);
      const body = (await api.json()) as { services: { key: string }[] };
      expect(shown.sort()).toEqual(body.services.map((s) => s.key).sort());
      await audit(page, `portal-${persona.login.replace('.demo', '')}`);
    });
  }

  test('the platform administrator has no tiles but the establishments', async () => {
    const { page } = await track(loggedInTab('admin.demo'));
    await page.locator('main h1', { hasText: 'Bonjour Anne' }).waitFor();
    await page.getByText('Votre compte administre la plateforme').waitFor();
    expect(await page.locator('[data-testid="service-tiles"] > li').count()).toBe(0);
    await audit(page, 'portal-admin');
    await page.getByRole('link', { name: 'Établissements' }).first().click();
    await page.locator('main h1', { hasText: 'Établissements' }).waitFor();
    await page.locator('main table').waitFor();
    await audit(page, 'platform-establishments');
  });

  test('on a phone: the portal stacks its tiles and the menu opens', async () => {
    const tab = await track(newTab({ width: 375, height: 740 }));
    const { page } = tab;
    await login(page, 'eleve.demo');
    await page.locator('main h1', { hasText: 'Bonjour Emma' }).waitFor();
    await tiles(page);
    await audit(page, 'phone-portal');
    await page.getByRole('button', { name: 'Menu' }).first().click();
    await page.getByRole('dialog').getByRole('link', { name: 'Mon compte' }).first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/phone-menu.png` });
  });

  test('a parent in two establishments switches between them, by child', async () => {
    const { page } = await track(loggedInTab('parent.demo'));
    const switcher = page.getByLabel('Enfant affiché');
    const options = await switcher.locator('option').allTextContents();
    expect(options.sort()).toEqual(['Emma — Lycée Jean Jaurès', 'Hugo — Collège Louise Michel']);
    const before = await page.locator('.fr-text--lead').first().textContent();
    const other = await switcher.locator('option:not(:checked)').getAttribute('value');
    await switcher.selectOption(other ?? '');
    await expect.poll(() => page.locator('.fr-text--lead').first().textContent()).not.toBe(before);
    await tiles(page);
  });

  test('the footer links to the legal notice and the accessibility statement', async () => {
    const { page } = await track(newTab());
    await page.goto('/login');
    await page.locator('footer').getByRole('link', { name: 'Mentions légales' }).click();
    await page.locator('main h1', { hasText: 'Mentions légales' }).waitFor();
    await audit(page, 'legal-notice');
    await page
      .locator('footer')
      .getByRole('link', { name: /Accessibilité/ })
      .click();
    await page.locator('main h1', { hasText: "Déclaration d'accessibilité" }).waitFor();
    expect(await page.locator('footer').textContent()).toMatch(/Accessibilité\s*:\s*non conforme/);
    await audit(page, 'accessibility');
  });
});

describe('first login', () => {
  test('activation code → password with live feedback → charter → optional e-mail → portal', async () => {
    const { page } = await track(newTab());
    await page.goto('/login');
    await page.getByRole('link', { name: 'Activer mon compte' }).click();
    await page.locator('main h1', { hasText: 'Activer mon compte' }).waitFor();
    await audit(page, 'activation-1-code');
    await page.getByLabel('Identifiant').fill('activation.demo');
    await page.getByLabel("Code d'activation").fill(inject('activationCode'));
    await page.getByRole('button', { name: 'Continuer' }).click();

    await page.getByText('Étape 2 sur 4').waitFor();
    const pwd = page.locator('input[name="new-password"]');
    const tooShort = page.locator('[data-rule="TOO_SHORT"]');
    await pwd.fill('court');
    await expect.poll(() => tooShort.getAttribute('data-ok')).toBe('false');
    await audit(page, 'activation-2-password');
    await pwd.fill('activation-demo-2026');
    await expect.poll(() => page.locator('[data-rule="CONTAINS_NAME"]').getAttribute('data-ok')).toBe('false');
    const strong = 'Cartable-Lumineux-Préau-42';
    await pwd.fill(strong);
    for (const rule of ['TOO_SHORT', 'COMMON', 'CONTAINS_NAME']) {
      await expect.poll(() => page.locator(`[data-rule="${rule}"]`).getAttribute('data-ok')).toBe('true');
    }
    await page.locator('input[name="confirm-password"]').fill(strong);
    await page.getByRole('button', { name: 'Activer mon compte' }).click();

    await page.locator('main h1', { hasText: "Charte d'utilisation" }).waitFor();
    await page.getByText('Étape 3 sur 4').waitFor();
    expect(await page.locator('.preau-charter').textContent()).toMatch(/Version \d+ du/);
    await audit(page, 'activation-3-charter');
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();
    await page.getByText('Cochez la case pour accepter la charte.').waitFor();
    await page.getByText(/J'ai lu la charte/).click();
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();

    // Possibly a second charter (the establishment's after the platform's): accept until the e-mail step shows.
    const emailTitle = page.locator('main h1', { hasText: 'Votre adresse électronique' });
    for (let i = 0; i < 3; i++) {
      if ((await emailTitle.count()) > 0) break;
      await page.waitForTimeout(300);
      if ((await page.locator('main h1').first().textContent())?.startsWith('Charte')) {
        await page.getByText(/J'ai lu la charte/).click();
        await page.getByRole('button', { name: 'Accepter et continuer' }).click();
      }
    }
    await emailTitle.waitFor();
    await page.getByText('Étape 4 sur 4').waitFor();
    await audit(page, 'activation-4-email');
    await page.getByLabel(/Adresse électronique/).fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
    await page.getByText('Adresse électronique invalide').waitFor();
    await page.getByLabel(/Adresse électronique/).fill('marc.activation@example.org');
    await page.getByRole('button', { name: 'Enregistrer et continuer' }).click();
    await page.locator('main h1', { hasText: 'Bonjour Marc' }).waitFor();
    expect((await tiles(page)).sort()).toEqual(expectedTiles(['guardian']).sort());
    await audit(page, 'activation-5-portal');
    await page.goto('/account');
    await page.locator('main h1', { hasText: 'Mon compte' }).waitFor();
    await expect
      .poll(() => page.getByTestId('account-email').textContent(), { timeout: 10_000 })
      .toBe('marc.activation@example.org');

    // The new password works at the next login.
    const second = await track(newTab());
    await login(second.page, 'activation.demo', strong);
    await second.page.locator('main h1', { hasText: 'Bonjour Marc' }).waitFor();
  });
});

describe('administration', () => {
  test('a principal closes a service: gone from the student portal, its URL says "service fermé"', async () => {
    const direction = await track(loggedInTab('direction.demo'));
    const { page } = direction;
    let establishment: string | undefined;
    try {
      await page.getByRole('link', { name: 'Administration' }).first().click();
      await page.locator('main h1', { hasText: 'Services' }).waitFor();
      await page.locator('tr[data-service="documents"]').waitFor();
      establishment = /\/admin\/([^/]+)\//.exec(page.url())?.[1];
      await audit(page, 'admin-services');
      await page.locator('tr[data-service="documents"]').getByRole('button', { name: 'Modifier' }).click();
      const editor = page.locator('tr[data-service="documents"] form');
      await editor.getByLabel('Statut').selectOption('closed');
      await editor.getByLabel('Qui saisit').fill('Les enseignants');
      await audit(page, 'admin-services-edit');
      await editor.getByRole('button', { name: 'Enregistrer' }).click();
      await page.getByText('Service « Espace documentaire » enregistré.').waitFor();
      expect(await page.locator('tr[data-service="documents"]').textContent()).toContain('Fermé');
      expect(await page.locator('tr[data-service="documents"]').textContent()).toContain('Les enseignants');

      const student = await track(loggedInTab('eleve.demo'));
      const shown = await tiles(student.page);
      expect(shown).not.toContain('documents');
      expect(shown).toEqual(expectedTiles(['student']).filter((k) => k !== 'documents'));
      await student.page.goto('/services/documents');
      await student.page.locator('main h1', { hasText: 'Service fermé' }).waitFor();
      await audit(student.page, 'service-closed');

      // Reopen it: back on the direction's portal, and open to the student again — whose address of it now leads
      // to the service itself (the documents service is built).
      await page.locator('tr[data-service="documents"]').getByRole('button', { name: 'Modifier' }).click();
      await page.locator('tr[data-service="documents"] form').getByLabel('Statut').selectOption('recommended');
      await page.locator('tr[data-service="documents"] form').getByRole('button', { name: 'Enregistrer' }).click();
      await page.getByText('Service « Espace documentaire » enregistré.').waitFor();
      await page.goto('/');
      expect(await tiles(page)).toContain('documents');
      await student.page.goto('/');
      expect(await tiles(student.page)).toContain('documents');
      await student.page.goto('/services/documents');
      await student.page.waitForURL(/\/documents$/);
      await student.page.locator('main h1', { hasText: 'Mes documents' }).waitFor();
    } finally {
      // The other browser test files use the documents service: whatever happened here, it is open again.
      if (establishment) {
        const { csrfToken } = (await (await page.request.get('/api/me')).json()) as { csrfToken: string };
        const res = await page.request.patch(`/api/establishments/${establishment}/services/documents`, {
          headers: { 'x-csrf-token': csrfToken },
          data: { status: 'recommended' },
        });
        expect(res.status()).toBe(200);
      }
    }
  });

  test('a new charter version forces re-acceptance at the next login', async () => {
    const { page } = await track(loggedInTab('direction.demo'));
    const est = await page.evaluate(() => localStorage.getItem('preau.establishment'));
    await page.goto(est ? `/admin/${est}/charter` : '/');
    if (!est) await page.getByRole('link', { name: 'Administration' }).first().click();
    await page.getByRole('link', { name: 'Charte' }).first().click();
    await page.locator('main h1', { hasText: 'Charte' }).waitFor();
    await page.locator('tr[data-profile="student"]').waitFor();
    await audit(page, 'admin-charter');
    await page.getByRole('button', { name: 'Rédiger une nouvelle version' }).click();
    await page.getByLabel('Titre', { exact: true }).fill("Charte d'usage du lycée Jean Jaurès");
    await page
      .getByLabel('Texte de la charte')
      .fill('Article 1 : chacun respecte les autres.\nArticle 2 : les mots de passe sont personnels.');
    await page.getByRole('button', { name: 'Aperçu' }).click();
    await page.getByText('Article 2 : les mots de passe sont personnels.').waitFor();
    await audit(page, 'admin-charter-preview');
    await page.getByRole('button', { name: 'Publier cette version' }).click();
    await page.getByText(/Version \d+ publiée/).waitFor();
    // The principal accepts it too before anything else.
    await page.goto('/');
    await page.locator('main h1', { hasText: "Charte d'utilisation" }).waitFor();

    const student = await track(newTab());
    await login(student.page, 'eleve.demo');
    await student.page.locator('main h1', { hasText: "Charte d'utilisation" }).waitFor();
    expect(await student.page.locator('main').textContent()).toContain('nouvelle version');
    expect(await student.page.locator('main').textContent()).toContain(
      'Article 2 : les mots de passe sont personnels.',
    );
    await audit(student.page, 'charter-new-version');
    // Going elsewhere still shows the charter first.
    await student.page.goto('/account');
    await student.page.locator('main h1', { hasText: "Charte d'utilisation" }).waitFor();
    await student.page.getByText(/J'ai lu la charte/).click();
    await student.page.getByRole('button', { name: 'Accepter et continuer' }).click();
    await student.page.locator('main h1', { hasText: 'Mon compte' }).waitFor();

    await page.getByText(/J'ai lu la charte/).click();
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();
    await page.locator('main h1', { hasText: 'Bonjour' }).waitFor();
  });

  test('users: search, detail, block and unblock, new activation code', async () => {
    const { page } = await track(loggedInTab('direction.demo'));
    await page.getByRole('link', { name: 'Administration' }).first().click();
    await page.getByRole('link', { name: 'Utilisateurs' }).first().click();
    await page.locator('main h1', { hasText: 'Utilisateurs' }).waitFor();
    await page.locator('main table, main .preau-empty').first().waitFor();
    await audit(page, 'admin-users');
    await page.getByLabel('Nom ou identifiant').fill('eleve.demo');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('link', { name: 'ÉLÈVE Emma' }).click();
    await page.locator('main h1', { hasText: 'ÉLÈVE Emma' }).waitFor();
    await audit(page, 'admin-user-detail');
    await page.getByRole('button', { name: "Bloquer dans l'établissement" }).click();
    await page.getByRole('button', { name: "Débloquer dans l'établissement" }).waitFor();
    const blocked = await track(newTab());
    await login(blocked.page, 'eleve.demo');
    await blocked.page.getByRole('alert').first().waitFor();
    await page.getByRole('button', { name: "Débloquer dans l'établissement" }).click();
    await page.getByRole('button', { name: "Bloquer dans l'établissement" }).waitFor();

    // A pending account gets a new activation code.
    await page.goto(page.url().replace(/\/users\/.*/, '/users?status=pending_activation'));
    await page.locator('main table, main .preau-empty').first().waitFor();
    const first = page.locator('main tbody tr th a').first();
    if ((await first.count()) > 0) {
      await first.click();
      await page.getByRole('button', { name: "Générer un nouveau code d'activation" }).click();
      await expect.poll(() => page.getByTestId('activation-code').textContent()).toMatch(/\S{4,}/);
    }
  });
});

describe('account', () => {
  test('change password with live feedback, end the other sessions', async () => {
    const first = 'Carte-Postale-Ombrée-2026';
    const user = await newStaff('Yvonne', 'Quillet', first);
    const other = await track(loggedInTab(user, first));
    const { page } = await track(loggedInTab(user, first));
    // A charter may be waiting (the platform's, or a new version published by the charter test): accept it first.
    await acceptCharterIfAsked(page);
    await page.getByRole('link', { name: 'Mon compte' }).first().click();
    await page.locator('main h1', { hasText: 'Mon compte' }).waitFor();
    await page.locator('.preau-sessions li').nth(1).waitFor();
    await audit(page, 'account');

    await page.locator('input[name="current-password"]').fill(first);
    await page.locator('input[name="new-password"]').fill('Vie-Scolaire-Sereine-2026');
    for (const rule of ['TOO_SHORT', 'COMMON', 'CONTAINS_NAME']) {
      await expect.poll(() => page.locator(`[data-rule="${rule}"]`).getAttribute('data-ok')).toBe('true');
    }
    await page.locator('input[name="confirm-password"]').fill('Vie-Scolaire-Sereine-2026');
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await page.getByText('Votre mot de passe a été changé.').waitFor();

    const endOthers = page.getByRole('button', { name: /Terminer (l'autre session|les \d+ autres sessions)/ });
    if ((await endOthers.count()) > 0) {
      await endOthers.click();
      await page.getByText('Aucune autre session ouverte.').waitFor();
    }
    await other.page.goto('/account');
    await other.page.waitForURL('**/login');
  });
});

describe('platform', () => {
  test('the platform administrator creates an establishment (UAI checked)', async () => {
    const { page } = await track(loggedInTab('admin.demo'));
    await page.goto('/platform/establishments');
    await page.locator('main h1', { hasText: 'Établissements' }).waitFor();
    await page.getByRole('button', { name: 'Créer un établissement' }).click();
    const uai = page.getByRole('textbox', { name: /^UAI/ });
    await uai.fill('123');
    await page.getByLabel('Nom', { exact: true }).fill('Collège Simone Veil');
    await page.getByRole('button', { name: "Créer l'établissement" }).click();
    await page.getByText('UAI invalide').waitFor();
    await audit(page, 'platform-create-invalid');
    // 0932000 mod 23 = 17 → check letter U (alphabet without I, O, Q).
    await uai.fill('0932000A');
    await page.getByRole('button', { name: "Créer l'établissement" }).click();
    await page.getByText('Lettre de contrôle incorrecte').waitFor();
    await uai.fill('0932000U');
    await page.getByRole('textbox', { name: 'Commune', exact: true }).fill('Montreuil');
    await page.getByRole('button', { name: "Créer l'établissement" }).click();
    await page.getByText('Établissement « Collège Simone Veil » (0932000U) créé.').waitFor();
    await page.getByRole('searchbox').fill('Simone');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.locator('main tbody tr', { hasText: '0932000U' }).waitFor();
    await audit(page, 'platform-create-result');
    // Jump into its administration.
    await page
      .locator('main tbody tr', { hasText: '0932000U' })
      .getByRole('link', { name: /Administrer/ })
      .click();
    await page.locator('main h1', { hasText: 'Services' }).waitFor();
    await page.locator('tr[data-service="logbook"]').waitFor();
    await expect.poll(() => page.locator('.fr-sidemenu').textContent()).toContain('Collège Simone Veil');
    await audit(page, 'platform-admin-services');
  });
});
