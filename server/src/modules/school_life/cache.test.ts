import { beforeAll, describe, expect, test, vi } from 'vitest';
import { assign, enrol, guard, makeClass, subject } from '../../../test/directory-fixtures.ts';
import { type Agent, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';
import { cachesOf } from '../../platform/cache.ts';

/**
 * A student's absences page from memory (school_life.service.ts `ABSENCES`, migration 0402), on a moved clock
 * (Monday 30 November 2026, 10:30 in Paris): a roll call, a justification and a decision through the API are on
 * the next read, and only the students they touch are read again; what is written straight into the database
 * (another instance, psql) is seen once its notification has come.
 */
const { app, db } = await testApp();
const MONDAY = '2026-11-30';

let school: Awaited<ReturnType<typeof makeEstablishment>>;
const as = {} as Record<'teacher' | 'cpe' | 'parent' | 'parent2', Agent>;
const ids = {} as Record<'class' | 'course' | 'lea' | 'hugo' | 'parent', string>;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-30T09:30:00Z'));
  school = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  const c = await makeClass(db, school, '2NDE1');
  ids.class = c.id;
  const user = (profiles: ('student' | 'guardian' | 'teacher' | 'staff')[], firstName: string, lastName: string) =>
    makeUser(db, { establishmentId: school.id, profiles, firstName, lastName });
  const [teacher, cpe, parent, parent2, lea, hugo] = await Promise.all([
    user(['teacher'], 'Paul', 'Prof'),
    user(['staff'], 'Karim', 'Cpe'),
    user(['guardian'], 'Nadia', 'Martin'),
    user(['guardian'], 'Marc', 'Bernard'),
    user(['student'], 'Léa', 'Martin'),
    user(['student'], 'Hugo', 'Bernard'),
  ]);
  Object.assign(ids, { lea: lea.id, hugo: hugo.id, parent: parent.id });
  for (const s of [lea, hugo]) await enrol(db, school, s.id, { classId: c.id });
  await assign(db, school, teacher.id, { classId: c.id }, '061300');
  await guard(db, school, parent.id, lea.id);
  await guard(db, school, parent2.id, hugo.id);
  ids.course = await makeCourse(db, school, {
    classId: c.id,
    teacherIds: [teacher.id],
    subjectCode: '061300',
    end: '08:55',
    room: 'B204',
  });
  as.teacher = await loginAs(app, teacher.login);
  as.cpe = await loginAs(app, cpe.login);
  as.parent = await loginAs(app, parent.login);
  as.parent2 = await loginAs(app, parent2.login);
});

type Item = {
  id: string;
  studentName: string;
  classCode: string | null;
  state: string;
  reason?: string;
  justification?: { status: string; by: string };
};

async function absencesOf(a: Agent, student: string): Promise<Item[]> {
  const res = await a.get(`/api/school-life/absences?establishment=${school.id}&student=${student}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Item[];
}

async function rollCall(body: { absent?: string[] }, status: number) {
  const res = await as.teacher.post('/api/school-life/roll-calls', { courseId: ids.course, date: MONDAY, ...body });
  expect(res.statusCode, res.body).toBe(status);
}

const stats = () => cachesOf(db)!.stats()['school-life-student-absences']!;

describe("a student's absences from memory", () => {
  test('a roll call, a justification and a decision through the API are on the next read, for those students only', async () => {
    expect(await absencesOf(as.parent, ids.lea)).toEqual([]);
    expect(await absencesOf(as.parent2, ids.hugo)).toEqual([]);
    await rollCall({ absent: [ids.lea] }, 201);
    const before = stats();
    const [absence] = await absencesOf(as.parent, ids.lea);
    expect(absence).toMatchObject({ studentName: 'MARTIN Léa', classCode: '2NDE1', state: 'to_justify' });
    expect(await absencesOf(as.parent2, ids.hugo)).toEqual([]);
    expect(stats().misses - before.misses).toBe(1); // Léa's page read again
    expect(stats().hits - before.hits).toBe(1); // Hugo's still in memory

    const j = await as.parent.post(`/api/school-life/absences/${absence!.id}/justification`, { reason: 'maladie' });
    expect(j.statusCode, j.body).toBe(201);
    expect((await absencesOf(as.parent, ids.lea))[0]).toMatchObject({ justification: { status: 'pending' } });
    const d = await as.cpe.post(`/api/school-life/absences/${absence!.id}/decision`, { accept: true });
    expect(d.statusCode, d.body).toBe(200);
    expect((await absencesOf(as.parent, ids.lea))[0]).toMatchObject({
      state: 'justified',
      reason: 'Maladie',
      justification: { status: 'accepted' },
    });

    // The correction: Hugo absent, Léa present after all.
    await rollCall({ absent: [ids.hugo] }, 201);
    expect(await absencesOf(as.parent, ids.lea)).toEqual([]);
    expect((await absencesOf(as.parent2, ids.hugo)).length).toBe(1);
  });

  test('changes written straight into the database are seen once their notification has come', async () => {
    const [absence] = await absencesOf(as.parent2, ids.hugo);
    // As another instance (or psql) would: no request of this app wrote anything.
    await db.updateTable('school_life_absence').set({ state: 'not_justified' }).where('id', '=', absence!.id).execute();
    expect((await absencesOf(as.parent2, ids.hugo))[0]!.state).toBe('not_justified');
    await db
      .insertInto('school_life_justification')
      .values({
        establishment_id: school.id,
        absence_id: absence!.id,
        reason_text: 'Panne de réveil',
        guardian_id: null,
      })
      .execute();
    expect((await absencesOf(as.parent2, ids.hugo))[0]!.justification).toMatchObject({ status: 'pending' });
    await db
      .updateTable('school_life_justification')
      .set({ status: 'refused' })
      .where('absence_id', '=', absence!.id)
      .execute();
    expect((await absencesOf(as.parent2, ids.hugo))[0]!.justification).toMatchObject({ status: 'refused' });
    await db.updateTable('app_user').set({ display_name: 'BERNARD Hugo-Renommé' }).where('id', '=', ids.hugo).execute();
    expect((await absencesOf(as.parent2, ids.hugo))[0]!.studentName).toBe('BERNARD Hugo-Renommé');
    await db.updateTable('class').set({ code: '2NDE9' }).where('id', '=', ids.class).execute();
    expect((await absencesOf(as.parent2, ids.hugo))[0]!.classCode).toBe('2NDE9');
    await db.deleteFrom('school_life_absence').where('id', '=', absence!.id).execute();
    expect(await absencesOf(as.parent2, ids.hugo)).toEqual([]);
    // The access check's facts: the guardianship gone, 403; a foreign id, 404.
    await db.deleteFrom('guardianship').where('guardian_id', '=', ids.parent).execute();
    const res = await as.parent.get(`/api/school-life/absences?establishment=${school.id}&student=${ids.lea}`);
    expect(res.statusCode).toBe(403);
    const foreign = await as.parent2.get(
      `/api/school-life/absences?establishment=${school.id}&student=${crypto.randomUUID()}`,
    );
    expect(foreign.statusCode).toBe(404);
  });
});
