import { createHash } from 'node:crypto';
import { ADMINS, MEMBERS_OF_A, type ModuleMatrix, type World } from '../../../test/matrix.ts';

/**
 * The timetable's authorization rows. In the world, the student is in class A1 and group G1, the guardian is
 * theirs, the teacher teaches maths there; courses are made per row. Another establishment's principal gets 404
 * for A's objects; the staff-only views (a teacher's week) are denied to students and guardians.
 */

/** A course of class A1 on Tuesdays (1 December 2026 is one), taught by the world's teacher. */
async function course(w: World) {
  const row = await w.db
    .insertInto('timetable_course')
    .values({
      establishment_id: w.a.id,
      school_year_id: w.a.schoolYearId,
      class_id: w.class.id,
      group_id: null,
      subject_code: w.subjectCode,
      weekday: 2,
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
  return row.id;
}

const body = (w: World) => ({
  establishment: w.a.id,
  classId: w.class.id,
  subjectCode: w.subjectCode,
  teacherIds: [w.people.teacher.id],
  weekday: 1,
  start: '10:05',
  end: '11:00',
});

/** One live token per world (a person has one live subscription at a time). */
const tokens = new WeakMap<World, string>();

//                               anon stud guar teac staf prin ladm padm other
const TEACHER_WEEK = [401, 403, 403, 200, 200, 200, 200, 200, 404];

export const matrix: ModuleMatrix = {
  'GET /api/timetable/week': [
    (w) => ({ url: `/api/timetable/week?establishment=${w.a.id}&date=2026-12-01&teacher=${w.people.teacher.id}` }),
    TEACHER_WEEK,
  ],
  'GET /api/timetable/options': [(w) => ({ url: `/api/timetable/options?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'GET /api/timetable/settings': [
    (w) => ({ url: `/api/timetable/settings?establishment=${w.a.id}` }),
    MEMBERS_OF_A(200),
  ],
  'PUT /api/timetable/settings': [
    (w) => ({ url: '/api/timetable/settings', body: { establishment: w.a.id, zone: 'B' } }),
    ADMINS(200),
  ],
  'POST /api/timetable/week-patterns/alternating': [
    (w) => ({ url: '/api/timetable/week-patterns/alternating', body: { establishment: w.a.id } }),
    ADMINS(201),
  ],
  'GET /api/timetable/courses': [(w) => ({ url: `/api/timetable/courses?establishment=${w.a.id}` }), ADMINS(200)],
  'POST /api/timetable/courses': [(w) => ({ url: '/api/timetable/courses', body: body(w) }), ADMINS(201)],
  'PATCH /api/timetable/courses/:id': [
    async (w) => ({ url: `/api/timetable/courses/${await course(w)}`, body: { room: 'C01' } }),
    ADMINS(200),
  ],
  'DELETE /api/timetable/courses/:id': [
    async (w) => ({ url: `/api/timetable/courses/${await course(w)}` }),
    ADMINS(204),
  ],
  'PUT /api/timetable/courses/:id/occurrences/:date': [
    async (w) => ({
      url: `/api/timetable/courses/${await course(w)}/occurrences/2026-12-01`,
      body: { cancelled: true, reason: 'Professeur absent' },
    }),
    ADMINS(200),
  ],
  'DELETE /api/timetable/courses/:id/occurrences/:date': [
    async (w) => {
      const id = await course(w);
      await w.db
        .insertInto('timetable_occurrence_change')
        .values({ establishment_id: w.a.id, course_id: id, on_date: '2026-12-01', cancelled: true })
        .execute();
      return { url: `/api/timetable/courses/${id}/occurrences/2026-12-01` };
    },
    ADMINS(204),
  ],
  // A JSON body is not an upload: 415 once the route permission passes (nothing is read or stored).
  'POST /api/timetable/imports': [
    (w) => ({ url: '/api/timetable/imports', body: { establishment: w.a.id } }),
    [401, 403, 403, 403, 403, 415, 415, 415, 415],
  ],
  'GET /api/timetable/imports/:id': [
    async (w) => {
      const job = await w.db
        .insertInto('timetable_import')
        .values({ establishment_id: w.a.id, requested_by: w.people.principal.id, kind: 'sts', files: '[]' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { url: `/api/timetable/imports/${job.id}` };
    },
    ADMINS(200),
  ],
  'GET /api/timetable/imports': [(w) => ({ url: `/api/timetable/imports?establishment=${w.a.id}` }), ADMINS(200)],
  'GET /api/timetable/feed': [(w) => ({ url: `/api/timetable/feed?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'POST /api/timetable/feed': [
    (w) => ({ url: '/api/timetable/feed', body: { establishment: w.a.id } }),
    MEMBERS_OF_A(201),
  ],
  'DELETE /api/timetable/feed': [(w) => ({ url: `/api/timetable/feed?establishment=${w.a.id}` }), MEMBERS_OF_A(204)],
  // The token is the credential: anyone holding a live one gets the calendar, session or not.
  'GET /api/timetable/ics/:token': [
    async (w) => {
      let token = tokens.get(w);
      if (!token) {
        token = `matrix${crypto.randomUUID().replaceAll('-', '')}`;
        tokens.set(w, token);
        await w.db
          .insertInto('timetable_feed_token')
          .values({
            user_id: w.people.student.id,
            establishment_id: w.a.id,
            token_hash: createHash('sha256').update(token).digest(),
          })
          .execute();
      }
      return { url: `/api/timetable/ics/${token}.ics` };
    },
    [200, 200, 200, 200, 200, 200, 200, 200, 200],
  ],
};
