import type { EntriesResponse, HomeworkList } from '@preau/contracts';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { announcements } from '../../../test/announcements.ts';
import { assign, enrol, makeClass, makeGroup } from '../../../test/directory-fixtures.ts';
import { type Agent, loginAs, makeEstablishment, makeUser, testApp, urlOf } from '../../../test/helpers.ts';
import { people, schoolWithClassAndGroup } from '../../../test/logbook-fixtures.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';
import { buildApp } from '../../app.ts';
import { cachesOf } from '../../platform/cache.ts';
import { testConfig } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { App } from '../../platform/module.ts';

/**
 * The logbook's week pages from memory (logbook.cache.ts, migration 0351): what each write announces, and that a
 * change — through the API, or written straight into the database as another instance or an import would — is on
 * the next read. The app's barrier waits for the notifications before each request (tests' `each-request`).
 */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
const as = {} as Record<'t1' | 't2' | 't3' | 's1' | 'outsider', Agent>;
const id = {} as Record<'t1' | 't2' | 't3' | 's1' | 'class1' | 'group' | 'maths' | 'spanish', string>;

beforeAll(async () => {
  const made = await schoolWithClassAndGroup(db);
  school = made.school;
  Object.assign(id, { class1: made.classId, group: made.groupId });
  const who = await people(app, db, school.id, [
    ['t1', 'teacher', 'Paul'],
    ['t2', 'teacher', 'Ana'],
    ['t3', 'teacher', 'Luc'],
    ['s1', 'student', 'Emma'],
  ] as const);
  Object.assign(id, who.ids);
  Object.assign(as, who.as);
  const other = await makeEstablishment(db);
  const o = await makeUser(db, { establishmentId: other.id, profiles: ['teacher'] });
  as.outsider = await loginAs(app, o.login);
  await enrol(db, school, id.s1, { classId: id.class1 });
  await enrol(db, school, id.s1, { groupId: id.group });
  await assign(db, school, id.t1, { classId: id.class1 }, '061300');
  id.maths = await makeCourse(db, school, { classId: id.class1, subjectCode: '061300', teacherIds: [id.t1] });
  id.spanish = await makeCourse(db, school, {
    groupId: id.group,
    subjectCode: '030602',
    teacherIds: [id.t2],
    weekday: 3,
  });
});

const MONDAY = '2026-11-30';
const week = async (who: Agent, classId = id.class1) => {
  const res = await who.get(
    `/api/logbook/entries?establishment=${school.id}&class=${classId}&from=${MONDAY}&to=2026-12-06`,
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as EntriesResponse;
};
const homeworkWeek = async () => {
  const res = await as.s1.get(`/api/logbook/homework?establishment=${school.id}&from=${MONDAY}&to=2026-12-06`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as HomeworkList).items;
};
const titles = (w: EntriesResponse) =>
  w.items
    .map((e) => e.lesson?.title)
    .filter(Boolean)
    .sort();
const hits = (name: string) => cachesOf(db)?.stats()[name]?.hits ?? 0;

describe("a class's week and a student's homework week, from memory", () => {
  let lessonId: string;
  let homeworkId: string;

  test('writes through the API are on the next read; reads in between come from memory', async () => {
    expect(titles(await week(as.t1))).toEqual([]);
    expect(await homeworkWeek()).toEqual([]);
    const created = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths,
      date: MONDAY,
      title: 'Fonctions affines',
      content: '<p>Variations.</p>',
      // For the Spanish group drawing from the class: on the class's lesson, and on the group's homework.
      homework: [{ dueDate: '2026-12-02', description: 'Exercice 3.', kind: 'exercise' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    lessonId = created.json().id;
    homeworkId = created.json().homework[0];
    expect(titles(await week(as.t1))).toEqual(['Fonctions affines']);
    const kept = hits('logbook-lesson-pages');
    const again = await week(as.t1);
    expect(hits('logbook-lesson-pages')).toBeGreaterThan(kept);
    expect(titles(again)).toEqual(['Fonctions affines']);
    expect(again.items.find((e) => e.lesson)!.can.write).toBe(true);

    expect((await as.t1.patch(`/api/logbook/lessons/${lessonId}`, { title: 'Fonctions affines (2)' })).statusCode).toBe(
      200,
    );
    expect(titles(await week(as.t1))).toEqual(['Fonctions affines (2)']);

    expect(await homeworkWeek()).toEqual([expect.objectContaining({ id: homeworkId, done: false })]);
    const keptHw = hits('logbook-homework-pages');
    await homeworkWeek();
    expect(hits('logbook-homework-pages')).toBeGreaterThan(keptHw);
    expect((await as.s1.put(`/api/logbook/homework/${homeworkId}/done`, { done: true })).statusCode).toBe(200);
    expect(await homeworkWeek()).toEqual([expect.objectContaining({ id: homeworkId, done: true })]);
    // The tick is the student's: the teacher's page says nothing of it.
    const seen = (await week(as.t1)).items.find((e) => e.lesson)!.homework[0]!;
    expect(seen.done).toBeNull();
    expect((await as.t1.patch(`/api/logbook/homework/${homeworkId}`, { description: 'Exercice 4.' })).statusCode).toBe(
      200,
    );
    expect((await homeworkWeek())[0]!.description).toBe('<p>Exercice 4.</p>');
  });

  test('changes written straight into the database are on the next read once announced', async () => {
    await week(as.t1);
    await homeworkWeek();
    // A lesson's title, a homework's description, a tick: as another instance would write them.
    await db.updateTable('logbook_lesson').set({ title: 'Écrit ailleurs' }).where('id', '=', lessonId).execute();
    expect(titles(await week(as.t1))).toEqual(['Écrit ailleurs']);
    await db.updateTable('logbook_homework').set({ description: 'Ailleurs' }).where('id', '=', homeworkId).execute();
    expect((await homeworkWeek())[0]!.description).toBe('Ailleurs');
    expect((await week(as.t1)).items.find((e) => e.lesson)!.homework[0]!.description).toBe('Ailleurs');
    await db.deleteFrom('logbook_homework_done').where('student_id', '=', id.s1).execute();
    expect((await homeworkWeek())[0]!.done).toBe(false);

    // The class renamed, its author renamed: on the lessons and on the page's title.
    await db.updateTable('class').set({ code: '2NDE1-B' }).where('id', '=', id.class1).execute();
    expect((await week(as.t1)).of.name).toBe('2NDE1-B');
    await db.updateTable('app_user').set({ display_name: 'Paul Renommé' }).where('id', '=', id.t1).execute();
    expect((await week(as.t1)).items.find((e) => e.lesson)!.lesson!.author!.displayName).toBe('Paul Renommé');

    // A lesson of the group, then a group the class's students join: the class's week shows its lessons.
    await db
      .insertInto('logbook_lesson')
      .values({
        establishment_id: school.id,
        school_year_id: school.schoolYearId,
        course_id: id.spanish,
        date: '2026-12-02',
        class_id: null,
        group_id: id.group,
        subject_code: '030602',
        author_id: id.t2,
        title: 'Los verbos',
        links: '[]',
      })
      .execute();
    expect(titles(await week(as.t1))).toEqual(['Los verbos', 'Écrit ailleurs']);
    const g2 = await makeGroup(db, school, 'LAT-A');
    await db
      .insertInto('logbook_lesson')
      .values({
        establishment_id: school.id,
        school_year_id: school.schoolYearId,
        course_id: null,
        date: '2026-12-03',
        class_id: null,
        group_id: g2.id,
        subject_code: '061300',
        author_id: id.t3,
        title: 'Rosa, rosae',
        links: '[]',
      })
      .execute();
    expect(titles(await week(as.t1))).toEqual(['Los verbos', 'Écrit ailleurs']);
    await enrol(db, school, id.s1, { groupId: g2.id });
    expect(titles(await week(as.t1))).toEqual(['Los verbos', 'Rosa, rosae', 'Écrit ailleurs']);

    // A lesson deleted: gone from the class's week.
    await db.deleteFrom('logbook_lesson').where('group_id', '=', g2.id).execute();
    expect(titles(await week(as.t1))).toEqual(['Los verbos', 'Écrit ailleurs']);
  });

  test("access stays first: a teacher without the class is refused until assigned, another establishment's class or member is 404", async () => {
    expect(
      (
        await as.t3.get(
          `/api/logbook/entries?establishment=${school.id}&class=${id.class1}&from=${MONDAY}&to=2026-12-06`,
        )
      ).statusCode,
    ).toBe(403);
    await assign(db, school, id.t3, { classId: id.class1 }, '061300');
    expect(titles(await week(as.t3))).toEqual(['Los verbos', 'Écrit ailleurs']);
    await db.deleteFrom('teaching_assignment').where('teacher_id', '=', id.t3).execute();
    expect(
      (
        await as.t3.get(
          `/api/logbook/entries?establishment=${school.id}&class=${id.class1}&from=${MONDAY}&to=2026-12-06`,
        )
      ).statusCode,
    ).toBe(403);
    const other = await makeEstablishment(db);
    const foreign = await makeClass(db, other, 'X1');
    const res = await as.t1.get(
      `/api/logbook/entries?establishment=${school.id}&class=${foreign.id}&from=${MONDAY}&to=2026-12-06`,
    );
    expect(res.statusCode).toBe(404);
    expect(
      (
        await as.outsider.get(
          `/api/logbook/entries?establishment=${school.id}&class=${id.class1}&from=${MONDAY}&to=2026-12-06`,
        )
      ).statusCode,
    ).toBe(404);
  });
});

describe('statements per request, caches warm (as in production: the barrier after writes only)', () => {
  const statements: string[] = [];
  let logged: App;
  let t1: Agent;
  let s1: Agent;
  let close = async () => {};
  afterAll(() => close());

  beforeAll(async () => {
    const url = urlOf(db);
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    const counted = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (e) => {
        if (e.level === 'query') statements.push(e.query.sql);
      },
    });
    logged = await buildApp({ config: testConfig(url, { cacheBarrier: 'after-writes' }), db: counted, listenUrl: url });
    await logged.ready();
    close = async () => {
      await logged.close();
      await counted.destroy();
    };
    const login = async (userId: string) =>
      loginAs(
        logged,
        (await db.selectFrom('app_user').select('login').where('id', '=', userId).executeTakeFirstOrThrow()).login,
      );
    t1 = await login(id.t1);
    s1 = await login(id.s1);
  });

  async function count(send: () => Promise<{ statusCode: number; body: string }>): Promise<string[]> {
    const first = await send(); // warms the caches
    expect(first.statusCode, first.body).toBe(200);
    statements.length = 0;
    expect((await send()).statusCode).toBe(200);
    return statements.filter((q) => !/usage_event/.test(q));
  }

  test("a class's week (its teacher) and a student's homework week: none", async () => {
    const page = `/api/logbook/entries?establishment=${school.id}&class=${id.class1}&from=${MONDAY}&to=2026-12-06`;
    expect(await count(() => t1.get(page))).toEqual([]);
    expect((await t1.get(page)).json().items.some((e: { lesson: unknown }) => e.lesson)).toBe(true);
    expect(
      await count(() => s1.get(`/api/logbook/homework?establishment=${school.id}&from=${MONDAY}&to=2026-12-06`)),
    ).toEqual([]);
  });
});

describe('the logbook cache invalidation triggers (migration 0351)', () => {
  const announced = announcements(
    () => db,
    (n) => /^lbt?:/.test(n),
  );

  test("a write announces its audience (and its lesson's), a tick its student; a login nothing", async () => {
    const c = await makeClass(db, school, '1ERE3');
    const g = await makeGroup(db, school, 'ALL-B');
    const row = {
      establishment_id: school.id,
      school_year_id: school.schoolYearId,
      course_id: null,
      date: '2026-12-07',
      subject_code: '061300',
      author_id: id.t3,
    };
    let lesson = '';
    expect(
      await announced(async (d) => {
        lesson = (
          await d
            .insertInto('logbook_lesson')
            .values({ ...row, class_id: c.id, group_id: null, title: 'Suites', links: '[]' })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      }),
    ).toEqual([`lb:${c.id}`]);
    let hw = '';
    expect(
      await announced(async (d) => {
        hw = (
          await d
            .insertInto('logbook_homework')
            .values({
              establishment_id: school.id,
              school_year_id: school.schoolYearId,
              lesson_id: lesson,
              course_id: null,
              class_id: null,
              group_id: g.id,
              subject_code: '061300',
              author_id: id.t3,
              assigned_on: '2026-12-07',
              due_date: '2026-12-08',
              description: 'Lire',
              kind: 'lesson',
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      }),
    ).toEqual([`lb:${c.id}`, `lb:${g.id}`].sort());
    expect(
      await announced((d) =>
        d
          .insertInto('logbook_homework_done')
          .values({ homework_id: hw, student_id: id.s1, establishment_id: school.id })
          .execute(),
      ),
    ).toEqual([`lbt:${id.s1}`]);
    expect(
      await announced((d) =>
        d.updateTable('app_user').set({ last_login_at: new Date() }).where('id', '=', id.t3).execute(),
      ),
    ).toEqual([]);
    expect(
      await announced((d) =>
        d.updateTable('app_user').set({ display_name: 'Luc Nouveau' }).where('id', '=', id.t3).execute(),
      ),
    ).toEqual([`lb:${c.id}`, `lb:${g.id}`].sort());
    expect(
      await announced((d) => d.updateTable('teaching_group').set({ code: 'ALL-C' }).where('id', '=', g.id).execute()),
    ).toEqual(['lb:*']);
    expect(await announced((d) => d.deleteFrom('logbook_lesson').where('id', '=', lesson).execute())).toEqual(
      [`lb:${c.id}`, `lb:${g.id}`, `lbt:${id.s1}`].sort(),
    );
    expect(
      await announced((d) =>
        d.updateTable('school_year').set({ ends_on: sql`ends_on` }).where('id', '=', school.schoolYearId).execute(),
      ),
    ).toEqual(['lb:*']);
  });
});
