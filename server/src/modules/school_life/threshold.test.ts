import { expect, test } from 'vitest';
import { makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { alertAbsenteeism, THRESHOLD_KIND } from './threshold.ts';

const { db } = await testApp();

async function absentDays(establishmentId: string, studentId: string, days: string[], state = 'to_justify') {
  for (const day of days)
    await db
      .insertInto('school_life_absence')
      .values({
        establishment_id: establishmentId,
        student_id: studentId,
        kind: 'absence',
        starts_at: new Date(`${day}T06:00:00Z`),
        ends_at: new Date(`${day}T15:00:00Z`),
        on_date: day,
        state,
        source: 'staff',
      } as never)
      .execute();
}

async function noticesOf(userId: string) {
  return db
    .selectFrom('notification_recipient as r')
    .innerJoin('notification as n', 'n.id', 'r.notification_id')
    .select(['n.text', 'n.link'])
    .where('r.user_id', '=', userId)
    .where('n.kind', '=', THRESHOLD_KIND)
    .execute();
}

test('the vie scolaire and the direction are told once a month who reached 4 unjustified half-days', async () => {
  const est = await makeEstablishment(db);
  const principal = await makeUser(db, { establishmentId: est.id, profiles: ['principal'] });
  const cpe = await makeUser(db, { establishmentId: est.id, profiles: ['staff'] });
  await db
    .updateTable('membership')
    .set({ functions: ["EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION"] })
    .where('user_id', '=', cpe.id)
    .execute();
  const secretary = await makeUser(db, { establishmentId: est.id, profiles: ['staff'] });
  const teacher = await makeUser(db, { establishmentId: est.id, profiles: ['teacher'] });
  const absent = await makeUser(db, {
    establishmentId: est.id,
    profiles: ['student'],
    firstName: 'Lina',
    lastName: 'Absente',
  });
  const once = await makeUser(db, {
    establishmentId: est.id,
    profiles: ['student'],
    firstName: 'Tom',
    lastName: 'Présent',
  });
  const excused = await makeUser(db, {
    establishmentId: est.id,
    profiles: ['student'],
    firstName: 'Zoé',
    lastName: 'Excusée',
  });
  // Three whole days (six half-days) unjustified; one day; three days justified.
  await absentDays(est.id, absent.id, ['2026-10-05', '2026-10-06', '2026-10-07']);
  await absentDays(est.id, once.id, ['2026-10-08']);
  await absentDays(est.id, excused.id, ['2026-10-12', '2026-10-13', '2026-10-14'], 'justified');

  expect(await alertAbsenteeism(db, '2026-10-20')).toBe(1);
  for (const who of [principal, cpe]) {
    const notices = await noticesOf(who.id);
    expect(notices).toHaveLength(1);
    const text = JSON.stringify(notices[0]!.text);
    expect(text).toContain('ABSENTE Lina');
    expect(text).toContain('6 demi-journées');
    expect(text).toContain('octobre 2026');
    expect(text).not.toContain('PRÉSENT');
    expect(text).not.toContain('EXCUSÉE');
    expect(notices[0]!.link).toBe('/school-life?tab=absenteeism');
  }
  expect(await noticesOf(secretary.id)).toEqual([]);
  expect(await noticesOf(teacher.id)).toEqual([]);

  // The next evening: nothing new to say, nothing said again.
  expect(await alertAbsenteeism(db, '2026-10-21')).toBe(0);
  expect(await noticesOf(cpe.id)).toHaveLength(1);

  // Tom reaches it later in the month: only he is announced.
  await absentDays(est.id, once.id, ['2026-10-15']);
  expect(await alertAbsenteeism(db, '2026-10-22')).toBe(1);
  const notices = await noticesOf(cpe.id);
  expect(notices).toHaveLength(2);
  expect(notices.map((n) => JSON.stringify(n.text)).filter((t) => t.includes('PRÉSENT Tom'))).toHaveLength(1);

  // Another month is another count: Lina again if she reaches it again.
  await absentDays(est.id, absent.id, ['2026-11-02', '2026-11-03']);
  expect(await alertAbsenteeism(db, '2026-11-04')).toBe(1);
  expect(await noticesOf(principal.id)).toHaveLength(3);
});
