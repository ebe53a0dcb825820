import { beforeAll, describe, expect, test } from 'vitest';
import { assign, enrol } from '../../../test/directory-fixtures.ts';
import { type Agent, loginAs, type makeEstablishment, testApp } from '../../../test/helpers.ts';
import { people, schoolWithClassAndGroup } from '../../../test/logbook-fixtures.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';

/**
 * A logbook page is written as JSON from parts kept serialised once per lesson, homework and course
 * (logbook.service.ts `writeEntry`, platform/http/raw-json.ts): the answer must be exactly what the object it
 * replaces held, read after read (from memory), with each reader's own flags — `can.write`, what is not published
 * yet, the student's ticks. The test app validates every answer against the contract (serializer `validate`).
 */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
const as = {} as Record<'t1' | 't3' | 's1', Agent>;
const id = {} as Record<'t1' | 't2' | 't3' | 's1' | 'class1' | 'group' | 'maths' | 'spanish', string>;
const names = {} as Record<'t1' | 't2' | 's1', string>;

const MONDAY = '2026-11-30';
let lessonId: string;
let homework: string[];
let groupLessonId: string;

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
  Object.assign(as, { t1: who.as.t1, t3: who.as.t3, s1: who.as.s1 });
  for (const key of ['t1', 't2', 's1'] as const) {
    const u = await db
      .selectFrom('app_user')
      .select('display_name')
      .where('id', '=', id[key])
      .executeTakeFirstOrThrow();
    names[key] = u.display_name;
  }
  await enrol(db, school, id.s1, { classId: id.class1 });
  await enrol(db, school, id.s1, { groupId: id.group });
  // t1 and t3 both teach the class (t3 another subject): both read its logbook, only t1 writes in maths.
  for (const [teacher, code] of [
    [id.t1, '061300'],
    [id.t3, '030602'],
  ] as const)
    await assign(db, school, teacher, { classId: id.class1 }, code);
  id.maths = await makeCourse(db, school, { classId: id.class1, subjectCode: '061300', teacherIds: [id.t1] });
  id.spanish = await makeCourse(db, school, {
    groupId: id.group,
    subjectCode: '030602',
    teacherIds: [id.t2],
    weekday: 3,
    room: 'B12 « labo »',
  });

  const created = await as.t1.post('/api/logbook/lessons', {
    courseId: id.maths,
    date: MONDAY,
    title: 'Fonctions « affines » \u2028 "citées"',
    content: '<p>Variations et <strong>signe</strong> d’une fonction.</p>',
    links: [{ url: 'https://example.org/cours', label: 'Cours' }],
    homework: [
      { dueDate: '2026-12-02', description: '<p>Exercice 3.</p>', kind: 'exercise', estimatedMinutes: 20 },
      // For the Spanish group drawing from the class, shown later.
      {
        dueDate: '2026-12-04',
        description: '<p>Exercice 4.</p>',
        kind: 'assessment',
        groupId: id.group,
        publishAt: '2099-01-01T08:00:00+01:00',
      },
    ],
  });
  expect(created.statusCode, created.body).toBe(201);
  lessonId = created.json().id;
  homework = created.json().homework;
  // The group's Wednesday lesson, not published yet: its teacher only sees it.
  const t2 = await loginAs(
    app,
    (await db.selectFrom('app_user').select('login').where('id', '=', id.t2).executeTakeFirstOrThrow()).login,
  );
  const later = await t2.post('/api/logbook/lessons', {
    courseId: id.spanish,
    date: '2026-12-02',
    title: 'Pretérito',
    content: '<p>Verbos.</p>',
    publishAt: '2099-01-01T08:00:00+01:00',
  });
  expect(later.statusCode, later.body).toBe(201);
  groupLessonId = later.json().id;
  expect((await as.s1.put(`/api/logbook/homework/${homework[0]}/done`, { done: true })).statusCode).toBe(200);
});

const page = async (who: Agent, query: string) => {
  const res = await who.get(`/api/logbook/entries?establishment=${school.id}&from=${MONDAY}&to=2026-12-06${query}`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
  return JSON.parse(res.body);
};

/** The answer as the presenter wrote it before, field by field, for a reader. */
function expected(reader: { write: boolean; author: boolean; done: boolean | null }, of: object) {
  const homeworkItem = (h: string, extra: object) => ({
    id: h,
    assignedOn: MONDAY,
    subject: { id: '061300', name: 'Mathématiques' },
    estimatedMinutes: null,
    teacher: { id: id.t1, displayName: names.t1 },
    courseId: id.maths,
    lessonId,
    attachments: [],
    publishAt: null,
    done: reader.done,
    ...extra,
  });
  return {
    of,
    items: [
      {
        courseId: id.maths,
        date: MONDAY,
        start: '2026-11-30T08:00:00+01:00',
        end: '2026-11-30T09:00:00+01:00',
        subject: { id: '061300', name: 'Mathématiques' },
        class: { id: id.class1, name: '2NDE1' },
        teachers: [{ id: id.t1, displayName: names.t1 }],
        cancelled: false,
        lesson: {
          id: lessonId,
          title: 'Fonctions « affines » \u2028 "citées"',
          content: '<p>Variations et <strong>signe</strong> d’une fonction.</p>',
          links: [{ url: 'https://example.org/cours', label: 'Cours' }],
          attachments: [],
          author: { id: id.t1, displayName: names.t1 },
          publishAt: null,
          signed: false,
          amended: false,
        },
        homework: [
          homeworkItem(homework[0]!, {
            dueDate: '2026-12-02',
            description: '<p>Exercice 3.</p>',
            kind: 'exercise',
            estimatedMinutes: 20,
            class: { id: id.class1, name: '2NDE1' },
          }),
          ...(reader.author
            ? [
                homeworkItem(homework[1]!, {
                  dueDate: '2026-12-04',
                  description: '<p>Exercice 4.</p>',
                  kind: 'assessment',
                  group: { id: id.group, name: 'ESP2-A' },
                  publishAt: new Date('2099-01-01T08:00:00+01:00').toISOString(),
                  done: reader.done === null ? null : false,
                }),
              ]
            : []),
        ],
        can: { write: reader.write },
      },
      {
        courseId: id.spanish,
        date: '2026-12-02',
        start: '2026-12-02T08:00:00+01:00',
        end: '2026-12-02T09:00:00+01:00',
        subject: { id: '030602', name: 'Espagnol LV2' },
        group: { id: id.group, name: 'ESP2-A' },
        teachers: [{ id: id.t2, displayName: names.t2 }],
        room: 'B12 « labo »',
        cancelled: false,
        // Not published yet: nobody but its teacher sees it.
        lesson: null,
        homework: [],
        can: { write: false },
      },
    ],
    visas: [],
    archived: false,
  };
}

describe('a logbook page written from kept JSON parts', () => {
  test("a class's week: the same answer as the objects it replaces, for a teacher who writes and one who does not", async () => {
    const of = { kind: 'class', id: id.class1, name: '2NDE1' };
    // Twice each: the first read puts the parts together, the second is served from what is kept.
    for (let i = 0; i < 2; i++) {
      expect(await page(as.t1, `&class=${id.class1}`)).toStrictEqual(
        expected({ write: true, author: true, done: null }, of),
      );
      expect(await page(as.t3, `&class=${id.class1}`)).toStrictEqual(
        expected({ write: false, author: false, done: null }, of),
      );
    }
    expect(groupLessonId).toBeTruthy();
  });

  test("a student's own logbook: their ticks, what is published only", async () => {
    const of = { kind: 'me', id: id.s1, name: names.s1 };
    for (let i = 0; i < 2; i++)
      expect(await page(as.s1, '')).toStrictEqual(expected({ write: false, author: false, done: true }, of));
  });

  test('a write changes the next answer (the kept parts are those of the rows in memory)', async () => {
    expect((await as.t1.patch(`/api/logbook/lessons/${lessonId}`, { title: 'Nouveau titre' })).statusCode).toBe(200);
    const after = await page(as.t3, `&class=${id.class1}`);
    expect(after.items[0].lesson.title).toBe('Nouveau titre');
    expect((await as.s1.put(`/api/logbook/homework/${homework[0]}/done`, { done: false })).statusCode).toBe(200);
    expect((await page(as.s1, '')).items[0].homework[0].done).toBe(false);
  });
});
