import { ALL_MEMBERS, MEMBERS_OF_A, type ModuleMatrix, type World } from '../../../test/matrix.ts';

/**
 * The logbook's authorization rows. In the world the teacher teaches class A1 (a Tuesday course is made per row),
 * the student is in A1, the guardian is theirs. Writing is the course's teacher's only; reading, the class's
 * people and the direction's; signing, the principal's; another establishment's principal gets 404 for A.
 */

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
      room: null,
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

const courses = new WeakMap<World, Promise<string>>();
const courseOf = (w: World) => {
  if (!courses.has(w)) courses.set(w, course(w));
  return courses.get(w)!;
};

let day = 0;
/** A Tuesday of the year not used yet (one lesson per occurrence). */
const tuesday = () => {
  const d = new Date(Date.UTC(2026, 8, 1 + 7 * (day++ % 40)));
  return d.toISOString().slice(0, 10);
};

async function lesson(w: World) {
  const row = await w.db
    .insertInto('logbook_lesson')
    .values({
      establishment_id: w.a.id,
      school_year_id: w.a.schoolYearId,
      course_id: await courseOf(w),
      date: tuesday(),
      class_id: w.class.id,
      group_id: null,
      subject_code: w.subjectCode,
      author_id: w.people.teacher.id,
      title: 'Séance',
      content: '<p>Contenu</p>',
      links: '[]',
      publish_at: null,
    })
    .returning(['id', 'date'])
    .executeTakeFirstOrThrow();
  return row;
}

async function homework(w: World) {
  const l = await lesson(w);
  const row = await w.db
    .insertInto('logbook_homework')
    .values({
      establishment_id: w.a.id,
      school_year_id: w.a.schoolYearId,
      lesson_id: l.id,
      course_id: await courseOf(w),
      class_id: w.class.id,
      group_id: null,
      subject_code: w.subjectCode,
      author_id: w.people.teacher.id,
      assigned_on: l.date,
      due_date: l.date,
      description: '<p>Exercices</p>',
      kind: 'exercise',
      estimated_minutes: null,
      publish_at: null,
      notified_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function progression(w: World) {
  const p = await w.db
    .insertInto('logbook_progression')
    .values({ establishment_id: w.a.id, author_id: w.people.teacher.id, title: 'Progression', subject_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await w.db
    .insertInto('logbook_progression_step')
    .values({ progression_id: p.id, position: 1, title: 'Étape 1', content: '' })
    .execute();
  return p.id;
}

/** A grant naming the world's staff member inspector of the teacher (any account may be named). */
async function grant(w: World) {
  const g = await w.db
    .insertInto('logbook_inspector')
    .values({
      establishment_id: w.a.id,
      inspector_id: w.people.staff.id,
      teacher_ids: [w.people.teacher.id],
      until: null,
      granted_by: w.people.principal.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return g.id;
}

const grants = new WeakMap<World, Promise<string>>();
const grantOf = (w: World) => {
  if (!grants.has(w)) grants.set(w, grant(w));
  return grants.get(w)!;
};

//                         anon stud guar teac staf prin ladm padm other
const TEACHER_WRITES = (ok: number) => [401, 403, 403, ok, 403, 403, 403, 403, 403];
const OWN_PROGRESSION = (ok: number) => [401, 403, 403, ok, 403, 403, 403, 404, 403];
const SIGNERS = (ok: number) => [401, 403, 403, 403, 403, ok, 403, ok, 404];
const INSPECTOR = (ok: number) => [401, 404, 404, 404, ok, 404, 404, 404, 404];

export const matrix: ModuleMatrix = {
  'POST /api/logbook/lessons': [
    async (w) => ({
      url: '/api/logbook/lessons',
      body: { courseId: await courseOf(w), date: tuesday(), title: 'Séance', content: '<p>Cours</p>' },
    }),
    [401, 403, 403, 201, 403, 403, 403, 403, 403],
  ],
  'GET /api/logbook/lessons/:id': [
    async (w) => ({ url: `/api/logbook/lessons/${(await lesson(w)).id}` }),
    MEMBERS_OF_A(200),
  ],
  'PATCH /api/logbook/lessons/:id': [
    async (w) => ({ url: `/api/logbook/lessons/${(await lesson(w)).id}`, body: { title: 'Nouveau titre' } }),
    TEACHER_WRITES(200),
  ],
  'DELETE /api/logbook/lessons/:id': [
    async (w) => ({ url: `/api/logbook/lessons/${(await lesson(w)).id}` }),
    TEACHER_WRITES(204),
  ],
  'POST /api/logbook/homework': [
    async (w) => {
      const date = tuesday();
      return {
        url: '/api/logbook/homework',
        body: { courseId: await courseOf(w), date, dueDate: date, description: 'Exercices', kind: 'exercise' },
      };
    },
    TEACHER_WRITES(201),
  ],
  'PATCH /api/logbook/homework/:id': [
    async (w) => ({ url: `/api/logbook/homework/${await homework(w)}`, body: { description: 'Autres exercices' } }),
    TEACHER_WRITES(200),
  ],
  'DELETE /api/logbook/homework/:id': [
    async (w) => ({ url: `/api/logbook/homework/${await homework(w)}` }),
    TEACHER_WRITES(204),
  ],
  'GET /api/logbook/homework': [
    (w) => ({
      url: `/api/logbook/homework?establishment=${w.a.id}&from=2026-09-01&to=2026-12-01&student=${w.people.student.id}`,
    }),
    MEMBERS_OF_A(200),
  ],
  // The tick is the student's alone.
  'PUT /api/logbook/homework/:id/done': [
    async (w) => ({ url: `/api/logbook/homework/${await homework(w)}/done`, body: { done: true } }),
    [401, 200, 403, 403, 403, 403, 403, 403, 404],
  ],
  'GET /api/logbook/entries': [
    (w) => ({ url: `/api/logbook/entries?establishment=${w.a.id}&from=2026-11-30&to=2026-12-06&class=${w.class.id}` }),
    MEMBERS_OF_A(200),
  ],
  'GET /api/logbook/workload': [
    (w) => ({ url: `/api/logbook/workload?establishment=${w.a.id}&from=2026-11-30&to=2026-12-06&class=${w.class.id}` }),
    MEMBERS_OF_A(200),
  ],
  'GET /api/logbook/progressions': [
    (w) => ({ url: `/api/logbook/progressions?establishment=${w.a.id}` }),
    [401, 403, 403, 200, 403, 403, 403, 200, 403],
  ],
  'POST /api/logbook/progressions': [
    (w) => ({
      url: '/api/logbook/progressions',
      body: { establishment: w.a.id, title: 'Chapitre 1', steps: [{ title: 'Introduction' }] },
    }),
    [401, 403, 403, 201, 403, 403, 403, 201, 403],
  ],
  'GET /api/logbook/progressions/:id': [
    async (w) => ({ url: `/api/logbook/progressions/${await progression(w)}` }),
    OWN_PROGRESSION(200),
  ],
  'DELETE /api/logbook/progressions/:id': [
    async (w) => ({ url: `/api/logbook/progressions/${await progression(w)}` }),
    OWN_PROGRESSION(204),
  ],
  'POST /api/logbook/progressions/:id/apply': [
    async (w) => ({
      url: `/api/logbook/progressions/${await progression(w)}/apply`,
      body: { courseId: await courseOf(w), from: '2027-03-01' },
    }),
    OWN_PROGRESSION(201),
  ],
  'GET /api/logbook/visas': [(w) => ({ url: `/api/logbook/visas?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'POST /api/logbook/visas': [
    (w) => ({
      url: '/api/logbook/visas',
      body: { establishment: w.a.id, classId: w.class.id, through: '2026-11-30', comment: 'Vu.' },
    }),
    SIGNERS(201),
  ],
  'GET /api/logbook/inspectors': [(w) => ({ url: `/api/logbook/inspectors?establishment=${w.a.id}` }), SIGNERS(200)],
  'POST /api/logbook/inspectors': [
    (w) => ({
      url: '/api/logbook/inspectors',
      body: { establishment: w.a.id, login: w.people.staff.login, teacherIds: [w.people.teacher.id] },
    }),
    SIGNERS(201),
  ],
  'DELETE /api/logbook/inspectors/:id': [
    async (w) => ({ url: `/api/logbook/inspectors/${await grant(w)}` }),
    SIGNERS(204),
  ],
  'GET /api/logbook/inspections': [() => ({ url: '/api/logbook/inspections' }), ALL_MEMBERS(200)],
  // Only the named inspector (here, the staff member) reaches a grant; everyone else: 404.
  'GET /api/logbook/inspections/:id/entries': [
    async (w) => ({
      url: `/api/logbook/inspections/${await grantOf(w)}/entries?teacher=${w.people.teacher.id}&from=2026-11-30&to=2026-12-06`,
    }),
    INSPECTOR(200),
  ],
  'POST /api/logbook/inspections/:id/visas': [
    async (w) => ({
      url: `/api/logbook/inspections/${await grantOf(w)}/visas`,
      body: { teacherId: w.people.teacher.id, through: '2026-11-30' },
    }),
    INSPECTOR(201),
  ],
  'GET /api/logbook/print': [
    (w) => ({ url: `/api/logbook/print?establishment=${w.a.id}&from=2026-09-01&to=2026-12-31&class=${w.class.id}` }),
    MEMBERS_OF_A(200),
  ],
  'GET /api/logbook/archive': [(w) => ({ url: `/api/logbook/archive?establishment=${w.a.id}` }), MEMBERS_OF_A(200)],
  'GET /api/logbook/fill-rate': [
    (w) => ({ url: `/api/logbook/fill-rate?establishment=${w.a.id}&from=2026-09-01&to=2026-11-27&by=class` }),
    SIGNERS(200),
  ],
};
