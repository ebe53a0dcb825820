import type { HomeworkList, Lesson } from '@preau/contracts';
import { beforeAll, describe, expect, test } from 'vitest';
import { assign, enrol, guard, makeClass, subject } from '../../../test/directory-fixtures.ts';
import { pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import { type Agent, countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';

/**
 * A lesson's and a homework's attachments (issues 11 and 13): documents attached by reference from the teacher's
 * documents, read by the lesson's audience (its class's students, their guardians, the class's teachers, the
 * direction) through the documents module's reference read — never through the teacher's own space; refused
 * whole when the teacher may not read one; detached with the lesson or homework.
 */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
type Who = 't1' | 't2' | 't3' | 's1' | 's2' | 'parent' | 'principal' | 'outsider';
const as = {} as Record<Who, Agent>;
const id = {} as Record<'t1' | 's1' | 'class1' | 'class2' | 'maths1', string>;
const bytes = new Map<string, Buffer>();

beforeAll(async () => {
  school = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  const c1 = await makeClass(db, school, '2NDE1');
  const c2 = await makeClass(db, school, '2NDE2');
  id.class1 = c1.id;
  id.class2 = c2.id;
  const user = async (key: Who, profile: 'teacher' | 'student' | 'guardian' | 'principal', first: string) => {
    const u = await makeUser(db, { establishmentId: school.id, profiles: [profile], firstName: first });
    as[key] = await loginAs(app, u.login);
    return u.id;
  };
  id.t1 = await user('t1', 'teacher', 'Paul');
  const t2 = await user('t2', 'teacher', 'Ana');
  const t3 = await user('t3', 'teacher', 'Luc');
  id.s1 = await user('s1', 'student', 'Emma');
  const s2 = await user('s2', 'student', 'Hugo');
  const parent = await user('parent', 'guardian', 'Nadia');
  await user('principal', 'principal', 'Claire');
  const other = await makeEstablishment(db);
  as.outsider = await loginAs(app, (await makeUser(db, { establishmentId: other.id, profiles: ['principal'] })).login);
  await enrol(db, school, id.s1, { classId: c1.id });
  await enrol(db, school, s2, { classId: c2.id });
  await guard(db, school, parent, id.s1);
  for (const [t, c] of [
    [id.t1, c1.id],
    [t2, c1.id],
    [t3, c2.id],
  ] as const)
    await assign(db, school, t, { classId: c }, '061300');
  id.maths1 = await makeCourse(db, school, { classId: c1.id, subjectCode: '061300', teacherIds: [id.t1] });
});

/** A file in the agent's personal space ("Mes documents"): its id. */
async function myFile(agent: Agent, name: string): Promise<string> {
  const space = (await spacesOf(agent, school.id)).personal;
  const content = pdfBytes(name);
  const res = await upload(app, agent, `/api/documents/spaces/${space.id}/files`, { name, content });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  bytes.set(res.json().id, content);
  return res.json().id;
}

let day = 0;
/** A Monday of the year, a new one for each lesson (one lesson per course and date). */
const nextMonday = () => {
  const d = new Date(Date.UTC(2026, 8, 7 + 7 * day++));
  return d.toISOString().slice(0, 10);
};

const snapshot = async () => ({
  lessons: await countRows(db, 'logbook_lesson'),
  homework: await countRows(db, 'logbook_homework'),
  references: await countRows(db, 'document_reference'),
  notifications: await countRows(db, 'notification'),
});

describe('attachments of lessons and homework', () => {
  test("the class's audience downloads them through the reference; the others get 404", async () => {
    const sheet = await myFile(as.t1, 'Fiche d’exercices.pdf');
    const course = await myFile(as.t1, 'Cours — fonctions.pdf');
    const date = nextMonday();
    const res = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths1,
      date,
      title: 'Fonctions affines',
      content: '<p>Cours.</p>',
      attachments: [{ documentId: course, version: 'this' }],
      homework: [{ dueDate: date, description: 'Exercices de la fiche.', kind: 'exercise', attachments: [sheet] }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const {
      id: lessonId,
      homework: [homeworkId],
    } = res.json();

    const seen = (await as.parent.get(`/api/logbook/lessons/${lessonId}`)).json() as Lesson;
    expect(seen.attachments).toEqual([
      expect.objectContaining({
        documentId: course,
        name: 'Cours — fonctions.pdf',
        mime: 'application/pdf',
        size: bytes.get(course)!.length,
        version: 'this',
      }),
    ]);
    expect(seen.homework[0]!.attachments.map((a) => a.name)).toEqual(['Fiche d’exercices.pdf']);
    const lessonUrl = seen.attachments[0]!.url;
    const homeworkUrl = seen.homework[0]!.attachments[0]!.url;
    // The homework list and the logbook page carry them too.
    const list = (
      await as.s1.get(`/api/logbook/homework?establishment=${school.id}&from=${date}&to=${date}`)
    ).json() as HomeworkList;
    expect(list.items.find((h) => h.id === homeworkId)!.attachments[0]!.url).toBe(homeworkUrl);
    const page = (await as.s1.get(`/api/logbook/entries?establishment=${school.id}&from=${date}&to=${date}`)).json();
    const entry = page.items.find((e: { lesson: { id: string } | null }) => e.lesson?.id === lessonId);
    expect(entry.lesson.attachments[0].url).toBe(lessonUrl);
    expect(entry.homework[0].attachments[0].url).toBe(homeworkUrl);

    // Students, guardians, the class's teachers and the direction read; the student has no right on the
    // teacher's own space.
    for (const who of ['t1', 's1', 'parent', 't2', 'principal'] as const) {
      const got = await as[who].get(lessonUrl);
      expect(got.statusCode, who).toBe(200);
      expect(got.rawPayload.equals(bytes.get(course)!)).toBe(true);
      expect((await as[who].get(homeworkUrl)).statusCode, who).toBe(200);
    }
    expect((await as.s1.get(`/api/documents/files/${course}/content`)).statusCode).toBe(404);
    // Another class's student and teacher, another establishment: 404.
    for (const who of ['s2', 't3', 'outsider'] as const) {
      expect((await as[who].get(lessonUrl)).statusCode, who).toBe(404);
      expect((await as[who].get(homeworkUrl)).statusCode, who).toBe(404);
    }
  });

  test('a document the teacher may not read: 403 ATTACHMENT_NOT_ALLOWED in French, nothing written', async () => {
    const private_ = await myFile(as.s1, 'Brouillon.pdf');
    const mine = await myFile(as.t1, 'Fiche.pdf');
    const before = await snapshot();
    const date = nextMonday();
    const res = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths1,
      date,
      title: 'Séance',
      attachments: [mine],
      homework: [{ dueDate: date, description: 'À lire.', kind: 'lesson', attachments: [private_] }],
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('ATTACHMENT_NOT_ALLOWED');
    expect(res.json().detail).toBe("Vous ne pouvez pas joindre un document que vous n'avez pas le droit de lire.");
    expect(res.json().errors.map((e: { message: string }) => e.message)).toEqual([private_]);
    expect(await snapshot()).toEqual(before);
    const hw = await as.t1.post('/api/logbook/homework', {
      courseId: id.maths1,
      date,
      dueDate: date,
      description: 'À lire.',
      kind: 'lesson',
      attachments: [crypto.randomUUID()],
    });
    expect(hw.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  test('an unpublished lesson’s attachments are its teacher’s only until it is published', async () => {
    const doc = await myFile(as.t1, 'Évaluation.pdf');
    const res = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths1,
      date: nextMonday(),
      title: 'Évaluation',
      publishAt: '2027-06-30T08:00:00+02:00',
      attachments: [doc],
    });
    expect(res.statusCode, res.body).toBe(201);
    const { url } = ((await as.t1.get(`/api/logbook/lessons/${res.json().id}`)).json() as Lesson).attachments[0]!;
    expect((await as.t1.get(url)).statusCode).toBe(200);
    expect((await as.s1.get(url)).statusCode).toBe(404);
    expect((await as.parent.get(url)).statusCode).toBe(404);
  });

  test('editing sets the list; the owner trashing the file keeps it readable; deleting the lesson detaches', async () => {
    const a = await myFile(as.t1, 'A.pdf');
    const b = await myFile(as.t1, 'B.pdf');
    const res = await as.t1.post('/api/logbook/lessons', {
      courseId: id.maths1,
      date: nextMonday(),
      title: 'Séance',
      attachments: [a],
    });
    const lessonId = res.json().id;
    const first = ((await as.s1.get(`/api/logbook/lessons/${lessonId}`)).json() as Lesson).attachments[0]!;
    const edited = await as.t1.patch(`/api/logbook/lessons/${lessonId}`, { attachments: [b] });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((edited.json() as Lesson).attachments.map((x) => x.name)).toEqual(['B.pdf']);
    expect((await as.s1.get(first.url)).statusCode).toBe(404);
    const second = (edited.json() as Lesson).attachments[0]!;
    // A refused edit changes nothing.
    const private_ = await myFile(as.s1, 'Perso.pdf');
    const before = await snapshot();
    const refused = await as.t1.patch(`/api/logbook/lessons/${lessonId}`, {
      title: 'Autre titre',
      attachments: [b, private_],
    });
    expect(refused.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
    expect(((await as.s1.get(`/api/logbook/lessons/${lessonId}`)).json() as Lesson).title).toBe('Séance');

    // The teacher trashes, then deletes the file for good: the lesson's readers still get it.
    expect((await as.t1.patch(`/api/documents/files/${b}`, { trashed: true })).statusCode).toBe(200);
    expect((await as.t1.delete(`/api/documents/files/${b}`)).statusCode).toBe(204);
    const got = await as.parent.get(second.url);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(bytes.get(b)!)).toBe(true);

    expect((await as.t1.delete(`/api/logbook/lessons/${lessonId}`)).statusCode).toBe(204);
    expect((await as.s1.get(second.url)).statusCode).toBe(404);
    expect(
      await db
        .selectFrom('document_reference')
        .select('id')
        .where('holder_module', '=', 'logbook')
        .where('holder_id', '=', lessonId)
        .execute(),
    ).toEqual([]);
  });

  test('homework edited and removed: its attachments follow', async () => {
    const doc = await myFile(as.t1, 'Sujet.pdf');
    const date = nextMonday();
    const res = await as.t1.post('/api/logbook/homework', {
      courseId: id.maths1,
      date,
      dueDate: date,
      description: 'Préparer le sujet.',
      kind: 'project',
      attachments: [doc],
    });
    expect(res.statusCode, res.body).toBe(201);
    const hid = res.json().id;
    const list = (
      await as.parent.get(`/api/logbook/homework?establishment=${school.id}&from=${date}&to=${date}`)
    ).json() as HomeworkList;
    const { url } = list.items.find((h) => h.id === hid)!.attachments[0]!;
    expect((await as.parent.get(url)).statusCode).toBe(200);
    const patched = await as.t1.patch(`/api/logbook/homework/${hid}`, {
      attachments: [{ documentId: doc, version: 'this' }],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().attachments[0].version).toBe('this');
    const after = patched.json().attachments[0].url;
    expect((await as.s1.get(after)).statusCode).toBe(200);
    expect((await as.t1.delete(`/api/logbook/homework/${hid}`)).statusCode).toBe(204);
    expect((await as.s1.get(after)).statusCode).toBe(404);
  });
});
