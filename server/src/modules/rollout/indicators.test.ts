import { beforeAll, describe, expect, test } from 'vitest';
import { makeUser } from '../../../test/helpers.ts';
import {
  appWithProbe,
  logbookUsageCount,
  noonDaysAgo,
  parisDayAgo,
  type RolloutWorld,
  rolloutWorld,
  usage,
} from '../../../test/rollout.ts';

/**
 * The indicators are computed from the platform's data only: usage events generated over several days,
 * profiles and services, rolled up, must give exactly the figures counted by hand below. A module's own
 * indicator (a probe module here: the frame's registry, never a hard-coded service) shows on the dashboard.
 */
// Counts the probe's usage events in the period: what a real module computes from its own rows.
const { db, app } = await appWithProbe({
  key: 'probe.lessons_written',
  label: { fr: 'Séances écrites (sonde)', en: 'Lessons written (probe)' },
  compute: logbookUsageCount('lesson.write', { inPeriod: true }),
});

let w: RolloutWorld;
const T = (i: number) => w.teachers[i]!.id;
const S = (i: number) => w.students[i]!.id;
const G = (i: number) => w.guardians[i]!.id;

beforeAll(async () => {
  w = await rolloutWorld(db, app);
  // Everyone joined the establishment two months ago (accounts created active count as activated since then).
  await db
    .updateTable('membership')
    .set({ created_at: noonDaysAgo(60) })
    .where('establishment_id', '=', w.school.id)
    .execute();
  // The establishment's charter, accepted by some: principal, local admin, CPE, three teachers, one student, one guardian.
  const charter = await db
    .insertInto('charter')
    .values({ establishment_id: w.school.id, version: 1, title: 'Charte', body: 'Le texte de la charte.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('charter_acceptance')
    .values(
      [w.principal.id, w.localAdmin.id, w.cpe.id, T(0), T(1), T(2), S(0), G(0)].map((user_id) => ({
        user_id,
        charter_id: charter.id,
        establishment_id: w.school.id,
      })),
    )
    .execute();

  // The usage, by hand: who used which service on which day (days ago; 0 = today).
  await usage(db, w.school.id, [
    { userId: T(0), profile: 'teacher', service: 'logbook', daysAgo: 0, times: 3 },
    { userId: T(0), profile: 'teacher', service: 'logbook', daysAgo: 3, times: 2 },
    { userId: T(1), profile: 'teacher', service: 'logbook', daysAgo: 5 },
    { userId: T(2), profile: 'teacher', service: 'logbook', daysAgo: 20 },
    { userId: T(1), profile: 'teacher', service: 'logbook', daysAgo: 40 },
    { userId: S(0), profile: 'student', service: 'logbook', daysAgo: 0 },
    { userId: S(1), profile: 'student', service: 'logbook', daysAgo: 10 },
    { userId: T(0), profile: 'teacher', service: 'messaging', daysAgo: 0 },
    { userId: G(0), profile: 'guardian', service: 'messaging', daysAgo: 0 },
    { userId: G(0), profile: 'guardian', service: 'messaging', daysAgo: 8 },
    { userId: T(0), profile: 'teacher', service: 'logbook', daysAgo: 1, action: 'lesson.write', times: 4 },
  ]);
  // Another establishment's usage never counts here.
  const stranger = await makeUser(db, { establishmentId: w.other.id, profiles: ['teacher'] });
  await usage(db, w.other.id, [{ userId: stranger.id, profile: 'teacher', service: 'logbook', daysAgo: 0, times: 5 }]);
});

const service = (body: { services: { key: string }[] }, key: string) =>
  body.services.find((s) => s.key === key) as {
    key: string;
    activeUsers: { day: number; week: number; month: number };
    byProfile: { profile: string; activeUsers: { day: number; week: number; month: number } }[];
  };

describe('GET /api/rollout/indicators (the contract)', () => {
  test('activation and charter per profile now; active users per service from the roll-up, counted by hand', async () => {
    const res = await w.as.principal.get(`/api/rollout/indicators?establishment=${w.school.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.establishmentId).toBe(w.school.id);
    expect(Date.now() - Date.parse(body.asOf)).toBeLessThan(60_000);
    expect(body.activation).toEqual([
      { profile: 'student', activated: 3, total: 5 },
      { profile: 'guardian', activated: 1, total: 4 },
      { profile: 'teacher', activated: 3, total: 4 },
      { profile: 'staff', activated: 1, total: 1 },
      { profile: 'principal', activated: 1, total: 1 },
      { profile: 'local_admin', activated: 1, total: 1 },
    ]);
    expect(body.charter).toEqual([
      { profile: 'student', accepted: 1, total: 5 },
      { profile: 'guardian', accepted: 1, total: 4 },
      { profile: 'teacher', accepted: 3, total: 4 },
      { profile: 'staff', accepted: 1, total: 1 },
      { profile: 'principal', accepted: 1, total: 1 },
      { profile: 'local_admin', accepted: 1, total: 1 },
    ]);
    // logbook: today T0, S0; last 7 days + T1 (5 days ago); last 30 days + S1 (10), T2 (20); T1 40 days ago is out.
    const logbook = service(body, 'logbook');
    expect(logbook.activeUsers).toEqual({ day: 2, week: 3, month: 5 });
    const byProfile = Object.fromEntries(logbook.byProfile.map((p) => [p.profile, p.activeUsers]));
    expect(byProfile).toEqual({
      teacher: { day: 1, week: 2, month: 3 },
      student: { day: 1, week: 1, month: 2 },
    });
    // messaging: T0 and G0 today; G0 eight days ago adds nobody.
    expect(service(body, 'messaging').activeUsers).toEqual({ day: 2, week: 2, month: 2 });
    // every service of the catalogue is listed, unused ones at zero
    expect(service(body, 'documents').activeUsers).toEqual({ day: 0, week: 0, month: 0 });
    expect(body.services).toHaveLength(12);
  });

  test('the roll-up is never more than an hour old: past it, the request rolls up first; within it, not', async () => {
    const url = `/api/rollout/indicators?establishment=${w.school.id}`;
    // A new teacher uses the logbook today; the roll-up of ten minutes ago stays (within the hour).
    const tenMinutes = new Date(Date.now() - 10 * 60_000);
    await db
      .updateTable('rollout_rollup')
      .set({ as_of: tenMinutes })
      .where('establishment_id', '=', w.school.id)
      .execute();
    await usage(db, w.school.id, [{ userId: T(2), profile: 'teacher', service: 'logbook', daysAgo: 0 }]);
    const stale = (await w.as.principal.get(url)).json();
    expect(Date.parse(stale.asOf)).toBe(tenMinutes.getTime());
    expect(service(stale, 'logbook').activeUsers.day).toBe(2);
    // Seventy minutes old: rolled up again, the new use counts.
    await db
      .updateTable('rollout_rollup')
      .set({ as_of: new Date(Date.now() - 70 * 60_000) })
      .where('establishment_id', '=', w.school.id)
      .execute();
    const fresh = (await w.as.principal.get(url)).json();
    expect(Date.now() - Date.parse(fresh.asOf)).toBeLessThan(60_000);
    expect(service(fresh, 'logbook').activeUsers).toEqual({ day: 3, week: 4, month: 5 });
  });

  test('two requests finding it stale at once: one rolls up, the other waits and reuses it', async () => {
    await db
      .updateTable('rollout_rollup')
      .set({ as_of: new Date(Date.now() - 2 * 3_600_000) })
      .where('establishment_id', '=', w.school.id)
      .execute();
    const url = `/api/rollout/indicators?establishment=${w.school.id}`;
    const [a, b] = await Promise.all([w.as.principal.get(url), w.as.principal.get(url)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().asOf).toBe(b.json().asOf);
    expect(service(a.json(), 'logbook').activeUsers).toEqual(service(b.json(), 'logbook').activeUsers);
  });

  test('"Actualiser" rolls up at once, the buffered events included', async () => {
    await usage(db, w.school.id, [{ userId: T(1), profile: 'teacher', service: 'messaging', daysAgo: 0 }]);
    const res = await w.as.principal.post('/api/rollout/indicators/refresh', { establishmentId: w.school.id });
    expect(res.statusCode, res.body).toBe(200);
    const body = (await w.as.principal.get(`/api/rollout/indicators?establishment=${w.school.id}`)).json();
    expect(body.asOf).toBe(res.json().asOf);
    expect(service(body, 'messaging').activeUsers.day).toBe(3);
  });

  test('only the direction and the steering group: teachers, staff, students 403; another establishment 404', async () => {
    const url = `/api/rollout/indicators?establishment=${w.school.id}`;
    for (const [who, code] of [
      [w.as.teacher, 'NOT_STEERING'],
      [w.as.cpe, 'NOT_STEERING'],
      [w.as.localAdmin, 'NOT_STEERING'],
      [w.as.student, 'FORBIDDEN'],
      [w.as.guardian, 'FORBIDDEN'],
    ] as const) {
      const res = await who.get(url);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().code).toBe(code);
    }
    const other = await w.as.other.get(url);
    expect(other.statusCode).toBe(404);
    expect(other.json().detail).toBe('Introuvable.');
    // A member of the steering group sees them.
    await db
      .insertInto('rollout_steering_member')
      .values({ establishment_id: w.school.id, user_id: T(2), role: 'member', subject_code: null })
      .execute();
    expect((await w.as.teacher3.get(url)).statusCode).toBe(200);
    await db.deleteFrom('rollout_steering_member').where('user_id', '=', T(2)).execute();
  });

  test('bad input: 400 in French with the field named', async () => {
    const res = await w.as.principal.get('/api/rollout/indicators?establishment=pas-un-identifiant');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION', detail: 'Certaines valeurs envoyées ne sont pas valides.' });
    expect(res.json().errors[0].path).toMatch(/establishment/);
  });
});

describe('the dashboard', () => {
  test('the montée en charge of a service, per day, for one profile, matches the usage by hand', async () => {
    const from = parisDayAgo(25);
    const res = await w.as.principal.get(
      `/api/rollout/dashboard?establishment=${w.school.id}&from=${from}&profile=teacher`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.from).toBe(from);
    expect(d.to).toBe(parisDayAgo(0));
    expect(d.members).toBe(4);
    const logbook = d.services.find((s: { key: string }) => s.key === 'logbook');
    expect(logbook.series).toHaveLength(26);
    const at = (n: number) => logbook.series.find((p: { day: string }) => p.day === parisDayAgo(n));
    // 20 days ago: T2 alone; 5 days ago: T1 (week: T1; month: T1, T2); 3 days ago: T0 (week: T0, T1).
    // (T1's use 40 days ago is inside the 30 days that end 20, 19 and 14 days ago.)
    expect(at(20)).toEqual({ day: parisDayAgo(20), day_users: 1, week_users: 1, month_users: 2 });
    expect(at(19)).toEqual({ day: parisDayAgo(19), day_users: 0, week_users: 1, month_users: 2 });
    expect(at(14)).toEqual({ day: parisDayAgo(14), day_users: 0, week_users: 1, month_users: 2 });
    expect(at(13)).toEqual({ day: parisDayAgo(13), day_users: 0, week_users: 0, month_users: 2 });
    expect(at(5)).toEqual({ day: parisDayAgo(5), day_users: 1, week_users: 1, month_users: 2 });
    expect(at(3)).toEqual({ day: parisDayAgo(3), day_users: 1, week_users: 2, month_users: 3 });
    // today: T0, T2 (added above) today; T1 five days ago.
    expect(at(0)).toEqual({ day: parisDayAgo(0), day_users: 2, week_users: 3, month_users: 3 });
    expect(logbook.now).toEqual({ day: 2, week: 3, month: 3 });
    // The profile filter: activation and charter of teachers only; their weekly activation curve.
    expect(d.activation).toEqual([{ profile: 'teacher', activated: 3, total: 4 }]);
    expect(d.charter).toEqual([{ profile: 'teacher', accepted: 3, total: 4 }]);
    expect(d.activationSeries.every((p: { profile: string }) => p.profile === 'teacher')).toBe(true);
    expect(d.activationSeries.at(-1)).toEqual({ day: parisDayAgo(0), profile: 'teacher', activated: 3, total: 4 });
  });

  test('activation over time follows each account’s activation event', async () => {
    // Two guardians activate: one 12 days ago (an activation event), one today.
    const { activateForDemo } = await import('../accounts/index.ts');
    await activateForDemo(db, [{ userId: G(1), at: noonDaysAgo(12) }], 'x');
    await activateForDemo(db, [{ userId: G(2), at: noonDaysAgo(0) }], 'x');
    const d = (
      await w.as.principal.get(
        `/api/rollout/dashboard?establishment=${w.school.id}&from=${parisDayAgo(14)}&profile=guardian`,
      )
    ).json();
    const at = (day: string) => d.activationSeries.find((p: { day: string }) => p.day === day);
    // points each week from the start, and today: 14 days ago (1 of 4), 7 days ago (2), today (3)
    expect(d.activationSeries.map((p: { day: string }) => p.day)).toEqual([
      parisDayAgo(14),
      parisDayAgo(7),
      parisDayAgo(0),
    ]);
    expect(at(parisDayAgo(14)).activated).toBe(1);
    expect(at(parisDayAgo(7)).activated).toBe(2);
    expect(at(parisDayAgo(0))).toEqual({ day: parisDayAgo(0), profile: 'guardian', activated: 3, total: 4 });
    // Per class, guardians first: 2NDE1's three guardians are all activated now, 2NDE2's one is not.
    const c2 = d.classes.find((c: { class: string }) => c.class === '2NDE2');
    expect(c2.guardians).toEqual({ activated: 0, accepted: 0, total: 1 });
    const c1 = d.classes.find((c: { class: string }) => c.class === '2NDE1');
    expect(c1.students).toEqual({ activated: 2, accepted: 1, total: 3 });
    expect(c1.guardians).toEqual({ activated: 3, accepted: 1, total: 3 });
  });

  test('every registered indicator is there, computed over the period (the probe module’s too)', async () => {
    const d = (
      await w.as.principal.get(`/api/rollout/dashboard?establishment=${w.school.id}&from=${parisDayAgo(7)}`)
    ).json();
    const probeIndicator = d.indicators.find((i: { key: string }) => i.key === 'probe.lessons_written');
    expect(probeIndicator).toMatchObject({
      module: 'probe',
      unit: 'count',
      value: 4,
      label: 'Séances écrites (sonde)',
    });
    const own = d.indicators.find((i: { key: string }) => i.key === 'rollout.teacher_activation_rate');
    expect(own).toMatchObject({ value: 0.75, numerator: 3, denominator: 4 });
    // Over a period that ends before the lessons were written, the probe counts none.
    const before = (
      await w.as.principal.get(
        `/api/rollout/dashboard?establishment=${w.school.id}&from=${parisDayAgo(20)}&to=${parisDayAgo(2)}`,
      )
    ).json();
    expect(before.indicators.find((i: { key: string }) => i.key === 'probe.lessons_written').value).toBe(0);
  });

  test('pioneers: the most active teachers per discipline', async () => {
    const d = (
      await w.as.principal.get(`/api/rollout/dashboard?establishment=${w.school.id}&from=${parisDayAgo(29)}`)
    ).json();
    const maths = d.pioneers.find((p: { subject: string }) => p.subject === 'Mathématiques');
    expect(maths.people.map((p: { id: string }) => p.id)).toEqual([T(0), T(1)]);
    expect(maths.people[0]).toMatchObject({ displayName: 'MATHS Alice', activeDays: 3, events: 10 });
    const french = d.pioneers.find((p: { subject: string }) => p.subject === 'Français');
    expect(french.people.map((p: { id: string }) => p.id)).toEqual([T(2)]);
  });

  test('CSV export: semicolons, decimal commas, a line per figure, no names', async () => {
    const res = await w.as.principal.get(
      `/api/rollout/dashboard/export?establishment=${w.school.id}&from=${parisDayAgo(6)}&profile=teacher`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="indicateurs-${parisDayAgo(6)}-${parisDayAgo(0)}.csv"`,
    );
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('indicateur;date;profil;objet;valeur;numérateur;dénominateur');
    expect(lines).toContain(`actifs_30_jours;${parisDayAgo(0)};enseignants;logbook;3;3;4`);
    expect(lines).toContain(`actifs_7_jours;${parisDayAgo(3)};enseignants;logbook;2;2;4`);
    expect(lines).toContain(`charte;${parisDayAgo(0)};enseignants;;0,75;3;4`);
    expect(lines).toContain(`probe.lessons_written;${parisDayAgo(0)};;probe;4;;`);
    expect(res.body).not.toContain('Alice');
  });

  test('a period that ends before it starts, or too long, is a 400 in French', async () => {
    const res = await w.as.principal.get(
      `/api/rollout/dashboard?establishment=${w.school.id}&from=${parisDayAgo(2)}&to=${parisDayAgo(5)}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'INVALID_PERIOD',
      detail: 'La période est invalide : la fin doit suivre le début.',
    });
    const long = await w.as.principal.get(`/api/rollout/dashboard?establishment=${w.school.id}&from=2020-01-01`);
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ code: 'PERIOD_TOO_LONG', detail: 'La période couvre au plus 400 jours.' });
    const bad = await w.as.principal.get(`/api/rollout/dashboard?establishment=${w.school.id}&profile=pirate`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION');
  });
});
