/**
 * Progressions: a teacher keeps a sequence of lessons (written step by step, or taken from one of their courses
 * over a period) and applies it to another of their courses: each step prepares the lesson of the next free
 * occurrence, published at that occurrence's start (or at once).
 */
import type { Progression } from '@preau/contracts';
import { authorize } from '../../platform/access/authorize.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import { courseAudiences, occurrencesFor, parisInstant } from '../timetable/index.ts';
import { writableCourse } from './logbook.access.ts';
import { logbook } from './logbook.repository.ts';
import { SERVICE } from './logbook.service.ts';
import { cleanRichText } from './rich-text.ts';

type Row = NonNullable<Awaited<ReturnType<typeof logbook.progression>>>;

async function present(db: Parameters<typeof logbook.steps>[0], p: Row): Promise<Progression> {
  const steps = await logbook.steps(db, p.id);
  return {
    id: p.id,
    title: p.title,
    subject: p.subject_code ? { id: p.subject_code, name: p.subject_label ?? p.subject_code } : null,
    steps,
    createdAt: new Date(p.created_at).toISOString(),
  };
}

export async function listProgressions(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'logbook.write', service: SERVICE });
  const rows = await logbook.progressions(auth.db, establishmentId, auth.user.id);
  return {
    items: rows.map((p) => ({
      id: p.id,
      title: p.title,
      subject: p.subject_code ? { id: p.subject_code, name: p.subject_label ?? p.subject_code } : null,
      steps: Number(p.steps ?? 0),
      createdAt: new Date(p.created_at).toISOString(),
    })),
  };
}

export async function createProgression(
  ctx: RequestContext,
  body:
    | { establishment: string; title: string; subjectCode?: string; steps: { title: string; content: string }[] }
    | { establishment: string; title: string; fromCourse: { courseId: string; from: string; to: string } },
): Promise<Progression> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'logbook.write',
    service: SERVICE,
  });
  let steps: { title: string; content: string }[];
  let subject: string | null = null;
  if ('steps' in body) {
    steps = body.steps.map((s) => ({ title: s.title, content: cleanRichText(s.content) }));
    if (body.subjectCode) {
      if (!(await logbook.subjectExists(auth.db, body.subjectCode)))
        throw new AppError(400, 'VALIDATION', { errors: [{ path: 'body.subjectCode', message: 'matière inconnue' }] });
      subject = body.subjectCode;
    }
  } else {
    const course = await writableCourse(auth, body.fromCourse.courseId);
    subject = course.subjectCode;
    const lessons = await logbook.lessons(
      auth.db,
      { establishmentId: auth.establishmentId, authorIds: [auth.user.id] },
      body.fromCourse.from,
      body.fromCourse.to,
    );
    steps = lessons
      .filter((l) => l.course_id === body.fromCourse.courseId)
      .map((l) => ({ title: l.title, content: l.content }));
    if (steps.length === 0)
      throw new AppError(400, 'VALIDATION', {
        errors: [{ path: 'body.fromCourse', message: 'aucune séance écrite sur cette période' }],
      });
  }
  const id = await auth.transaction((trx) =>
    logbook.insertProgression(
      trx,
      { establishment_id: auth.establishmentId, author_id: auth.user.id, title: body.title, subject_code: subject },
      steps,
    ),
  );
  recordUsage(ctx, auth.establishmentId, SERVICE, 'progression.create');
  return present(auth.db, (await logbook.progression(auth.db, id))!);
}

async function mine(ctx: RequestContext, id: string) {
  const p = await logbook.progression(ctx.db, id);
  if (!p) throw notFound();
  const auth = await authorize(ctx, {
    establishmentId: p.establishment_id,
    permission: 'logbook.write',
    service: SERVICE,
  });
  if (p.author_id !== auth.user.id) throw notFound();
  return { auth, p };
}

export async function getProgression(ctx: RequestContext, id: string) {
  const { auth, p } = await mine(ctx, id);
  return present(auth.db, p);
}

export async function deleteProgression(ctx: RequestContext, id: string) {
  const { auth, p } = await mine(ctx, id);
  await logbook.deleteProgression(auth.db, p.id);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'progression.delete');
}

export async function applyProgression(
  ctx: RequestContext,
  id: string,
  body: { courseId: string; from: string; publishAtStart: boolean },
) {
  const { auth, p } = await mine(ctx, id);
  const course = (await courseAudiences(auth.db, [body.courseId])).get(body.courseId);
  if (!course || course.establishmentId !== auth.establishmentId) throw notFound();
  await writableCourse(auth, body.courseId);
  const year = await logbook.year(auth.db, course.schoolYearId);
  if (!year || year.status !== 'current') throw new AppError(409, 'LOGBOOK_ARCHIVED');
  const steps = await logbook.steps(auth.db, p.id);
  const from = body.from < course.validFrom ? course.validFrom : body.from;
  const occurrences = (
    await occurrencesFor(auth.db, {
      establishmentId: auth.establishmentId,
      from,
      to: course.validTo,
      courseIds: [body.courseId],
    })
  ).filter((o) => !o.cancelled && o.courseId === body.courseId);
  const written = await logbook.written(auth.db, [body.courseId], from, course.validTo);
  const free = occurrences.filter((o) => !written.has(`${o.courseId}|${o.date}`)).slice(0, steps.length);
  const created = await auth.transaction(async (trx) => {
    const out: { id: string; date: string }[] = [];
    for (const [i, o] of free.entries()) {
      const step = steps[i]!;
      const row = await logbook.insertLesson(trx, {
        establishment_id: auth.establishmentId,
        school_year_id: course.schoolYearId,
        course_id: body.courseId,
        date: o.date,
        class_id: course.classId,
        group_id: course.groupId,
        subject_code: course.subjectCode,
        author_id: auth.user.id,
        title: step.title,
        content: step.content,
        links: [],
        publish_at: body.publishAtStart ? parisInstant(o.date, o.startsAt) : null,
      });
      if (row) out.push({ id: row.id, date: o.date });
    }
    return out;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'progression.apply');
  return { lessons: created };
}
