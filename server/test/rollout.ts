import { defineApi } from '@preau/contracts';
import type { Kysely } from 'kysely';
import { afterAll } from 'vitest';
import { buildApp } from '../src/app.ts';
import { modules } from '../src/modules/index.ts';
import { testConfig } from '../src/platform/config.ts';
import type { Database } from '../src/platform/db/schema.ts';
import { type App, defineModule, type IndicatorDefinition } from '../src/platform/module.ts';
import { insertUsageEvents } from '../src/platform/usage.ts';
import { assign, enrol, guard, makeClass, subject } from './directory-fixtures.ts';
import { type Agent, freshDatabase, loginAs, makeEstablishment, makeUser, urlOf } from './helpers.ts';
import '../src/modules/rollout/rollout.tables.ts';

/**
 * The app with every module and a module of the tests' own, "probe", offering the cockpit one indicator through the
 * frame's registry (never a hard-coded service), on a database of this file's own; with the caches (they listen to
 * the database's notifications) when `caches`, without otherwise.
 */
export async function appWithProbe(
  indicator: Pick<IndicatorDefinition, 'key' | 'label' | 'compute'>,
  { caches = false } = {},
) {
  const probe = defineModule({
    name: 'probe',
    prefix: '/api/probe',
    api: defineApi({ module: 'probe', permissions: [], errors: [], endpoints: {} }),
    permissions: {},
    indicators: [{ ...indicator, unit: 'count' }],
    plugin: async () => {},
  });
  const db = await freshDatabase();
  const app = await buildApp({
    config: testConfig('unused'),
    db,
    modules: [...modules, probe],
    ...(caches ? { listenUrl: urlOf(db) } : {}),
  });
  await app.ready();
  afterAll(() => app.close());
  return { db, app };
}

/**
 * A probe's count, as a real module computes one from its own rows: the establishment's logbook usage events of
 * `action`, within the indicator's period when `inPeriod`, at any time otherwise.
 */
export const logbookUsageCount =
  (action: string, { inPeriod = false } = {}): IndicatorDefinition['compute'] =>
  async (db, establishmentId, { from, to }) => {
    let count = db
      .selectFrom('usage_event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('establishment_id', '=', establishmentId)
      .where('service', '=', 'logbook')
      .where('action', '=', action);
    if (inPeriod)
      count = count
        .where('at', '>=', new Date(`${from}T00:00:00+01:00`))
        .where('at', '<', new Date(new Date(`${to}T00:00:00+01:00`).getTime() + 86_400_000));
    const row = await count.executeTakeFirstOrThrow();
    return { value: Number(row.n) };
  };

/**
 * A school for the rollout cockpit's tests: a principal, a local administrator, four teachers in two
 * disciplines (maths, French), a CPE, two classes of students with their guardians — some accounts activated,
 * some not — and another establishment whose principal must never see anything of it.
 */
export async function rolloutWorld(db: Kysely<Database>, app: App) {
  const school = await makeEstablishment(db);
  const other = await makeEstablishment(db);
  const maths = await subject(db, '061300', 'Mathématiques');
  const french = await subject(db, '020100', 'Français');
  const user = (profiles: ('student' | 'guardian' | 'teacher' | 'staff' | 'principal' | 'local_admin')[], extra = {}) =>
    makeUser(db, { establishmentId: school.id, profiles, ...extra });

  const principal = await user(['principal'], { firstName: 'Claire', lastName: 'Proviseure' });
  const localAdmin = await user(['local_admin']);
  const cpe = await user(['staff'], { firstName: 'Karim', lastName: 'Cpe' });
  const teachers = [
    await user(['teacher'], { firstName: 'Alice', lastName: 'Maths' }),
    await user(['teacher'], { firstName: 'Bruno', lastName: 'Maths' }),
    await user(['teacher'], { firstName: 'Chloé', lastName: 'Lettres' }),
    await user(['teacher'], { firstName: 'David', lastName: 'Lettres', status: 'pending_activation' }),
  ] as const;
  const c1 = await makeClass(db, school, '2NDE1');
  const c2 = await makeClass(db, school, '2NDE2');
  await assign(db, school, teachers[0].id, { classId: c1.id }, maths);
  await assign(db, school, teachers[1].id, { classId: c2.id }, maths);
  await assign(db, school, teachers[2].id, { classId: c1.id }, french);
  await assign(db, school, teachers[3].id, { classId: c2.id }, french);

  // 2NDE1: three students (two activated), three guardians (one activated); 2NDE2: two students, one guardian.
  const s = [
    await user(['student']),
    await user(['student']),
    await user(['student'], { status: 'pending_activation' }),
    await user(['student']),
    await user(['student'], { status: 'pending_activation' }),
  ] as const;
  const g = [
    await user(['guardian']),
    await user(['guardian'], { status: 'pending_activation' }),
    await user(['guardian'], { status: 'pending_activation' }),
    await user(['guardian'], { status: 'pending_activation' }),
  ] as const;
  for (const st of s.slice(0, 3)) await enrol(db, school, st.id, { classId: c1.id });
  for (const st of s.slice(3)) await enrol(db, school, st.id, { classId: c2.id });
  await guard(db, school, g[0].id, s[0].id);
  await guard(db, school, g[1].id, s[1].id);
  await guard(db, school, g[2].id, s[2].id);
  await guard(db, school, g[3].id, s[3].id);

  const otherPrincipal = await makeUser(db, { establishmentId: other.id, profiles: ['principal'] });
  const as = {
    principal: await loginAs(app, principal.login),
    localAdmin: await loginAs(app, localAdmin.login),
    cpe: await loginAs(app, cpe.login),
    teacher: await loginAs(app, teachers[0].login),
    teacher2: await loginAs(app, teachers[1].login),
    teacher3: await loginAs(app, teachers[2].login),
    student: await loginAs(app, s[0].login),
    guardian: await loginAs(app, g[0].login),
    other: await loginAs(app, otherPrincipal.login),
  } satisfies Record<string, Agent>;
  return {
    school,
    other,
    principal,
    localAdmin,
    cpe,
    teachers,
    students: s,
    guardians: g,
    classes: [c1, c2],
    maths,
    french,
    as,
  };
}
export type RolloutWorld = Awaited<ReturnType<typeof rolloutWorld>>;

/** A Paris calendar day `n` days before today, and an instant at the given Paris hour of it. */
export function parisDayAgo(n: number): string {
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const x = new Date(`${d}T12:00:00Z`);
  x.setUTCDate(x.getUTCDate() - n);
  return x.toISOString().slice(0, 10);
}

/** Noon in Paris (10:00 or 11:00 UTC) of the day `n` days ago: well inside that Paris day whatever the season. */
export function noonDaysAgo(n: number): Date {
  return new Date(`${parisDayAgo(n)}T10:30:00Z`);
}

/** Usage events at chosen times, written as the recorder would (profile = the person's profile there). */
export async function usage(
  db: Kysely<Database>,
  establishmentId: string,
  events: { userId: string; profile: string; service: string; daysAgo: number; action?: string; times?: number }[],
) {
  await insertUsageEvents(
    db,
    events.flatMap((e) =>
      Array.from({ length: e.times ?? 1 }, () => ({
        userId: e.userId,
        establishmentId,
        profile: e.profile,
        service: e.service,
        action: e.action ?? 'use',
        at: noonDaysAgo(e.daysAgo),
      })),
    ),
  );
}

/** The whole cockpit's rows of an establishment, to prove a refused call wrote nothing. */
export async function rolloutRows(db: Kysely<Database>, establishmentId: string) {
  const tables = [
    'rollout_step',
    'rollout_objective',
    'rollout_tool',
    'rollout_risk',
    'rollout_steering_member',
    'rollout_need',
    'rollout_skill',
    'rollout_resource_person',
    'rollout_slot',
    'rollout_training',
    'rollout_registration',
    'rollout_pulse_answer',
    'rollout_pulse_marker',
    'rollout_announcement',
    'rollout_axis',
  ] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('establishment_id', '=', establishmentId)
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}
