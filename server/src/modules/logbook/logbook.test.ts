import type { EntriesResponse, HomeworkList, Lesson } from '@preau/contracts';
import { beforeAll, describe, expect, test } from 'vitest';
import { assign, enrol, guard, makeClass, makeGroup, subject } from '../../../test/directory-fixtures.ts';
import { type Agent, countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';
import { addDays, closedDays, parisDate, weekdayOf } from '../timetable/index.ts';
import { announceDue, nextSchoolDay } from './home.service.ts';

/**
 * The logbook through HTTP: a teacher writes the lesson and homework of their own course (never a colleague's),
 * the student ticks it done, the guardian reads it, colleagues read the class's logbook, the direction signs
 * (later edits become amendments), inspectors named for named teachers, publish later, workload warnings,
 * progressions, printing and the archive. Bad input is refused in French and writes nothing.
 */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
const as: Record<'t1' | 't2' | 't3' | 's1' | 's2' | 'parent' | 'principal' | 'staff' | 'outsider', Agent> = {} as never;
const id = {} as Record<
  | 't1'
  | 't2'
  | 't3'
  | 's1'
  | 's2'
  | 'parent'
  | 'class1'
  | 'class2'
  | 'group'
  | 'maths1'
  | 'english1'
  | 'maths2'
  | 'spanish',
  string
>;

const lessons = () => countRows(db, 'logbook_lesson');
const homework = () => countRows(db, 'logbook_homework');

beforeAll(async () => {
  school = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  await subject(db, '030201', 'Anglais LV1');
  await subject(db, '030602', 'Espagnol LV2');
  const c1 = await makeClass(db, school, '2NDE1');
  const c2 = await makeClass(db, school, '2NDE2');
  const g = await makeGroup(db, school, 'ESP2-A');
  Object.assign(id, { class1: c1.id, class2: c2.id, group: g.id });
  const user = async (
    key: keyof typeof as,
    profiles: ('teacher' | 'student' | 'guardian' | 'principal' | 'staff')[],
    first = 'Camille',
  ) => {
    const u = await makeUser(db, { establishmentId: school.id, profiles, firstName: first });
    as[key] = await loginAs(app, u.login);
    return u.id;
  };
  id.t1 = await user('t1', ['teacher'], 'Paul');
  id.t2 = await user('t2', ['teacher'], 'Ana');
  id.t3 = await user('t3', ['teacher'], 'Luc');
  id.s1 = await user('s1', ['student'], 'Emma');
  id.s2 = await user('s2', ['student'], 'Hugo');
  id.parent = await user('parent', ['guardian'], 'Nadia');
  await user('principal', ['principal']);
  await user('staff', ['staff']);
  const other = await makeEstablishment(db);
  const o = await makeUser(db, { establishmentId: other.id, profiles: ['teacher'] });
  as.outsider = await loginAs(app, o.login);
  await enrol(db, school, id.s1, { classId: c1.id });
  await enrol(db, school, id.s1, { groupId: g.id });
  await enrol(db, school, id.s2, { classId: c2.id });
  await guard(db, school, id.parent, id.s1);
  // Teaching assignments: the colleagues of 2NDE1 (t1 maths, t2 English) read its logbook; t3 teaches 2NDE2.
  for (const [t, c, s] of [
    [id.t1, c1.id, '061300'],
    [id.t2, c1.id, '030201'],
    [id.t3, c2.id, '061300'],
  ] as const)
    await assign(db, school, t, { classId: c }, s);
  for (const [key, target, subjectCode, teacher, weekday, start] of [
    ['maths1', { classId: c1.id }, '061300', id.t1, 1, '08:00'],
    ['english1', { classId: c1.id }, '030201', id.t2, 2, '08:00'],
    ['maths2', { classId: c2.id }, '061300', id.t3, 1, '08:00'],
    ['spanish', { groupId: g.id }, '030602', id.t2, 3, '10:00'],
  ] as const)
    id[key] = await makeCourse(db, school, { ...target, subjectCode, teacherIds: [teacher], weekday, start });
});

const lesson = (extra: Record<string, unknown> = {}) => ({
  courseId: id.maths1,
  date: '2026-11-30',
  title: 'Fonctions affines',
  content: '<p>Variations et <strong>représentation</strong> graphique.</p>',
  ...extra,
});

const hw = (who: Agent, from: string, to: string, student?: string) =>
  who.get(
    `/api/logbook/homework?establishment=${school.id}&from=${from}&to=${to}${student ? `&student=${student}` : ''}`,
  );

describe('lessons and homework', () => {
  test('the teacher fills the lesson and tomorrow’s homework; the student and the guardian see it, and are told', async () => {
    const res = await as.t1.post('/api/logbook/lessons', {
      ...lesson(),
      homework: [{ dueDate: '2026-12-01', description: 'Exercices 12 à 15 page 87.', kind: 'exercise' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ id: expect.any(String), homework: [expect.any(String)], warnings: [] });
    const mine = (await hw(as.s1, '2026-11-30', '2026-12-06')).json() as HomeworkList;
    expect(mine.items).toEqual([
      expect.objectContaining({
        dueDate: '2026-12-01',
        subject: { id: '061300', name: 'Mathématiques' },
        description: '<p>Exercices 12 à 15 page 87.</p>',
        kind: 'exercise',
        done: false,
      }),
    ]);
    const child = (await hw(as.parent, '2026-11-30', '2026-12-06')).json() as HomeworkList;
    expect(child.items.map((i) => i.id)).toEqual(mine.items.map((i) => i.id));
    const feed = (await as.parent.get(`/api/timeline?establishment=${school.id}`)).json();
    expect(feed.items[0]).toMatchObject({
      kind: 'logbook.homework.new',
      text: 'Nouveau travail en Mathématiques pour le mardi 1er décembre : Exercices 12 à 15 page 87.',
    });
    // The other class sees nothing of it.
    expect(((await hw(as.s2, '2026-11-30', '2026-12-06')).json() as HomeworkList).items).toEqual([]);
  });

  test("a lesson on a colleague's course: 403, nothing written; another establishment's course: 404", async () => {
    const before = [await lessons(), await homework()];
    const colleague = await as.t2.post('/api/logbook/lessons', lesson({ date: '2026-12-07' }));
    expect(colleague.statusCode).toBe(403);
    expect(colleague.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'Vous n’avez pas le droit de faire cela.'.replace('’', "'"),
    });
    expect((await as.t3.post('/api/logbook/lessons', lesson({ date: '2026-12-07' }))).statusCode).toBe(403);
    expect((await as.outsider.post('/api/logbook/lessons', lesson({ date: '2026-12-07' }))).statusCode).toBe(404);
    expect((await as.s1.post('/api/logbook/lessons', lesson({ date: '2026-12-07' }))).statusCode).toBe(403);
    expect([await lessons(), await homework()]).toEqual(before);
  });

  test('homework due before the lesson: 400 in French, neither the lesson nor the homework written', async () => {
    const before = [await lessons(), await homework()];
    const res = await as.t1.post('/api/logbook/lessons', {
      ...lesson({ date: '2026-12-07' }),
      homework: [{ dueDate: '2026-12-04', description: 'Trop tôt', kind: 'exercise' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'HOMEWORK_DUE_BEFORE_LESSON',
      detail: 'Le travail ne peut pas être à rendre (2026-12-04) avant la séance où il est donné (2026-12-07).',
    });
    expect([await lessons(), await homework()]).toEqual(before);
  });

  test('script in rich text: 400 naming it, nothing written; harmless markup is cleaned', async () => {
    const before = await lessons();
    for (const [content, what] of [
      ['<p>Bonjour</p><script>alert(1)</script>', 'balise <script>'],
      ['<p onclick="steal()">Cliquez</p>', 'attribut « on… »'],
      ['<a href="javascript:alert(1)">lien</a>', 'lien javascript:'],
      ['<iframe src="https://evil.example"></iframe>', 'cadre ou objet intégré'],
    ]) {
      const res = await as.t1.post('/api/logbook/lessons', lesson({ date: '2026-12-07', content }));
      expect(res.statusCode, content).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'CONTENT_UNSAFE',
        detail: `Le texte contient du code (${what}) : retirez-le, seul le texte mis en forme est accepté.`,
      });
    }
    const homeworkScript = await as.t1.post('/api/logbook/homework', {
      courseId: id.maths1,
      date: '2026-12-07',
      dueDate: '2026-12-08',
      description: '<img src=x onerror=alert(1)>',
      kind: 'exercise',
    });
    expect(homeworkScript.json().code).toBe('CONTENT_UNSAFE');
    expect(await lessons()).toBe(before);
    const ok = await as.t1.post(
      '/api/logbook/lessons',
      lesson({
        date: '2026-12-07',
        content: '<div style="color:red"><p>Texte <b>gras</b> <a href="https://example.org">lien</a></p></div>',
      }),
    );
    expect(ok.statusCode).toBe(201);
    const got = (await as.t1.get(`/api/logbook/lessons/${ok.json().id}`)).json() as Lesson;
    expect(got.content).toBe(
      '<p>Texte <strong>gras</strong> <a href="https://example.org" rel="noopener noreferrer" target="_blank">lien</a></p>',
    );
  });

  test('one lesson per occurrence (409), and outside the course’s dates (400)', async () => {
    const again = await as.t1.post('/api/logbook/lessons', lesson());
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe('La séance du 2026-11-30 est déjà remplie : modifiez-la plutôt.');
    const summer = await as.t1.post('/api/logbook/lessons', lesson({ date: '2027-07-20' }));
    expect(summer.json().code).toBe('LESSON_DATE');
  });

  test('the « fait » tick is the student’s, private: the guardian reads it, the teacher does not see it', async () => {
    const item = ((await hw(as.s1, '2026-12-01', '2026-12-01')).json() as HomeworkList).items[0]!;
    expect((await as.s1.put(`/api/logbook/homework/${item.id}/done`, { done: true })).json()).toEqual({ done: true });
    expect(((await hw(as.s1, '2026-12-01', '2026-12-01')).json() as HomeworkList).items[0]!.done).toBe(true);
    expect(((await hw(as.parent, '2026-12-01', '2026-12-01')).json() as HomeworkList).items[0]!.done).toBe(true);
    const teacherView = ((await hw(as.t1, '2026-12-01', '2026-12-01')).json() as HomeworkList).items[0]!;
    expect(teacherView.done).toBeNull();
    // The logbook's entries carry it too: the student's and their guardian's, not the class's colleagues'.
    const ticks = async (who: Agent, q = '') =>
      (
        (
          await who.get(`/api/logbook/entries?establishment=${school.id}&from=2026-11-30&to=2026-11-30${q}`)
        ).json() as EntriesResponse
      ).items
        .flatMap((e) => e.homework)
        .filter((h) => h.id === item.id)
        .map((h) => h.done);
    expect(await ticks(as.s1)).toEqual([true]);
    expect(await ticks(as.parent, `&student=${id.s1}`)).toEqual([true]);
    expect(await ticks(as.t1, `&class=${id.class1}`)).toEqual([null]);
    const guardianTick = await as.parent.put(`/api/logbook/homework/${item.id}/done`, { done: false });
    expect(guardianTick.statusCode).toBe(403);
    expect(guardianTick.json().code).toBe('HOMEWORK_NOT_YOURS');
    expect((await as.s2.put(`/api/logbook/homework/${item.id}/done`, { done: true })).statusCode).toBe(404);
    expect(await countRows(db, 'logbook_homework_done')).toBe(1);
  });

  test('a guardian of two children must say which one', async () => {
    await guard(db, school, id.parent, id.s2);
    const res = await hw(as.parent, '2026-11-30', '2026-12-06');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('STUDENT_REQUIRED');
    expect((await hw(as.parent, '2026-11-30', '2026-12-06', id.s1)).json().items).toHaveLength(1);
    await db.deleteFrom('guardianship').where('guardian_id', '=', id.parent).where('student_id', '=', id.s2).execute();
  });
});

describe('publish later', () => {
  test('homework published later is hidden until its time, then announced by the job', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const res = await as.t1.post('/api/logbook/homework', {
      courseId: id.maths1,
      date: '2026-12-14',
      dueDate: '2026-12-15',
      description: 'Préparer l’exposé.',
      kind: 'project',
      publishAt: at,
    });
    expect(res.statusCode, res.body).toBe(201);
    const seen = () => hw(as.s1, '2026-12-15', '2026-12-15').then((r) => (r.json() as HomeworkList).items.length);
    expect(await seen()).toBe(0);
    // Its author sees it, marked as not yet published.
    const author = ((await hw(as.t1, '2026-12-15', '2026-12-15')).json() as HomeworkList).items[0]!;
    expect(author.publishAt).toBe(new Date(at).toISOString());
    expect(await announceDue(db)).toBe(0);
    await new Promise((r) => setTimeout(r, 1700));
    expect(await seen()).toBe(1);
    expect(await announceDue(db)).toBe(1);
    const feed = (await as.s1.get(`/api/timeline?establishment=${school.id}`)).json();
    expect(feed.items[0].text).toContain('Nouveau travail en Mathématiques pour le mardi 15 décembre');
    expect(await announceDue(db)).toBe(0);
  });

  test('a lesson prepared ahead is hidden from the class until its time', async () => {
    const res = await as.t1.post(
      '/api/logbook/lessons',
      lesson({ date: '2026-12-21', publishAt: '2099-01-01T08:00:00+01:00' }),
    );
    expect(res.statusCode).toBe(201);
    expect((await as.s1.get(`/api/logbook/lessons/${res.json().id}`)).statusCode).toBe(404);
    expect((await as.t1.get(`/api/logbook/lessons/${res.json().id}`)).json().publishAt).toBe(
      '2099-01-01T07:00:00.000Z',
    );
  });
});

describe('workload', () => {
  test('a third assessment on one day warns the teacher; the workload counts them per day and week', async () => {
    const assess = (courseId: string, who: Agent, date: string) =>
      who.post('/api/logbook/homework', {
        courseId,
        date,
        dueDate: '2026-12-04',
        description: 'Évaluation',
        kind: 'assessment',
      });
    expect((await assess(id.maths1, as.t1, '2026-11-30')).json().warnings).toEqual([]);
    expect((await assess(id.english1, as.t2, '2026-12-01')).json().warnings).toEqual([]);
    // The Spanish group draws from 2NDE1: its assessment lands on the same students.
    const third = (await assess(id.spanish, as.t2, '2026-12-02')).json();
    expect(third.warnings).toEqual([
      {
        code: 'WORKLOAD_ASSESSMENTS',
        message: 'Attention : ces élèves ont déjà 2 évaluations le vendredi 4 décembre.',
      },
    ]);
    const w = (
      await as.t1.get(
        `/api/logbook/workload?establishment=${school.id}&class=${id.class1}&from=2026-11-30&to=2026-12-06`,
      )
    ).json();
    expect(w.days.find((d: { date: string }) => d.date === '2026-12-04')).toMatchObject({
      assessments: 3,
      homework: 3,
    });
    expect(w.weeks[0]).toMatchObject({ monday: '2026-11-30', assessments: 3 });
    expect(
      (
        await as.s2.get(
          `/api/logbook/workload?establishment=${school.id}&class=${id.class1}&from=2026-11-30&to=2026-12-06`,
        )
      ).statusCode,
    ).toBe(403);
  });
});

describe("a class's logbook", () => {
  const page = (who: Agent, q: string) =>
    who.get(`/api/logbook/entries?establishment=${school.id}&from=2026-11-30&to=2026-12-06&${q}`);

  test('colleagues of the class, its students and the direction read it; other classes and establishments do not', async () => {
    const res = await page(as.t2, `class=${id.class1}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as EntriesResponse;
    expect(body.of).toMatchObject({ kind: 'class', name: '2NDE1' });
    const monday = body.items.find((e) => e.date === '2026-11-30' && e.subject.id === '061300')!;
    expect(monday).toMatchObject({
      start: '2026-11-30T08:00:00+01:00',
      lesson: { title: 'Fonctions affines' },
      can: { write: false },
    });
    expect(monday.homework).toHaveLength(2);
    // The group's courses are in the class's logbook (its students attend them).
    expect(body.items.some((e) => e.group?.name === 'ESP2-A')).toBe(true);
    expect(
      (await page(as.t1, `class=${id.class1}`))
        .json()
        .items.find(
          (e: { date: string; subject: { id: string } }) => e.date === '2026-11-30' && e.subject.id === '061300',
        ).can.write,
    ).toBe(true);
    expect((await page(as.principal, `class=${id.class1}`)).statusCode).toBe(200);
    expect((await page(as.staff, `class=${id.class1}`)).statusCode).toBe(200);
    expect((await page(as.s1, `class=${id.class1}`)).statusCode).toBe(200);
    expect((await page(as.parent, `class=${id.class1}`)).statusCode).toBe(200);
    expect((await page(as.t3, `class=${id.class1}`)).statusCode).toBe(403);
    expect((await page(as.s2, `class=${id.class1}`)).statusCode).toBe(403);
    expect(
      (
        await as.outsider.get(
          `/api/logbook/entries?establishment=${school.id}&from=2026-11-30&to=2026-12-06&class=${id.class1}`,
        )
      ).statusCode,
    ).toBe(404);
  });

  test("a student's history per subject", async () => {
    const res = await page(as.s1, 'subject=061300');
    const body = res.json() as EntriesResponse;
    expect(body.items.every((e) => e.subject.id === '061300')).toBe(true);
    expect(body.items.filter((e) => e.lesson).map((e) => e.lesson!.title)).toEqual(['Fonctions affines']);
  });
});

describe('visas', () => {
  test('the principal signs the class up to a date; the teacher is told; later edits are amendments; no deletion', async () => {
    const sign = await as.principal.post('/api/logbook/visas', {
      establishment: school.id,
      classId: id.class1,
      through: '2026-11-30',
      comment: 'Bien tenu.',
    });
    expect(sign.statusCode, sign.body).toBe(201);
    expect(sign.json().lessons).toBe(1);
    const feed = (await as.t1.get(`/api/timeline?establishment=${school.id}`)).json();
    expect(feed.items[0]).toMatchObject({ kind: 'logbook.visa.signed' });
    const entry = (
      await as.t1.get(
        `/api/logbook/entries?establishment=${school.id}&from=2026-11-30&to=2026-11-30&class=${id.class1}`,
      )
    ).json() as EntriesResponse;
    const l = entry.items.find((e) => e.lesson)!.lesson!;
    expect(l.signed).toBe(true);
    expect(entry.visas[0]).toMatchObject({ comment: 'Bien tenu.', through: '2026-11-30', role: 'principal' });
    const edit = await as.t1.patch(`/api/logbook/lessons/${l.id}`, { content: '<p>Corrigé.</p>' });
    expect(edit.statusCode).toBe(200);
    const after = edit.json() as Lesson;
    expect(after.content).toBe('<p>Corrigé.</p>');
    expect(after.amendments).toEqual([
      expect.objectContaining({
        before: {
          title: 'Fonctions affines',
          content: '<p>Variations et <strong>représentation</strong> graphique.</p>',
        },
      }),
    ]);
    const del = await as.t1.delete(`/api/logbook/lessons/${l.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().code).toBe('LESSON_SIGNED');
    const audit = await db
      .selectFrom('audit_event')
      .select('action')
      .where('establishment_id', '=', school.id)
      .where('action', 'like', 'logbook.%')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['logbook.lesson.amend', 'logbook.visa.sign']);
    // A teacher cannot sign; a visa names a teacher or a class.
    expect(
      (await as.t1.post('/api/logbook/visas', { establishment: school.id, teacherId: id.t1, through: '2026-11-30' }))
        .statusCode,
    ).toBe(403);
    const both = await as.principal.post('/api/logbook/visas', { establishment: school.id, through: '2026-11-30' });
    expect(both.json().code).toBe('VISA_TARGET');
  });

  test('an inspector named for a teacher reads and signs that teacher only, until removed', async () => {
    const insp = await makeUser(db, { firstName: 'Inès', lastName: 'Pecteur' });
    const inspector = await loginAs(app, insp.login);
    const named = await as.principal.post('/api/logbook/inspectors', {
      establishment: school.id,
      login: insp.login,
      teacherIds: [id.t1],
    });
    expect(named.statusCode, named.body).toBe(201);
    const grants = (await inspector.get('/api/logbook/inspections')).json().items;
    expect(grants).toHaveLength(1);
    const grant = grants[0].id as string;
    const read = await inspector.get(
      `/api/logbook/inspections/${grant}/entries?teacher=${id.t1}&from=2026-11-30&to=2026-12-21`,
    );
    expect(read.statusCode).toBe(200);
    expect((read.json() as EntriesResponse).items.some((e) => e.lesson?.title === 'Fonctions affines')).toBe(true);
    expect(
      (await inspector.get(`/api/logbook/inspections/${grant}/entries?teacher=${id.t2}&from=2026-11-30&to=2026-12-06`))
        .statusCode,
    ).toBe(404);
    const signed = await inspector.post(`/api/logbook/inspections/${grant}/visas`, {
      teacherId: id.t1,
      through: '2026-12-14',
      comment: 'Inspection du 15 décembre.',
    });
    expect(signed.statusCode).toBe(201);
    expect(signed.json().lessons).toBeGreaterThan(0);
    // The inspector is not a member: the establishment's own routes stay closed to them.
    expect(
      (
        await inspector.get(
          `/api/logbook/entries?establishment=${school.id}&from=2026-11-30&to=2026-12-06&teacher=${id.t1}`,
        )
      ).statusCode,
    ).toBe(403);
    const unknown = await as.principal.post('/api/logbook/inspectors', {
      establishment: school.id,
      login: 'personne.inconnue',
      teacherIds: [id.t1],
    });
    expect(unknown.json()).toMatchObject({
      code: 'INSPECTOR_UNKNOWN',
      detail: 'Aucun compte actif n’a l’identifiant « personne.inconnue ».',
    });
    expect((await as.principal.delete(`/api/logbook/inspectors/${named.json().id}`)).statusCode).toBe(204);
    expect(
      (await inspector.get(`/api/logbook/inspections/${grant}/entries?teacher=${id.t1}&from=2026-11-30&to=2026-12-06`))
        .statusCode,
    ).toBe(404);
  });
});

describe('progressions', () => {
  test('a teacher keeps a sequence from one course and applies it to another of theirs, published at each start', async () => {
    const made = await as.t1.post('/api/logbook/progressions', {
      establishment: school.id,
      title: 'Chapitre 3 : fonctions',
      fromCourse: { courseId: id.maths1, from: '2026-11-30', to: '2026-12-21' },
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().steps.map((s: { title: string }) => s.title)).toEqual([
      'Fonctions affines',
      'Fonctions affines',
      'Fonctions affines',
    ]);
    // Not their course: 403.
    expect(
      (
        await as.t1.post(`/api/logbook/progressions/${made.json().id}/apply`, {
          courseId: id.maths2,
          from: '2026-12-07',
        })
      ).statusCode,
    ).toBe(403);
    const thursday = await makeCourse(db, school, {
      classId: id.class2,
      subjectCode: '061300',
      teacherIds: [id.t1],
      weekday: 4,
      start: '14:00',
    });
    const applied = await as.t1.post(`/api/logbook/progressions/${made.json().id}/apply`, {
      courseId: thursday,
      from: '2026-12-03',
    });
    expect(applied.statusCode, applied.body).toBe(201);
    expect(applied.json().lessons.map((l: { date: string }) => l.date)).toEqual([
      '2026-12-03',
      '2026-12-10',
      '2026-12-17',
    ]);
    const row = await db
      .selectFrom('logbook_lesson')
      .select('publish_at')
      .where('id', '=', applied.json().lessons[0].id)
      .executeTakeFirstOrThrow();
    expect(row.publish_at?.toISOString()).toBe('2026-12-03T13:00:00.000Z');
    // Someone else's progression is not there.
    expect((await as.t2.get(`/api/logbook/progressions/${made.json().id}`)).statusCode).toBe(404);
  });
});

describe('printing, fill rate, archive', () => {
  test('a period of a class’s logbook prints as a PDF at any time', async () => {
    const res = await as.principal.get(
      `/api/logbook/print?establishment=${school.id}&class=${id.class1}&from=2026-09-01&to=2026-12-31`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain('cahier-de-textes-classe-2nde1-2026-09-01-2026-12-31.pdf');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(
      (
        await as.s2.get(
          `/api/logbook/print?establishment=${school.id}&class=${id.class1}&from=2026-09-01&to=2026-12-31`,
        )
      ).statusCode,
    ).toBe(403);
  });

  test('the fill rate per teacher: past courses with a lesson written', async () => {
    await as.t1.post('/api/logbook/lessons', lesson({ date: '2026-09-07', title: 'Rentrée' }));
    const res = await as.principal.get(
      `/api/logbook/fill-rate?establishment=${school.id}&from=2026-09-07&to=2026-09-11&by=teacher`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    // t1 teaches the Monday course (written) and, since the progressions test, a Thursday one (not written).
    expect(body.rows.find((r: { id: string }) => r.id === id.t1)).toMatchObject({ courses: 2, written: 1, rate: 0.5 });
    expect(body.rows.find((r: { id: string }) => r.id === id.t2)).toMatchObject({ written: 0, rate: 0 });
    expect(
      (await as.t1.get(`/api/logbook/fill-rate?establishment=${school.id}&from=2026-09-07&to=2026-09-11&by=teacher`))
        .statusCode,
    ).toBe(403);
  });

  test("the home widget: tomorrow's homework for the student, today's courses for the teacher", async () => {
    const next = nextSchoolDay(parisDate(), closedDays('C'));
    let today = parisDate();
    while (weekdayOf(today) > 5 || closedDays('C')(today)) today = addDays(today, 1);
    const c = await makeCourse(db, school, {
      classId: id.class1,
      subjectCode: '030201',
      teacherIds: [id.t2],
      weekday: weekdayOf(today),
      start: '16:00',
    });
    const res = await as.t2.post('/api/logbook/homework', {
      courseId: c,
      date: today < next ? today : parisDate(),
      dueDate: next,
      description: 'Relire le texte.',
      kind: 'lesson',
    });
    expect(res.statusCode, res.body).toBe(201);
    const home = (await as.s1.get(`/api/home?establishment=${school.id}`)).json();
    expect(home.widgets.logbook.student.date).toBe(next);
    expect(home.widgets.logbook.student.homework.map((h: { description: string }) => h.description)).toContain(
      '<p>Relire le texte.</p>',
    );
    const teacher = (await as.t2.get(`/api/home?establishment=${school.id}`)).json();
    expect(teacher.widgets.logbook.teacher.courses.some((x: { courseId: string }) => x.courseId === c)).toBe(true);
    const parent = (await as.parent.get(`/api/home?establishment=${school.id}`)).json();
    expect(parent.widgets.logbook.children[0]).toMatchObject({ id: id.s1, date: next });
    // Ticked « fait » by the student: their widget and their guardian's say so; another student's does not.
    type Item = { id: string; description: string; done: boolean };
    const item = (home.widgets.logbook.student.homework as Item[]).find(
      (h) => h.description === '<p>Relire le texte.</p>',
    )!;
    expect(item.done).toBe(false);
    expect((await as.s1.put(`/api/logbook/homework/${item.id}/done`, { done: true })).statusCode).toBe(200);
    const after = (await as.s1.get(`/api/home?establishment=${school.id}`)).json();
    expect((after.widgets.logbook.student.homework as Item[]).find((h) => h.id === item.id)?.done).toBe(true);
    const parentAfter = (await as.parent.get(`/api/home?establishment=${school.id}`)).json();
    expect((parentAfter.widgets.logbook.children[0].homework as Item[]).find((h) => h.id === item.id)?.done).toBe(true);
    const other = (await as.s2.get(`/api/home?establishment=${school.id}`)).json();
    expect((other.widgets.logbook.student?.homework ?? []).some((h: Item) => h.id === item.id && h.done)).toBe(false);
    await as.s1.put(`/api/logbook/homework/${item.id}/done`, { done: false });
  });

  test('at the rollover the year becomes read-only: no writing, the direction prints and lists it', async () => {
    const before = await lessons();
    await db.updateTable('school_year').set({ status: 'archived' }).where('id', '=', school.schoolYearId).execute();
    try {
      const res = await as.t1.post('/api/logbook/lessons', lesson({ date: '2026-12-28' }));
      expect(res.statusCode).toBe(409);
      expect(res.json().detail).toBe(
        'Le cahier de textes de cette année scolaire est archivé : il ne se modifie plus.',
      );
      expect(await lessons()).toBe(before);
      const archive = (await as.principal.get(`/api/logbook/archive?establishment=${school.id}`)).json();
      expect(archive.years[0].classes.map((c: { name: string }) => c.name)).toEqual(['2NDE1', '2NDE2']);
      const pdf = await as.principal.get(
        `/api/logbook/print?establishment=${school.id}&class=${id.class1}&from=2026-09-01&to=2027-07-04&subject=061300`,
      );
      expect(pdf.statusCode).toBe(200);
      expect(
        (
          await as.t1.get(
            `/api/logbook/print?establishment=${school.id}&class=${id.class1}&from=2026-09-01&to=2027-07-04`,
          )
        ).statusCode,
      ).toBe(403);
    } finally {
      await db.updateTable('school_year').set({ status: 'current' }).where('id', '=', school.schoolYearId).execute();
    }
  });
});
