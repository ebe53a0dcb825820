import type { ModuleMatrix, World } from '../../../test/matrix.ts';
import { addDays, closedDays, parisDate, weekdayOf } from '../timetable/index.ts';

/**
 * School life's authorization rows. In the world, the student is in class A1, the guardian theirs, the teacher
 * teaches A1; a course of A1 on the next school day is made per call. School-life data is need-to-know: a platform
 * administrator who is not a member sees none of it (403), the local administrator neither; another
 * establishment's principal gets 404 for A's ids.
 */

/** Today or the next day with lessons (no Sunday, no holiday in any zone): a teacher may still call it. */
function schoolDay(): string {
  const closed = (['A', 'B', 'C'] as const).map((z) => closedDays(z));
  let d = parisDate();
  for (let i = 0; i < 40; i++, d = addDays(d, 1)) {
    if (weekdayOf(d) <= 6 && !closed.some((c) => c(d))) return d;
  }
  return d;
}

const courses = new WeakMap<World, string>();

/** A course of class A1 taught by the world's teacher on the school day's weekday. */
async function course(w: World) {
  const known = courses.get(w);
  if (known) return known;
  const row = await w.db
    .insertInto('timetable_course')
    .values({
      establishment_id: w.a.id,
      school_year_id: w.a.schoolYearId,
      class_id: w.class.id,
      group_id: null,
      subject_code: w.subjectCode,
      weekday: weekdayOf(schoolDay()),
      starts_at: '08:00',
      ends_at: '08:55',
      room: 'B12',
      week_pattern_id: null,
      valid_from: '2026-09-01',
      valid_to: '2027-07-03',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await w.db
    .insertInto('timetable_course_teacher')
    .values({ course_id: row.id, teacher_id: w.people.teacher.id, establishment_id: w.a.id })
    .execute();
  courses.set(w, row.id);
  return row.id;
}

/** A fresh absence of the world's student, to justify. */
async function absence(w: World) {
  const row = await w.db
    .insertInto('school_life_absence')
    .values({
      establishment_id: w.a.id,
      student_id: w.people.student.id,
      kind: 'absence',
      starts_at: '2026-11-30T07:00:00Z',
      ends_at: '2026-11-30T07:55:00Z',
      on_date: '2026-11-30',
      minutes: null,
      reason_code: null,
      comment: null,
      source: 'staff',
      roll_call_id: null,
      course_id: null,
      subject_code: null,
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An absence with a guardian's justification waiting for the CPE. */
async function pending(w: World) {
  const id = await absence(w);
  await w.db
    .insertInto('school_life_justification')
    .values({
      establishment_id: w.a.id,
      absence_id: id,
      guardian_id: w.people.guardian.id,
      reason_code: 'maladie',
      reason_text: 'Maladie',
      comment: null,
    })
    .execute();
  return id;
}

//                                   anon stud guar teac staf prin ladm padm other
const ROLL_CALLERS = (ok: number) => [401, 403, 403, ok, ok, ok, 403, 403, 404];
const SCHOOL_LIFE_STAFF = (ok: number) => [401, 403, 403, 403, ok, ok, 403, 403, 404];
const READERS = (ok: number) => [401, ok, ok, ok, ok, ok, 403, 403, 404];

export const matrix: ModuleMatrix = {
  'POST /api/school-life/roll-calls': [
    async (w) => ({
      url: '/api/school-life/roll-calls',
      body: { courseId: await course(w), date: schoolDay(), absent: [w.people.student.id], late: [] },
    }),
    ROLL_CALLERS(201),
  ],
  'GET /api/school-life/roll-calls/sheet': [
    async (w) => ({ url: `/api/school-life/roll-calls/sheet?course=${await course(w)}&date=${schoolDay()}` }),
    ROLL_CALLERS(200),
  ],
  // A platform administrator is let through but has no courses: an empty day.
  'GET /api/school-life/my-courses': [
    (w) => ({ url: `/api/school-life/my-courses?establishment=${w.a.id}` }),
    [401, 403, 403, 200, 200, 200, 403, 200, 404],
  ],
  'GET /api/school-life/absences': [
    (w) => ({ url: `/api/school-life/absences?establishment=${w.a.id}&student=${w.people.student.id}` }),
    READERS(200),
  ],
  'POST /api/school-life/absences': [
    (w) => ({
      url: '/api/school-life/absences',
      body: { establishment: w.a.id, studentId: w.people.student.id, from: '2026-11-30' },
    }),
    SCHOOL_LIFE_STAFF(201),
  ],
  'PATCH /api/school-life/absences/:id': [
    async (w) => ({ url: `/api/school-life/absences/${await absence(w)}`, body: { state: 'not_justified' } }),
    SCHOOL_LIFE_STAFF(200),
  ],
  'POST /api/school-life/absences/:id/justification': [
    async (w) => ({
      url: `/api/school-life/absences/${await absence(w)}/justification`,
      body: { reason: 'maladie', comment: 'Fièvre' },
    }),
    // The other establishment's principal holds no justify permission anywhere: 403 at the route.
    [401, 403, 201, 403, 403, 403, 403, 403, 403],
  ],
  'POST /api/school-life/absences/:id/decision': [
    async (w) => ({ url: `/api/school-life/absences/${await pending(w)}/decision`, body: { accept: true } }),
    SCHOOL_LIFE_STAFF(200),
  ],
  'GET /api/school-life/reasons': [
    (w) => ({ url: `/api/school-life/reasons?establishment=${w.a.id}` }),
    [401, 200, 200, 200, 200, 200, 403, 200, 404],
  ],
  'PUT /api/school-life/reasons': [
    (w) => ({
      url: '/api/school-life/reasons',
      body: { establishment: w.a.id, items: [{ code: 'maladie', label: 'Maladie', legitimate: true }] },
    }),
    SCHOOL_LIFE_STAFF(200),
  ],
  'GET /api/school-life/board': [
    (w) => ({ url: `/api/school-life/board?establishment=${w.a.id}` }),
    SCHOOL_LIFE_STAFF(200),
  ],
  'GET /api/school-life/absenteeism': [
    (w) => ({ url: `/api/school-life/absenteeism?establishment=${w.a.id}&month=2026-11` }),
    SCHOOL_LIFE_STAFF(200),
  ],
  'GET /api/school-life/incidents': [
    (w) => ({ url: `/api/school-life/incidents?establishment=${w.a.id}` }),
    READERS(200),
  ],
  // A platform administrator who is not a member teaches nobody: an empty list.
  'GET /api/school-life/students': [
    (w) => ({ url: `/api/school-life/students?establishment=${w.a.id}&q=a` }),
    [401, 403, 403, 200, 200, 200, 403, 200, 404],
  ],
  'POST /api/school-life/incidents': [
    (w) => ({
      url: '/api/school-life/incidents',
      body: {
        establishment: w.a.id,
        studentId: w.people.student.id,
        kind: 'retenue',
        date: '2026-11-30',
        reason: 'Travail non fait trois fois',
        detail: 'Mercredi 13 h – 15 h',
      },
    }),
    ROLL_CALLERS(201),
  ],
};
