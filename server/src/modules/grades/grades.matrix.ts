import { MEMBERS_OF_A, type ModuleMatrix, type World } from '../../../test/matrix.ts';

/**
 * The grades' authorization rows. In the world the student is in class A1 (and group G1), the guardian is theirs,
 * the teacher teaches A1 and G1 in the world's subject. Entering is the teachers' (grades.write: another
 * establishment's principal does not hold it anywhere, hence 403 before any lookup); reading a student's grades is
 * need-to-know; the report is the teachers' of the class and the direction's; another establishment's ids: 404.
 */

/** An assessment of class A1 by the world's teacher, with the student's grade, already visible. */
async function assessment(w: World) {
  const row = await w.db
    .insertInto('grades_assessment')
    .values({
      establishment_id: w.a.id,
      school_year_id: w.a.schoolYearId,
      class_id: w.class.id,
      group_id: null,
      subject_code: w.subjectCode,
      teacher_id: w.people.teacher.id,
      title: 'Contrôle 1',
      on_date: '2026-10-05',
      coefficient: 2,
      scale: 20,
      visible_at: new Date('2026-10-06T12:00:00Z'),
      notified_at: new Date('2026-10-06T12:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await w.db
    .insertInto('grades_grade')
    .values({ assessment_id: row.id, student_id: w.people.student.id, establishment_id: w.a.id, value: 14.5 })
    .execute();
  return row.id;
}

const published = new WeakSet<World>();
async function publishT1(w: World) {
  if (published.has(w)) return;
  published.add(w);
  await assessment(w);
  await w.db
    .insertInto('grades_report')
    .values({
      establishment_id: w.a.id,
      school_year_id: w.a.schoolYearId,
      class_id: w.class.id,
      period: 'T1',
      published_by: w.people.principal.id,
    })
    .execute();
}

//                       anon stud guar teac staf prin ladm padm other
const TEACHER = (ok: number) => [401, 403, 403, ok, 403, 403, 403, 403, 403];
const READ_ASSESSMENT = [401, 403, 403, 200, 200, 200, 403, 403, 404];
/** A student's grades: themself, their guardian, their teacher, school life and the direction; not the admins. */
const NEED_TO_KNOW = [401, 200, 200, 200, 200, 200, 403, 403, 404];
/** A class's reports: its teachers, the school life (reading) and the direction. */
const REPORT = (ok: number) => [401, 403, 403, ok, ok, ok, 403, 403, 404];

export const matrix: ModuleMatrix = {
  'GET /api/grades': [
    async (w) => {
      await assessment(w);
      return { url: `/api/grades?establishment=${w.a.id}&student=${w.people.student.id}` };
    },
    NEED_TO_KNOW,
  ],
  'GET /api/grades/options': [(w) => ({ url: `/api/grades/options?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'GET /api/grades/settings': [(w) => ({ url: `/api/grades/settings?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'PUT /api/grades/settings': [
    (w) => ({ url: '/api/grades/settings', body: { establishment: w.a.id, publicationDelayHours: 24 } }),
    [401, 403, 403, 403, 403, 200, 403, 200, 404],
  ],
  // A platform admin holds every permission but teaches nothing: 403 at the teaching check.
  'POST /api/grades/assessments': [
    (w) => ({
      url: '/api/grades/assessments',
      body: {
        establishmentId: w.a.id,
        classId: w.class.id,
        subjectId: w.subjectCode,
        title: 'Contrôle',
        date: '2026-11-20',
        coefficient: 1,
        scale: 20,
        grades: [{ studentId: w.people.student.id, value: 12 }],
      },
    }),
    TEACHER(201),
  ],
  'GET /api/grades/assessments/:id': [
    async (w) => ({ url: `/api/grades/assessments/${await assessment(w)}` }),
    READ_ASSESSMENT,
  ],
  'PATCH /api/grades/assessments/:id': [
    async (w) => ({ url: `/api/grades/assessments/${await assessment(w)}`, body: { title: 'Contrôle 1 (corrigé)' } }),
    TEACHER(200),
  ],
  'POST /api/grades/assessments/:id/publish': [
    async (w) => ({ url: `/api/grades/assessments/${await assessment(w)}/publish` }),
    TEACHER(200),
  ],
  'DELETE /api/grades/assessments/:id': [
    async (w) => ({ url: `/api/grades/assessments/${await assessment(w)}` }),
    TEACHER(204),
  ],
  'GET /api/grades/book': [
    async (w) => {
      await assessment(w);
      return { url: `/api/grades/book?establishment=${w.a.id}&class=${w.class.id}` };
    },
    TEACHER(200),
  ],
  'GET /api/grades/reports': [
    (w) => ({ url: `/api/grades/reports?establishment=${w.a.id}&class=${w.class.id}&period=T1` }),
    REPORT(200),
  ],
  // A subject's comment: the teacher of the subject only (the direction writes its own kind).
  'PUT /api/grades/reports/comments': [
    (w) => ({
      url: '/api/grades/reports/comments',
      body: {
        establishment: w.a.id,
        period: 'T1',
        studentId: w.people.student.id,
        kind: 'subject',
        subjectCode: w.subjectCode,
        text: 'Bon trimestre.',
      },
    }),
    [401, 403, 403, 204, 403, 403, 403, 403, 404],
  ],
  'POST /api/grades/reports/publish': [
    (w) => ({ url: '/api/grades/reports/publish', body: { establishment: w.a.id, classId: w.class.id, period: 'T1' } }),
    [401, 403, 403, 403, 403, 200, 403, 200, 404],
  ],
  'GET /api/grades/reports/students/:student/:period': [
    async (w) => {
      await publishT1(w);
      return { url: `/api/grades/reports/students/${w.people.student.id}/T1?establishment=${w.a.id}` };
    },
    NEED_TO_KNOW,
  ],
  'GET /api/grades/reports/classes/:class/:period': [
    async (w) => {
      await assessment(w);
      return { url: `/api/grades/reports/classes/${w.class.id}/T1?establishment=${w.a.id}` };
    },
    REPORT(200),
  ],
};
