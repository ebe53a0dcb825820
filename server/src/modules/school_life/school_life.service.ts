/**
 * Use cases of school life. Each starts with `authorize()` (ADR 0009) — for the routes naming an object (a course,
 * an absence) once its establishment is known — then the object checks of school_life.access.ts. Every change is
 * one transaction with its audit event; guardians are told in that transaction (timeline, e-mail by their choice).
 */
import type {
  Absence,
  AbsenceList,
  AbsencesQuery,
  Board,
  CreateAbsenceBody,
  CreateIncidentBody,
  DecisionBody,
  Incident,
  JustificationBody,
  MyCourses,
  Reason,
  ReasonsBody,
  RollCallBody,
  RollCallResult,
  RollCallSheet,
  Threshold,
  UpdateAbsenceBody,
} from '@preau/contracts';
import { type Authorized, authorize } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { audit } from '../../platform/audit.ts';
import { cached, cacheOf, defineCache } from '../../platform/cache.ts';
import { frenchDate } from '../../platform/dates.ts';
import type { Db } from '../../platform/db/schema.ts';
import { ofName } from '../../platform/elision.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { recordUsage } from '../../platform/usage.ts';
import { attachDocuments, referencesOf } from '../documents/index.ts';
import { notify, notifyAll } from '../timeline/index.ts';
import { addDays, occurrencesFor, parisDate, parisInstant, parisIso, parisTime } from '../timetable/index.ts';
import {
  checkGuardianOf,
  checkPunisher,
  checkRollCaller,
  checkStudentHere,
  courseAudience,
  guardiansOf,
  isDirection,
  isSchoolLifeStaff,
  readableStudents,
  requireStaff,
  studentsOfCourse,
  studentsTaughtHere,
} from './school_life.access.ts';
import { type AbsenceRow, type JustificationRow, schoolLife } from './school_life.repository.ts';
import type { AbsenceStateCol, Mark } from './school_life.tables.ts';

const SERVICE = 'school_life' as const;

/** The legal threshold for reporting absenteeism: four unjustified half-days in a month (Code de l'éducation, L131-8). */
export const THRESHOLD = 4;

/** The reasons most schools use, until the establishment sets its own list. */
export const DEFAULT_REASONS: Reason[] = [
  { code: 'maladie', label: 'Maladie', legitimate: true },
  { code: 'rdv_medical', label: 'Rendez-vous médical', legitimate: true },
  { code: 'famille', label: 'Raison familiale', legitimate: true },
  { code: 'transport', label: 'Problème de transport', legitimate: true },
  { code: 'convocation', label: 'Convocation officielle (examen, JDC…)', legitimate: true },
  { code: 'fete_religieuse', label: 'Fête religieuse', legitimate: true },
  { code: 'autre', label: 'Autre motif', legitimate: true },
  { code: 'sans_motif', label: 'Sans motif valable', legitimate: false },
];

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();

async function reasonsOf(db: Db, establishmentId: string): Promise<Reason[]> {
  const own = await schoolLife.reasons(db, establishmentId);
  return own.length ? own : DEFAULT_REASONS;
}

/** A reason code of the list, else 400 REASON_UNKNOWN. */
async function knownReason(db: Db, establishmentId: string, code: string): Promise<Reason> {
  const r = (await reasonsOf(db, establishmentId)).find((x) => x.code === code);
  if (!r) throw new AppError(400, 'REASON_UNKNOWN', { vars: { reason: code } });
  return r;
}

const frDay = (d: Date) => frenchDate(d, { weekday: 'long', day: 'numeric', month: 'long' });
const hm = (d: Date) => parisTime(d).replace(':', ' h ');

// ---- roll call ----

/** The occurrence of a course on a date, not cancelled (else 400 NOT_AN_OCCURRENCE). */
async function occurrenceOf(auth: Authorized, courseId: string, date: string) {
  const occ = (
    await occurrencesFor(auth.db, {
      establishmentId: auth.establishmentId,
      from: date,
      to: date,
      courseIds: [courseId],
    })
  ).find((o) => o.courseId === courseId && o.date === date && !o.cancelled);
  if (!occ) throw new AppError(400, 'NOT_AN_OCCURRENCE', { vars: { date } });
  return occ;
}

async function authorizeCourse(ctx: RequestContext, courseId: string) {
  const audience = await courseAudience(ctx.db, courseId);
  const auth = await authorize(ctx, {
    establishmentId: audience.establishmentId,
    permission: 'school_life.roll_call',
    service: SERVICE,
  });
  const role = await checkRollCaller(auth, courseId);
  return { auth, audience, role };
}

export async function takeRollCall(ctx: RequestContext, body: RollCallBody): Promise<RollCallResult> {
  const { auth, audience, role } = await authorizeCourse(ctx, body.courseId);
  const absent = body.absent ?? [];
  const late = body.late ?? [];
  const leftEarly = body.leftEarly ?? [];
  const exempt = body.exempt ?? [];
  const marks: { studentId: string; mark: Mark; minutes: number | null }[] = [
    ...absent.map((studentId) => ({ studentId, mark: 'absent' as const, minutes: null })),
    ...late.map((l) => ({ studentId: l.studentId, mark: 'late' as const, minutes: l.minutes })),
    ...leftEarly.map((l) => ({ studentId: l.studentId, mark: 'left_early' as const, minutes: l.minutes ?? null })),
    ...exempt.map((studentId) => ({ studentId, mark: 'exempt' as const, minutes: null })),
  ];
  const seen = new Set<string>();
  const twice = marks.filter((m) => {
    if (seen.has(m.studentId)) return true;
    seen.add(m.studentId);
    return false;
  });
  if (twice.length) throw new AppError(400, 'ROLL_CALL_TWICE', { extra: { students: twice.map((m) => m.studentId) } });
  const occ = await occurrenceOf(auth, body.courseId, body.date);
  const today = parisDate();
  // A forgotten roll call may be taken late; a taken one is corrected by its teacher the same day only.
  if (role === 'teacher' && body.date < today && (await schoolLife.rollCall(auth.db, body.courseId, body.date)))
    throw new AppError(409, 'ROLL_CALL_CLOSED');
  const enrolled = (await studentsOfCourse(auth.db, audience)) ?? new Set<string>();
  const outside = marks.filter((m) => !enrolled.has(m.studentId)).map((m) => m.studentId);
  if (outside.length) throw new AppError(400, 'STUDENT_NOT_IN_COURSE', { extra: { students: outside } });

  const start = new Date(occ.start);
  const end = new Date(occ.end);
  const minute = 60_000;
  const recordsFor = marks.filter((m) => m.mark !== 'exempt');
  const covered = await schoolLife.coveredByStaffEntry(
    auth.db,
    auth.establishmentId,
    recordsFor.map((m) => m.studentId),
    start,
    end,
  );
  const records = recordsFor
    .filter((m) => !(m.mark === 'absent' && covered.has(m.studentId)))
    .map((m) => {
      const minutes = m.minutes;
      const s =
        m.mark === 'left_early' && minutes
          ? new Date(Math.max(start.getTime(), end.getTime() - minutes * minute))
          : start;
      const e =
        m.mark === 'late' && minutes ? new Date(Math.min(end.getTime(), start.getTime() + minutes * minute)) : end;
      return {
        establishmentId: auth.establishmentId,
        studentId: m.studentId,
        kind: m.mark === 'late' ? ('lateness' as const) : ('absence' as const),
        leftEarly: m.mark === 'left_early',
        start: s,
        end: e.getTime() > s.getTime() ? e : new Date(s.getTime() + minute),
        date: body.date,
        minutes,
        courseId: body.courseId,
        subjectCode: occ.subject.code,
        createdBy: auth.user.id,
      };
    });

  const result = await auth.transaction(async (trx) => {
    const rc = await schoolLife.upsertRollCall(trx, {
      establishmentId: auth.establishmentId,
      courseId: body.courseId,
      date: body.date,
      classId: audience.classId,
      groupId: audience.groupId,
      takenBy: auth.user.id,
    });
    await schoolLife.replaceMarks(trx, rc.id, auth.establishmentId, marks);
    const before = await schoolLife.recordsOfRollCall(trx, rc.id);
    const removed = await schoolLife.dropRecordsExcept(
      trx,
      rc.id,
      records.map((r) => r.studentId),
    );
    const written = await schoolLife.upsertRollCallRecords(
      trx,
      records.map((r) => ({ ...r, rollCallId: rc.id })),
    );
    // Guardians are told of each new record, the same day: one notice per student (it names the child).
    const fresh = written.filter((w) => !before.has(w.student_id));
    if (fresh.length) {
      const [names, guardians] = await Promise.all([
        schoolLife.names(
          trx,
          fresh.map((f) => f.student_id),
        ),
        guardiansOf(
          trx,
          fresh.map((f) => f.student_id),
        ),
      ]);
      // One notice per child, all posted together (a fixed number of statements, however many are absent).
      await notifyAll(
        trx,
        fresh.map((f) => {
          const r = records.find((x) => x.studentId === f.student_id)!;
          const who = names.get(f.student_id)?.display ?? '';
          const what =
            r.kind === 'lateness'
              ? `Retard de ${r.minutes ?? '?'} min ${ofName(who)}`
              : r.leftEarly
                ? `Départ avant la fin du cours ${ofName(who)}`
                : `Absence ${ofName(who)}`;
          return {
            establishmentId: auth.establishmentId,
            kind: 'school_life.absence.recorded',
            recipients: guardians.get(f.student_id) ?? [],
            text: { fr: `${what} le ${frDay(start)}, ${hm(start)}–${hm(end)} (${occ.subject.label}) : à justifier.` },
            link: `/school-life?student=${f.student_id}`,
            actorId: auth.user.id,
            source: { type: 'school_life.absence', id: f.id },
          };
        }),
      );
    }
    await audit(trx, ctx, {
      action: rc.created ? 'school_life.roll_call.take' : 'school_life.roll_call.correct',
      establishmentId: auth.establishmentId,
      targetType: 'school_life_roll_call',
      targetId: rc.id,
      details: {
        courseId: body.courseId,
        date: body.date,
        absent: absent.length,
        late: late.length,
        leftEarly: leftEarly.length,
        exempt: exempt.length,
        recordsRemoved: removed,
      },
    });
    return rc;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, result.created ? 'roll_call.take' : 'roll_call.correct');
  return {
    id: result.id,
    courseId: body.courseId,
    date: body.date,
    takenAt: new Date(result.taken_at).toISOString(),
    absent: absent.length,
    late: late.length,
    leftEarly: leftEarly.length,
    exempt: exempt.length,
  };
}

export async function rollCallSheet(ctx: RequestContext, q: { course: string; date: string }): Promise<RollCallSheet> {
  const { auth, audience, role } = await authorizeCourse(ctx, q.course);
  const occ = await occurrenceOf(auth, q.course, q.date);
  const enrolled = [...((await studentsOfCourse(auth.db, audience)) ?? [])];
  const rc = await schoolLife.rollCall(auth.db, q.course, q.date);
  const [names, marks, covered] = await Promise.all([
    schoolLife.names(auth.db, enrolled),
    rc ? schoolLife.marks(auth.db, rc.id) : Promise.resolve([]),
    schoolLife.coveredByStaffEntry(auth.db, auth.establishmentId, enrolled, new Date(occ.start), new Date(occ.end)),
  ]);
  const markOf = new Map(marks.map((m) => [m.student_id, m]));
  const students = enrolled
    .map((id) => {
      const n = names.get(id);
      const m = markOf.get(id);
      return {
        id,
        firstName: n?.first ?? '',
        lastName: n?.last ?? '',
        photoUrl: null,
        mark: m?.mark ?? null,
        minutes: m?.minutes ?? null,
        knownAbsence: covered.has(id),
      };
    })
    .sort((a, b) => a.lastName.localeCompare(b.lastName, 'fr') || a.firstName.localeCompare(b.firstName, 'fr'));
  recordUsage(ctx, auth.establishmentId, SERVICE, 'roll_call.sheet');
  return {
    establishmentId: auth.establishmentId,
    courseId: q.course,
    date: q.date,
    start: occ.start,
    end: occ.end,
    subject: occ.subject.label,
    audience: occ.classCode ?? occ.groupCode ?? '',
    room: occ.room,
    takenAt: rc ? new Date(rc.updated_at).toISOString() : null,
    takenBy: rc?.taken_by_name ?? null,
    canEdit: role === 'staff' || q.date >= parisDate() || !rc,
    students,
  };
}

export async function myCourses(ctx: RequestContext, q: { establishment: string; date?: string }): Promise<MyCourses> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'school_life.roll_call',
    service: SERVICE,
  });
  const date = q.date ?? parisDate();
  const occ = await occurrencesFor(auth.db, {
    establishmentId: auth.establishmentId,
    from: date,
    to: date,
    teacherIds: [auth.user.id],
  });
  const taken = await schoolLife.rollCallsOf(
    auth.db,
    auth.establishmentId,
    occ.map((o) => o.courseId),
    date,
    date,
  );
  const byCourse = new Map(taken.map((t) => [t.course_id, t]));
  return {
    date,
    items: occ.map((o) => {
      const t = byCourse.get(o.courseId);
      return {
        courseId: o.courseId,
        start: o.start,
        end: o.end,
        subject: o.subject.label,
        audience: o.classCode ?? o.groupCode ?? '',
        room: o.room,
        cancelled: o.cancelled,
        takenAt: t ? new Date(t.taken_at).toISOString() : null,
        absent: Number(t?.absent ?? 0),
      };
    }),
  };
}

// ---- absences ----

function present(
  auth: Authorized,
  r: AbsenceRow,
  j: JustificationRow | undefined,
  reasons: Map<string, string>,
  children: Set<string>,
  documents: { id: string; name: string; size: number }[],
): Absence {
  const staff = isSchoolLifeStaff(auth);
  const reason = r.reason_code ? (reasons.get(r.reason_code) ?? r.reason_code) : undefined;
  return {
    id: r.id,
    studentId: r.student_id,
    studentName: r.student_name,
    classCode: r.class_code,
    start: parisIso(parisDate(r.starts_at), parisTime(r.starts_at)),
    end: parisIso(parisDate(r.ends_at), parisTime(r.ends_at)),
    kind: r.kind,
    leftEarly: r.left_early,
    minutes: r.minutes,
    state: r.state,
    ...(reason ? { reason } : j && j.status !== 'refused' ? { reason: j.reason_text } : {}),
    ...(r.comment && staff ? { comment: r.comment } : {}),
    source: r.source,
    subject: r.subject_label,
    ...(j
      ? {
          justification: {
            id: j.id,
            status: j.status,
            reason: j.reason_code ? (reasons.get(j.reason_code) ?? j.reason_text) : j.reason_text,
            comment: j.comment,
            by: j.guardian_name ?? '',
            at: new Date(j.created_at).toISOString(),
            decisionComment: j.decision_comment,
            documents: documents.map((d) => ({ id: d.id, name: d.name, size: d.size })),
          },
        }
      : {}),
    can: {
      justify: children.has(r.student_id) && r.state !== 'justified' && j?.status !== 'pending',
      decide: staff && j?.status === 'pending',
      edit: staff,
    },
  };
}

/**
 * A student's absences with their latest justifications, from memory (topic `sl`, migration 0402): keyed by
 * establishment and student, tagged with the student and their class (its code). The names (kept by
 * `relations.displayNames`) and what is per viewer — the staff's comment and actions, the guardian's « justify » —
 * are added on each request; the documents of the justifications are read on each request (when there are some).
 */
interface StudentAbsences {
  rows: AbsenceRow[];
  justifications: Map<string, JustificationRow>;
}
const ABSENCES = defineCache<StudentAbsences>({
  name: 'school-life-student-absences',
  topic: 'sl',
  max: 50_000,
  ttlMs: 600_000,
});

/** The establishment's reasons, from memory (their changes announce `sl:<establishment>`). */
const REASONS = defineCache<Reason[]>({ name: 'school-life-reasons', topic: 'sl', max: 5_000, ttlMs: 600_000 });

const ABSENCES_KEPT = 500;

function studentAbsences(db: Db, establishmentId: string, studentId: string): Promise<StudentAbsences> {
  return cached(
    db,
    ABSENCES,
    `${establishmentId}|${studentId}`,
    async () => {
      const rows = await schoolLife.absences(db, { establishmentId, studentIds: [studentId], limit: ABSENCES_KEPT });
      const justifications = await schoolLife.latestJustifications(
        db,
        rows.map((r) => r.id),
      );
      return { rows, justifications };
    },
    (v) => [studentId, ...new Set(v.rows.map((r) => r.class_id).filter((x): x is string => !!x))],
  );
}

/**
 * The home page's count of absences to justify: from the students' kept absences (one statement for all when
 * caching is off, or when a student has more absences than an entry holds).
 */
async function toJustifyCount(db: Db, establishmentId: string, studentIds: string[]): Promise<number> {
  if (!cacheOf(db, ABSENCES)) return schoolLife.toJustifyCount(db, establishmentId, studentIds);
  const kept = await Promise.all(studentIds.map((id) => studentAbsences(db, establishmentId, id)));
  if (kept.some((k) => k.rows.length >= ABSENCES_KEPT))
    return schoolLife.toJustifyCount(db, establishmentId, studentIds);
  let n = 0;
  for (const k of kept)
    for (const r of k.rows) if (r.state === 'to_justify' && k.justifications.get(r.id)?.status !== 'pending') n++;
  return n;
}

async function presentAll(
  auth: Authorized,
  rows: AbsenceRow[],
  known?: Map<string, JustificationRow>,
): Promise<Absence[]> {
  const justifications =
    known ??
    (await schoolLife.latestJustifications(
      auth.db,
      rows.map((r) => r.id),
    ));
  const holders = [...justifications.values()].map((j) => ({ module: 'school_life', type: 'justification', id: j.id }));
  const [documents, reasons, children] = await Promise.all([
    holders.length
      ? referencesOf(auth.db, holders)
      : Promise.resolve(new Map<string, { id: string; name: string; size: number }[]>()),
    cached(auth.db, REASONS, auth.establishmentId, () => reasonsOf(auth.db, auth.establishmentId)),
    auth.profiles.includes('guardian')
      ? relations.childrenOf(
          auth.db,
          auth.user.id,
          rows.map((r) => r.student_id),
        )
      : Promise.resolve(new Set<string>()),
  ]);
  // Names from memory (`relations.displayNames`: a name changed is announced on `u`), not from the cached rows.
  const names = await relations.displayNames(auth.db, [
    ...rows.map((r) => r.student_id),
    ...[...justifications.values()].flatMap((j) => (j.guardian_id ? [j.guardian_id] : [])),
  ]);
  const labels = new Map(reasons.map((r) => [r.code, r.label]));
  return rows.map((r) => {
    const j0 = justifications.get(r.id);
    const j = j0 && { ...j0, guardian_name: (j0.guardian_id && names.get(j0.guardian_id)) || j0.guardian_name };
    const docs = j ? (documents.get(j.id) ?? []) : [];
    return present(auth, { ...r, student_name: names.get(r.student_id) ?? r.student_name }, j, labels, children, docs);
  });
}

export async function listAbsences(ctx: RequestContext, q: AbsencesQuery): Promise<AbsenceList> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'school_life.read',
    service: SERVICE,
  });
  const studentIds = await readableStudents(auth, q.student);
  // One student's whole list (a family's page): from memory.
  if (q.student && !q.class && !q.state && !q.from && !q.to && q.pending !== 'true') {
    const { rows, justifications } = await studentAbsences(auth.db, auth.establishmentId, q.student);
    recordUsage(ctx, auth.establishmentId, SERVICE, 'absences.view');
    return { items: await presentAll(auth, rows, justifications) };
  }
  const rows = await schoolLife.absences(auth.db, {
    establishmentId: auth.establishmentId,
    studentIds,
    classId: q.class,
    state: q.state,
    from: q.from,
    to: q.to,
    pending: q.pending === 'true',
    limit: 500,
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'absences.view');
  return { items: await presentAll(auth, rows) };
}

async function oneAbsence(auth: Authorized, id: string): Promise<Absence> {
  const row = await schoolLife.absenceById(auth.db, id);
  if (!row) throw notFound();
  const rows = await schoolLife.absences(auth.db, {
    establishmentId: auth.establishmentId,
    studentIds: [row.student_id],
    from: row.on_date,
    to: row.on_date,
    limit: 500,
  });
  const r = rows.find((x) => x.id === id);
  if (!r) throw notFound();
  return (await presentAll(auth, [r]))[0]!;
}

/** The absence's establishment, before `authorize()` (unknown: 404). */
async function absenceOf(ctx: RequestContext, id: string) {
  const row = await schoolLife.absenceById(ctx.db, id);
  if (!row) throw notFound();
  return row;
}

export async function createAbsence(ctx: RequestContext, body: CreateAbsenceBody): Promise<Absence> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'school_life.manage',
    service: SERVICE,
  });
  requireStaff(auth);
  await checkStudentHere(auth, body.studentId);
  const kind = body.kind ?? 'absence';
  let start: Date;
  let end: Date;
  if (body.start) {
    start = new Date(body.start);
    end = body.end
      ? new Date(body.end)
      : new Date(start.getTime() + (kind === 'lateness' && body.minutes ? body.minutes : 0) * 60_000);
  } else if (body.from) {
    start = parisInstant(body.from, '08:00');
    end = parisInstant(body.to ?? body.from, '18:00');
  } else throw new AppError(400, 'ABSENCE_PERIOD');
  if (!(end.getTime() > start.getTime()) || end.getTime() - start.getTime() > 62 * 86_400_000)
    throw new AppError(400, 'ABSENCE_PERIOD');
  if (body.reason) await knownReason(auth.db, auth.establishmentId, body.reason);
  const state: AbsenceStateCol = body.state ?? (body.reason ? 'justified' : 'to_justify');
  const id = await auth.transaction(async (trx) => {
    const row = await schoolLife.insertAbsence(trx, {
      establishmentId: auth.establishmentId,
      studentId: body.studentId,
      kind,
      start,
      end,
      date: parisDate(start),
      minutes: body.minutes ?? null,
      state,
      reasonCode: body.reason ?? null,
      comment: body.comment ?? null,
      createdBy: auth.user.id,
    });
    if (state === 'to_justify') {
      const [names, guardians] = await Promise.all([
        schoolLife.names(trx, [body.studentId]),
        guardiansOf(trx, [body.studentId]),
      ]);
      const who = names.get(body.studentId)?.display ?? '';
      const text =
        kind === 'lateness'
          ? `Retard de ${body.minutes ?? '?'} min ${ofName(who)} le ${frDay(start)} : à justifier.`
          : parisDate(start) === parisDate(end)
            ? `Absence ${ofName(who)} le ${frDay(start)}, ${hm(start)}–${hm(end)} : à justifier.`
            : `Absence ${ofName(who)} du ${frDay(start)} au ${frDay(end)} : à justifier.`;
      await notify(trx, {
        establishmentId: auth.establishmentId,
        kind: 'school_life.absence.recorded',
        recipients: guardians.get(body.studentId) ?? [],
        text: { fr: text },
        link: `/school-life?student=${body.studentId}`,
        actorId: auth.user.id,
        source: { type: 'school_life.absence', id: row.id },
      });
    }
    await audit(trx, ctx, {
      action: 'school_life.absence.create',
      establishmentId: auth.establishmentId,
      targetType: 'school_life_absence',
      targetId: row.id,
      details: { studentId: body.studentId, kind, start: start.toISOString(), end: end.toISOString(), state },
    });
    return row.id;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'absence.create');
  return oneAbsence(auth, id);
}

export async function updateAbsence(ctx: RequestContext, id: string, body: UpdateAbsenceBody): Promise<Absence> {
  const row = await absenceOf(ctx, id);
  const auth = await authorize(ctx, {
    establishmentId: row.establishment_id,
    permission: 'school_life.manage',
    service: SERVICE,
  });
  requireStaff(auth);
  if (body.reason) await knownReason(auth.db, auth.establishmentId, body.reason);
  await auth.transaction(async (trx) => {
    await schoolLife.updateAbsence(trx, id, {
      ...(body.state ? { state: body.state } : {}),
      ...(body.reason !== undefined ? { reason_code: body.reason } : {}),
      ...(body.comment !== undefined ? { comment: body.comment } : {}),
    });
    await audit(trx, ctx, {
      action: 'school_life.absence.update',
      establishmentId: auth.establishmentId,
      targetType: 'school_life_absence',
      targetId: id,
      details: { from: row.state, ...body },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'absence.update');
  return oneAbsence(auth, id);
}

export async function justify(
  ctx: RequestContext,
  id: string,
  body: JustificationBody,
): Promise<{ id: string; status: 'pending' | 'accepted' | 'refused'; absences: number }> {
  const row = await absenceOf(ctx, id);
  const auth = await authorize(ctx, {
    establishmentId: row.establishment_id,
    permission: 'school_life.justify',
    service: SERVICE,
  });
  await checkGuardianOf(auth, row.student_id);
  if (row.state === 'justified') throw new AppError(409, 'ALREADY_JUSTIFIED');
  if (await schoolLife.pendingJustification(auth.db, id)) throw new AppError(409, 'JUSTIFICATION_PENDING');
  const wanted = fold(body.reason);
  const reason = (await reasonsOf(auth.db, auth.establishmentId)).find(
    (r) => r.code === body.reason || fold(r.label) === wanted,
  );
  // The student's other open absences of the same day go with it: a parent justifies a day, not each lesson.
  const others = await schoolLife.sameDayOpen(auth.db, auth.establishmentId, row.student_id, row.on_date, id);
  const targets = [id, ...others.map((o) => o.id)];
  const created = await auth.transaction(async (trx) => {
    let first: { id: string; status: 'pending' | 'accepted' | 'refused' } | null = null;
    for (const absenceId of targets) {
      const j = await schoolLife.insertJustification(trx, {
        establishmentId: auth.establishmentId,
        absenceId,
        guardianId: auth.user.id,
        reasonCode: reason?.code ?? null,
        reasonText: reason?.label ?? body.reason,
        comment: body.comment ?? null,
      });
      first ??= j;
      if (body.documentIds?.length) {
        // A doctor's note from the guardian's documents, attached by reference (never copied): pinned to its
        // current version, read through the justification's audience (documentHolders.justification).
        try {
          await attachDocuments(trx, {
            establishmentId: auth.establishmentId,
            holder: { module: 'school_life', type: 'justification', id: j.id },
            documentIds: body.documentIds,
            userId: auth.user.id,
            pin: true,
          });
        } catch (e) {
          if (e instanceof AppError && e.code === 'ATTACHMENT_NOT_ALLOWED')
            throw new AppError(403, 'DOCUMENT_NOT_ATTACHABLE');
          throw e;
        }
      }
      await audit(trx, ctx, {
        action: 'school_life.justification.submit',
        establishmentId: auth.establishmentId,
        targetType: 'school_life_absence',
        targetId: absenceId,
        details: {
          justificationId: j.id,
          reason: reason?.code ?? body.reason,
          documents: body.documentIds?.length ?? 0,
        },
      });
    }
    return { ...first!, absences: targets.length };
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'justification.submit');
  return created;
}

export async function decide(ctx: RequestContext, id: string, body: DecisionBody): Promise<Absence> {
  const row = await absenceOf(ctx, id);
  const auth = await authorize(ctx, {
    establishmentId: row.establishment_id,
    permission: 'school_life.manage',
    service: SERVICE,
  });
  requireStaff(auth);
  const pending = await schoolLife.pendingJustification(auth.db, id);
  if (!pending) throw new AppError(409, 'NO_PENDING_JUSTIFICATION');
  // The day's justifications sent together are answered together.
  const sameDay = await schoolLife.pendingSameDay(auth.db, auth.establishmentId, row.student_id, row.on_date);
  await auth.transaction(async (trx) => {
    for (const p of sameDay) {
      const done = await schoolLife.decide(
        trx,
        p.id,
        body.accept ? 'accepted' : 'refused',
        auth.user.id,
        body.comment ?? null,
      );
      if (Number(done.numUpdatedRows) !== 1) throw new AppError(409, 'NO_PENDING_JUSTIFICATION');
      await schoolLife.updateAbsence(trx, p.absence_id, {
        state: body.accept ? 'justified' : 'not_justified',
        ...(body.accept && p.reason_code ? { reason_code: p.reason_code } : {}),
      });
      await audit(trx, ctx, {
        action: body.accept ? 'school_life.justification.accept' : 'school_life.justification.refuse',
        establishmentId: auth.establishmentId,
        targetType: 'school_life_absence',
        targetId: p.absence_id,
        details: { justificationId: p.id, comment: body.comment ?? null },
      });
    }
    const [names, guardians] = await Promise.all([
      schoolLife.names(trx, [row.student_id]),
      guardiansOf(trx, [row.student_id]),
    ]);
    const who = names.get(row.student_id)?.display ?? '';
    const what = sameDay.length > 1 ? 'les absences' : row.kind === 'lateness' ? 'le retard' : 'l’absence';
    const text = body.accept
      ? `La vie scolaire a accepté votre justification pour ${what} ${ofName(who)} du ${frDay(row.starts_at)}.`
      : `La vie scolaire a refusé votre justification pour ${what} ${ofName(who)} du ${frDay(row.starts_at)}${
          body.comment ? ` : « ${body.comment} »` : '.'
        }`;
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'school_life.justification.answered',
      recipients: guardians.get(row.student_id) ?? [],
      text: { fr: text },
      link: `/school-life?student=${row.student_id}`,
      actorId: auth.user.id,
      source: { type: 'school_life.absence', id },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, body.accept ? 'justification.accept' : 'justification.refuse');
  return oneAbsence(auth, id);
}

// ---- reasons ----

export async function getReasons(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'school_life.read', service: SERVICE });
  return { items: await reasonsOf(auth.db, auth.establishmentId) };
}

export async function setReasons(ctx: RequestContext, body: ReasonsBody) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'school_life.manage',
    service: SERVICE,
  });
  requireStaff(auth);
  const codes = body.items.map((r) => r.code);
  if (new Set(codes).size !== codes.length)
    throw new AppError(400, 'VALIDATION', { errors: [{ path: 'items', message: 'Codes en double.' }] });
  await auth.transaction(async (trx) => {
    await schoolLife.replaceReasons(trx, auth.establishmentId, body.items);
    await audit(trx, ctx, {
      action: 'school_life.reasons.update',
      establishmentId: auth.establishmentId,
      details: { codes },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'reasons.update');
  return { items: await reasonsOf(auth.db, auth.establishmentId) };
}

// ---- the board of the day ----

/** The day's course occurrences with their roll call state, for the board and the widgets. */
async function dayCourses(db: Db, establishmentId: string, date: string, now: Date) {
  const occ = (await occurrencesFor(db, { establishmentId, from: date, to: date, all: true })).filter(
    (o) => !o.cancelled && o.date === date,
  );
  const taken = await schoolLife.rollCallsOf(
    db,
    establishmentId,
    occ.map((o) => o.courseId),
    date,
    date,
  );
  const byCourse = new Map(taken.map((t) => [t.course_id, t]));
  return occ.map((o) => {
    const t = byCourse.get(o.courseId);
    const status: 'taken' | 'missing' | 'upcoming' = t
      ? 'taken'
      : new Date(o.start).getTime() <= now.getTime()
        ? 'missing'
        : 'upcoming';
    return { o, status, absent: Number(t?.absent ?? 0) };
  });
}

export async function board(ctx: RequestContext, q: { establishment: string; date?: string }): Promise<Board> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'school_life.manage',
    service: SERVICE,
  });
  requireStaff(auth);
  const now = new Date();
  const date = q.date ?? parisDate(now);
  const [courses, records] = await Promise.all([
    dayCourses(auth.db, auth.establishmentId, date, now),
    schoolLife.dayRecords(auth.db, auth.establishmentId, date),
  ]);
  const classes = new Map<string, Board['byClass'][number]>();
  const noon = parisInstant(date, '12:30').getTime();
  const morning = new Map<string, { name: string; classCode: string | null }>();
  const afternoonAbsent = new Set<string>();
  for (const r of records) {
    if (r.class_id) {
      const c = classes.get(r.class_id) ?? {
        classId: r.class_id,
        code: r.class_code ?? '',
        absent: 0,
        late: 0,
        students: [],
      };
      classes.set(r.class_id, c);
      if (!c.students.some((s) => s.id === r.student_id && s.kind === r.kind)) {
        c.students.push({ id: r.student_id, name: r.name, kind: r.kind });
        if (r.kind === 'lateness') c.late += 1;
        else c.absent += 1;
      }
    }
    if (r.kind !== 'absence') continue;
    const s = new Date(r.starts_at).getTime();
    const e = new Date(r.ends_at).getTime();
    if (s < noon && !r.left_early) morning.set(r.student_id, { name: r.name, classCode: r.class_code });
    if (e > noon) afternoonAbsent.add(r.student_id);
  }
  const candidates = [...morning.keys()].filter((id) => !afternoonAbsent.has(id));
  const back = await schoolLife.presentInAfternoon(auth.db, auth.establishmentId, date, candidates);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'board.view');
  return {
    date,
    courses: courses.map(({ o, status, absent }) => ({
      courseId: o.courseId,
      start: o.start,
      end: o.end,
      subject: o.subject.label,
      audience: o.classCode ?? o.groupCode ?? '',
      teachers: o.teachers.map((t) => t.displayName),
      room: o.room,
      status,
      absent,
    })),
    missing: courses.filter((c) => c.status === 'missing').length,
    taken: courses.filter((c) => c.status === 'taken').length,
    byClass: [...classes.values()].sort((a, b) => a.code.localeCompare(b.code, 'fr', { numeric: true })),
    morningOnly: [...back]
      .map((id) => ({ id, ...morning.get(id)! }))
      .sort((a, b) => a.name.localeCompare(b.name, 'fr')),
  };
}

// ---- absenteeism ----

/** The first day of the school year holding `date` (1 September). */
const yearStart = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return `${m >= 9 ? y : y - 1}-09-01`;
};
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/** The students reaching the threshold in a month, with their months of the school year (one query). */
export async function absenteeismOf(db: Db, establishmentId: string, month: string): Promise<Threshold> {
  const from = `${month}-01`;
  const rows = await schoolLife.halfDays(db, establishmentId, yearStart(from), nextMonth(month));
  const reached = rows.filter((r) => r.month === month && r.half_days >= THRESHOLD).map((r) => r.student_id);
  const people = await schoolLife.studentsWithClass(db, reached);
  const info = new Map(people.map((p) => [p.id, p]));
  return {
    month,
    threshold: THRESHOLD,
    items: reached
      .map((id) => {
        const history = rows
          .filter((r) => r.student_id === id)
          .map((r) => ({ month: r.month, halfDays: r.half_days }))
          .sort((a, b) => a.month.localeCompare(b.month));
        return {
          studentId: id,
          name: info.get(id)?.display_name ?? '',
          classCode: info.get(id)?.class_code ?? null,
          halfDays: history.find((h) => h.month === month)?.halfDays ?? 0,
          history,
        };
      })
      .sort((a, b) => b.halfDays - a.halfDays || a.name.localeCompare(b.name, 'fr')),
  };
}

export async function absenteeism(ctx: RequestContext, q: { establishment: string; month?: string }) {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'school_life.manage',
    service: SERVICE,
  });
  requireStaff(auth);
  const month = q.month ?? parisDate().slice(0, 7);
  const out = await absenteeismOf(auth.db, auth.establishmentId, month);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'absenteeism.view');
  return out;
}

// ---- students to choose ----

export async function searchStudents(ctx: RequestContext, q: { establishment: string; q?: string }) {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'school_life.punish',
    service: SERVICE,
  });
  const among = isSchoolLifeStaff(auth) ? null : await studentsTaughtHere(auth);
  const rows = await schoolLife.searchStudents(auth.db, auth.establishmentId, q.q, among);
  return { items: rows.map((r) => ({ id: r.id, name: r.display_name, classCode: r.class_code })) };
}

// ---- incidents and punishments ----

const KIND_FR = {
  incident: 'Incident',
  retenue: 'Retenue',
  exclusion_cours: 'Exclusion de cours',
  sanction: 'Sanction',
} as const;

export async function listIncidents(ctx: RequestContext, q: { establishment: string; student?: string }) {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'school_life.read',
    service: SERVICE,
  });
  let filter: { studentIds: string[] | null; givenBy?: string };
  if (isSchoolLifeStaff(auth)) filter = { studentIds: q.student ? await readableStudents(auth, q.student) : null };
  else if (auth.profiles.includes('teacher') && !q.student) filter = { studentIds: null, givenBy: auth.user.id };
  else filter = { studentIds: (await readableStudents(auth, q.student)) ?? [] };
  const rows = await schoolLife.incidents(auth.db, auth.establishmentId, filter);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'incidents.view');
  return { items: rows.map(presentIncident) };
}

function presentIncident(r: Awaited<ReturnType<typeof schoolLife.incidents>>[number]): Incident {
  return {
    id: r.id,
    studentId: r.student_id,
    studentName: r.student_name,
    kind: r.kind,
    date: r.on_date,
    reason: r.reason,
    detail: r.detail,
    givenBy: r.given_by_name ?? '',
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function createIncident(ctx: RequestContext, body: CreateIncidentBody): Promise<Incident> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'school_life.punish',
    service: SERVICE,
  });
  await checkPunisher(auth, body.studentId);
  if (body.kind === 'sanction' && !isDirection(auth)) throw new AppError(403, 'SANCTION_DIRECTION_ONLY');
  const id = await auth.transaction(async (trx) => {
    const row = await schoolLife.insertIncident(trx, {
      establishmentId: auth.establishmentId,
      studentId: body.studentId,
      kind: body.kind,
      date: body.date,
      reason: body.reason,
      detail: body.detail ?? null,
      givenBy: auth.user.id,
    });
    const [names, guardians] = await Promise.all([
      schoolLife.names(trx, [body.studentId, auth.user.id]),
      guardiansOf(trx, [body.studentId]),
    ]);
    const who = names.get(body.studentId)?.display ?? '';
    const by = names.get(auth.user.id)?.display ?? '';
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'school_life.incident.recorded',
      recipients: guardians.get(body.studentId) ?? [],
      text: {
        fr: `${KIND_FR[body.kind]} pour ${who} le ${frDay(new Date(`${body.date}T12:00:00Z`))} (${by}) : ${body.reason}`,
      },
      link: `/school-life?student=${body.studentId}&tab=incidents`,
      actorId: auth.user.id,
      source: { type: 'school_life.incident', id: row.id },
    });
    await audit(trx, ctx, {
      action: 'school_life.incident.create',
      establishmentId: auth.establishmentId,
      targetType: 'school_life_incident',
      targetId: row.id,
      details: { studentId: body.studentId, kind: body.kind, date: body.date },
    });
    return row.id;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, `incident.${body.kind}`);
  const rows = await schoolLife.incidents(auth.db, auth.establishmentId, { studentIds: [body.studentId] });
  return presentIncident(rows.find((r) => r.id === id)!);
}

// ---- home widget ----

export async function schoolLifeHome({ ctx, establishmentId, profiles }: HomeWidgetContext) {
  const db = ctx.db;
  const out: {
    toJustify?: number;
    missingRollCalls?: number;
    pendingJustifications?: number;
    myCourses?: { courseId: string; start: string; audience: string; subject: string; taken: boolean }[];
    date: string;
  } = { date: parisDate() };
  const now = new Date();
  const jobs: Promise<void>[] = [];
  if (profiles.includes('guardian') || profiles.includes('student')) {
    jobs.push(
      (async () => {
        const kids = profiles.includes('guardian')
          ? [...(await relations.allChildrenOf(db, establishmentId, ctx.user.id))]
          : [ctx.user.id];
        out.toJustify = await toJustifyCount(db, establishmentId, kids);
      })(),
    );
  }
  if (profiles.includes('staff') || profiles.includes('principal')) {
    jobs.push(
      (async () => {
        const [courses, pending] = await Promise.all([
          dayCourses(db, establishmentId, out.date, now),
          schoolLife.pendingCount(db, establishmentId),
        ]);
        out.missingRollCalls = courses.filter((c) => c.status === 'missing').length;
        out.pendingJustifications = pending;
      })(),
    );
  } else if (profiles.includes('teacher')) {
    jobs.push(
      (async () => {
        const occ = (
          await occurrencesFor(db, { establishmentId, from: out.date, to: out.date, teacherIds: [ctx.user.id] })
        ).filter((o) => !o.cancelled);
        const taken = await schoolLife.rollCallsOf(
          db,
          establishmentId,
          occ.map((o) => o.courseId),
          out.date,
          out.date,
        );
        const done = new Set(taken.map((t) => t.course_id));
        out.myCourses = occ.map((o) => ({
          courseId: o.courseId,
          start: o.start,
          audience: o.classCode ?? o.groupCode ?? '',
          subject: o.subject.label,
          taken: done.has(o.courseId),
        }));
      })(),
    );
  }
  await Promise.all(jobs);
  return out;
}

// ---- indicators ----

export async function rollCallRate(db: Db, establishmentId: string, from: string, to: string) {
  const last = to < parisDate() ? to : addDays(parisDate(), -1);
  if (last < from) return { value: 0, numerator: 0, denominator: 0 };
  const occ = (await occurrencesFor(db, { establishmentId, from, to: last, all: true })).filter((o) => !o.cancelled);
  const taken = await schoolLife.rollCallCount(db, establishmentId, from, last);
  const denominator = occ.length;
  return { value: denominator ? Math.min(1, taken / denominator) : 0, numerator: taken, denominator };
}
