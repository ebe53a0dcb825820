import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, audit, close, launch, memberTab, type Tab } from '../src/browser.ts';

/**
 * The rollout cockpit (module `rollout`), as the principal of the demo lycée uses it: the first screen on the
 * home page, a plan for the logbook with two steps and an objective, the indicator moving once a teacher uses
 * the service, a resource person's slot booked, the indicators exported as CSV; every page audited (axe) and
 * photographed. Then the académie view of a platform administrator.
 */
const tabs: Tab[] = [];

beforeAll(async () => {
  await launch();
});

afterAll(async () => {
  const problems = tabs.flatMap((t) => t.problems);
  for (const t of tabs) await t.context.close();
  await close();
  expect(problems).toEqual([]);
});

let principal: Tab;

describe('the rollout cockpit', () => {
  test('the principal finds the rollout’s first screen on the home page', async () => {
    principal = await memberTab('direction.demo');
    tabs.push(principal);
    const { page } = principal;
    const widget = page.locator('[data-widget="rollout"]');
    await widget.waitFor();
    expect(await widget.locator('h3').first().textContent()).toBe('Pilotage du déploiement');
    const checklist = widget.getByTestId('rollout-checklist');
    await checklist.locator('[data-item]').first().waitFor();
    expect(await checklist.locator('[data-item]').count()).toBe(6);
    // Computed from the demo's data: the lycée has opened some services with dates, not all.
    expect(await checklist.locator('[data-item="services"]').getAttribute('data-state')).toBe('partial');
    await widget.getByText('Plateforme d’assistance ENT de la DANE').waitFor();
    await audit(page, 'rollout-home');
    await widget.getByRole('link', { name: 'Ouvrir le tableau de bord du déploiement' }).click();
    await page.locator('main h1', { hasText: 'Pilotage du déploiement' }).waitFor();
    await page.getByTestId('activation-rates').waitFor();
    await audit(page, 'rollout-overview');
  });

  test('a plan for the logbook: two steps and an objective', async () => {
    const { page } = principal;
    await page.getByRole('link', { name: 'Plan de déploiement' }).click();
    await page.locator('main h1', { hasText: 'Plan de déploiement' }).waitFor();
    const step = page.getByTestId('new-step');
    for (const [title, due] of [
      ['Présentation aux professeurs principaux', 3],
      ['Atelier « devoirs en ligne » pour les TZR', 10],
    ] as const) {
      await step.getByLabel('Service').selectOption('logbook');
      await step.getByLabel(/^Étape/).fill(title);
      await step.getByLabel('Responsable').selectOption({ label: 'PROFESSEUR Paul' });
      await step.getByLabel('Échéance').fill(inDays(due));
      await step.getByRole('button', { name: "Ajouter l'étape" }).click();
      await page.locator(`[data-plan-service="logbook"] [data-step="${title}"]`).waitFor();
    }
    const objective = page.getByTestId('new-objective');
    await objective.getByLabel('Service').selectOption('logbook');
    await objective
      .getByLabel('Indicateur')
      .selectOption({ label: 'Part des enseignants actifs dans le service (30 jours)' });
    await objective.getByLabel('Cible (en %)').fill('95');
    await objective.getByLabel('Échéance').fill(inDays(40));
    await objective.getByRole('button', { name: "Ajouter l'objectif" }).click();
    const row = page.locator('[data-plan-service="logbook"] [data-objective="rollout.service_active.teacher"]');
    await expect.poll(() => row.count()).toBe(2);
    await page.getByTestId('plan-timeline').waitFor();
    await audit(page, 'rollout-plan');
    await page.getByTestId('plan-timeline').screenshot({ path: join(ARTIFACTS, 'rollout-plan-timeline.png') });
  });

  test('a teacher uses the logbook: the objective’s current value moves after a refresh', async () => {
    const { page } = principal;
    const current = async () =>
      page
        .locator('[data-plan-service="logbook"] [data-objective="rollout.service_active.teacher"]')
        .last()
        .getByTestId('objective-current')
        .textContent();
    const before = percent(await current());
    // prof.demo opens the logbook (through the API, as its screens do): a usage event of the service.
    const teacher = await memberTab('prof.demo');
    tabs.push(teacher);
    const est = await teacher.page.evaluate(async () => {
      const me = await (await fetch('/api/me')).json();
      return me.memberships.find(
        (m: { establishment: { name: string } }) => m.establishment.name === 'Lycée Jean Jaurès',
      ).establishment.id as string;
    });
    const used = await teacher.page.request.get(`/api/portal/services/logbook?establishment=${est}`);
    expect(used.status()).toBe(200);
    // The principal asks for the figures now (they are otherwise rolled up every hour).
    await page.getByRole('link', { name: 'Indicateurs' }).click();
    await page.locator('main h1', { hasText: 'Indicateurs' }).waitFor();
    await page.getByRole('button', { name: 'Actualiser maintenant' }).click();
    await page.getByRole('link', { name: 'Plan de déploiement' }).click();
    await expect.poll(async () => percent(await current()), { timeout: 15_000 }).toBeGreaterThan(before);
  });

  test('the indicators: charts with their tables, filtered by profile, exported as CSV', async () => {
    const { page } = principal;
    await page.getByRole('link', { name: 'Indicateurs' }).click();
    await page.locator('main h1', { hasText: 'Indicateurs' }).waitFor();
    await page.getByTestId('service-chart').waitFor();
    await page.getByTestId('activation-chart').waitFor();
    await page.getByLabel('Profil').selectOption('teacher');
    await page.getByRole('button', { name: 'Appliquer' }).click();
    await page.getByRole('heading', { name: 'Utilisation des services — Enseignants' }).waitFor();
    await page.getByTestId('pioneers').waitFor();
    // The services' indicators are figures as of the usage's roll-up: the page says when, as it does at the top.
    const asOf = (await page.getByTestId('as-of').textContent())?.match(/à jour au (.+)\.$/)?.[1];
    expect(asOf).toBeTruthy();
    expect(await page.getByTestId('indicators-as-of').textContent()).toBe(
      `Chiffres au ${asOf}, recalculés à chaque actualisation de l’usage des services (toutes les heures, ou avec « Actualiser maintenant »).`,
    );
    await audit(page, 'rollout-indicators');
    await page.getByTestId('service-chart').screenshot({ path: join(ARTIFACTS, 'rollout-chart-service.png') });
    await page.getByTestId('activation-chart').screenshot({ path: join(ARTIFACTS, 'rollout-chart-activation.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^indicateurs-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('indicateur;date;profil;objet;valeur;numérateur;dénominateur');
    expect(lines.some((l) => /^actifs_30_jours;\d{4}-\d\d-\d\d;enseignants;logbook;\d+;\d+;\d+$/.test(l))).toBe(true);
  });

  test('booking a slot of a resource person', async () => {
    const { page } = principal;
    await page.getByRole('link', { name: 'Personnes ressources et formations' }).click();
    await page.locator('main h1', { hasText: 'Personnes ressources et formations' }).waitFor();
    const card = page.locator('[data-person="PROFESSEUR Paul"]');
    await card.getByLabel(/^Votre question/).fill('Le visa des cahiers de textes');
    await card.getByRole('button', { name: 'Réserver' }).first().click();
    await card.getByText('Rendez-vous réservé : la personne ressource est prévenue.').waitFor();
    await card.getByText('Votre rendez-vous').first().waitFor();
    await audit(page, 'rollout-support');
    // The resource person reads it on their news feed.
    const teacher = tabs.find((t) => t !== principal)!;
    const feed = await (await teacher.page.request.get('/api/timeline')).json();
    expect(feed.items[0]).toMatchObject({ kind: 'rollout.slot.booked', link: '/rollout/support' });
    expect(feed.items[0].text).toMatch(
      /^DIRECTION Claire a réservé votre créneau du .* : « Le visa des cahiers de textes »\.$/,
    );
  });

  test('the other pages of the cockpit', async () => {
    const { page } = principal;
    for (const [link, title, name] of [
      ['État des lieux', 'État des lieux', 'rollout-stock'],
      ['Comité de pilotage', 'Comité de pilotage', 'rollout-team'],
      ['Besoins exprimés', 'Besoins exprimés', 'rollout-needs'],
      ['Compétences numériques', 'Compétences numériques', 'rollout-skills'],
      ['Votre avis', 'Votre avis', 'rollout-pulse'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.locator('main h1', { hasText: title }).waitFor();
      await page.locator('main table, main form').first().waitFor();
      await audit(page, name);
    }
  });

  test('a teacher outside the steering group: no widget, the support pages only', async () => {
    const teacher = tabs.find((t) => t !== principal)!;
    const { page } = teacher;
    await page.goto('/');
    await page.locator('[data-widget="timeline"]').waitFor();
    expect(await page.locator('[data-widget="rollout"]').count()).toBe(0);
    await page.goto('/rollout');
    await page.locator('main h1', { hasText: 'Mon accompagnement' }).waitFor();
    expect(await page.getByRole('link', { name: 'Indicateurs' }).count()).toBe(0);
    await audit(page, 'rollout-teacher');
  });

  test('the académie view of a platform administrator', async () => {
    const admin = await memberTab('admin.demo');
    tabs.push(admin);
    await admin.page.goto('/platform/rollout');
    await admin.page.locator('main h1', { hasText: 'Déploiement dans les académies' }).waitFor();
    await admin.page.locator('[data-establishment="Lycée Jean Jaurès"]').waitFor();
    // The demo's two establishments (and any another test created in the académie), ranked.
    expect(await admin.page.locator('[data-academy="Académie de Créteil"] tbody tr').count()).toBeGreaterThanOrEqual(2);
    await admin.page.locator('[data-establishment="Collège Louise Michel"]').waitFor();
    await audit(admin.page, 'rollout-academy');
  });
});

function inDays(n: number): string {
  const d = new Date(Date.now() + n * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function percent(text: string | null): number {
  const m = /(\d+)\s*%/.exec(text ?? '');
  if (!m) throw new Error(`no percentage in ${text}`);
  return Number(m[1]);
}
