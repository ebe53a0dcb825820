import { beforeEach, describe, expect, test } from 'vitest';
import { countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';

const { app, db } = await testApp();

async function schoolWithAYear() {
  const school = await makeEstablishment(db);
  const principal = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
  const teacher = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
  const student = await makeUser(db, { establishmentId: school.id, profiles: ['student'] });
  const guardian = await makeUser(db, { establishmentId: school.id, profiles: ['guardian'] });
  const year = school.schoolYearId;
  const cls = await db
    .insertInto('class')
    .values({ establishment_id: school.id, school_year_id: year, code: '2NDE1', label: '2NDE1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const grp = await db
    .insertInto('teaching_group')
    .values({ establishment_id: school.id, school_year_id: year, code: 'ESP2', label: 'Espagnol' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('subject')
    .values({ code: '061300', label: 'Mathématiques' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('enrolment')
    .values([
      { establishment_id: school.id, school_year_id: year, student_id: student.id, class_id: cls.id, group_id: null },
      { establishment_id: school.id, school_year_id: year, student_id: student.id, class_id: null, group_id: grp.id },
    ])
    .execute();
  await db
    .insertInto('teaching_assignment')
    .values({
      establishment_id: school.id,
      school_year_id: year,
      teacher_id: teacher.id,
      class_id: cls.id,
      group_id: null,
      subject_code: '061300',
    })
    .execute();
  await db
    .insertInto('head_teacher')
    .values({ establishment_id: school.id, school_year_id: year, teacher_id: teacher.id, class_id: cls.id })
    .execute();
  await db
    .insertInto('guardianship')
    .values({ establishment_id: school.id, guardian_id: guardian.id, student_id: student.id, level: 'legal' })
    .execute();
  return { school, principal, teacher, student, guardian };
}

describe('school-year rollover', () => {
  let w: Awaited<ReturnType<typeof schoolWithAYear>>;
  beforeEach(async () => {
    w = await schoolWithAYear();
  });

  test('the preview lists what will be archived and the year that opens, and changes nothing', async () => {
    const p = await loginAs(app, w.principal.login);
    const res = await p.get(`/api/establishments/${w.school.id}/school-years/rollover`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.from).toMatchObject({ label: '2026-2027', status: 'current' });
    expect(body.to).toEqual({ label: '2027-2028', startsOn: '2027-09-01', endsOn: '2028-08-31' });
    expect(body.archived).toEqual({ classes: 1, groups: 1, enrolments: 2, teachingAssignments: 1, headTeachers: 1 });
    expect(body.accountsKept).toBe(4);
    const years = await db
      .selectFrom('school_year')
      .select('status')
      .where('establishment_id', '=', w.school.id)
      .execute();
    expect(years.map((y) => y.status)).toEqual(['current']);
  });

  test('running it archives the year, opens the next, and every account keeps working', async () => {
    const p = await loginAs(app, w.principal.login);
    const studentBefore = await (await loginAs(app, w.student.login)).get('/api/me');
    expect(studentBefore.json().memberships[0].classes.map((c: { code: string }) => c.code)).toEqual(['2NDE1']);

    const res = await p.post(`/api/establishments/${w.school.id}/school-years/rollover`, { from: '2026-2027' });
    expect(res.statusCode).toBe(200);

    const years = await p.get(`/api/establishments/${w.school.id}/school-years`);
    const items = years.json().items as { label: string; status: string; retainedUntil: string | null }[];
    expect(items.map((y) => [y.label, y.status])).toEqual([
      ['2027-2028', 'current'],
      ['2026-2027', 'archived'],
    ]);
    expect(items[1]!.retainedUntil).toBe('2028-07-04');
    // The archived year's rows are kept (read-only), not deleted.
    expect(await countRows(db, 'enrolment')).toBeGreaterThanOrEqual(2);
    const kept = await db
      .selectFrom('class')
      .select('code')
      .where('school_year_id', '=', w.school.schoolYearId)
      .execute();
    expect(kept.map((c) => c.code)).toEqual(['2NDE1']);
    // Everyone still logs in; the new year starts without classes; guardianship survives.
    const student = await loginAs(app, w.student.login);
    const me = (await student.get('/api/me')).json();
    expect(me.memberships[0].profiles).toEqual(['student']);
    expect(me.memberships[0].classes).toEqual([]);
    const guardian = (await (await loginAs(app, w.guardian.login)).get('/api/me')).json();
    expect(guardian.memberships[0].children.map((c: { id: string }) => c.id)).toEqual([w.student.id]);
    await loginAs(app, w.teacher.login);

    const audit = await db
      .selectFrom('audit_event')
      .select(['details'])
      .where('action', '=', 'directory.school_year.rollover')
      .where('establishment_id', '=', w.school.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ from: '2026-2027', to: '2027-2028' });
  });

  test('a stale preview (the year already changed) is refused with 409 and changes nothing', async () => {
    const p = await loginAs(app, w.principal.login);
    expect(
      (await p.post(`/api/establishments/${w.school.id}/school-years/rollover`, { from: '2026-2027' })).statusCode,
    ).toBe(200);
    const again = await p.post(`/api/establishments/${w.school.id}/school-years/rollover`, { from: '2026-2027' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('SCHOOL_YEAR_CHANGED');
    expect(
      await db.selectFrom('school_year').select('id').where('establishment_id', '=', w.school.id).execute(),
    ).toHaveLength(2);
  });

  test('the ladder: 401, 400, 403, 404', async () => {
    const url = `/api/establishments/${w.school.id}/school-years/rollover`;
    expect((await app.inject({ method: 'POST', url, payload: { from: '2026-2027' } })).statusCode).toBe(401);
    const p = await loginAs(app, w.principal.login);
    for (const body of [{}, { from: '2026' }, { from: '2026-2027', extra: 1 }, { from: 2026 }]) {
      const res = await p.post(url, body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const teacher = await loginAs(app, w.teacher.login);
    expect((await teacher.post(url, { from: '2026-2027' })).statusCode).toBe(403);
    const other = await schoolWithAYear();
    const foreign = await loginAs(app, other.principal.login);
    expect((await foreign.post(url, { from: '2026-2027' })).statusCode).toBe(404);
    expect((await foreign.get(url)).statusCode).toBe(404);
    const years = await db
      .selectFrom('school_year')
      .select('status')
      .where('establishment_id', '=', w.school.id)
      .execute();
    expect(years.map((y) => y.status)).toEqual(['current']);
  });
});
