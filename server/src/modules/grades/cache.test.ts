import type { GradesResponse } from '@preau/contracts';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { assign, enrol, guard, makeClass, makeGroup, subject } from '../../../test/directory-fixtures.ts';
import { type Agent, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { cachesOf } from '../../platform/cache.ts';

/**
 * A student's grades page from memory (grades.service.ts `PAGES`, migration 0453): what a teacher writes through
 * the API is on the next read, what is written straight into the database (another instance, psql) once its
 * notification has come, an edit drops only its audience's pages, and no grade is served before its publication
 * time even though nothing announces that moment.
 */
const { app, db } = await testApp({ sessionIdleMinutes: 10 * 24 * 60, sessionAbsoluteHours: 10 * 24 });

let school: Awaited<ReturnType<typeof makeEstablishment>>;
const as = {} as Record<'principal' | 'maths' | 'latin' | 'parent' | 'zoeParent', Agent>;
const id = {} as Record<'class' | 'class2' | 'latin' | 'emma' | 'hugo' | 'zoe' | 'parent', string>;

beforeAll(async () => {
  school = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  await subject(db, '020200', 'Latin');
  const c = await makeClass(db, school, '2NDE1');
  const c2 = await makeClass(db, school, '2NDE2');
  const latin = await makeGroup(db, school, 'Latin 2nde');
  const user = (profiles: ('student' | 'guardian' | 'teacher' | 'principal')[], firstName: string) =>
    makeUser(db, { establishmentId: school.id, profiles, firstName, lastName: 'Cache' });
  const [maths, latinTeacher, principal, parent, zoeParent, emma, hugo, zoe] = await Promise.all([
    user(['teacher'], 'Paul'),
    user(['teacher'], 'Cicéron'),
    user(['principal'], 'Claire'),
    user(['guardian'], 'Nadia'),
    user(['guardian'], 'Omar'),
    user(['student'], 'Emma'),
    user(['student'], 'Hugo'),
    user(['student'], 'Zoé'),
  ]);
  Object.assign(id, { class: c.id, class2: c2.id, latin: latin.id, emma: emma.id, hugo: hugo.id, zoe: zoe.id });
  id.parent = parent.id;
  for (const s of [emma, hugo]) await enrol(db, school, s.id, { classId: c.id });
  await enrol(db, school, zoe.id, { classId: c2.id });
  await enrol(db, school, emma.id, { groupId: latin.id });
  await assign(db, school, maths.id, { classId: c.id }, '061300');
  await assign(db, school, maths.id, { classId: c2.id }, '061300');
  await assign(db, school, latinTeacher.id, { groupId: latin.id }, '020200');
  await guard(db, school, parent.id, emma.id);
  await guard(db, school, zoeParent.id, zoe.id);
  as.maths = await loginAs(app, maths.login);
  as.latin = await loginAs(app, latinTeacher.login);
  as.principal = await loginAs(app, principal.login);
  as.parent = await loginAs(app, parent.login);
  as.zoeParent = await loginAs(app, zoeParent.login);
  const res = await as.principal.put('/api/grades/settings', { establishment: school.id, publicationDelayHours: 0 });
  expect(res.statusCode, res.body).toBe(200);
});

afterEach(() => {
  vi.useRealTimers();
});

async function page(a: Agent, student: string): Promise<GradesResponse> {
  const res = await a.get(`/api/grades?establishment=${school.id}&student=${student}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as GradesResponse;
}

async function create(a: Agent, body: Record<string, unknown>): Promise<string> {
  const res = await a.post('/api/grades/assessments', {
    establishmentId: school.id,
    subjectId: '061300',
    title: 'Contrôle',
    date: '2026-10-05',
    coefficient: 1,
    scale: 20,
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

/** The home page's widget: the latest grades (kept as `grades-home-latest`). */
async function latest(a: Agent): Promise<{ assessmentId: string; title: string; value?: number }[]> {
  const res = await a.get(`/api/home?establishment=${school.id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().widgets.grades.latest;
}

const pageStats = () => cachesOf(db)!.stats()['grades-student-pages']!;

describe("a student's grades page from memory", () => {
  test('what a teacher writes through the API is on the next read; an edit drops only its audience', async () => {
    const a = await create(as.maths, {
      classId: id.class,
      title: 'Fonctions',
      grades: [
        { studentId: id.emma, value: 12 },
        { studentId: id.hugo, value: 8 },
      ],
    });
    await create(as.maths, { classId: id.class2, title: 'Autre classe', grades: [{ studentId: id.zoe, value: 15 }] });
    let emma = await page(as.parent, id.emma);
    expect(emma.items.map((i) => [i.title, i.value, i.classAverage])).toEqual([['Fonctions', 12, 10]]);
    expect((await page(as.parent, id.emma)).items).toEqual(emma.items); // from memory
    expect((await page(as.zoeParent, id.zoe)).items.map((i) => i.value)).toEqual([15]);

    // An edit of the first class's assessment: Emma's page changes at once, Zoé's (another class) stays cached.
    const patched = await as.maths.patch(`/api/grades/assessments/${a}`, {
      title: 'Fonctions affines',
      grades: [{ studentId: id.emma, value: 15 }],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const before = pageStats();
    emma = await page(as.parent, id.emma);
    expect(emma.items.map((i) => [i.title, i.value, i.classAverage])).toEqual([['Fonctions affines', 15, 11.5]]);
    expect(emma.averages.map((x) => [x.subject, x.average, x.classAverage])).toEqual([['Mathématiques', 15, 11.5]]);
    expect((await page(as.zoeParent, id.zoe)).items.map((i) => i.value)).toEqual([15]);
    const after = pageStats();
    expect(after.misses - before.misses).toBe(1); // Emma's page reloaded
    expect(after.hits - before.hits).toBe(1); // Zoé's page still in memory

    // A grade in a group Emma's page had no assessment of yet; then the assessment deleted.
    const l = await create(as.latin, {
      groupId: id.latin,
      subjectId: '020200',
      title: 'Version',
      grades: [{ studentId: id.emma, value: 17 }],
    });
    expect((await page(as.parent, id.emma)).items.map((i) => i.title).sort()).toEqual(['Fonctions affines', 'Version']);
    expect((await as.latin.delete(`/api/grades/assessments/${l}`)).statusCode).toBe(204);
    expect((await page(as.parent, id.emma)).items.map((i) => i.title)).toEqual(['Fonctions affines']);

    // A report published for Emma's class.
    const pub = await as.principal.post('/api/grades/reports/publish', {
      establishment: school.id,
      classId: id.class,
      period: 'T1',
    });
    expect(pub.statusCode, pub.body).toBe(200);
    expect((await page(as.parent, id.emma)).reports.map((r) => r.period)).toEqual(['T1']);
  });

  test('changes written straight into the database are seen once their notification has come', async () => {
    const a = await create(as.maths, {
      classId: id.class,
      title: 'Direct',
      grades: [{ studentId: id.emma, value: 10 }],
    });
    expect((await page(as.parent, id.emma)).items.find((i) => i.assessmentId === a)?.value).toBe(10);
    // As another instance (or psql) would: no request of this app wrote anything.
    expect((await latest(as.parent)).find((i) => i.assessmentId === a)?.value).toBe(10);
    await db.updateTable('grades_grade').set({ value: '13' }).where('assessment_id', '=', a).execute();
    expect((await page(as.parent, id.emma)).items.find((i) => i.assessmentId === a)?.value).toBe(13);
    expect((await latest(as.parent)).find((i) => i.assessmentId === a)?.value).toBe(13);
    await db.updateTable('grades_assessment').set({ title: 'Renommé' }).where('id', '=', a).execute();
    expect((await page(as.parent, id.emma)).items.find((i) => i.assessmentId === a)?.title).toBe('Renommé');
    expect((await latest(as.parent)).find((i) => i.assessmentId === a)?.title).toBe('Renommé');
    await db.updateTable('app_user').set({ display_name: 'Emma Renommée' }).where('id', '=', id.emma).execute();
    expect((await page(as.parent, id.emma)).student.displayName).toBe('Emma Renommée');
    // The guardian's right to see the grades (the access check's facts are kept per guardian).
    await db.updateTable('guardianship').set({ sees_grades: false }).where('guardian_id', '=', id.parent).execute();
    expect((await as.parent.get(`/api/grades?establishment=${school.id}&student=${id.emma}`)).statusCode).toBe(403);
    await db.updateTable('guardianship').set({ sees_grades: true }).where('guardian_id', '=', id.parent).execute();
    expect((await as.parent.get(`/api/grades?establishment=${school.id}&student=${id.emma}`)).statusCode).toBe(200);
    // No longer a student of the establishment: 404, as for a foreign id.
    await db.deleteFrom('membership').where('user_id', '=', id.hugo).where('profile', '=', 'student').execute();
    expect((await as.maths.get(`/api/grades?establishment=${school.id}&student=${id.hugo}`)).statusCode).toBe(404);
    expect(
      (await as.parent.get(`/api/grades?establishment=${school.id}&student=${crypto.randomUUID()}`)).statusCode,
    ).toBe(404);
  });

  test('a grade is not served from memory before its publication time', async () => {
    const t0 = new Date();
    vi.useFakeTimers({ toFake: ['Date'], now: t0 });
    const delay = await as.principal.put('/api/grades/settings', {
      establishment: school.id,
      publicationDelayHours: 48,
    });
    expect(delay.statusCode, delay.body).toBe(200);
    const a = await create(as.maths, {
      classId: id.class,
      title: 'Plus tard',
      grades: [{ studentId: id.emma, value: 19 }],
    });
    expect((await page(as.parent, id.emma)).items.some((i) => i.assessmentId === a)).toBe(false);
    expect((await latest(as.parent)).some((i) => i.assessmentId === a)).toBe(false);
    const staff = await page(as.principal, id.emma);
    expect(staff.items.find((i) => i.assessmentId === a)?.visible).toBe(false);
    // Nothing is written when the time comes: the pages cached a minute before (well within their ten minutes of
    // life) expire then.
    vi.setSystemTime(new Date(t0.getTime() + 48 * 3_600_000 - 60_000));
    expect((await page(as.parent, id.emma)).items.some((i) => i.assessmentId === a)).toBe(false);
    expect((await latest(as.parent)).some((i) => i.assessmentId === a)).toBe(false);
    expect((await page(as.principal, id.emma)).items.find((i) => i.assessmentId === a)?.visible).toBe(false);
    vi.setSystemTime(new Date(t0.getTime() + 48 * 3_600_000 + 1_000));
    expect((await page(as.parent, id.emma)).items.find((i) => i.assessmentId === a)?.value).toBe(19);
    expect((await latest(as.parent)).find((i) => i.assessmentId === a)?.value).toBe(19);
    expect((await page(as.principal, id.emma)).items.find((i) => i.assessmentId === a)?.visible).toBe(true);
  });
});
