import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { assign, enrol, guard, makeClass, subject } from '../../../test/directory-fixtures.ts';
import { pdfBytes, spacesOf, upload } from '../../../test/documents.ts';
import {
  type Agent,
  countRows,
  flushUsage,
  loginAs,
  makeEstablishment,
  makeUser,
  testApp,
} from '../../../test/helpers.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';

/**
 * School life through HTTP, on a moved clock: Monday 30 November 2026, 10:30 in Paris. The roll call of a course,
 * its correction the same day and its closing after; the guardians told and justifying; the CPE's decisions; the
 * school life's own entries; the day's board; the absenteeism threshold over a month; incidents and punishments.
 */
const { app, db } = await testApp();

const MONDAY = '2026-11-30';
const at = (iso: string) => vi.setSystemTime(new Date(iso));

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
let other: School;
const as = {} as Record<
  'teacher' | 'teacher2' | 'cpe' | 'principal' | 'parent' | 'parent2' | 'student' | 'otherParent',
  Agent
>;
const ids = {} as Record<
  | 'class'
  | 'class2'
  | 'teacher'
  | 'student'
  | 'student2'
  | 'student3'
  | 'outsider'
  | 'parent'
  | 'parent2'
  | 'maths'
  | 'english'
  | 'afternoon'
  | 'otherCourse',
  string
>;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at('2026-11-30T09:30:00Z');
  school = await makeEstablishment(db);
  other = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  await subject(db, '030201', 'Anglais LV1');
  const c1 = await makeClass(db, school, '2NDE1');
  const c2 = await makeClass(db, school, '2NDE2');
  ids.class = c1.id;
  ids.class2 = c2.id;
  const t = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'], lastName: 'Prof' });
  const t2 = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'], lastName: 'Autre' });
  ids.teacher = t.id;
  await assign(db, school, t.id, { classId: c1.id }, '061300');
  await assign(db, school, t2.id, { classId: c2.id }, '030201');
  await assign(db, school, t2.id, { classId: c1.id }, '030201');
  const cpe = await makeUser(db, { establishmentId: school.id, profiles: ['staff'], lastName: 'CPE' });
  const p = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
  const s1 = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['student'],
    firstName: 'Léa',
    lastName: 'Martin',
  });
  const s2 = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['student'],
    firstName: 'Hugo',
    lastName: 'Bernard',
  });
  const s3 = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['student'],
    firstName: 'Inès',
    lastName: 'Petit',
  });
  const out = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['student'],
    firstName: 'Tom',
    lastName: 'Ailleurs',
  });
  ids.student = s1.id;
  ids.student2 = s2.id;
  ids.student3 = s3.id;
  ids.outsider = out.id;
  for (const s of [s1, s2, s3]) await enrol(db, school, s.id, { classId: c1.id });
  await enrol(db, school, out.id, { classId: c2.id });
  const par = await makeUser(db, { establishmentId: school.id, profiles: ['guardian'], lastName: 'Martin' });
  const par2 = await makeUser(db, { establishmentId: school.id, profiles: ['guardian'], lastName: 'Bernard' });
  ids.parent = par.id;
  ids.parent2 = par2.id;
  // Léa's parent has an e-mail address (the kind's default is e-mail at once); Hugo's has none.
  await db.updateTable('app_user').set({ email: 'parent.martin@example.org' }).where('id', '=', par.id).execute();
  await guard(db, school, par.id, s1.id);
  await guard(db, school, par2.id, s2.id);
  const otherParent = await makeUser(db, { establishmentId: other.id, profiles: ['guardian'] });
  const otherClass = await makeClass(db, other, '1G1');
  const otherTeacher = await makeUser(db, { establishmentId: other.id, profiles: ['teacher'] });
  // Mondays, in room B204.
  for (const [key, est, classId, teacher, subjectCode, start, end] of [
    ['maths', school, c1.id, t.id, '061300', '08:00', '08:55'],
    ['afternoon', school, c1.id, t2.id, '030201', '14:25', '15:20'],
    ['english', school, c2.id, t2.id, '030201', '10:05', '11:00'],
    ['otherCourse', other, otherClass.id, otherTeacher.id, '061300', '08:00', '08:55'],
  ] as const)
    ids[key] = await makeCourse(db, est, { classId, teacherIds: [teacher], subjectCode, start, end, room: 'B204' });
  Object.assign(logins, {
    teacher: t.login,
    teacher2: t2.login,
    cpe: cpe.login,
    principal: p.login,
    parent: par.login,
    parent2: par2.login,
    student: s1.login,
    otherParent: otherParent.login,
  });
  as.teacher = await loginAs(app, t.login);
  as.teacher2 = await loginAs(app, t2.login);
  as.cpe = await loginAs(app, cpe.login);
  as.principal = await loginAs(app, p.login);
  as.parent = await loginAs(app, par.login);
  as.parent2 = await loginAs(app, par2.login);
  as.student = await loginAs(app, s1.login);
  as.otherParent = await loginAs(app, otherParent.login);
});

const logins = {} as Record<keyof typeof as, string>;
/** Sessions follow the moved clock: sign in again after moving it. */
const relogin = (who: keyof typeof as) => loginAs(app, logins[who]);
async function moveClock(iso: string) {
  at(iso);
  for (const who of Object.keys(logins) as (keyof typeof as)[]) as[who] = await relogin(who);
}

afterAll(() => {
  vi.useRealTimers();
});

const absences = (a: Agent, extra = '') => a.get(`/api/school-life/absences?establishment=${school.id}${extra}`);

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json() as { code: string; detail: string };
  expect(body.code).toBe(code);
  return body.detail;
}

describe('the roll call', () => {
  test('a teacher records absent and late in one call; guardians are told at once (timeline and e-mail)', async () => {
    const res = await as.teacher.post('/api/school-life/roll-calls', {
      courseId: ids.maths,
      date: MONDAY,
      absent: [ids.student],
      late: [{ studentId: ids.student2, minutes: 10 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ courseId: ids.maths, date: MONDAY, absent: 1, late: 1 });

    const mine = (await absences(as.parent)).json().items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      studentId: ids.student,
      kind: 'absence',
      state: 'to_justify',
      start: '2026-11-30T08:00:00+01:00',
      end: '2026-11-30T08:55:00+01:00',
      subject: 'Mathématiques',
      can: { justify: true, decide: false },
    });
    const late = (await absences(as.parent2)).json().items;
    expect(late).toEqual([
      expect.objectContaining({
        studentId: ids.student2,
        kind: 'lateness',
        minutes: 10,
        end: '2026-11-30T08:10:00+01:00',
      }),
    ]);

    const notices = await db
      .selectFrom('notification as n')
      .innerJoin('notification_recipient as r', 'r.notification_id', 'n.id')
      .select(['r.user_id', 'n.text'])
      .where('n.kind', '=', 'school_life.absence.recorded')
      .execute();
    expect(notices.map((n) => n.user_id).sort()).toEqual([ids.parent, ids.parent2].sort());
    expect(notices.find((n) => n.user_id === ids.parent)?.text).toMatchObject({
      fr: 'Absence de MARTIN Léa le lundi 30 novembre, 08 h 00–08 h 55 (Mathématiques) : à justifier.',
    });
    const mails = await db.selectFrom('mail_outbox').select(['user_id', 'kind']).execute();
    expect(mails).toEqual([{ user_id: ids.parent, kind: 'school_life.absence.recorded' }]);
    const audit = await db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'school_life.%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['school_life.roll_call.take']);
  });

  test('the sheet lists the class with the marks; the student and the other parent see only their own', async () => {
    const sheet = (await as.teacher.get(`/api/school-life/roll-calls/sheet?course=${ids.maths}&date=${MONDAY}`)).json();
    expect(sheet.students.map((s: { lastName: string; mark: string | null }) => [s.lastName, s.mark])).toEqual([
      ['Bernard', 'late'],
      ['Martin', 'absent'],
      ['Petit', null],
    ]);
    expect(sheet.canEdit).toBe(true);
    expect((await absences(as.student)).json().items.map((a: { studentId: string }) => a.studentId)).toEqual([
      ids.student,
    ]);
    expect((await absences(as.parent, `&student=${ids.student2}`)).statusCode).toBe(403);
    expect((await as.otherParent.get(`/api/school-life/absences?establishment=${school.id}`)).statusCode).toBe(404);
  });

  test('corrected the same day: a student marked present again loses the record; guardians are not told twice', async () => {
    const before = await countRows(db, 'notification');
    const res = await as.teacher.post('/api/school-life/roll-calls', {
      courseId: ids.maths,
      date: MONDAY,
      absent: [ids.student],
      late: [],
      exempt: [ids.student3],
    });
    expect(res.statusCode).toBe(201);
    expect((await absences(as.parent2)).json().items).toEqual([]);
    expect((await absences(as.parent)).json().items).toHaveLength(1);
    expect(await countRows(db, 'notification')).toBe(before);
    const audit = await db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'school_life.roll_call%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['school_life.roll_call.take', 'school_life.roll_call.correct']);
  });

  test('refused: a student not in the course, twice in one call, a day without the course — in French, nothing written', async () => {
    const before = {
      marks: await countRows(db, 'school_life_mark'),
      records: await countRows(db, 'school_life_absence'),
      calls: await countRows(db, 'school_life_roll_call'),
    };
    const post = (body: object) =>
      as.teacher.post('/api/school-life/roll-calls', { courseId: ids.maths, date: MONDAY, ...body });
    expect(expectProblem(await post({ absent: [ids.outsider] }), 400, 'STUDENT_NOT_IN_COURSE')).toBe(
      'Un ou plusieurs élèves de l’appel ne font pas partie de ce cours : rien n’a été enregistré.',
    );
    expectProblem(
      await post({ absent: [ids.student], late: [{ studentId: ids.student, minutes: 5 }] }),
      400,
      'ROLL_CALL_TWICE',
    );
    expect(expectProblem(await post({ date: '2026-12-01', absent: [] }), 400, 'NOT_AN_OCCURRENCE')).toBe(
      'Ce cours n’a pas lieu le 2026-12-01 (jour sans ce cours, vacances ou cours annulé).',
    );
    expectProblem(await post({ date: '2026-12-21', absent: [] }), 400, 'NOT_AN_OCCURRENCE'); // Christmas holidays
    expectProblem(await post({ late: [{ studentId: ids.student2, minutes: 0 }] }), 400, 'VALIDATION');
    expect({
      marks: await countRows(db, 'school_life_mark'),
      records: await countRows(db, 'school_life_absence'),
      calls: await countRows(db, 'school_life_roll_call'),
    }).toEqual(before);
  });

  test('not the teacher of the course: 403; another school’s course: 404; nothing written', async () => {
    const before = await countRows(db, 'school_life_roll_call');
    const res = await as.teacher2.post('/api/school-life/roll-calls', {
      courseId: ids.maths,
      date: MONDAY,
      absent: [],
      late: [],
    });
    expectProblem(res, 403, 'FORBIDDEN');
    const foreign = await as.teacher.post('/api/school-life/roll-calls', {
      courseId: ids.otherCourse,
      date: MONDAY,
      absent: [],
      late: [],
    });
    expectProblem(foreign, 404, 'NOT_FOUND');
    expectProblem(
      await as.parent.post('/api/school-life/roll-calls', { courseId: ids.maths, date: MONDAY, absent: [] }),
      403,
      'FORBIDDEN',
    );
    expect(await countRows(db, 'school_life_roll_call')).toBe(before);
  });

  test('the next day the teacher can no longer correct it; the school life can', async () => {
    await moveClock('2026-12-01T08:00:00Z');
    try {
      const body = { courseId: ids.maths, date: MONDAY, absent: [], late: [] };
      expectProblem(await as.teacher.post('/api/school-life/roll-calls', body), 409, 'ROLL_CALL_CLOSED');
      const sheet = (
        await as.teacher.get(`/api/school-life/roll-calls/sheet?course=${ids.maths}&date=${MONDAY}`)
      ).json();
      expect(sheet.canEdit).toBe(false);
      expect((await absences(as.parent)).json().items).toHaveLength(1);
      const byCpe = await as.cpe.post('/api/school-life/roll-calls', { ...body, absent: [ids.student] });
      expect(byCpe.statusCode, byCpe.body).toBe(201);
      // A roll call forgotten on Monday may still be taken by its teacher the next day (then it is closed).
      const forgotten = await as.teacher2.post('/api/school-life/roll-calls', {
        courseId: ids.afternoon,
        date: MONDAY,
        absent: [],
        late: [],
      });
      expect(forgotten.statusCode, forgotten.body).toBe(201);
      await db.deleteFrom('school_life_roll_call').where('course_id', '=', ids.afternoon).execute();
    } finally {
      await moveClock('2026-11-30T09:30:00Z');
    }
  });
});

describe('justifying online, the CPE deciding', () => {
  let absenceId: string;
  test('someone who is not a guardian of the student is refused, in French, and nothing is written', async () => {
    absenceId = (await absences(as.parent)).json().items[0].id;
    const before = await countRows(db, 'school_life_justification');
    expect(
      expectProblem(
        await as.parent2.post(`/api/school-life/absences/${absenceId}/justification`, { reason: 'maladie' }),
        403,
        'NOT_A_GUARDIAN',
      ),
    ).toBe('Seul un responsable de cet élève peut justifier son absence.');
    expectProblem(
      await as.student.post(`/api/school-life/absences/${absenceId}/justification`, { reason: 'maladie' }),
      403,
      'FORBIDDEN',
    );
    expectProblem(
      await as.otherParent.post(`/api/school-life/absences/${absenceId}/justification`, { reason: 'maladie' }),
      404,
      'NOT_FOUND',
    );
    expectProblem(
      await as.parent.post(`/api/school-life/absences/${absenceId}/justification`, { reason: '' }),
      400,
      'VALIDATION',
    );
    expect(await countRows(db, 'school_life_justification')).toBe(before);
  });

  test('the guardian justifies with a reason and a comment; a second one waits for the first', async () => {
    const res = await as.parent.post(`/api/school-life/absences/${absenceId}/justification`, {
      reason: 'Maladie',
      comment: 'Fièvre depuis dimanche soir.',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().status).toBe('pending');
    expectProblem(
      await as.parent.post(`/api/school-life/absences/${absenceId}/justification`, { reason: 'maladie' }),
      409,
      'JUSTIFICATION_PENDING',
    );
    const item = (await absences(as.parent)).json().items[0];
    expect(item).toMatchObject({
      state: 'to_justify',
      justification: { status: 'pending', reason: 'Maladie', comment: 'Fièvre depuis dimanche soir.' },
      can: { justify: false },
    });
    const pending = (await absences(as.cpe, '&pending=true')).json().items;
    expect(pending.map((a: { id: string }) => a.id)).toEqual([absenceId]);
    expect(pending[0].can.decide).toBe(true);
  });

  test('the CPE accepts: justified with its reason, the guardian told', async () => {
    expectProblem(
      await as.teacher.post(`/api/school-life/absences/${absenceId}/decision`, { accept: true }),
      403,
      'FORBIDDEN',
    );
    const res = await as.cpe.post(`/api/school-life/absences/${absenceId}/decision`, { accept: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'justified', reason: 'Maladie', justification: { status: 'accepted' } });
    const notice = await db
      .selectFrom('notification as n')
      .innerJoin('notification_recipient as r', 'r.notification_id', 'n.id')
      .select(['r.user_id', 'n.text'])
      .where('n.kind', '=', 'school_life.justification.answered')
      .executeTakeFirstOrThrow();
    expect(notice.user_id).toBe(ids.parent);
    expect((notice.text as { fr: string }).fr).toBe(
      'La vie scolaire a accepté votre justification pour l’absence de MARTIN Léa du lundi 30 novembre.',
    );
    expectProblem(
      await as.cpe.post(`/api/school-life/absences/${absenceId}/decision`, { accept: false }),
      409,
      'NO_PENDING_JUSTIFICATION',
    );
    expectProblem(
      await as.parent.post(`/api/school-life/absences/${absenceId}/justification`, { reason: 'maladie' }),
      409,
      'ALREADY_JUSTIFIED',
    );
    const audit = await db
      .selectFrom('audit_event')
      .select('action')
      .where('target_id', '=', absenceId)
      .orderBy('at')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'school_life.justification.submit',
      'school_life.justification.accept',
    ]);
  });

  test('a refusal leaves it not justified; the guardian may justify again', async () => {
    const entry = await as.cpe.post('/api/school-life/absences', {
      establishment: school.id,
      studentId: ids.student,
      start: '2026-11-27T13:30:00+01:00',
      end: '2026-11-27T15:20:00+01:00',
    });
    expect(entry.statusCode, entry.body).toBe(201);
    const id = entry.json().id;
    expect(
      (await as.parent.post(`/api/school-life/absences/${id}/justification`, { reason: 'Panne de réveil' })).statusCode,
    ).toBe(201);
    const refused = await as.cpe.post(`/api/school-life/absences/${id}/decision`, {
      accept: false,
      comment: 'Motif non recevable',
    });
    expect(refused.json()).toMatchObject({
      state: 'not_justified',
      justification: { status: 'refused', decisionComment: 'Motif non recevable' },
    });
    expect((await absences(as.parent)).json().items.find((a: { id: string }) => a.id === id).can.justify).toBe(true);
  });
});

describe('a day justified at once', () => {
  test('the other open absences of the same day go with the justification, and the answer covers them all', async () => {
    const entry = (start: string, end: string) =>
      as.cpe.post('/api/school-life/absences', { establishment: school.id, studentId: ids.student, start, end });
    const morning = (await entry('2026-11-24T08:00:00+01:00', '2026-11-24T10:00:00+01:00')).json().id;
    const afternoon = (await entry('2026-11-24T14:00:00+01:00', '2026-11-24T16:00:00+01:00')).json().id;
    const res = await as.parent.post(`/api/school-life/absences/${afternoon}/justification`, { reason: 'famille' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().absences).toBe(2);
    const decided = await as.cpe.post(`/api/school-life/absences/${morning}/decision`, { accept: true });
    expect(decided.statusCode, decided.body).toBe(200);
    const day = (await absences(as.parent, '&from=2026-11-24&to=2026-11-24')).json().items;
    expect(day.map((a: { state: string; reason: string }) => [a.state, a.reason])).toEqual([
      ['justified', 'Raison familiale'],
      ['justified', 'Raison familiale'],
    ]);
  });
});

describe('a doctor’s note attached by reference', () => {
  test('the guardian attaches a document of their space; the CPE reads it, another parent cannot; a foreign document is refused', async () => {
    const entry = await as.cpe.post('/api/school-life/absences', {
      establishment: school.id,
      studentId: ids.student,
      start: '2026-11-26T08:00:00+01:00',
      end: '2026-11-26T12:00:00+01:00',
    });
    const absenceId = entry.json().id;
    const mine = (await spacesOf(as.parent, school.id)).personal;
    const up = await upload(app, as.parent, `/api/documents/spaces/${mine.id}/files`, {
      name: 'certificat.pdf',
      content: pdfBytes('Certificat médical'),
    });
    expect(up.statusCode, up.body).toBe(201);
    const documentId = up.json().id as string;
    const theirs = (await spacesOf(as.parent2, school.id)).personal;
    const other = await upload(app, as.parent2, `/api/documents/spaces/${theirs.id}/files`, {
      name: 'autre.pdf',
      content: pdfBytes('Autre'),
    });
    const before = await countRows(db, 'school_life_justification');
    expectProblem(
      await as.parent.post(`/api/school-life/absences/${absenceId}/justification`, {
        reason: 'maladie',
        documentIds: [other.json().id],
      }),
      403,
      'DOCUMENT_NOT_ATTACHABLE',
    );
    expect(await countRows(db, 'school_life_justification')).toBe(before);
    const res = await as.parent.post(`/api/school-life/absences/${absenceId}/justification`, {
      reason: 'maladie',
      documentIds: [documentId],
    });
    expect(res.statusCode, res.body).toBe(201);
    const seen = (await absences(as.cpe, `&student=${ids.student}`))
      .json()
      .items.find((a: { id: string }) => a.id === absenceId);
    expect(seen.justification.documents).toEqual([expect.objectContaining({ name: 'certificat.pdf' })]);
    const ref = seen.justification.documents[0].id;
    const parentSees = (await absences(as.parent)).json().items.find((a: { id: string }) => a.id === absenceId);
    expect(parentSees.justification.documents).toHaveLength(1);
    expect((await as.cpe.get(`/api/documents/references/${ref}/content`)).statusCode).toBe(200);
    expect((await as.parent.get(`/api/documents/references/${ref}/content`)).statusCode).toBe(200);
    expect((await as.parent2.get(`/api/documents/references/${ref}/content`)).statusCode).toBe(404);
    expect((await as.teacher.get(`/api/documents/references/${ref}/content`)).statusCode).toBe(404);
  });
});

describe('the school life’s own entries and the day’s board', () => {
  test('a whole day entered by the CPE: the guardian told; the roll call does not duplicate it', async () => {
    const res = await as.cpe.post('/api/school-life/absences', {
      establishment: school.id,
      studentId: ids.student3,
      from: MONDAY,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      source: 'staff',
      state: 'to_justify',
      start: '2026-11-30T08:00:00+01:00',
      end: '2026-11-30T18:00:00+01:00',
    });
    const sheet = (
      await as.teacher2.get(`/api/school-life/roll-calls/sheet?course=${ids.afternoon}&date=${MONDAY}`)
    ).json();
    expect(sheet.students.find((s: { id: string }) => s.id === ids.student3).knownAbsence).toBe(true);
  });

  test('bad entries are refused in French and nothing is written', async () => {
    const before = await countRows(db, 'school_life_absence');
    const post = (body: object) =>
      as.cpe.post('/api/school-life/absences', { establishment: school.id, studentId: ids.student, ...body });
    expectProblem(await post({}), 400, 'ABSENCE_PERIOD');
    expectProblem(await post({ from: '2026-12-05', to: '2026-12-01' }), 400, 'ABSENCE_PERIOD');
    expect(expectProblem(await post({ from: MONDAY, reason: 'vacances' }), 400, 'REASON_UNKNOWN')).toBe(
      'Motif inconnu : vacances. Choisissez un motif de la liste de l’établissement.',
    );
    expectProblem(
      await as.teacher.post('/api/school-life/absences', {
        establishment: school.id,
        studentId: ids.student,
        from: MONDAY,
      }),
      403,
      'FORBIDDEN',
    );
    expect(await countRows(db, 'school_life_absence')).toBe(before);
  });

  test('the board: roll calls missing, absences by class, absent in the morning and present in the afternoon', async () => {
    await moveClock('2026-11-30T14:00:00Z'); // 15:00 in Paris
    try {
      // Léa, absent at 8:00, is marked present at the 14:25 roll call.
      expect(
        (
          await as.teacher2.post('/api/school-life/roll-calls', {
            courseId: ids.afternoon,
            date: MONDAY,
            absent: [ids.student3],
            late: [],
          })
        ).statusCode,
      ).toBe(201);
      const board = (await as.cpe.get(`/api/school-life/board?establishment=${school.id}`)).json();
      expect(board.date).toBe(MONDAY);
      expect(board.courses.map((c: { subject: string; status: string }) => [c.subject, c.status])).toEqual([
        ['Mathématiques', 'taken'],
        ['Anglais LV1', 'missing'],
        ['Anglais LV1', 'taken'],
      ]);
      expect(board.missing).toBe(1);
      expect(board.byClass).toEqual([expect.objectContaining({ code: '2NDE1', absent: 2, late: 0 })]);
      expect(board.morningOnly.map((s: { id: string }) => s.id)).toEqual([ids.student]);
      expectProblem(await as.teacher.get(`/api/school-life/board?establishment=${school.id}`), 403, 'FORBIDDEN');
      const home = (await as.cpe.get(`/api/home?establishment=${school.id}`)).json();
      const widget =
        home.widgets?.school_life ?? home.widgets?.find?.((w: { module: string }) => w.module === 'school_life');
      expect(JSON.stringify(widget)).toContain('"missingRollCalls":1');
    } finally {
      await moveClock('2026-11-30T09:30:00Z');
    }
  });
});

describe('the absenteeism threshold over a month', () => {
  test('four unjustified half-days in a month are listed with the history; justified and other months are not counted', async () => {
    const entry = (start: string, end: string, state?: string) =>
      as.cpe.post('/api/school-life/absences', {
        establishment: school.id,
        studentId: ids.student2,
        start,
        end,
        ...(state ? { state } : {}),
      });
    // October: one whole day (two half-days).
    expect((await entry('2026-10-05T08:00:00+02:00', '2026-10-05T17:00:00+02:00')).statusCode).toBe(201);
    // November: a morning, an afternoon, a morning two hours long → three half-days...
    await entry('2026-11-02T08:00:00+01:00', '2026-11-02T09:00:00+01:00');
    await entry('2026-11-03T14:00:00+01:00', '2026-11-03T15:00:00+01:00');
    await entry('2026-11-04T09:00:00+01:00', '2026-11-04T11:00:00+01:00');
    // ... one justified (not counted), and two records in one morning (one half-day).
    await entry('2026-11-05T08:00:00+01:00', '2026-11-05T12:00:00+01:00', 'justified');
    await entry('2026-11-04T10:00:00+01:00', '2026-11-04T10:30:00+01:00');
    const below = (await as.cpe.get(`/api/school-life/absenteeism?establishment=${school.id}&month=2026-11`)).json();
    expect(below.items.map((i: { studentId: string }) => i.studentId)).not.toContain(ids.student2);
    // A fourth half-day: reached.
    await entry('2026-11-06T13:30:00+01:00', '2026-11-06T17:00:00+01:00');
    const reached = (
      await as.principal.get(`/api/school-life/absenteeism?establishment=${school.id}&month=2026-11`)
    ).json();
    expect(reached.threshold).toBe(4);
    expect(reached.items).toEqual([
      expect.objectContaining({
        studentId: ids.student2,
        halfDays: 4,
        classCode: '2NDE1',
        history: [
          { month: '2026-10', halfDays: 2 },
          { month: '2026-11', halfDays: 4 },
        ],
      }),
    ]);
  });
});

describe('incidents and punishments', () => {
  test('a teacher gives a retenue to their student; the guardian is told; the list shows who gave it', async () => {
    const res = await as.teacher.post('/api/school-life/incidents', {
      establishment: school.id,
      studentId: ids.student,
      kind: 'retenue',
      date: MONDAY,
      reason: 'Travail non fait trois fois',
      detail: 'Mercredi 2 décembre, 13 h – 15 h',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'retenue', givenBy: 'PROF Camille' });
    const list = (await as.parent.get(`/api/school-life/incidents?establishment=${school.id}`)).json();
    expect(list.items.map((i: { kind: string }) => i.kind)).toEqual(['retenue']);
    expect((await as.parent2.get(`/api/school-life/incidents?establishment=${school.id}`)).json().items).toEqual([]);
    const notice = await db
      .selectFrom('notification as n')
      .innerJoin('notification_recipient as r', 'r.notification_id', 'n.id')
      .select('r.user_id')
      .where('n.kind', '=', 'school_life.incident.recorded')
      .execute();
    expect(notice.map((n) => n.user_id)).toEqual([ids.parent]);
  });

  test('whom to choose: the CPE finds any student by name or class, accents folded; a teacher only theirs', async () => {
    const found = (await as.cpe.get(`/api/school-life/students?establishment=${school.id}&q=ines%20petit`)).json();
    expect(found.items).toEqual([{ id: ids.student3, name: 'PETIT Inès', classCode: '2NDE1' }]);
    const byClass = (await as.cpe.get(`/api/school-life/students?establishment=${school.id}&q=2nde2`)).json();
    expect(byClass.items.map((i: { id: string }) => i.id)).toEqual([ids.outsider]);
    const mine = (await as.teacher.get(`/api/school-life/students?establishment=${school.id}`)).json();
    expect(mine.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [ids.student, ids.student2, ids.student3].sort(),
    );
    expectProblem(await as.parent.get(`/api/school-life/students?establishment=${school.id}`), 403, 'FORBIDDEN');
  });

  test('sanctions remain the direction’s: a teacher is refused in French and nothing is written', async () => {
    const before = await countRows(db, 'school_life_incident');
    const body = {
      establishment: school.id,
      studentId: ids.student,
      kind: 'sanction',
      date: MONDAY,
      reason: 'Insolence',
      detail: 'Avertissement',
    };
    expect(
      expectProblem(await as.teacher.post('/api/school-life/incidents', body), 403, 'SANCTION_DIRECTION_ONLY'),
    ).toContain('Les sanctions relèvent du chef d’établissement');
    expectProblem(
      await as.teacher.post('/api/school-life/incidents', { ...body, kind: 'retenue', studentId: ids.outsider }),
      403,
      'FORBIDDEN',
    );
    expect(await countRows(db, 'school_life_incident')).toBe(before);
    expect((await as.principal.post('/api/school-life/incidents', body)).statusCode).toBe(201);
  });
});

describe('usage events', () => {
  test('each meaningful action is counted once it succeeded, with the caller’s profile', async () => {
    await flushUsage(app);
    const rows = await db
      .selectFrom('usage_event')
      .select(['action', 'profile'])
      .where('service', '=', 'school_life')
      .where('establishment_id', '=', school.id)
      .execute();
    const seen = new Set(rows.map((r) => `${r.profile}:${r.action}`));
    for (const e of [
      'teacher:roll_call.take',
      'teacher:roll_call.correct',
      'staff:roll_call.correct',
      'guardian:justification.submit',
      'staff:justification.accept',
      'staff:justification.refuse',
      'staff:absence.create',
      'staff:board.view',
      'principal:absenteeism.view',
      'teacher:incident.retenue',
      'principal:incident.sanction',
      'guardian:absences.view',
    ])
      expect(seen, e).toContain(e);
  });
});

describe('the personal-data export', () => {
  test('a student’s absences and incidents are in their export', async () => {
    const { schoolLifeModule } = await import('./index.ts');
    const data = await schoolLifeModule.personalData!.exportFor!(db, ids.student);
    expect((data.absences as unknown[]).length).toBeGreaterThan(0);
    expect((data.incidents as { kind: string }[]).map((i) => i.kind).sort()).toEqual(['retenue', 'sanction']);
  });
});

describe('the absence reasons', () => {
  test('the CPE reorders and adds a reason; bad lists are refused in French and change nothing', async () => {
    const url = `/api/school-life/reasons?establishment=${school.id}`;
    const before = (await as.cpe.get(url)).json().items as { code: string; label: string; legitimate: boolean }[];
    expect(before.length).toBeGreaterThan(1);
    const put = (agent: Agent, items: unknown) =>
      agent.put('/api/school-life/reasons', { establishment: school.id, items });
    const bad: [string, unknown][] = [
      ['duplicate codes', [before[0], before[0]]],
      ['a code with capitals', [{ code: 'Maladie', label: 'Maladie', legitimate: true }]],
      ['an empty list', []],
      ['a label too long', [{ code: 'long', label: 'x'.repeat(81), legitimate: true }]],
      ['no legitimate flag', [{ code: 'sans', label: 'Sans drapeau' }]],
    ];
    for (const [what, items] of bad) {
      const res = await put(as.cpe, items);
      expect(res.statusCode, what).toBe(400);
      expect(res.headers['content-type'], what).toContain('application/problem+json');
      expect(res.json().detail, what).toMatch(/[a-zé]{4}/);
    }
    expect((await put(as.teacher, before)).statusCode).toBe(403);
    expect((await put(as.parent, before)).statusCode).toBe(403);
    expect((await as.cpe.get(url)).json().items).toEqual(before);

    const next = [
      { code: 'rdv_administratif', label: 'Rendez-vous administratif', legitimate: true },
      ...before.slice().reverse(),
    ];
    const saved = await put(as.cpe, next);
    expect(saved.statusCode).toBe(200);
    expect(saved.json().items).toEqual(next);
    // The guardians choose from the same list, in that order.
    expect((await as.parent.get(url)).json().items).toEqual(next);
    expect((await put(as.cpe, before)).statusCode).toBe(200);
  });
});
