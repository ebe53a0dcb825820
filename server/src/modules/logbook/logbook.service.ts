/**
 * Use cases of the logbook (cahier de textes). Each starts with `authorize()` (ADR 0009) — for an object, in the
 * object's establishment — then the checks of logbook.access.ts. Occurrences come from the timetable
 * (`occurrencesFor`); lessons and homework carry their class, group and subject, so that a page reads them by one
 * index.
 */
import {
  type AttachmentInput,
  type CreateHomeworkBody,
  type CreateLessonBody,
  type EntriesQuery,
  type EntriesResponse,
  EntriesResponse as EntriesResponseSchema,
  type Entry,
  Entry as EntrySchema,
  type HomeworkItem,
  HomeworkItem as HomeworkItemSchema,
  type Lesson,
  LogbookAttachment,
  type UpdateHomeworkBody,
  type UpdateLessonBody,
  type Visa,
  Visa as VisaSchema,
  type Warning,
} from '@preau/contracts';
import { z } from 'zod';
import { type Authorized, authorize } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { cacheOf, defineCache } from '../../platform/cache.ts';
import { frenchDay } from '../../platform/dates.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { JsonWriter, jsonOf, member, membersOf, openObjectOf, RawJson } from '../../platform/http/raw-json.ts';
import { recordUsage } from '../../platform/usage.ts';
import {
  type AttachedDocument,
  attachDocuments,
  detachDocuments,
  referencesOf,
  replaceAttachments,
} from '../documents/index.ts';
import { notify } from '../timeline/index.ts';
import { courseAudiences, daysBetween, type OccurrenceInfo, occurrencesFor } from '../timetable/index.ts';
import {
  audienceOfStudent,
  checkHomeworkGroup,
  checkReads,
  checkStudent,
  childrenOf,
  classesIn,
  groupsIn,
  mayRead,
  readScope,
  readsAll,
  related,
  type Scope,
  studentsAndGuardians,
  taughtCourses,
  writableCourse,
} from './logbook.access.ts';
import { groupsOfClass, type PageHomework, pageHomework, pageLessons, targetRow } from './logbook.cache.ts';
import { type HomeworkRow, type LessonRow, type LessonWithHomework, logbook } from './logbook.repository.ts';
import { cleanRichText, plainText } from './rich-text.ts';

export const SERVICE = 'logbook' as const;
/** The longest period one request reads (a school year and a bit). */
export const MAX_DAYS = 400;

export function checkPeriod(from: string, to: string, max = MAX_DAYS): void {
  if (to < from)
    throw new AppError(400, 'VALIDATION', { errors: [{ path: 'querystring.to', message: 'to doit suivre from' }] });
  if (daysBetween(from, to) > max) throw new AppError(400, 'PERIOD_TOO_LONG', { vars: { max } });
}

/** Lessons and homework hold documents by reference (the documents module asks `documentHolders` who reads them). */
export const lessonHolder = (id: string) => ({ module: 'logbook', type: 'lesson', id });
export const homeworkHolder = (id: string) => ({ module: 'logbook', type: 'homework', id });

/** Attaches documents to a lesson or homework, in the caller's transaction (403 ATTACHMENT_NOT_ALLOWED: nothing written). */
async function attach(
  trx: Db,
  auth: Authorized,
  holder: { module: string; type: string; id: string },
  list: readonly AttachmentInput[] | undefined,
) {
  if (!list || list.length === 0) return;
  await attachDocuments(trx, {
    establishmentId: auth.establishmentId,
    holder,
    documentIds: list.map((a) => a.documentId),
    userId: auth.user.id,
    pin: list.filter((a) => a.version === 'this').map((a) => a.documentId),
  });
}

/** The attachments of these lessons and homework, in one query: holder id → its documents. */
async function attachmentsOf(db: Db, lessonIds: readonly string[], homeworkIds: readonly string[]) {
  return referencesOf(db, [...lessonIds.map(lessonHolder), ...homeworkIds.map(homeworkHolder)]);
}

const published = (publishAt: Date | null, now = Date.now()) => !publishAt || new Date(publishAt).getTime() <= now;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

// ---- presenting ----

/** What a homework shows every reader (the tick, the documents and publishAt are per request). */
function homeworkFields(h: HomeworkRow) {
  const item: Omit<HomeworkItem, 'done' | 'attachments' | 'publishAt'> = {
    id: h.id,
    dueDate: h.due_date,
    assignedOn: h.assigned_on,
    subject: { id: h.subject_code, name: h.subject_label },
    description: h.description,
    kind: h.kind,
    estimatedMinutes: h.estimated_minutes,
    teacher: h.author_id ? { id: h.author_id, displayName: h.author_name ?? '' } : null,
    courseId: h.course_id,
    lessonId: h.lesson_id,
  };
  if (h.class_id) item.class = { id: h.class_id, name: h.class_code ?? '' };
  if (h.group_id) item.group = { id: h.group_id, name: h.group_code ?? '' };
  return item;
}

export function presentHomework(
  h: HomeworkRow,
  done: boolean | null,
  attachments: AttachedDocument[] = [],
): HomeworkItem {
  return {
    ...homeworkFields(h),
    done,
    attachments,
    publishAt: published(h.publish_at) ? null : iso(h.publish_at),
  };
}

export function presentVisa(v: Awaited<ReturnType<typeof logbook.visas>>[number]): Visa {
  return {
    id: v.id,
    signer: v.signer_id ? { id: v.signer_id, displayName: v.signer_name ?? '' } : null,
    role: v.role,
    teacher: v.teacher_id ? { id: v.teacher_id, displayName: v.teacher_name ?? '' } : null,
    class: v.class_id ? { id: v.class_id, name: v.class_code ?? '' } : null,
    through: v.through,
    comment: v.comment,
    signedAt: new Date(v.signed_at).toISOString(),
    lessons: v.lessons,
  };
}

// ---- checks shared by the writes ----

async function currentYearOf(db: Db, schoolYearId: string) {
  const year = await logbook.year(db, schoolYearId);
  if (!year || year.status !== 'current') throw new AppError(409, 'LOGBOOK_ARCHIVED');
  return year;
}

/** A course (any establishment) → the caller authorized to write in it. 404 unknown, 403 not theirs. */
async function authorizeCourse(ctx: RequestContext, courseId: string) {
  const course = (await courseAudiences(ctx.db, [courseId])).get(courseId);
  if (!course) throw notFound();
  const auth = await authorize(ctx, {
    establishmentId: course.establishmentId,
    permission: 'logbook.write',
    service: SERVICE,
  });
  await writableCourse(auth, courseId);
  return { auth, course };
}

interface HomeworkInput {
  dueDate: string;
  description: string;
  kind: 'exercise' | 'lesson' | 'assessment' | 'project';
  estimatedMinutes?: number | undefined;
  groupId?: string | undefined;
  publishAt?: string | undefined;
  attachments?: AttachmentInput[] | undefined;
}

async function homeworkRows(
  auth: Authorized,
  course: {
    establishmentId: string;
    schoolYearId: string;
    classId: string | null;
    groupId: string | null;
    subjectCode: string;
  },
  courseId: string,
  date: string,
  lessonId: string | null,
  list: HomeworkInput[],
) {
  const rows = [];
  for (const h of list) {
    if (h.dueDate < date) throw new AppError(400, 'HOMEWORK_DUE_BEFORE_LESSON', { vars: { due: h.dueDate, date } });
    if (h.groupId && h.groupId !== course.groupId) await checkHomeworkGroup(auth, course.classId, h.groupId);
    const publishAt = h.publishAt ? new Date(h.publishAt) : null;
    const target = h.groupId
      ? { class_id: null, group_id: h.groupId }
      : { class_id: course.classId, group_id: course.groupId };
    rows.push({
      establishment_id: course.establishmentId,
      school_year_id: course.schoolYearId,
      lesson_id: lessonId,
      course_id: courseId,
      ...target,
      subject_code: course.subjectCode,
      author_id: auth.user.id,
      assigned_on: date,
      due_date: h.dueDate,
      description: cleanRichText(h.description),
      kind: h.kind,
      estimated_minutes: h.estimatedMinutes ?? null,
      publish_at: publishAt,
      notified_at: published(publishAt) ? new Date() : null,
    });
  }
  return rows;
}

/** An assessment on a day that already has two for the same students: a warning (the teacher decides). */
async function workloadWarnings(
  db: Db,
  establishmentId: string,
  rows: { class_id: string | null; group_id: string | null; due_date: string; kind: string }[],
  before: boolean,
): Promise<Warning[]> {
  const out: Warning[] = [];
  for (const r of rows.filter((x) => x.kind === 'assessment')) {
    const { classIds, groupIds } = await related(db, r.class_id ? [r.class_id] : [], r.group_id ? [r.group_id] : []);
    const n = await logbook.assessmentsOn(db, establishmentId, r.due_date, classIds, groupIds);
    // Counted before the insert (the new one is not there yet) or after it (it is).
    const others = before ? n : n - 1;
    if (others >= 2)
      out.push({
        code: 'WORKLOAD_ASSESSMENTS',
        message: `Attention : ces élèves ont déjà ${others} évaluations le ${frenchDay(r.due_date)}.`,
      });
  }
  return out;
}

/** Tell the students of the homework's class or group, and their guardians (within the caller's transaction). */
export async function announce(
  db: Db,
  rows: {
    id: string;
    row: {
      class_id: string | null;
      group_id: string | null;
      due_date: string;
      description: string;
      subject_code: string;
      establishment_id: string;
      author_id: string | null;
    };
  }[],
) {
  for (const { id, row } of rows) {
    const { students, guardians } = await studentsAndGuardians(db, row.class_id, row.group_id);
    const subject = await logbook.subjectLabel(db, row.subject_code);
    const text = plainText(row.description).replace(/\s+/g, ' ');
    await notify(db, {
      establishmentId: row.establishment_id,
      kind: 'logbook.homework.new',
      recipients: [...students, ...guardians],
      actorId: row.author_id,
      text: {
        fr: `Nouveau travail en ${subject} pour le ${frenchDay(row.due_date)} : ${text.length > 140 ? `${text.slice(0, 139)}…` : text}`,
      },
      link: `/logbook?date=${row.due_date}`,
      source: { type: 'logbook_homework', id },
    });
  }
}

// ---- lessons ----

export async function createLesson(ctx: RequestContext, body: CreateLessonBody) {
  const { auth, course } = await authorizeCourse(ctx, body.courseId);
  const year = await currentYearOf(auth.db, course.schoolYearId);
  if (
    body.date < course.validFrom ||
    body.date > course.validTo ||
    body.date < year.starts_on ||
    body.date > year.ends_on
  )
    throw new AppError(400, 'LESSON_DATE', { vars: { date: body.date } });
  const content = cleanRichText(body.content);
  if (await logbook.lessonOf(auth.db, body.courseId, body.date))
    throw new AppError(409, 'LESSON_EXISTS', { vars: { date: body.date } });
  const hw = await homeworkRows(auth, course, body.courseId, body.date, null, body.homework ?? []);
  const warnings = await workloadWarnings(auth.db, auth.establishmentId, hw, true);
  const out = await auth.transaction(async (trx) => {
    const lesson = await logbook.insertLesson(trx, {
      establishment_id: auth.establishmentId,
      school_year_id: course.schoolYearId,
      course_id: body.courseId,
      date: body.date,
      class_id: course.classId,
      group_id: course.groupId,
      subject_code: course.subjectCode,
      author_id: auth.user.id,
      title: body.title,
      content,
      links: body.links ?? [],
      publish_at: body.publishAt ? new Date(body.publishAt) : null,
    });
    if (!lesson) throw new AppError(409, 'LESSON_EXISTS', { vars: { date: body.date } });
    const ids = await logbook.insertHomework(
      trx,
      hw.map((h) => ({ ...h, lesson_id: lesson.id })),
    );
    await attach(trx, auth, lessonHolder(lesson.id), body.attachments);
    for (const [i, id] of ids.entries()) await attach(trx, auth, homeworkHolder(id), body.homework?.[i]?.attachments);
    await announce(
      trx,
      ids.map((id, i) => ({ id, row: hw[i]! })).filter((x) => x.row.notified_at !== null),
    );
    return { id: lesson.id, homework: ids };
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'lesson.create');
  for (const _ of out.homework) recordUsage(ctx, auth.establishmentId, SERVICE, 'homework.create');
  return { ...out, warnings };
}

/** A lesson and the caller authorized to read (or write) it; unpublished lessons exist only for their teachers. */
async function lessonFor(ctx: RequestContext, id: string, permission: 'logbook.read' | 'logbook.write') {
  const row = await logbook.lesson(ctx.db, id);
  if (!row) throw notFound();
  const auth = await authorize(ctx, { establishmentId: row.establishment_id, permission, service: SERVICE });
  const teaches = row.course_id ? (await taughtCourses(auth, [row.course_id])).has(row.course_id) : false;
  const mine = row.author_id === auth.user.id || teaches;
  if (permission === 'logbook.write') {
    if (!mine) throw forbidden();
  } else if (!mine) {
    const scope = await readScope(auth);
    if (!mayRead(scope, auth.user.id, row) || !published(row.publish_at)) throw notFound();
  }
  return { auth, row, mine };
}

async function presentLesson(auth: Authorized, row: LessonRow, mine: boolean): Promise<Lesson> {
  const [homework, amendments, year, visas] = await Promise.all([
    logbook.homeworkOfLessons(auth.db, [row.id]),
    logbook.amendments(auth.db, [row.id]),
    logbook.year(auth.db, row.school_year_id),
    row.visa_id ? logbook.visas(auth.db, row.establishment_id, { ids: [row.visa_id] }) : Promise.resolve([]),
  ]);
  const student = auth.profiles.includes('student') ? auth.user.id : null;
  const done = student
    ? await logbook.doneBy(
        auth.db,
        student,
        homework.map((h) => h.id),
      )
    : null;
  const current = year?.status === 'current';
  const visa = visas[0];
  const files = await attachmentsOf(
    auth.db,
    [row.id],
    homework.map((h) => h.id),
  );
  const lesson: Lesson = {
    id: row.id,
    courseId: row.course_id,
    date: row.date,
    subject: { id: row.subject_code, name: row.subject_label },
    author: row.author_id ? { id: row.author_id, displayName: row.author_name ?? '' } : null,
    title: row.title,
    content: row.content,
    links: row.links,
    attachments: files.get(row.id) ?? [],
    publishAt: published(row.publish_at) ? null : iso(row.publish_at),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    visa: visa
      ? {
          id: visa.id,
          signer: visa.signer_id ? { id: visa.signer_id, displayName: visa.signer_name ?? '' } : null,
          signedAt: new Date(visa.signed_at).toISOString(),
        }
      : null,
    amendments: amendments.map((a) => ({
      at: new Date(a.at).toISOString(),
      author: a.author_id ? { id: a.author_id, displayName: a.author_name ?? '' } : null,
      before: a.before,
    })),
    homework: homework
      .filter((h) => mine || published(h.publish_at))
      .map((h) => presentHomework(h, done ? done.has(h.id) : null, files.get(h.id))),
    can: { edit: mine && current, delete: mine && current && !row.visa_id },
  };
  if (row.class_id) lesson.class = { id: row.class_id, name: row.class_code ?? '' };
  if (row.group_id) lesson.group = { id: row.group_id, name: row.group_code ?? '' };
  return lesson;
}

export async function getLesson(ctx: RequestContext, id: string): Promise<Lesson> {
  const { auth, row, mine } = await lessonFor(ctx, id, 'logbook.read');
  recordUsage(ctx, auth.establishmentId, SERVICE, 'lesson.view');
  return presentLesson(auth, row, mine);
}

export async function updateLesson(ctx: RequestContext, id: string, body: UpdateLessonBody): Promise<Lesson> {
  const { auth, row } = await lessonFor(ctx, id, 'logbook.write');
  await currentYearOf(auth.db, row.school_year_id);
  const content = body.content !== undefined ? cleanRichText(body.content) : undefined;
  await auth.transaction(async (trx) => {
    const after = { title: body.title ?? row.title, content: content ?? row.content };
    // After a visa, the signed text stays on record: the change is an amendment, dated, with what it replaced.
    if (row.visa_id && (after.title !== row.title || after.content !== row.content)) {
      await logbook.insertAmendment(trx, {
        establishment_id: row.establishment_id,
        lesson_id: row.id,
        author_id: auth.user.id,
        before: { title: row.title, content: row.content },
        after,
      });
      await audit(trx, ctx, {
        action: 'logbook.lesson.amend',
        establishmentId: row.establishment_id,
        targetType: 'logbook_lesson',
        targetId: row.id,
        details: { visaId: row.visa_id },
      });
    }
    await logbook.updateLesson(trx, row.id, {
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(content !== undefined ? { content } : {}),
      ...(body.links !== undefined ? { links: body.links } : {}),
      ...(body.publishAt !== undefined ? { publish_at: body.publishAt ? new Date(body.publishAt) : null } : {}),
      ...(row.visa_id ? { amended_at: new Date() } : {}),
    });
    if (body.attachments !== undefined) {
      await replaceAttachments(trx, {
        establishmentId: row.establishment_id,
        holder: lessonHolder(row.id),
        attachments: body.attachments,
        userId: auth.user.id,
      });
    }
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, row.visa_id ? 'lesson.amend' : 'lesson.update');
  const fresh = (await logbook.lesson(auth.db, row.id))!;
  return presentLesson(auth, fresh, true);
}

export async function deleteLesson(ctx: RequestContext, id: string): Promise<void> {
  const { auth, row } = await lessonFor(ctx, id, 'logbook.write');
  await currentYearOf(auth.db, row.school_year_id);
  if (row.visa_id) throw new AppError(409, 'LESSON_SIGNED');
  await auth.transaction(async (trx) => {
    // Its homework goes with it (ON DELETE CASCADE): their documents are detached too, the files stay.
    const homework = await logbook.homeworkOfLessons(trx, [row.id]);
    await detachDocuments(trx, [lessonHolder(row.id), ...homework.map((h) => homeworkHolder(h.id))]);
    await logbook.deleteLesson(trx, row.id);
    await audit(trx, ctx, {
      action: 'logbook.lesson.delete',
      establishmentId: row.establishment_id,
      targetType: 'logbook_lesson',
      targetId: row.id,
      details: { date: row.date, title: row.title, courseId: row.course_id },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'lesson.delete');
}

// ---- homework ----

export async function createHomework(ctx: RequestContext, body: CreateHomeworkBody) {
  const { auth, course } = await authorizeCourse(ctx, body.courseId);
  const year = await currentYearOf(auth.db, course.schoolYearId);
  if (body.date < year.starts_on || body.date > year.ends_on)
    throw new AppError(400, 'LESSON_DATE', { vars: { date: body.date } });
  const lesson = await logbook.lessonOf(auth.db, body.courseId, body.date);
  const hw = await homeworkRows(auth, course, body.courseId, body.date, lesson?.id ?? null, [body]);
  const warnings = await workloadWarnings(auth.db, auth.establishmentId, hw, true);
  const id = await auth.transaction(async (trx) => {
    const [hid] = await logbook.insertHomework(trx, hw);
    await attach(trx, auth, homeworkHolder(hid!), body.attachments);
    if (hw[0]!.notified_at) await announce(trx, [{ id: hid!, row: hw[0]! }]);
    return hid!;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'homework.create');
  return { id, warnings };
}

async function homeworkFor(ctx: RequestContext, id: string, permission: 'logbook.read' | 'logbook.write') {
  const row = await logbook.homework(ctx.db, id);
  if (!row) throw notFound();
  const auth = await authorize(ctx, { establishmentId: row.establishment_id, permission, service: SERVICE });
  const teaches = row.course_id ? (await taughtCourses(auth, [row.course_id])).has(row.course_id) : false;
  const mine = row.author_id === auth.user.id || teaches;
  if (permission === 'logbook.write' && !mine) throw forbidden();
  if (permission === 'logbook.read' && !mine) {
    const scope = await readScope(auth);
    if (!mayRead(scope, auth.user.id, row) || !published(row.publish_at)) throw notFound();
  }
  return { auth, row };
}

export async function updateHomework(ctx: RequestContext, id: string, body: UpdateHomeworkBody): Promise<HomeworkItem> {
  const { auth, row } = await homeworkFor(ctx, id, 'logbook.write');
  await currentYearOf(auth.db, row.school_year_id);
  const due = body.dueDate ?? row.due_date;
  if (due < row.assigned_on)
    throw new AppError(400, 'HOMEWORK_DUE_BEFORE_LESSON', { vars: { due, date: row.assigned_on } });
  const description = body.description !== undefined ? cleanRichText(body.description) : undefined;
  const publishAt = body.publishAt === undefined ? undefined : body.publishAt ? new Date(body.publishAt) : null;
  await auth.transaction(async (trx) => {
    await logbook.updateHomework(trx, row.id, {
      ...(body.dueDate ? { due_date: body.dueDate } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(body.kind ? { kind: body.kind } : {}),
      ...(body.estimatedMinutes !== undefined ? { estimated_minutes: body.estimatedMinutes } : {}),
      ...(publishAt !== undefined ? { publish_at: publishAt } : {}),
    });
    if (body.attachments !== undefined) {
      await replaceAttachments(trx, {
        establishmentId: row.establishment_id,
        holder: homeworkHolder(row.id),
        attachments: body.attachments,
        userId: auth.user.id,
      });
    }
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'homework.update');
  const files = await attachmentsOf(auth.db, [], [row.id]);
  return presentHomework((await logbook.homework(auth.db, row.id))!, null, files.get(row.id));
}

export async function deleteHomework(ctx: RequestContext, id: string): Promise<void> {
  const { auth, row } = await homeworkFor(ctx, id, 'logbook.write');
  await currentYearOf(auth.db, row.school_year_id);
  await auth.transaction(async (trx) => {
    await detachDocuments(trx, homeworkHolder(row.id));
    await logbook.deleteHomework(trx, row.id);
    await audit(trx, ctx, {
      action: 'logbook.homework.delete',
      establishmentId: row.establishment_id,
      targetType: 'logbook_homework',
      targetId: row.id,
      details: { dueDate: row.due_date, courseId: row.course_id },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'homework.delete');
}

/** Whose homework: the student asked (a child, a student the staff look at), the caller, or a guardian's only child. */
async function studentOf(auth: Authorized, asked: string | undefined): Promise<string | null> {
  if (asked) {
    await checkStudent(auth, asked);
    return asked;
  }
  if (auth.profiles.includes('student')) return auth.user.id;
  if (auth.profiles.includes('guardian')) {
    const children = [...(await childrenOf(auth))];
    if (children.length === 1) return children[0]!;
    throw new AppError(400, 'STUDENT_REQUIRED');
  }
  return null;
}

export async function listHomework(
  ctx: RequestContext,
  q: { establishment: string; from: string; to: string; student?: string },
) {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'logbook.read', service: SERVICE });
  checkPeriod(q.from, q.to, 120);
  const student = await studentOf(auth, q.student);
  // The tick is private: the student and their guardians see it, nobody else.
  const seesTick = student && (student === auth.user.id || auth.profiles.includes('guardian'));
  let page: PageHomework;
  if (student) {
    const audience = await audienceOfStudent(auth.db, student);
    page = await pageHomework(
      auth.db,
      { establishmentId: auth.establishmentId, ...audience },
      q.from,
      q.to,
      seesTick ? student : null,
    );
  } else if (auth.profiles.includes('teacher')) {
    const homework = await logbook.homeworkDue(
      auth.db,
      { establishmentId: auth.establishmentId, authorIds: [auth.user.id] },
      q.from,
      q.to,
    );
    page = { homework, done: null, files: null };
  } else throw new AppError(400, 'STUDENT_REQUIRED');
  const now = Date.now();
  const rows = page.homework.filter((h) => h.author_id === auth.user.id || published(h.publish_at, now));
  const files = await attachmentsOf(
    auth.db,
    [],
    rows.map((h) => h.id).filter((id) => !page.files || page.files.has(id)),
  );
  recordUsage(ctx, auth.establishmentId, SERVICE, 'homework.list');
  const done = page.done;
  return { items: rows.map((h) => presentHomework(h, done ? done.has(h.id) : null, files.get(h.id))) };
}

export async function setDone(ctx: RequestContext, id: string, done: boolean) {
  const { auth, row } = await homeworkFor(ctx, id, 'logbook.read');
  if (!auth.profiles.includes('student')) throw new AppError(403, 'HOMEWORK_NOT_YOURS');
  const audience = await audienceOfStudent(auth.db, auth.user.id);
  const concerned =
    (row.class_id && audience.classIds.includes(row.class_id)) ||
    (row.group_id && audience.groupIds.includes(row.group_id));
  if (!concerned) throw new AppError(403, 'HOMEWORK_NOT_YOURS');
  if (done)
    await logbook.setDone(auth.db, {
      homework_id: row.id,
      student_id: auth.user.id,
      establishment_id: row.establishment_id,
    });
  else await logbook.unsetDone(auth.db, row.id, auth.user.id);
  recordUsage(ctx, auth.establishmentId, SERVICE, done ? 'homework.done' : 'homework.undone');
  return { done };
}

// ---- a logbook: occurrences with their lessons and homework ----

interface Target {
  kind: EntriesResponse['of']['kind'];
  id: string | null;
  name: string;
  classIds: string[];
  groupIds: string[];
  teacherIds: string[];
  /** The lessons to show besides those of the occurrences (their author, or every lesson of these classes). */
  authorIds: string[];
  student: string | null;
  archived: boolean;
}

/** A class or group asked for: its row (of the establishment, else 404) and, for a class, the groups drawing from it. */
interface Asked {
  kind: 'class' | 'group';
  id: string;
  row: { code: string; status: string };
  groups: readonly string[];
}

async function targetOf(auth: Authorized, scope: Scope, q: EntriesQuery, asked: Asked | null): Promise<Target> {
  const base = {
    teacherIds: [] as string[],
    authorIds: [] as string[],
    student: null as string | null,
    archived: false,
  };
  if (asked) {
    const { kind, id, row } = asked;
    await checkReads(auth, scope, kind, id, true);
    const archived = row.status !== 'current';
    if (kind === 'group') return { ...base, kind, id, name: row.code, classIds: [], groupIds: [id], archived };
    return { ...base, kind, id, name: row.code, classIds: [id], groupIds: [...asked.groups], archived };
  }
  if (q.student) {
    await checkStudent(auth, q.student);
    const a = await audienceOfStudent(auth.db, q.student);
    const names = await logbook.names(auth.db, [q.student]);
    return { ...base, kind: 'student', id: q.student, name: names.get(q.student) ?? '', ...a, student: q.student };
  }
  if (q.teacher) {
    if (q.teacher !== auth.user.id && !readsAll(auth)) throw forbidden();
    const names = await logbook.names(auth.db, [q.teacher]);
    if (!names.has(q.teacher)) throw notFound();
    return {
      ...base,
      kind: 'teacher',
      id: q.teacher,
      name: names.get(q.teacher)!,
      classIds: [],
      groupIds: [],
      teacherIds: [q.teacher],
      authorIds: [q.teacher],
    };
  }
  const me: Target = { ...base, kind: 'me', id: auth.user.id, name: auth.user.displayName, classIds: [], groupIds: [] };
  if (auth.profiles.includes('teacher')) {
    me.teacherIds = [auth.user.id];
    me.authorIds = [auth.user.id];
  }
  const student = await studentOf(auth, undefined).catch((e) => {
    if (me.teacherIds.length) return null;
    throw e;
  });
  if (student) {
    const a = await audienceOfStudent(auth.db, student);
    me.classIds = a.classIds;
    me.groupIds = a.groupIds;
    me.student = student;
  }
  return me;
}

/**
 * One line of a logbook before it is written: what comes from the timetable and the caller's flags (`head`), and the
 * lesson and homework rows shown with what is per request (`publishAt` depends on the time, the tick on the reader,
 * the documents are read per request). `toEntry` makes it an `Entry`; `writeEntry` writes it as JSON with the rows'
 * parts kept serialised.
 */
interface EntryPart {
  head: Omit<Entry, 'lesson' | 'homework'>;
  /** The occurrence's course version (timetable `OccurrenceInfo.version`) when the head's course fields are its own. */
  course: object | null;
  lesson: { row: LessonRow; publishAt: string | null; attachments: AttachedDocument[] } | null;
  homework: { row: HomeworkRow; done: boolean | null; publishAt: string | null; attachments: AttachedDocument[] }[];
}

/**
 * What a logbook's lines are made of, before the reader's view: the occurrences (the timetable's kept objects), the
 * lessons with their homework (the logbook's kept rows, for classes and groups), the student's ticks, the courses
 * among them the caller teaches and the documents of the lessons and homework holding some.
 */
interface EntrySources {
  /** The occurrences shown (of the subject asked for, if any). */
  occ: OccurrenceInfo[];
  lessons: readonly LessonWithHomework[];
  done: ReadonlySet<string> | null;
  taught: ReadonlySet<string>;
  files: Map<string, AttachedDocument[]>;
  now: number;
  /** The lessons are the logbook's kept rows (a week of classes and groups), not read for this request. */
  kept: boolean;
}

async function entrySources(
  auth: Authorized,
  t: Pick<Target, 'classIds' | 'groupIds' | 'teacherIds' | 'authorIds' | 'student'>,
  from: string,
  to: string,
  subject: string | undefined,
): Promise<EntrySources> {
  const establishmentId = auth.establishmentId;
  const seesTick = t.student && (t.student === auth.user.id || auth.profiles.includes('guardian'));
  const [occurrences, page] = await Promise.all([
    occurrencesFor(auth.db, {
      establishmentId,
      from,
      to,
      classIds: t.classIds,
      groupIds: t.groupIds,
      teacherIds: t.teacherIds,
    }),
    // With their homework and the student's ticks: from memory for classes and groups, else one statement.
    pageLessons(
      auth.db,
      { establishmentId, classIds: t.classIds, groupIds: t.groupIds, authorIds: t.authorIds, subject },
      from,
      to,
      seesTick ? t.student : null,
    ),
  ]);
  const { lessons, done, files: holding } = page;
  const occ = subject ? occurrences.filter((o) => o.subject.code === subject) : occurrences;
  // The occurrences carry their courses' teachers: only the lessons' other courses (an extra session, a course
  // since changed) are asked.
  const taught = new Set<string>();
  const known = new Set<string>();
  for (const o of occurrences) {
    known.add(o.courseId);
    if (o.teachers.some((x) => x.id === auth.user.id)) taught.add(o.courseId);
  }
  const unknown = [
    ...new Set(lessons.map((l) => l.course_id).filter((c): c is string => !!c && !known.has(c) && !taught.has(c))),
  ];
  if (unknown.length) for (const c of await taughtCourses(auth, unknown)) taught.add(c);
  // Usually none of a week's lessons and homework holds a document: nothing to ask.
  const files =
    holding?.size === 0
      ? new Map<string, AttachedDocument[]>()
      : await attachmentsOf(
          auth.db,
          lessons.map((l) => l.id).filter((id) => !holding || holding.has(id)),
          lessons.flatMap((l) => l.homework.map((h) => h.id)).filter((id) => !holding || holding.has(id)),
        );
  return { occ, lessons, done, taught, files, now: Date.now(), kept: holding !== null };
}

/** The lines of a logbook as the caller sees them (unpublished items, can-write flags, their scope). */
function partsFrom(auth: Authorized, s: EntrySources, scope: Scope | null): { parts: EntryPart[]; visaIds: string[] } {
  const { lessons, done, files, taught, now } = s;
  const archivedYears = new Set(lessons.filter((l) => l.year_status !== 'current').map((l) => l.school_year_id));
  const hwBy = new Map<string, HomeworkRow[]>(lessons.map((l) => [l.id, l.homework]));
  const lessonBy = new Map(lessons.map((l) => [`${l.course_id}|${l.date}`, l]));
  const entryOf = (o: OccurrenceInfo | null, l: LessonRow | null): EntryPart => {
    const courseId = o?.courseId ?? l?.course_id ?? null;
    const mine = (courseId !== null && taught.has(courseId)) || l?.author_id === auth.user.id;
    const visible = l && (mine || published(l.publish_at, now)) && (!scope || mine || mayRead(scope, auth.user.id, l));
    const head: EntryPart['head'] = {
      courseId,
      date: o?.date ?? l!.date,
      start: o?.start ?? null,
      end: o?.end ?? null,
      subject: o ? { id: o.subject.code, name: o.subject.label } : { id: l!.subject_code, name: l!.subject_label },
      teachers: o?.teachers ?? (l?.author_id ? [{ id: l.author_id, displayName: l.author_name ?? '' }] : []),
      cancelled: o?.cancelled ?? false,
      can: { write: mine && !(l && archivedYears.has(l.school_year_id)) && (o ? !o.cancelled : true) },
    };
    const classId = o?.classId ?? l?.class_id ?? null;
    const groupId = o?.groupId ?? l?.group_id ?? null;
    if (classId) head.class = { id: classId, name: o?.classCode ?? l?.class_code ?? '' };
    if (groupId) head.group = { id: groupId, name: o?.groupCode ?? l?.group_code ?? '' };
    if (o?.room) head.room = o.room;
    // The course's fields are the occurrence's (not completed from the lesson): they can be kept per course.
    const course = o && (o.classId || !l?.class_id) && (o.groupId || !l?.group_id) ? o.version : null;
    if (!visible) return { head, course, lesson: null, homework: [] };
    const homework: EntryPart['homework'] = [];
    for (const h of hwBy.get(l.id) ?? [])
      if (mine || published(h.publish_at, now))
        homework.push({
          row: h,
          done: done ? done.has(h.id) : null,
          publishAt: published(h.publish_at, now) ? null : iso(h.publish_at),
          attachments: files.get(h.id) ?? [],
        });
    return {
      head,
      course,
      lesson: {
        row: l,
        publishAt: published(l.publish_at, now) ? null : iso(l.publish_at),
        attachments: files.get(l.id) ?? [],
      },
      homework,
    };
  };
  const out: EntryPart[] = [];
  for (const o of s.occ) {
    const key = `${o.courseId}|${o.date}`;
    const l = lessonBy.get(key) ?? null;
    lessonBy.delete(key);
    out.push(entryOf(o, l));
  }
  // Lessons without an occurrence in the timetable (an extra session, a course since removed).
  for (const l of lessonBy.values()) out.push(entryOf(null, l));
  out.sort((x, y) => {
    const a = x.head;
    const b = y.head;
    return a.date !== b.date ? (a.date < b.date ? -1 : 1) : (a.start ?? '') < (b.start ?? '') ? -1 : 1;
  });
  return { parts: out, visaIds: visaIdsOf(lessons) };
}

const visaIdsOf = (lessons: readonly LessonRow[]) => [
  ...new Set(lessons.map((l) => l.visa_id).filter((v): v is string => !!v)),
];

/** What a lesson shows every reader in a logbook line (publishAt and the documents are per request). */
const lessonFields = (l: LessonRow) => ({
  id: l.id,
  title: l.title,
  content: l.content,
  links: l.links,
  author: l.author_id ? { id: l.author_id, displayName: l.author_name ?? '' } : null,
  signed: l.visa_id !== null,
  amended: l.amended_at !== null,
});

const toEntry = (p: EntryPart): Entry => ({
  ...p.head,
  lesson: p.lesson
    ? { ...lessonFields(p.lesson.row), publishAt: p.lesson.publishAt, attachments: p.lesson.attachments }
    : null,
  homework: p.homework.map((h) => ({
    ...homeworkFields(h.row),
    done: h.done,
    publishAt: h.publishAt,
    attachments: h.attachments,
  })),
});

/** The entries of a logbook as objects (the inspectors' and the archive's pages). */
export async function buildEntries(
  auth: Authorized,
  t: Pick<Target, 'classIds' | 'groupIds' | 'teacherIds' | 'authorIds' | 'student'>,
  from: string,
  to: string,
  subject: string | undefined,
  scope: Scope | null,
): Promise<{ items: Entry[]; visaIds: string[] }> {
  const { parts, visaIds } = partsFrom(auth, await entrySources(auth, t, from, to, subject), scope);
  return { items: parts.map(toEntry), visaIds };
}

// ---- a logbook page written as JSON: the rows' parts serialised once, kept with the rows ----

const ENTRY_HEAD = openObjectOf(EntrySchema.omit({ lesson: true, homework: true }));
const COURSE_FIELDS = { courseId: true, subject: true, teachers: true, class: true, group: true } as const;
const ENTRY_COURSE = membersOf(EntrySchema.pick(COURSE_FIELDS));
const ENTRY_TIME = membersOf(EntrySchema.omit({ ...COURSE_FIELDS, lesson: true, homework: true }));
const LESSON_SHARED = openObjectOf(EntrySchema.shape.lesson.unwrap().omit({ publishAt: true, attachments: true }));
const HOMEWORK_SHARED = openObjectOf(HomeworkItemSchema.omit({ done: true, publishAt: true, attachments: true }));
const ATTACHMENTS = jsonOf(z.array(LogbookAttachment));
const OF = jsonOf(EntriesResponseSchema.shape.of);
const VISAS = jsonOf(z.array(VisaSchema));

/**
 * A lesson's or homework's part that is the same for every reader, serialised once per row: the rows of the
 * logbook's caches (logbook.cache.ts) are the same objects from request to request until a write drops them.
 */
const LESSON_JSON = new WeakMap<LessonRow, Buffer>();
const HOMEWORK_JSON = new WeakMap<HomeworkRow, Buffer>();

function lessonJson(l: LessonRow): Buffer {
  let b = LESSON_JSON.get(l);
  if (!b) {
    b = Buffer.from(LESSON_SHARED(lessonFields(l)));
    LESSON_JSON.set(l, b);
  }
  return b;
}

function homeworkJson(h: HomeworkRow): Buffer {
  let b = HOMEWORK_JSON.get(h);
  if (!b) {
    b = Buffer.from(HOMEWORK_SHARED(homeworkFields(h)));
    HOMEWORK_JSON.set(h, b);
  }
  return b;
}

/** An entry's course fields (id, subject, teachers, class, group), once per course version of the timetable. */
const COURSE_JSON = new WeakMap<object, Buffer>();

function courseJson(course: object, head: EntryPart['head']): Buffer {
  let b = COURSE_JSON.get(course);
  if (!b) {
    b = Buffer.from(ENTRY_COURSE(head));
    COURSE_JSON.set(course, b);
  }
  return b;
}

const attachmentsJson = (list: AttachedDocument[]) => (list.length ? ATTACHMENTS(list) : '[]');

function writeEntry(w: JsonWriter, p: EntryPart): void {
  if (p.course) {
    // The date, times, room and flags (never empty: date is required), then the course's kept fields.
    w.raw('{').raw(ENTRY_TIME(p.head)).raw(',').bytes(courseJson(p.course, p.head)).raw(',"lesson":');
  } else {
    const head = ENTRY_HEAD(p.head);
    w.raw(head).raw(member(head, 'lesson'));
  }
  if (p.lesson) {
    // The shared part is an object with members, left open: the per-request members follow.
    w.bytes(lessonJson(p.lesson.row)).raw(',"publishAt":').value(p.lesson.publishAt);
    w.raw(',"attachments":').raw(attachmentsJson(p.lesson.attachments)).raw('}');
  } else w.raw('null');
  w.raw(',"homework":[');
  for (const [i, h] of p.homework.entries()) {
    if (i) w.raw(',');
    w.bytes(homeworkJson(h.row)).raw(`,"done":`).value(h.done).raw(',"publishAt":').value(h.publishAt);
    w.raw(',"attachments":').raw(attachmentsJson(h.attachments)).raw('}');
  }
  w.raw(']}');
}

export async function entries(ctx: RequestContext, q: EntriesQuery): Promise<RawJson<EntriesResponse>> {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'logbook.read', service: SERVICE });
  checkPeriod(q.from, q.to);
  // A class or group of the establishment (else 404); a class's groups are read once, for the caller's scope and
  // for the lessons. All three from memory.
  let asked: Asked | null = null;
  if (q.class || q.group) {
    const kind = q.class ? 'class' : 'group';
    const id = (q.class ?? q.group)!;
    const row = await targetRow(auth.db, auth.establishmentId, kind, id);
    if (!row) throw notFound();
    asked = { kind, id, row, groups: kind === 'class' ? await groupsOfClass(auth.db, auth.establishmentId, id) : [] };
  }
  const scope = await readScope(auth, asked?.kind === 'class' ? { id: asked.id, groups: asked.groups } : undefined);
  const target = await targetOf(auth, scope, q, asked);
  const readerScope = target.kind === 'me' || target.kind === 'student' ? null : scope;
  const sources = await entrySources(auth, target, q.from, q.to, q.subject);
  const visaIds = visaIdsOf(sources.lessons);
  const visas = visaIds.length ? await logbook.visas(auth.db, auth.establishmentId, { ids: visaIds }) : [];
  recordUsage(ctx, auth.establishmentId, SERVICE, `entries.${target.kind}`);
  const around = {
    head: `{"of":${OF({ kind: target.kind, id: target.id, name: target.name })},"items":`,
    tail: `,"visas":${VISAS(visas.map(presentVisa))},"archived":${JSON.stringify(target.archived)}}`,
  };
  return new RawJson(answerOf(auth, target, q, sources, readerScope, around));
}

/**
 * A class's or group's week as sent to a kind of reader, kept with what it was made of. Its teachers, students and
 * the direction open the same week all day: what differs between two readers is only which of its courses they
 * teach, whether they wrote one of its lessons, and which of its groups' lessons their scope leaves out
 * (`readerKey`). While the sources are the same objects (the timetable's occurrences, the logbook's kept lessons: a
 * write replaces them), the same documents are attached and no item's publication time has come, the kept lines
 * are sent again instead of ~60 lines put together and written per request — the kept bytes themselves while what
 * surrounds them (the class, its visas, archived) is the same too.
 */
interface KeptAnswer {
  occ: readonly OccurrenceInfo[];
  lessons: readonly LessonWithHomework[];
  files: string;
  /** The next publication time of a lesson or homework of the page (a reader's view changes then). */
  until: number | null;
  head: string;
  tail: string;
  body: Buffer;
}

const CLASS_WEEKS = defineCache<KeptAnswer>({
  name: 'logbook-class-answers',
  topic: 'lb',
  max: 1_000,
  ttlMs: 600_000,
  expiresAt: (v) => v.until,
});

/** What makes one reader's view of these lines differ from another's (see KeptAnswer). */
function readerKey(auth: Authorized, s: EntrySources, scope: Scope): string {
  let wrote = false;
  const left = new Set<string>();
  for (const l of s.lessons) {
    if (l.author_id === auth.user.id) wrote = true;
    else if (!mayRead(scope, auth.user.id, l)) left.add(l.class_id ?? l.group_id ?? '');
  }
  const taught = s.taught.size ? [...s.taught].sort().join(',') : '';
  return `${taught}|${wrote ? auth.user.id : ''}|${scope.all ? '*' : [...left].sort().join(',')}`;
}

function nextPublication(lessons: readonly LessonWithHomework[], now: number): number | null {
  let next = Number.POSITIVE_INFINITY;
  const at = (d: Date | null) => {
    const t = d ? new Date(d).getTime() : 0;
    if (t > now && t < next) next = t;
  };
  for (const l of lessons) {
    at(l.publish_at);
    for (const h of l.homework) at(h.publish_at);
  }
  return Number.isFinite(next) ? next : null;
}

const sameItems = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The page as JSON: its `items` array between `head` and `tail`, kept per class or group week and kind of reader. */
function answerOf(
  auth: Authorized,
  target: Target,
  q: EntriesQuery,
  s: EntrySources,
  scope: Scope | null,
  { head, tail }: { head: string; tail: string },
): Buffer {
  const around = (items: Buffer) => Buffer.concat([Buffer.from(head), items, Buffer.from(tail)]);
  const write = () => {
    const { parts } = partsFrom(auth, s, scope);
    const w = new JsonWriter(16 + parts.length * 700).raw('[');
    for (const [i, p] of parts.entries()) {
      if (i) w.raw(',');
      writeEntry(w, p);
    }
    return around(w.raw(']').done().bytes);
  };
  const kept = cacheOf(auth.db, CLASS_WEEKS);
  if (!kept || !s.kept || !scope || (target.kind !== 'class' && target.kind !== 'group') || s.done) return write();
  const key = `${auth.establishmentId}|${target.kind}:${target.id}|${q.from}|${q.to}|${q.subject ?? ''}|${readerKey(auth, s, scope)}`;
  const files = s.files.size ? JSON.stringify([...s.files]) : '';
  const tags = [...target.classIds, ...target.groupIds];
  const hit = kept.peek(key);
  if (hit && hit.files === files && sameItems(hit.occ, s.occ) && sameItems(hit.lessons, s.lessons)) {
    kept.hits++;
    if (hit.head === head && hit.tail === tail) return hit.body;
    // The same lines, other surroundings (a visa signed, the class renamed): the kept lines in the new ones.
    const body = around(hit.body.subarray(Buffer.byteLength(hit.head), hit.body.length - Buffer.byteLength(hit.tail)));
    kept.set(key, { ...hit, head, tail, body }, tags);
    return body;
  }
  kept.misses++;
  const body = write();
  kept.set(
    key,
    { occ: s.occ, lessons: s.lessons, files, until: nextPublication(s.lessons, s.now), head, tail, body },
    tags,
  );
  return body;
}

export { classesIn, groupsIn };
