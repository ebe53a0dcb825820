import { beforeEach, describe, expect, test } from 'vitest';
import { countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';

const { app, db } = await testApp();

/** Today (November 2026) the year 2026-2027 is not over: a rollover needs the year's label typed. */
const EARLY = { from: '2026-2027', earlyConfirmation: '2026-2027' };

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
    // The year ends on 4 July 2027: from 1 July 2027 the rollover needs no override.
    expect(body.window).toEqual({ opensOn: '2027-07-01', open: false });
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

    const res = await p.post(`/api/establishments/${w.school.id}/school-years/rollover`, EARLY);
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
    expect((await p.post(`/api/establishments/${w.school.id}/school-years/rollover`, EARLY)).statusCode).toBe(200);
    const again = await p.post(`/api/establishments/${w.school.id}/school-years/rollover`, EARLY);
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
    for (const body of [
      {},
      { from: '2026' },
      { from: '2026-2027', extra: 1 },
      { from: 2026 },
      { from: '2026-2027', earlyConfirmation: 2026 },
    ]) {
      const res = await p.post(url, body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const teacher = await loginAs(app, w.teacher.login);
    expect((await teacher.post(url, EARLY)).statusCode).toBe(403);
    const other = await schoolWithAYear();
    const foreign = await loginAs(app, other.principal.login);
    expect((await foreign.post(url, EARLY)).statusCode).toBe(404);
    expect((await foreign.get(url)).statusCode).toBe(404);
    const years = await db
      .selectFrom('school_year')
      .select('status')
      .where('establishment_id', '=', w.school.id)
      .execute();
    expect(years.map((y) => y.status)).toEqual(['current']);
  });
});

describe('the rollover waits for the end of the year (issue 9)', () => {
  let w: Awaited<ReturnType<typeof schoolWithAYear>>;
  beforeEach(async () => {
    w = await schoolWithAYear();
  });
  const state = async (schoolId: string) => ({
    years: await db
      .selectFrom('school_year')
      .select(['id', 'label', 'status', 'archived_at'])
      .where('establishment_id', '=', schoolId)
      .orderBy('label')
      .execute(),
    journal: await countRows(db, 'school_year_rollover'),
    audit: await countRows(db, 'audit_event'),
  });

  test('in November it is refused (409, in French, with the date), a wrong typed label too; nothing changes', async () => {
    const p = await loginAs(app, w.principal.login);
    const url = `/api/establishments/${w.school.id}/school-years/rollover`;
    const before = await state(w.school.id);
    const refused = await p.post(url, { from: '2026-2027' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      code: 'ROLLOVER_TOO_EARLY',
      detail:
        "L'année 2026-2027 n'est pas terminée : le passage à l'année suivante est possible à partir du 1er juillet 2027. Pour le faire quand même, confirmez en tapant le nom de l'année.",
    });
    const wrong = await p.post(url, { from: '2026-2027', earlyConfirmation: '2027-2028' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      code: 'ROLLOVER_CONFIRMATION_MISMATCH',
      errors: [{ path: 'body.earlyConfirmation', message: expect.stringContaining('2026-2027') }],
    });
    expect(await state(w.school.id)).toEqual(before);

    // Typed exactly: it runs, and the audit says it was early.
    const ok = await p.post(url, { from: '2026-2027', earlyConfirmation: ' 2026-2027 ' });
    expect(ok.statusCode, ok.body).toBe(200);
    const [event] = await db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'directory.school_year.rollover')
      .where('establishment_id', '=', w.school.id)
      .execute();
    expect(event!.details).toMatchObject({ early: true, opensOn: '2027-07-01', rolloverId: ok.json().rollover.id });
  });

  test('once the window is open it needs no override; the window is an instance or establishment setting', async () => {
    // A year that ended this summer.
    await db
      .updateTable('school_year')
      .set({ ends_on: '2026-07-04' })
      .where('id', '=', w.school.schoolYearId)
      .execute();
    const p = await loginAs(app, w.principal.login);
    const url = `/api/establishments/${w.school.id}/school-years/rollover`;
    expect((await p.get(url)).json().window).toEqual({ opensOn: '2026-07-01', open: true });
    // This establishment closes its years from 1 December only.
    await db
      .updateTable('establishment')
      .set({ settings: JSON.stringify({ rolloverOpensOn: '12-01' }) })
      .where('id', '=', w.school.id)
      .execute();
    expect((await p.get(url)).json().window).toEqual({ opensOn: '2026-12-01', open: false });
    expect((await p.post(url, { from: '2026-2027' })).json().code).toBe('ROLLOVER_TOO_EARLY');
    await db.updateTable('establishment').set({ settings: '{}' }).where('id', '=', w.school.id).execute();
    const res = await p.post(url, { from: '2026-2027' });
    expect(res.statusCode, res.body).toBe(200);

    const instance = await testApp({ rolloverOpensOn: '01-15' });
    const school = await makeEstablishment(instance.db);
    const principal = await makeUser(instance.db, { establishmentId: school.id, profiles: ['principal'] });
    const agent = await loginAs(instance.app, principal.login);
    expect((await agent.get(`/api/establishments/${school.id}/school-years/rollover`)).json().window).toEqual({
      opensOn: '2027-01-15',
      open: false,
    });
  });

  test('undo: the closed year is current again and the opened one goes; audited; only while the new year is empty', async () => {
    const p = await loginAs(app, w.principal.login);
    const base = `/api/establishments/${w.school.id}/school-years`;
    const before = await db
      .selectFrom('school_year')
      .select(['id', 'label', 'status', 'archived_at'])
      .where('establishment_id', '=', w.school.id)
      .execute();
    const ran = await p.post(`${base}/rollover`, EARLY);
    const rolloverId = ran.json().rollover.id as string;
    const list = (await p.get(`${base}/rollovers`)).json().items;
    expect(list).toMatchObject([
      { id: rolloverId, from: '2026-2027', to: '2027-2028', early: true, can: { undo: true } },
    ]);

    // Refused: another establishment (404), a teacher (403).
    const other = await schoolWithAYear();
    expect(
      (await (await loginAs(app, other.principal.login)).post(`${base}/rollovers/${rolloverId}/undo`)).statusCode,
    ).toBe(404);
    expect((await (await loginAs(app, w.teacher.login)).post(`${base}/rollovers/${rolloverId}/undo`)).statusCode).toBe(
      403,
    );

    const undo = await p.post(`${base}/rollovers/${rolloverId}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect(
      await db
        .selectFrom('school_year')
        .select(['id', 'label', 'status', 'archived_at'])
        .where('establishment_id', '=', w.school.id)
        .execute(),
    ).toEqual(before);
    // The student is back in their class.
    const me = (await (await loginAs(app, w.student.login)).get('/api/me')).json();
    expect(me.memberships[0].classes.map((c: { code: string }) => c.code)).toEqual(['2NDE1']);
    const twice = await p.post(`${base}/rollovers/${rolloverId}/undo`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('ROLLOVER_ALREADY_UNDONE');
    expect(
      await db
        .selectFrom('audit_event')
        .select('action')
        .where('establishment_id', '=', w.school.id)
        .where('action', 'like', 'directory.school_year.%')
        .orderBy('at')
        .execute(),
    ).toEqual([{ action: 'directory.school_year.rollover' }, { action: 'directory.school_year.rollover.undo' }]);

    // Once an import has filled the new year, the undo is refused and changes nothing.
    const again = (await p.post(`${base}/rollover`, EARLY)).json().rollover.id as string;
    const next = await db
      .selectFrom('school_year')
      .select('id')
      .where('establishment_id', '=', w.school.id)
      .where('status', '=', 'current')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('class')
      .values({ establishment_id: w.school.id, school_year_id: next.id, code: '1G1', label: '1G1' })
      .execute();
    const inUse = await p.post(`${base}/rollovers/${again}/undo`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ code: 'ROLLOVER_YEAR_IN_USE', detail: expect.stringContaining('2027-2028') });
    expect(
      (await db.selectFrom('school_year').select('status').where('id', '=', next.id).executeTakeFirstOrThrow()).status,
    ).toBe('current');
    // After the delay, too.
    await db
      .updateTable('school_year_rollover')
      .set({ undo_until: new Date(Date.now() - 1000) })
      .where('id', '=', again)
      .execute();
    expect((await p.post(`${base}/rollovers/${again}/undo`)).json().code).toBe('ROLLOVER_UNDO_EXPIRED');
  });
});
