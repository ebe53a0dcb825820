import { beforeAll, describe, expect, test } from 'vitest';
import { assign, enrol } from '../../../test/directory-fixtures.ts';
import { pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { type Agent, type makeEstablishment, testApp } from '../../../test/helpers.ts';
import { people, schoolWithClassAndGroup } from '../../../test/logbook-fixtures.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';
import { cachesOf } from '../../platform/cache.ts';

/**
 * A class's week is kept as sent per kind of reader (logbook.service.ts `answerOf`): what one reader sees
 * must never reach another whose view differs — which courses they teach, which of the class's groups they are in —
 * and a kept answer must not outlive what it shows: an item's publication time, a document renamed in the documents
 * module (no logbook write), a write.
 */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
const as = {} as Record<'t1' | 't2' | 's1' | 's2' | 'principal', Agent>;
const users = {} as Record<keyof typeof as, string>;
const id = {} as Record<'class1' | 'group' | 'maths' | 'spanish', string>;
const MONDAY = '2026-11-30';
const WEDNESDAY = '2026-12-02';

beforeAll(async () => {
  const made = await schoolWithClassAndGroup(db);
  school = made.school;
  Object.assign(id, { class1: made.classId, group: made.groupId });
  const who = await people(app, db, school.id, [
    ['t1', 'teacher', 'Paul'],
    ['t2', 'teacher', 'Ana'],
    ['s1', 'student', 'Emma'],
    ['s2', 'student', 'Hugo'],
    ['principal', 'principal', 'Claire'],
  ] as const);
  Object.assign(users, who.ids);
  Object.assign(as, who.as);
  // Both students in the class, Emma alone in the Spanish group drawing from it.
  await enrol(db, school, users.s1, { classId: id.class1 });
  await enrol(db, school, users.s2, { classId: id.class1 });
  await enrol(db, school, users.s1, { groupId: id.group });
  for (const [teacher, code] of [
    [users.t1, '061300'],
    [users.t2, '030602'],
  ] as const)
    await assign(db, school, teacher, { classId: id.class1 }, code);
  id.maths = await makeCourse(db, school, { classId: id.class1, subjectCode: '061300', teacherIds: [users.t1] });
  id.spanish = await makeCourse(db, school, {
    groupId: id.group,
    subjectCode: '030602',
    teacherIds: [users.t2],
    weekday: 3,
  });
  const spanish = await as.t2.post('/api/logbook/lessons', {
    courseId: id.spanish,
    date: WEDNESDAY,
    title: 'Pretérito',
    content: '<p>Verbos.</p>',
  });
  expect(spanish.statusCode, spanish.body).toBe(201);
});

type Item = {
  courseId: string;
  date: string;
  lesson: { title: string; attachments: { name: string }[] } | null;
  can: { write: boolean };
};

const week = async (who: Agent, monday = MONDAY) => {
  const sunday = new Date(Date.parse(`${monday}T12:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
  const res = await who.get(
    `/api/logbook/entries?establishment=${school.id}&class=${id.class1}&from=${monday}&to=${sunday}`,
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Item[];
};
const lessonOf = (items: Item[], courseId: string) => items.find((i) => i.courseId === courseId)?.lesson ?? null;
const stats = () => cachesOf(db)!.stats()['logbook-class-answers']!;

describe("a class's week kept per kind of reader", () => {
  test("two students of the class, one in its group: each sees their own groups' lessons, read after read", async () => {
    for (let i = 0; i < 3; i++) {
      expect(lessonOf(await week(as.s1), id.spanish)?.title).toBe('Pretérito');
      expect(lessonOf(await week(as.s2), id.spanish)).toBeNull();
    }
    // The direction reads everything; each teacher writes in their own course only.
    for (let i = 0; i < 2; i++) {
      expect(lessonOf(await week(as.principal), id.spanish)?.title).toBe('Pretérito');
      const t1 = await week(as.t1);
      const t2 = await week(as.t2);
      expect(t1.map((x) => x.can.write)).toEqual(t1.map((x) => x.courseId === id.maths));
      expect(t2.map((x) => x.can.write)).toEqual(t2.map((x) => x.courseId === id.spanish));
    }
    // Five kinds of reader, each written once and then sent again.
    expect(stats().hits).toBeGreaterThanOrEqual(6);
  });

  test('an item whose publication time comes shows without any write', async () => {
    const monday = '2026-12-07';
    const publishAt = new Date(Date.now() + 2_500).toISOString();
    const res = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths,
      date: monday,
      title: 'Suites',
      content: '<p>Définition.</p>',
      publishAt,
    });
    expect(res.statusCode, res.body).toBe(201);
    const before = stats().hits;
    expect(lessonOf(await week(as.s2, monday), id.maths)).toBeNull();
    expect(lessonOf(await week(as.s2, monday), id.maths)).toBeNull();
    expect(stats().hits).toBe(before + 1);
    // Its teacher sees it meanwhile.
    expect(lessonOf(await week(as.t1, monday), id.maths)?.title).toBe('Suites');
    await new Promise((r) => setTimeout(r, Date.parse(publishAt) - Date.now() + 50));
    expect(lessonOf(await week(as.s2, monday), id.maths)?.title).toBe('Suites');
  });

  test('a document renamed in the documents module is renamed on the next read', async () => {
    const monday = '2026-12-14';
    const space = (await spacesOf(as.t1, school.id)).personal;
    const file = await upload(app, as.t1, `/api/documents/spaces/${space.id}/files`, {
      name: 'Fiche.pdf',
      content: pdfBytes('Fiche'),
    });
    expect(file.statusCode, file.body).toBe(201);
    const res = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths,
      date: monday,
      title: 'Probabilités',
      attachments: [file.json().id],
    });
    expect(res.statusCode, res.body).toBe(201);
    for (let i = 0; i < 2; i++)
      expect(lessonOf(await week(as.s2, monday), id.maths)?.attachments.map((a) => a.name)).toEqual(['Fiche.pdf']);
    const renamed = await as.t1.patch(`/api/documents/files/${file.json().id}`, { name: 'Fiche de cours.pdf' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(lessonOf(await week(as.s2, monday), id.maths)?.attachments.map((a) => a.name)).toEqual([
      'Fiche de cours.pdf',
    ]);
  });

  test('a write is on the next read of every kind of reader', async () => {
    expect(lessonOf(await week(as.t2), id.spanish)?.title).toBe('Pretérito');
    const lessonId = (
      await db.selectFrom('logbook_lesson').select('id').where('title', '=', 'Pretérito').executeTakeFirstOrThrow()
    ).id;
    expect((await as.t2.patch(`/api/logbook/lessons/${lessonId}`, { title: 'Imperfecto' })).statusCode).toBe(200);
    expect(lessonOf(await week(as.s1), id.spanish)?.title).toBe('Imperfecto');
    expect(lessonOf(await week(as.principal), id.spanish)?.title).toBe('Imperfecto');
    expect(lessonOf(await week(as.s2), id.spanish)).toBeNull();
  });

  test('a visa and its comment changed are on the next read, the lines kept', async () => {
    const sign = await as.principal.post('/api/logbook/visas', {
      establishment: school.id,
      classId: id.class1,
      through: '2026-12-06',
      comment: 'Bien tenu.',
    });
    expect(sign.statusCode, sign.body).toBe(201);
    const visas = async () => {
      const res = await as.s1.get(
        `/api/logbook/entries?establishment=${school.id}&class=${id.class1}&from=${MONDAY}&to=2026-12-06`,
      );
      expect(res.statusCode, res.body).toBe(200);
      return res.json().visas as { signer: { displayName: string } | null; comment: string }[];
    };
    expect((await visas()).map((v) => v.comment)).toEqual(['Bien tenu.']);
    expect(await visas()).toHaveLength(1);
    // Changed in the database (no logbook line changes): the kept lines, new surroundings.
    await db.updateTable('logbook_visa').set({ comment: 'Très bien tenu.' }).execute();
    const hits = stats().hits;
    expect((await visas()).map((v) => v.comment)).toEqual(['Très bien tenu.']);
    expect((await visas()).map((v) => v.comment)).toEqual(['Très bien tenu.']);
    expect(stats().hits).toBe(hits + 2);
  });
});
