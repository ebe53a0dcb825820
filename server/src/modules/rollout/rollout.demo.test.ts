import { expect, test } from 'vitest';
import { freshDatabase, loginAs } from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../platform/config.ts';
import { localStorage } from '../../platform/storage/index.ts';
import { seedDemoIfEmpty } from '../../seed/demo.ts';
import { seedModuleDemos } from '../../seed/modules.ts';
import { modules } from '../index.ts';

/**
 * The demo académie's cockpit is alive on first look: the lycée's principal sees a plan, objectives moving, a
 * steering group, resource persons with slots — and the montée en charge computed from generated usage events
 * by the real roll-up (more active teachers now than in the first weeks).
 */
test('the demo lycée: a montée en charge rolled up from usage events, a plan, people', async () => {
  const db = await freshDatabase();
  const config = testConfig('unused');
  const started = Date.now();
  expect(await seedDemoIfEmpty(db, config)).toBe(true);
  await seedModuleDemos(db, config, modules, localStorage(config.dataDir));
  const seconds = (Date.now() - started) / 1000;
  const app = await buildApp({ config, db });
  await app.ready();
  try {
    const lycee = await db
      .selectFrom('establishment')
      .select('id')
      .where('name', '=', 'Lycée Jean Jaurès')
      .executeTakeFirstOrThrow();
    const as = await loginAs(app, 'direction.demo', 'demo');
    const d = (await as.get(`/api/rollout/dashboard?establishment=${lycee.id}&profile=teacher`)).json();
    const logbook = d.services.find((s: { key: string }) => s.key === 'logbook');
    const first = logbook.series.find((p: { month_users: number }) => p.month_users > 0);
    const last = logbook.series.at(-1);
    expect(last.month_users).toBeGreaterThan(first.month_users);
    expect(last.month_users / d.members).toBeGreaterThan(0.5);
    // Figures are the roll-up's: the last day's distinct users equal the events' distinct users that day.
    const events = await db
      .selectFrom('usage_event')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('n'))
      .where('establishment_id', '=', lycee.id)
      .where('service', '=', 'logbook')
      .where('profile', '=', 'teacher')
      .where('at', '>=', new Date(Date.now() - 30 * 86_400_000))
      .executeTakeFirstOrThrow();
    expect(Math.abs(Number(events.n) - last.month_users)).toBeLessThanOrEqual(2);
    expect(d.pioneers.length).toBeGreaterThan(3);
    const plan = (await as.get(`/api/rollout/plan?establishment=${lycee.id}`)).json();
    expect(plan.services.find((s: { key: string }) => s.key === 'logbook').steps.length).toBe(4);
    expect(plan.lateSteps.length).toBeGreaterThan(0);
    expect(plan.services.find((s: { key: string }) => s.key === 'logbook').objectives[0].current).toBeGreaterThan(0.3);
    const team = (await as.get(`/api/rollout/team?establishment=${lycee.id}`)).json();
    expect(team.pilot.displayName).toBe('DIRECTION Claire');
    expect(team.tice.filter((t: { person: unknown }) => t.person).length).toBeGreaterThan(3);
    const people = (await as.get(`/api/rollout/resource-persons?establishment=${lycee.id}`)).json();
    expect(people.items.length).toBe(3);
    const skills = (await as.get(`/api/rollout/skills?establishment=${lycee.id}`)).json();
    expect(skills.overall.count).toBeGreaterThan(10);
    const o = (await as.get(`/api/rollout/overview?establishment=${lycee.id}`)).json();
    expect(o.help.name).toMatch(/DANE/);
    expect(o.activation.find((a: { profile: string }) => a.profile === 'guardian').activated).toBeGreaterThan(100);
    console.log(`demo with the rollout: ${seconds.toFixed(1)} s`);
  } finally {
    await app.close();
  }
}, 300_000);
