/**
 * Reading the logbook as a whole: a class's workload (homework and assessments per day and week), the fill rate
 * for the direction and the rollout cockpit, the archived years, and the printed logbook (PDF by subject).
 */
import type { FillRate, Workload } from '@preau/contracts';
import { authorize } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, forbidden } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import { addDays, mondayOf, occurrencesFor, parisDate } from '../timetable/index.ts';
import { checkReads, readScope, readsAll, related } from './logbook.access.ts';
import { logbook } from './logbook.repository.ts';
import { buildEntries, checkPeriod, SERVICE } from './logbook.service.ts';
import { type PrintedLogbook, printLogbook } from './print.pdf.ts';
import { plainText } from './rich-text.ts';

export async function workload(
  ctx: RequestContext,
  q: { establishment: string; from: string; to: string; class?: string; group?: string },
): Promise<Workload> {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'logbook.read', service: SERVICE });
  checkPeriod(q.from, q.to, 93);
  if (!!q.class === !!q.group)
    throw new AppError(400, 'VALIDATION', {
      errors: [{ path: 'querystring.class', message: 'une classe ou un groupe' }],
    });
  const kind = q.class ? 'class' : 'group';
  const id = (q.class ?? q.group)!;
  const t = await logbook.target(auth.db, auth.establishmentId, kind, id);
  await checkReads(auth, await readScope(auth), kind, id, !!t);
  // A class's workload counts its groups' homework; a group's, its students' classes'.
  const audience = await related(auth.db, kind === 'class' ? [id] : [], kind === 'group' ? [id] : []);
  const now = Date.now();
  const rows = (
    await logbook.homeworkDue(auth.db, { establishmentId: auth.establishmentId, ...audience }, q.from, q.to)
  ).filter((h) => !h.publish_at || new Date(h.publish_at).getTime() <= now || h.author_id === auth.user.id);
  const days = new Map<string, Workload['days'][number]>();
  for (const h of rows) {
    const d = days.get(h.due_date) ?? { date: h.due_date, homework: 0, assessments: 0, minutes: 0, items: [] };
    d.homework++;
    if (h.kind === 'assessment') d.assessments++;
    d.minutes += h.estimated_minutes ?? 0;
    d.items.push({
      id: h.id,
      subject: { id: h.subject_code, name: h.subject_label },
      kind: h.kind,
      group: h.group_code,
    });
    days.set(h.due_date, d);
  }
  const weeks = new Map<string, Workload['weeks'][number]>();
  for (const d of days.values()) {
    const monday = mondayOf(d.date);
    const w = weeks.get(monday) ?? { monday, homework: 0, assessments: 0, minutes: 0 };
    w.homework += d.homework;
    w.assessments += d.assessments;
    w.minutes += d.minutes;
    weeks.set(monday, w);
  }
  recordUsage(ctx, auth.establishmentId, SERVICE, 'workload.view');
  return {
    of: { id, name: t!.code },
    days: [...days.values()].sort((a, b) => (a.date < b.date ? -1 : 1)),
    weeks: [...weeks.values()].sort((a, b) => (a.monday < b.monday ? -1 : 1)),
  };
}

/**
 * The share of the period's past course occurrences (cancelled ones aside) that have a lesson written, overall
 * and per teacher, subject or class. Future occurrences do not count.
 */
export async function computeFillRate(
  db: Db,
  establishmentId: string,
  from: string,
  to: string,
  by?: 'teacher' | 'subject' | 'class',
) {
  const today = parisDate();
  const until = to < today ? to : addDays(today, -1);
  const occurrences =
    until < from
      ? []
      : (await occurrencesFor(db, { establishmentId, from, to: until, all: true })).filter((o) => !o.cancelled);
  const written = await logbook.written(db, [...new Set(occurrences.map((o) => o.courseId))], from, until);
  const rows = new Map<string, { id: string; name: string; courses: number; written: number }>();
  let done = 0;
  for (const o of occurrences) {
    const has = written.has(`${o.courseId}|${o.date}`);
    if (has) done++;
    if (!by) continue;
    const keys =
      by === 'teacher'
        ? o.teachers.map((t) => [t.id, t.displayName] as const)
        : by === 'subject'
          ? [[o.subject.code, o.subject.label] as const]
          : [[(o.classId ?? o.groupId)!, o.classCode ?? o.groupCode ?? ''] as const];
    for (const [id, name] of keys) {
      const r = rows.get(id) ?? { id, name, courses: 0, written: 0 };
      r.courses++;
      if (has) r.written++;
      rows.set(id, r);
    }
  }
  const rate = (w: number, c: number) => (c === 0 ? 0 : Math.round((w / c) * 1000) / 1000);
  return {
    courses: occurrences.length,
    written: done,
    rate: rate(done, occurrences.length),
    rows: [...rows.values()]
      .map((r) => ({ ...r, rate: rate(r.written, r.courses) }))
      .sort((a, b) => a.rate - b.rate || a.name.localeCompare(b.name, 'fr')),
  };
}

export async function fillRate(
  ctx: RequestContext,
  q: { establishment: string; from: string; to: string; by: 'teacher' | 'subject' | 'class' },
): Promise<FillRate> {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'logbook.sign', service: SERVICE });
  checkPeriod(q.from, q.to, 200);
  const [rate, homework] = await Promise.all([
    computeFillRate(auth.db, auth.establishmentId, q.from, q.to, q.by),
    logbook.homeworkSetCount(auth.db, auth.establishmentId, q.from, q.to),
  ]);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'fill_rate.view');
  return { ...rate, homework };
}

export async function archive(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'logbook.read', service: SERVICE });
  // Archived classes are read by the direction and the staff (families and teachers read the current year).
  if (!readsAll(auth)) return { years: [] };
  const years = await logbook.archivedYears(auth.db, establishmentId);
  const ids = years.map((y) => y.id);
  const [classes, groups] = await Promise.all([
    logbook.classesOfYears(auth.db, ids),
    logbook.groupsOfYears(auth.db, ids),
  ]);
  return {
    years: years.map((y) => ({
      id: y.id,
      label: y.label,
      from: y.starts_on,
      to: y.ends_on,
      classes: classes.filter((c) => c.school_year_id === y.id).map((c) => ({ id: c.id, name: c.code })),
      groups: groups.filter((g) => g.school_year_id === y.id).map((g) => ({ id: g.id, name: g.code })),
    })),
  };
}

/** A period of a class's (group's, teacher's) logbook as a PDF, by subject: for the archive, or printed at any time. */
export async function print(
  ctx: RequestContext,
  q: {
    establishment: string;
    from: string;
    to: string;
    class?: string;
    group?: string;
    teacher?: string;
    subject?: string;
  },
) {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'logbook.read', service: SERVICE });
  checkPeriod(q.from, q.to);
  const asked = [q.class, q.group, q.teacher].filter(Boolean).length;
  if (asked !== 1) throw new AppError(400, 'HOMEWORK_TARGET');
  const scope = await readScope(auth);
  let title: string;
  let target: { classIds: string[]; groupIds: string[]; teacherIds: string[]; authorIds: string[]; student: null };
  if (q.teacher) {
    if (q.teacher !== auth.user.id && !readsAll(auth)) throw forbidden();
    const names = await logbook.names(auth.db, [q.teacher]);
    title = names.get(q.teacher) ?? '';
    target = { classIds: [], groupIds: [], teacherIds: [q.teacher], authorIds: [q.teacher], student: null };
  } else {
    const kind = q.class ? 'class' : 'group';
    const id = (q.class ?? q.group)!;
    const t = await logbook.target(auth.db, auth.establishmentId, kind, id);
    // An archived class is outside the current scope: the direction and the staff print it.
    if (t && t.status !== 'current' && !readsAll(auth)) throw forbidden();
    if (!t || t.status === 'current') await checkReads(auth, scope, kind, id, !!t);
    title = `${kind === 'class' ? 'Classe' : 'Groupe'} ${t!.code}`;
    const groups = kind === 'class' ? (await related(auth.db, [id], [])).groupIds : [id];
    target = { classIds: kind === 'class' ? [id] : [], groupIds: groups, teacherIds: [], authorIds: [], student: null };
  }
  const { items, visaIds } = await buildEntries(auth, target, q.from, q.to, q.subject, scope.all ? null : scope);
  const [visas, est] = await Promise.all([
    visaIds.length ? logbook.visas(auth.db, auth.establishmentId, { ids: visaIds }) : Promise.resolve([]),
    logbook.establishment(auth.db, auth.establishmentId),
  ]);
  const bySubject = new Map<string, PrintedLogbook['subjects'][number]>();
  for (const e of items.filter((x) => x.lesson)) {
    const s = bySubject.get(e.subject.id) ?? { name: e.subject.name, lessons: [] };
    s.lessons.push({
      date: e.date,
      start: e.start ? e.start.slice(11, 16) : null,
      who: [e.class?.name ?? e.group?.name, e.lesson!.author?.displayName].filter(Boolean).join(' — '),
      title: e.lesson!.title,
      content: plainText(e.lesson!.content),
      links: e.lesson!.links.map((l) => l.url),
      homework: e.homework.map((h) => ({ due: h.dueDate, kind: h.kind, text: plainText(h.description) })),
      signed: e.lesson!.signed,
      amended: e.lesson!.amended,
    });
    bySubject.set(e.subject.id, s);
  }
  recordUsage(ctx, auth.establishmentId, SERVICE, 'print');
  const doc = printLogbook({
    establishment: est?.name ?? '',
    title,
    from: q.from,
    to: q.to,
    subjects: [...bySubject.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    visas: visas.map((v) => ({
      signer: v.signer_name ?? '',
      role: v.role,
      through: v.through,
      at: new Date(v.signed_at).toISOString(),
      comment: v.comment,
    })),
  });
  const slug = title
    .normalize('NFD')
    .replace(/[^\w]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return { doc, filename: `cahier-de-textes-${slug}-${q.from}-${q.to}.pdf` };
}
