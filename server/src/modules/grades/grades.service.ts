/**
 * Use cases of grades. Each starts with `authorize()` (ADR 0009), then the object checks of grades.access.ts.
 * The arithmetic is in grades.compute.ts. "Now" is read from the clock once per use case (`new Date()`), so tests
 * move it with a fake clock.
 */
import type {
  AssessmentView,
  BookQuery,
  ClassReport,
  CommentBody,
  CreateAssessmentBody,
  GradeBook,
  GradeCode,
  GradeInput,
  GradeItem,
  GradesHome,
  GradesOptions,
  GradesQuery,
  GradesResponse,
  GradesSettings,
  GradesSettingsBody,
  Period,
  PeriodKey,
  PublishReportBody,
  SubjectAverage,
  UpdateAssessmentBody,
} from '@preau/contracts';
import { type Authorized, type AuthorizedDb, authorize, trustedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { audit } from '../../platform/audit.ts';
import { cached, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import type { HomeWidgetContext } from '../../platform/module.ts';
import { recordUsage } from '../../platform/usage.ts';
import { notify, withdraw } from '../timeline/index.ts';
import {
  beforeDelayFor,
  canEdit,
  checkEntry,
  checkReadAssessment,
  checkReport,
  reportRights,
  seesAllStudents,
  studentFor,
  studentsOf,
  subjectsTaught,
  targetIn,
  targetOf,
} from './grades.access.ts';
import {
  type AssessmentFacts,
  overallOf,
  type PeriodKind,
  periodOf,
  periodsOf,
  round2,
  roundedStats,
  stats,
  subjectAverages,
} from './grades.compute.ts';
import { type ReportPage, reportPdf } from './grades.pdf.ts';
import {
  type AssessmentRow,
  type GradeRow,
  grades,
  type SettingRow,
  type StudentAssessmentRow,
} from './grades.repository.ts';

const SERVICE = 'grades' as const;
const HOUR = 3_600_000;

const r2 = (x: number | null) => (x === null ? null : round2(x));

// ---- the establishment's year, periods and settings ----

interface YearContext {
  year: { id: string; starts_on: string; ends_on: string; label: string };
  setting: SettingRow;
  periods: Period[];
}

async function yearOf(db: AuthorizedDb, establishmentId: string): Promise<YearContext> {
  const found = await grades.yearAndSetting(db, establishmentId);
  if (!found) throw notFound();
  const { year, setting } = found;
  return { year, setting, periods: periodsOf(setting.period_kind, year.starts_on, year.ends_on) };
}

function periodIn(y: YearContext, key: PeriodKey | undefined): Period | null {
  if (!key) return null;
  const p = y.periods.find((x) => x.key === key);
  // A trimester asked of a semester establishment: nothing to show rather than a wrong period.
  if (!p) throw notFound();
  return p;
}

const facts = (a: Pick<AssessmentRow, 'id' | 'subject_code' | 'coefficient' | 'scale'>): AssessmentFacts => ({
  id: a.id,
  subjectCode: a.subject_code,
  coefficient: a.coefficient,
  scale: a.scale,
});

// ---- the class's figures, kept when grades are written ----

type StatKey = { targetId: string; subjectCode: string };

const keyOf = (a: { class_id: string | null; group_id: string | null; subject_code: string }): StatKey => ({
  targetId: (a.class_id ?? a.group_id)!,
  subjectCode: a.subject_code,
});

/** The ranges of dates a student's page asks for: each period of the year, and the whole year. */
const rangesOf = (y: YearContext) => [
  ...y.periods.map((p) => ({ from: p.from, to: p.to })),
  { from: y.year.starts_on, to: y.year.ends_on },
];

/**
 * Recomputes the class's figures a change touched, in the change's transaction (which took `grades.lockStats`
 * before anything else): those kept on these assessments' rows (`'all'`: every assessment of the year), and the
 * subject figures of these classes or groups × subjects (null: all of the year) for each period and the whole
 * year, with the establishment's settings as read under the lock.
 */
async function refreshStats(
  trx: AuthorizedDb,
  establishmentId: string,
  schoolYearId: string,
  keys: StatKey[] | null,
  assessmentIds: string[] | 'all',
) {
  await grades.refreshAssessmentStats(trx, assessmentIds === 'all' ? { schoolYearId } : { ids: assessmentIds });
  const found = await grades.yearAndSetting(trx, establishmentId);
  // No current year: no page reads the figures, the keys' rows are only removed.
  const ranges = found
    ? rangesOf({
        ...found,
        periods: periodsOf(found.setting.period_kind, found.year.starts_on, found.year.ends_on),
      })
    : [];
  await grades.refreshClassStats(trx, {
    schoolYearId,
    keys,
    ranges,
    notHandedInZero: found?.setting.not_handed_in_zero ?? false,
  });
}

/**
 * Recomputes every class figure of an establishment's current year, in the caller's transaction: after a bulk
 * write of grades (the demo seed, the bench's grades writer).
 */
export async function rebuildStats(trx: AuthorizedDb, establishmentId: string): Promise<void> {
  const year = await grades.currentYear(trx, establishmentId);
  if (!year) return;
  await grades.lockStats(trx, [year.id]);
  await refreshStats(trx, establishmentId, year.id, null, 'all');
}

/** Mean, min and max of each assessment's values (on its own scale). */
function assessmentStats(rows: GradeRow[]) {
  const values = new Map<string, number[]>();
  for (const g of rows) {
    if (g.value === null) continue;
    const list = values.get(g.assessmentId) ?? [];
    list.push(g.value);
    values.set(g.assessmentId, list);
  }
  return (id: string) => roundedStats(values.get(id) ?? []);
}

// ---- a student's grades (the contract's GET /api/grades) ----

/**
 * A student's page as families or as the staff see it, from memory (topic `gr`, migration 0453): everything but the
 * student's name (kept by `relations.displayNames`). Keyed by student, year, dates and audience; tagged with the
 * student, the classes and groups of the assessments it shows or holds back, the student's classes (their reports)
 * and the establishment (its year and settings). A grade written announces its student and its assessment's class
 * or group; an assessment changed (published, edited, deleted, its class's figures) its class or group; a report
 * its class. An entry also stops at the next publication time of one of its assessments (`changesAt`): no grade is
 * ever served from memory before its time, and the staff's « visible » flags flip then.
 */
type StudentPage = Omit<GradesResponse, 'student'>;
interface PageEntry {
  page: StudentPage;
  /** The next publication time (ms) of one of the student's assessments of these dates. */
  changesAt: number | null;
  tags: string[];
}
const PAGES = defineCache<PageEntry>({
  name: 'grades-student-pages',
  topic: 'gr',
  max: 20_000,
  ttlMs: 600_000,
  expiresAt: (e) => e.changesAt,
});

/** The home page's five latest grades of a student or of a guardian's children (see gradesHome). */
const LATEST = defineCache<{
  rows: Awaited<ReturnType<typeof grades.latestVisibleAndNext>>['rows'];
  changesAt: number | null;
}>({
  name: 'grades-home-latest',
  topic: 'gr',
  max: 50_000,
  ttlMs: 600_000,
  expiresAt: (e) => e.changesAt,
});

/** The establishment's current year and settings, from memory (its school years and settings announce `gr:<id>`). */
const YEARS = defineCache<YearContext | null>({ name: 'grades-years', topic: 'gr', max: 5_000, ttlMs: 600_000 });

async function cachedYearOf(db: AuthorizedDb, establishmentId: string): Promise<YearContext> {
  const y = await cached(db, YEARS, establishmentId, async () => {
    const found = await grades.yearAndSetting(db, establishmentId);
    if (!found) return null;
    const { year, setting } = found;
    return { year, setting, periods: periodsOf(setting.period_kind, year.starts_on, year.ends_on) };
  });
  if (!y) throw notFound();
  return y;
}

export async function studentGrades(ctx: RequestContext, q: GradesQuery): Promise<GradesResponse> {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'grades.read', service: SERVICE });
  const [studentId, y] = await Promise.all([studentFor(auth, q.student), cachedYearOf(auth.db, auth.establishmentId)]);
  const period = periodIn(y, q.period);
  const beforeDelay = beforeDelayFor(auth, studentId);
  const from = period?.from ?? y.year.starts_on;
  const to = period?.to ?? y.year.ends_on;
  const key = `${studentId}|${y.year.id}|${from}|${to}|${beforeDelay ? 'staff' : 'families'}`;
  const [entry, user] = await Promise.all([
    cached(
      auth.db,
      PAGES,
      key,
      () => loadStudentPage(auth.db, y, studentId, period, beforeDelay),
      (e) => [studentId, auth.establishmentId, ...e.tags],
    ),
    relations.displayNames(auth.db, [studentId]),
  ]);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'grades.view');
  return { student: { id: studentId, displayName: user.get(studentId) ?? '' }, ...entry.page };
}

async function loadStudentPage(
  db: AuthorizedDb,
  y: YearContext,
  studentId: string,
  period: Period | null,
  beforeDelay: boolean,
): Promise<PageEntry> {
  const now = new Date();
  const from = period?.from ?? y.year.starts_on;
  const to = period?.to ?? y.year.ends_on;
  // The class's figures are kept when grades are written (refreshStats): per assessment on its row, per subject in
  // grades_class_stat for the page's dates and audience — read with the assessments; a subject's row stands only
  // when it covers exactly the assessments shown (one class or group; for families, only assessments they were
  // told about, as the delay job or the teacher's « publish » does). Every assessment of the dates is read, those
  // families may not see yet are held back here: the next publication time says when the page changes.
  const [all, classes] = await Promise.all([
    grades.assessmentsOfStudent(db, { studentId, schoolYearId: y.year.id, from, to, published: !beforeDelay }),
    grades.classesAndReportsOfStudent(db, y.year.id, studentId),
  ]);
  let changesAt: number | null = null;
  for (const a of all) {
    const t = a.visible_at.getTime();
    if (t > now.getTime() && (changesAt === null || t < changesAt)) changesAt = t;
  }
  const assessments = beforeDelay ? all : all.filter((a) => a.visible_at <= now);
  const published = classes.filter((r) => r.period !== null && r.published_at !== null);
  const tags = [
    ...new Set([
      ...all.map((a) => (a.class_id ?? a.group_id)!),
      ...classes.map((r) => r.class_id).filter((x): x is string => !!x),
    ]),
  ];
  const bySubjectShown = new Map<string, StudentAssessmentRow[]>();
  for (const a of assessments) {
    const list = bySubjectShown.get(a.subject_code);
    if (list) list.push(a);
    else bySubjectShown.set(a.subject_code, [a]);
  }
  const classOf = new Map<string, { average: number | null; min: number | null; max: number | null }>();
  for (const [code, list] of bySubjectShown) {
    const kept = list[0]!.subjectStats;
    const target = list[0]!.class_id ?? list[0]!.group_id;
    if (
      kept?.assessments === list.length &&
      list.every((a) => (a.class_id ?? a.group_id) === target && (beforeDelay || a.told))
    )
      classOf.set(code, kept);
  }
  // Otherwise (several classes or groups in a subject, an assessment past its delay not yet announced, a grade
  // missing…), that subject's figures are aggregated from the grades of the assessments shown, as they always were.
  const rest = assessments.filter((a) => !classOf.has(a.subject_code)).map((a) => a.id);
  if (rest.length) {
    const { bySubject } = await grades.classStats(db, rest, studentId, y.setting.not_handed_in_zero);
    for (const x of bySubject) classOf.set(x.subject_code, { average: x.class_average, min: x.min, max: x.max });
  }
  const items: GradeItem[] = assessments.map((a) => {
    const g = a.grade;
    const s = a.stats;
    return {
      assessmentId: a.id,
      title: a.title,
      subject: a.subject_label,
      subjectCode: a.subject_code,
      date: a.on_date,
      ...(g.value !== null ? { value: g.value } : {}),
      ...(g.code ? { code: g.code } : {}),
      scale: a.scale,
      coefficient: a.coefficient,
      classAverage: s ? round2(s.mean) : null,
      min: s ? round2(s.min) : null,
      max: s ? round2(s.max) : null,
      ...(a.competencies.length
        ? { competencies: a.competencies.map((label, i) => ({ label, level: g.levels?.[i] ?? null })) }
        : {}),
      period: periodOf(y.periods, a.on_date).key,
      visibleAt: a.visible_at.toISOString(),
      visible: a.visible_at <= now,
    };
  });
  // The student's own averages from their grades (the arithmetic of grades.compute.ts); every subject shown has one
  // of the student's grades, maybe only codes.
  const myAverages = subjectAverages(
    assessments.map(facts),
    assessments.map((a) => a.grade),
    y.setting.not_handed_in_zero,
  ).get(studentId);
  const averages: SubjectAverage[] = [...bySubjectShown]
    .map(([code, list]) => {
      const c = classOf.get(code);
      return {
        subject: list[0]!.subject_label,
        subjectCode: code,
        average: r2(myAverages?.get(code) ?? null),
        classAverage: r2(c?.average ?? null),
        min: r2(c?.min ?? null),
        max: r2(c?.max ?? null),
      };
    })
    .sort((p, q) => p.subject.localeCompare(q.subject, 'fr'));
  // The overall average from the unrounded subject averages (rounding only at the end).
  const overall = r2(overallOf([...bySubjectShown.keys()].map((code) => myAverages?.get(code) ?? null)));
  const page: StudentPage = {
    period,
    items,
    averages,
    overall,
    reports: published.map((r) => ({
      period: r.period as PeriodKey,
      label: y.periods.find((p) => p.key === r.period)?.label ?? r.period!,
      publishedAt: new Date(r.published_at!).toISOString(),
    })),
  };
  return { page, changesAt, tags };
}

// ---- options and settings ----

export async function options(ctx: RequestContext, establishmentId: string): Promise<GradesOptions> {
  const auth = await authorize(ctx, { establishmentId, permission: 'grades.read', service: SERVICE });
  const y = await yearOf(auth.db, auth.establishmentId);
  const today = new Date().toISOString().slice(0, 10);
  const current = y.periods.find((p) => today >= p.from && today <= p.to)?.key ?? null;
  const isTeacher = auth.profiles.includes('teacher');
  const isGuardian = auth.profiles.includes('guardian');
  const [teaching, children] = await Promise.all([
    isTeacher ? relations.teachingOf(auth.db, auth.establishmentId, auth.user.id) : Promise.resolve([]),
    isGuardian
      ? relations
          .allChildrenOf(auth.db, auth.establishmentId, auth.user.id)
          .then((c) => relations.childrenWithGradesOf(auth.db, auth.user.id, c))
      : Promise.resolve(new Set<string>()),
  ]);
  const classIds = teaching.flatMap((t) => (t.class_id ? [t.class_id] : []));
  const groupIds = teaching.flatMap((t) => (t.group_id ? [t.group_id] : []));
  const direction = auth.profiles.includes('principal');
  const wholeSchool = seesAllStudents(auth);
  const [classNames, groupNames, subjectNames, childNames, allClasses, headed] = await Promise.all([
    grades.classNames(auth.db, classIds),
    grades.groupNames(auth.db, groupIds),
    grades.subjects(
      auth.db,
      teaching.map((t) => t.subject_code),
    ),
    grades.names(auth.db, children),
    wholeSchool ? grades.classesOf(auth.db, auth.establishmentId) : Promise.resolve([]),
    isTeacher ? headedClasses(auth) : Promise.resolve(new Set<string>()),
  ]);
  const byTarget = new Map<string, GradesOptions['teaching'][number]>();
  for (const t of teaching) {
    const kind = t.class_id ? 'class' : 'group';
    const id = (t.class_id ?? t.group_id)!;
    const entry = byTarget.get(id) ?? {
      kind,
      id,
      name: (kind === 'class' ? classNames.get(id) : groupNames.get(id)) ?? '',
      subjects: [],
    };
    byTarget.set(id, entry);
    if (!entry.subjects.some((s) => s.code === t.subject_code))
      entry.subjects.push({ code: t.subject_code, name: subjectNames.get(t.subject_code) ?? t.subject_code });
  }
  const headedNames = await grades.classNames(auth.db, headed);
  const reportClasses = wholeSchool
    ? allClasses.map((c) => ({ id: c.id, name: c.label }))
    : [
        ...new Map(
          [
            ...[...headed].map((id) => [id, headedNames.get(id) ?? ''] as const),
            ...classIds.map((id) => [id, classNames.get(id) ?? ''] as const),
          ].map(([id, name]) => [id, { id, name }]),
        ).values(),
      ].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  return {
    periods: y.periods,
    currentPeriod: current,
    children: [...children]
      .map((id) => ({ id, displayName: childNames.get(id)?.displayName ?? '' }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr')),
    teaching: [...byTarget.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    reportClasses,
    settings: { periodKind: y.setting.period_kind, publicationDelayHours: y.setting.publication_delay_hours },
    can: { enter: isTeacher, manage: direction, seeStudents: seesAllStudents(auth) },
  };
}

async function headedClasses(auth: Authorized): Promise<Set<string>> {
  const classes = await grades.classesOf(auth.db, auth.establishmentId);
  return relations.classesHeadedBy(
    auth.db,
    auth.user.id,
    classes.map((c) => c.id),
  );
}

const presentSettings = (y: YearContext): GradesSettings => ({
  periodKind: y.setting.period_kind,
  publicationDelayHours: y.setting.publication_delay_hours,
  notHandedInCountsZero: y.setting.not_handed_in_zero,
  periods: y.periods,
});

export async function getSettings(ctx: RequestContext, establishmentId: string): Promise<GradesSettings> {
  const auth = await authorize(ctx, { establishmentId, permission: 'grades.read', service: SERVICE });
  return presentSettings(await yearOf(auth.db, auth.establishmentId));
}

export async function updateSettings(ctx: RequestContext, body: GradesSettingsBody): Promise<GradesSettings> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'grades.manage',
    service: SERVICE,
  });
  const before = await grades.setting(auth.db, auth.establishmentId);
  const next: SettingRow = {
    period_kind: (body.periodKind ?? before.period_kind) as PeriodKind,
    publication_delay_hours: body.publicationDelayHours ?? before.publication_delay_hours,
    not_handed_in_zero: body.notHandedInCountsZero ?? before.not_handed_in_zero,
  };
  const year = await grades.currentYear(auth.db, auth.establishmentId);
  await auth.transaction(async (trx) => {
    if (year) await grades.lockStats(trx, [year.id]);
    await grades.saveSetting(trx, auth.establishmentId, next, auth.user.id);
    // The periods and « non rendu » change the subject figures.
    if (year) await refreshStats(trx, auth.establishmentId, year.id, null, []);
    await audit(trx, ctx, {
      action: 'grades.settings.update',
      establishmentId: auth.establishmentId,
      targetType: 'establishment',
      targetId: auth.establishmentId,
      details: { before, after: next },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'settings.update');
  return presentSettings(await yearOf(auth.db, auth.establishmentId));
}

// ---- entering grades ----

interface CleanGrade {
  studentId: string;
  value: number | null;
  code: GradeCode | null;
  levels: (number | null)[] | null;
}

/**
 * Checks the grades of an assessment before anything is written: one student once, a value or a code (not both),
 * never above the scale, competency levels no more than the competencies, and only students of the class or
 * group. `allowEmpty`: an update removes a student's grade that has neither.
 */
function checkGrades(
  input: GradeInput[],
  scale: number,
  competencies: number,
  students: Set<string>,
  allowEmpty: boolean,
): { set: CleanGrade[]; remove: string[] } {
  const seen = new Set<string>();
  const set: CleanGrade[] = [];
  const remove: string[] = [];
  input.forEach((g, i) => {
    const path = `grades.${i}`;
    if (seen.has(g.studentId))
      throw new AppError(400, 'GRADE_DUPLICATE_STUDENT', {
        errors: [{ path: `${path}.studentId`, message: 'en double' }],
      });
    seen.add(g.studentId);
    if (!students.has(g.studentId))
      throw new AppError(400, 'GRADE_STUDENT_NOT_IN_CLASS', {
        errors: [{ path: `${path}.studentId`, message: 'élève hors de la classe ou du groupe' }],
      });
    if (g.value !== undefined && g.code !== undefined)
      throw new AppError(400, 'GRADE_VALUE_AND_CODE', { errors: [{ path, message: 'une note ou un code' }] });
    if (g.value !== undefined && g.value > scale)
      throw new AppError(400, 'GRADE_ABOVE_SCALE', {
        vars: { value: frNumber(g.value), scale: frNumber(scale) },
        errors: [{ path: `${path}.value`, message: `au-dessus du barème (${frNumber(scale)})` }],
      });
    const levels = g.competencies?.some((l) => l !== null) ? g.competencies : null;
    if (g.competencies && g.competencies.length > competencies)
      throw new AppError(400, 'GRADE_COMPETENCIES', {
        errors: [{ path: `${path}.competencies`, message: 'trop de niveaux' }],
      });
    if (g.value === undefined && g.code === undefined && !levels) {
      if (!allowEmpty) throw new AppError(400, 'GRADE_EMPTY', { errors: [{ path, message: 'ni note ni code' }] });
      remove.push(g.studentId);
      return;
    }
    set.push({ studentId: g.studentId, value: g.value ?? null, code: g.code ?? null, levels: levels ?? null });
  });
  return { set, remove };
}

const frNumber = (x: number) => String(x).replace('.', ',');

function checkDate(y: YearContext, date: string) {
  if (date < y.year.starts_on || date > y.year.ends_on)
    throw new AppError(400, 'GRADE_DATE', { vars: { from: y.year.starts_on, to: y.year.ends_on } });
}

export async function createAssessment(ctx: RequestContext, body: CreateAssessmentBody): Promise<{ id: string }> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'grades.write',
    service: SERVICE,
  });
  const target = await targetIn(auth, body.classId, body.groupId);
  await checkEntry(auth, target, body.subjectId);
  const y = await yearOf(auth.db, auth.establishmentId);
  checkDate(y, body.date);
  const competencies = body.competencies ?? [];
  const students = await studentsOf(auth, target);
  const { set } = checkGrades(body.grades, body.scale, competencies.length, students, false);
  const now = new Date();
  const visibleAt = new Date(now.getTime() + y.setting.publication_delay_hours * HOUR);
  const id = await auth.transaction(async (trx) => {
    await grades.lockStats(trx, [y.year.id]);
    const id = await grades.insertAssessment(trx, {
      establishment_id: auth.establishmentId,
      school_year_id: y.year.id,
      class_id: target.kind === 'class' ? target.id : null,
      group_id: target.kind === 'group' ? target.id : null,
      subject_code: body.subjectId,
      teacher_id: auth.user.id,
      title: body.title,
      on_date: body.date,
      coefficient: body.coefficient,
      scale: body.scale,
      competencies,
      visible_at: visibleAt,
      notified_at: null,
    });
    await grades.upsertGrades(trx, auth.establishmentId, id, set);
    await audit(trx, ctx, {
      action: 'grades.assessment.create',
      establishmentId: auth.establishmentId,
      targetType: 'grades_assessment',
      targetId: id,
      details: {
        target,
        subject: body.subjectId,
        title: body.title,
        date: body.date,
        coefficient: body.coefficient,
        scale: body.scale,
        grades: set.length,
        visibleAt: visibleAt.toISOString(),
      },
    });
    // No delay: students and guardians are told at once, in this transaction.
    if (visibleAt <= now) await announce(trx, [id], now);
    await refreshStats(
      trx,
      auth.establishmentId,
      y.year.id,
      [{ targetId: target.id, subjectCode: body.subjectId }],
      [id],
    );
    return id;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'assessment.create');
  return { id };
}

async function assessmentFor(ctx: RequestContext, id: string, permission: string) {
  const est = await grades.establishmentOfAssessment(
    trustedDb(ctx.db, 'finding the establishment to authorize in'),
    id,
  );
  if (!est) throw notFound();
  const auth = await authorize(ctx, { establishmentId: est.establishment_id, permission, service: SERVICE });
  const a = await grades.assessmentById(auth.db, id);
  if (!a) throw notFound();
  return { auth, a };
}

export async function getAssessment(ctx: RequestContext, id: string): Promise<AssessmentView> {
  const { auth, a } = await assessmentFor(ctx, id, 'grades.read');
  await checkReadAssessment(auth, a);
  return view(auth, a);
}

async function view(auth: Authorized, a: AssessmentRow): Promise<AssessmentView> {
  const y = await yearOf(auth.db, auth.establishmentId);
  const [rows, current, editable] = await Promise.all([
    grades.gradesOf(auth.db, [a.id]),
    studentsOf(auth, targetOf(a)),
    canEdit(auth, a),
  ]);
  const byStudent = new Map(rows.map((g) => [g.studentId, g]));
  const names = await grades.names(auth.db, [...current, ...byStudent.keys()]);
  const s = assessmentStats(rows)(a.id);
  const now = new Date();
  return {
    id: a.id,
    establishmentId: a.establishment_id,
    classId: a.class_id,
    groupId: a.group_id,
    target: a.target_name,
    subject: { code: a.subject_code, name: a.subject_label },
    teacher: { id: a.teacher_id ?? a.id, displayName: a.teacher_name ?? '' },
    title: a.title,
    date: a.on_date,
    coefficient: a.coefficient,
    scale: a.scale,
    competencies: a.competencies,
    period: periodOf(y.periods, a.on_date).key,
    visibleAt: a.visible_at.toISOString(),
    visible: a.visible_at <= now,
    classAverage: s.mean,
    min: s.min,
    max: s.max,
    students: [...new Set([...current, ...byStudent.keys()])]
      .map((sid) => {
        const g = byStudent.get(sid);
        const n = names.get(sid);
        return {
          id: sid,
          displayName: n?.displayName ?? '',
          sort: `${n?.last ?? ''} ${n?.first ?? ''}`,
          ...(g?.value !== null && g?.value !== undefined ? { value: g.value } : {}),
          ...(g?.code ? { code: g.code } : {}),
          ...(g?.levels ? { competencies: g.levels } : {}),
        };
      })
      .sort((x, y2) => x.sort.localeCompare(y2.sort, 'fr'))
      .map(({ sort: _, ...rest }) => rest),
    can: { edit: editable },
  };
}

export async function updateAssessment(
  ctx: RequestContext,
  id: string,
  body: UpdateAssessmentBody,
): Promise<AssessmentView> {
  const { auth, a } = await assessmentFor(ctx, id, 'grades.write');
  if (!(await canEdit(auth, a))) throw forbidden();
  const y = await yearOf(auth.db, auth.establishmentId);
  if (body.date) checkDate(y, body.date);
  const scale = body.scale ?? a.scale;
  const competencies = body.competencies ?? a.competencies;
  const students = await studentsOf(auth, targetOf(a));
  const existing = await grades.gradesOf(auth.db, [a.id]);
  // Students who left the class keep their grades; they may be corrected, not added.
  for (const g of existing) students.add(g.studentId);
  const { set, remove } = checkGrades(body.grades ?? [], scale, competencies.length, students, true);
  // A smaller scale must still hold the grades kept.
  const changed = new Set([...set.map((g) => g.studentId), ...remove]);
  for (const g of existing)
    if (!changed.has(g.studentId) && g.value !== null && g.value > scale)
      throw new AppError(400, 'GRADE_ABOVE_SCALE', { vars: { value: frNumber(g.value), scale: frNumber(scale) } });
  await auth.transaction(async (trx) => {
    await grades.lockStats(trx, [a.school_year_id]);
    await grades.updateAssessment(trx, id, {
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(body.date !== undefined ? { on_date: body.date } : {}),
      ...(body.coefficient !== undefined ? { coefficient: body.coefficient } : {}),
      ...(body.scale !== undefined ? { scale: body.scale } : {}),
      ...(body.competencies !== undefined ? { competencies: body.competencies } : {}),
    });
    await grades.upsertGrades(trx, auth.establishmentId, id, set);
    await grades.deleteGrades(trx, id, remove);
    // Grades, scale, coefficient or date: the assessment's figures and its subject's, of the period it leaves too.
    await refreshStats(trx, auth.establishmentId, a.school_year_id, [keyOf(a)], [id]);
    await audit(trx, ctx, {
      action: 'grades.assessment.update',
      establishmentId: auth.establishmentId,
      targetType: 'grades_assessment',
      targetId: id,
      details: {
        changes: Object.keys(body).filter((k) => k !== 'grades'),
        gradesSet: set.length,
        gradesRemoved: remove.length,
      },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'assessment.update');
  return view(auth, (await grades.assessmentById(auth.db, id))!);
}

export async function publishAssessment(ctx: RequestContext, id: string): Promise<AssessmentView> {
  const { auth, a } = await assessmentFor(ctx, id, 'grades.write');
  if (!(await canEdit(auth, a))) throw forbidden();
  const now = new Date();
  if (a.visible_at > now) {
    await auth.transaction(async (trx) => {
      await grades.lockStats(trx, [a.school_year_id]);
      await grades.publishNow(trx, id, now);
      if (!a.notified_at) await announce(trx, [id], now);
      // Families' figures now count it.
      await refreshStats(trx, auth.establishmentId, a.school_year_id, [keyOf(a)], []);
      await audit(trx, ctx, {
        action: 'grades.assessment.publish',
        establishmentId: auth.establishmentId,
        targetType: 'grades_assessment',
        targetId: id,
        details: { plannedFor: a.visible_at.toISOString() },
      });
    });
    recordUsage(ctx, auth.establishmentId, SERVICE, 'assessment.publish');
  }
  return view(auth, (await grades.assessmentById(auth.db, id))!);
}

export async function deleteAssessment(ctx: RequestContext, id: string): Promise<void> {
  const { auth, a } = await assessmentFor(ctx, id, 'grades.write');
  if (!(await canEdit(auth, a))) throw forbidden();
  await auth.transaction(async (trx) => {
    await grades.lockStats(trx, [a.school_year_id]);
    await withdraw(trx, { type: 'grades_assessment', id });
    await grades.deleteAssessment(trx, id);
    await refreshStats(trx, auth.establishmentId, a.school_year_id, [keyOf(a)], []);
    await audit(trx, ctx, {
      action: 'grades.assessment.delete',
      establishmentId: auth.establishmentId,
      targetType: 'grades_assessment',
      targetId: id,
      details: { title: a.title, subject: a.subject_code, date: a.on_date, target: targetOf(a) },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'assessment.delete');
}

// ---- telling students and guardians ----

/**
 * Posts « Nouvelles notes » for these assessments (past their delay) to their graded students and those students'
 * guardians who see grades, and marks them told. Runs in the caller's transaction.
 */
async function announce(trx: AuthorizedDb, ids: string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await grades.studentsGraded(trx, ids);
  const guardians = await relations.gradeGuardiansOf(
    trx,
    rows.map((r) => r.student_id),
  );
  let told = 0;
  for (const id of ids) {
    const a = await grades.assessmentById(trx, id);
    if (!a) continue;
    const students = rows.filter((r) => r.assessment_id === id).map((r) => r.student_id);
    const recipients = new Set(students);
    for (const s of students) for (const g of guardians.get(s) ?? []) recipients.add(g);
    const sent = await notify(trx, {
      establishmentId: a.establishment_id,
      kind: 'grades.assessment.published',
      recipients,
      actorId: a.teacher_id,
      text: {
        fr: `Nouvelles notes en ${a.subject_label} : « ${a.title} » (${a.target_name}).`,
        en: `New grades in ${a.subject_label}: "${a.title}" (${a.target_name}).`,
      },
      // The mail does not carry the grade nor the title: only that there is something to see.
      mailText: { fr: `De nouvelles notes en ${a.subject_label} sont visibles dans Préau.` },
      link: '/grades',
      source: { type: 'grades_assessment', id },
    });
    told += sent?.recipients ?? 0;
  }
  await grades.markNotified(trx, ids, now);
  return told;
}

/** The job's work: tell students and guardians about every assessment whose delay has just passed. */
export async function announceDue(db: Db, now = new Date()): Promise<number> {
  return db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'the publication job (grades past their delay)');
    // The years' locks before the assessments' rows, as every writer takes them.
    const years = await grades.dueYears(trx, now);
    await grades.lockStats(trx, years);
    const due = await grades.dueForNotice(trx, years, now);
    const told = await announce(
      trx,
      due.map((d) => d.id),
      now,
    );
    // Families' figures now count them.
    const scopes = new Map<string, { establishmentId: string; schoolYearId: string; keys: StatKey[] }>();
    for (const d of due) {
      const scope = scopes.get(d.school_year_id) ?? {
        establishmentId: d.establishment_id,
        schoolYearId: d.school_year_id,
        keys: [],
      };
      scope.keys.push(keyOf(d));
      scopes.set(d.school_year_id, scope);
    }
    for (const scope of scopes.values())
      await refreshStats(trx, scope.establishmentId, scope.schoolYearId, scope.keys, []);
    return told;
  });
}

// ---- the grade book ----

export async function gradeBook(ctx: RequestContext, q: BookQuery): Promise<GradeBook> {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'grades.write', service: SERVICE });
  const target = await targetIn(auth, q.class, q.group);
  const subjects = await subjectsTaught(auth, target);
  if (subjects.size === 0) throw forbidden();
  if (q.subject && !subjects.has(q.subject)) throw new AppError(403, 'GRADE_SUBJECT_NOT_TAUGHT');
  const y = await yearOf(auth.db, auth.establishmentId);
  const period = periodIn(y, q.period);
  const [assessments, students, name] = await Promise.all([
    grades.assessmentsOf(auth.db, {
      schoolYearId: y.year.id,
      ...(target.kind === 'class' ? { classId: target.id } : { groupId: target.id }),
      from: period?.from ?? y.year.starts_on,
      to: period?.to ?? y.year.ends_on,
      subjectCodes: q.subject ? [q.subject] : [...subjects],
    }),
    studentsOf(auth, target),
    grades.targetName(auth.db, target.kind, target.id),
  ]);
  const rows = await grades.gradesOf(
    auth.db,
    assessments.map((a) => a.id),
  );
  for (const g of rows) students.add(g.studentId);
  const names = await grades.names(auth.db, students);
  const per = subjectAverages(assessments.map(facts), rows, y.setting.not_handed_in_zero);
  const averageOf = (sid: string) => {
    const m = per.get(sid);
    return m ? overallOf(m.values()) : null;
  };
  const statsOf = assessmentStats(rows);
  const gradesBy = new Map<string, Record<string, number | NonNullable<GradeRow['code']>>>();
  for (const g of rows) {
    const rec = gradesBy.get(g.studentId) ?? {};
    const v = g.value ?? g.code;
    if (v !== null) rec[g.assessmentId] = v;
    gradesBy.set(g.studentId, rec);
  }
  const list = [...students]
    .map((sid) => ({ sid, n: names.get(sid) }))
    .sort((a, b) => `${a.n?.last} ${a.n?.first}`.localeCompare(`${b.n?.last} ${b.n?.first}`, 'fr'));
  const avgs = list.map(({ sid }) => averageOf(sid));
  const s = stats(avgs);
  const now = new Date();
  recordUsage(ctx, auth.establishmentId, SERVICE, 'book.view');
  return {
    target: { ...target, name },
    period,
    assessments: assessments.map((a) => ({
      id: a.id,
      title: a.title,
      subjectCode: a.subject_code,
      subject: a.subject_label,
      date: a.on_date,
      coefficient: a.coefficient,
      scale: a.scale,
      classAverage: statsOf(a.id).mean,
      visible: a.visible_at <= now,
      visibleAt: a.visible_at.toISOString(),
    })),
    students: list.map(({ sid, n }, i) => ({
      id: sid,
      displayName: n?.displayName ?? '',
      grades: gradesBy.get(sid) ?? {},
      average: r2(avgs[i] ?? null),
    })),
    classAverage: r2(s.mean),
    min: r2(s.min),
    max: r2(s.max),
  };
}

// ---- reports (bulletins) ----

interface ReportData {
  className: string;
  period: Period;
  yearLabel: string;
  publishedAt: Date | null;
  subjects: { code: string; name: string }[];
  students: {
    id: string;
    displayName: string;
    sort: string;
    overall: number | null;
    averages: SubjectAverage[];
    comments: { subjects: Record<string, string>; headTeacher: string | null; direction: string | null };
  }[];
}

/**
 * A class's report for a period: every assessment of the class and of the groups its students attend, each
 * student's subject averages (their grades), the class's statistics per subject over the class's students.
 */
async function reportData(auth: Authorized, classId: string, key: PeriodKey): Promise<ReportData> {
  const y = await yearOf(auth.db, auth.establishmentId);
  const period = periodIn(y, key)!;
  const [studentsMap, groupsMap, className, published] = await Promise.all([
    relations.studentsOfClasses(auth.db, [classId]),
    relations.groupsOfClasses(auth.db, [classId]),
    grades.targetName(auth.db, 'class', classId),
    grades.report(auth.db, y.year.id, classId, key),
  ]);
  const students = [...(studentsMap.get(classId) ?? [])];
  const lists = await Promise.all([
    grades.assessmentsOf(auth.db, { schoolYearId: y.year.id, classId, from: period.from, to: period.to }),
    ...[...(groupsMap.get(classId) ?? [])].map((groupId) =>
      grades.assessmentsOf(auth.db, { schoolYearId: y.year.id, groupId, from: period.from, to: period.to }),
    ),
  ]);
  const assessments = lists.flat();
  const [rows, names, comments] = await Promise.all([
    grades.gradesOfStudents(
      auth.db,
      assessments.map((a) => a.id),
      students,
    ),
    grades.names(auth.db, students),
    grades.comments(auth.db, y.year.id, key, students),
  ]);
  const per = subjectAverages(assessments.map(facts), rows, y.setting.not_handed_in_zero);
  const subjects = [...new Map(assessments.map((a) => [a.subject_code, a.subject_label])).entries()]
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  const classStats = new Map(
    subjects.map((s) => [s.code, stats(students.map((sid) => per.get(sid)?.get(s.code) ?? null))]),
  );
  return {
    className,
    period,
    yearLabel: y.year.label,
    publishedAt: published ? new Date(published.published_at) : null,
    subjects,
    students: students
      .map((sid) => {
        const m = per.get(sid) ?? new Map<string, number | null>();
        const n = names.get(sid);
        const mine = comments.filter((c) => c.student_id === sid);
        return {
          id: sid,
          displayName: n?.displayName ?? '',
          sort: `${n?.last ?? ''} ${n?.first ?? ''}`,
          overall: r2(overallOf(m.values())),
          averages: subjects
            .filter((s) => m.has(s.code))
            .map((s) => {
              const cs = classStats.get(s.code)!;
              return {
                subject: s.name,
                subjectCode: s.code,
                average: r2(m.get(s.code) ?? null),
                classAverage: r2(cs.mean),
                min: r2(cs.min),
                max: r2(cs.max),
              };
            }),
          comments: {
            subjects: Object.fromEntries(mine.filter((c) => c.kind === 'subject').map((c) => [c.subject_code, c.text])),
            headTeacher: mine.find((c) => c.kind === 'head_teacher')?.text ?? null,
            direction: mine.find((c) => c.kind === 'direction')?.text ?? null,
          },
        };
      })
      .sort((a, b) => a.sort.localeCompare(b.sort, 'fr')),
  };
}

async function classIn(auth: Authorized, classId: string) {
  if (!(await relations.classesIn(auth.db, auth.establishmentId, [classId])).has(classId)) throw notFound();
}

export async function classReport(
  ctx: RequestContext,
  q: { establishment: string; class: string; period: PeriodKey },
): Promise<ClassReport> {
  const auth = await authorize(ctx, {
    establishmentId: q.establishment,
    permission: 'grades.report',
    service: SERVICE,
  });
  await classIn(auth, q.class);
  const rights = await checkReport(auth, q.class);
  const d = await reportData(auth, q.class, q.period);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'report.view');
  return {
    class: { id: q.class, name: d.className },
    period: d.period,
    publishedAt: d.publishedAt?.toISOString() ?? null,
    subjects: d.subjects,
    students: d.students.map(({ sort: _, ...s }) => s),
    can: {
      commentSubjects: [...rights.subjects],
      headTeacher: rights.headTeacher,
      direction: rights.direction,
      publish: rights.publish,
    },
  };
}

/** The student's class in the establishment (current year), else 404. */
async function classOfStudent(auth: Authorized, studentId: string): Promise<string> {
  const enrolment = await relations.enrolmentsOf(auth.db, [studentId]);
  const classes = [...(enrolment.get(studentId)?.classes ?? [])];
  const here = await relations.classesIn(auth.db, auth.establishmentId, classes);
  const id = classes.find((c) => here.has(c));
  if (!id) throw notFound();
  return id;
}

export async function saveComment(ctx: RequestContext, body: CommentBody): Promise<void> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'grades.report',
    service: SERVICE,
  });
  const inHere = await relations.membersOf(auth.db, auth.establishmentId, [body.studentId], ['student']);
  if (!inHere.has(body.studentId)) throw notFound();
  const classId = await classOfStudent(auth, body.studentId);
  const rights = await reportRights(auth, classId);
  if (body.kind === 'subject') {
    if (!body.subjectCode) throw new AppError(400, 'REPORT_SUBJECT_REQUIRED');
    if (!rights.subjects.has(body.subjectCode)) throw forbidden();
  } else if (body.kind === 'head_teacher' ? !rights.headTeacher : !rights.direction) throw forbidden();
  const y = await yearOf(auth.db, auth.establishmentId);
  periodIn(y, body.period);
  await auth.transaction(async (trx) => {
    await grades.saveComment(trx, {
      establishment_id: auth.establishmentId,
      school_year_id: y.year.id,
      period: body.period,
      student_id: body.studentId,
      kind: body.kind,
      subject_code: body.kind === 'subject' ? body.subjectCode! : '',
      author_id: auth.user.id,
      text: body.text,
    });
    await audit(trx, ctx, {
      action: 'grades.report.comment',
      establishmentId: auth.establishmentId,
      targetType: 'user',
      targetId: body.studentId,
      details: { period: body.period, kind: body.kind, subject: body.subjectCode ?? null, length: body.text.length },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'report.comment');
}

export async function publishReports(
  ctx: RequestContext,
  body: PublishReportBody,
): Promise<{ publishedAt: string; students: number }> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'grades.manage',
    service: SERVICE,
  });
  await classIn(auth, body.classId);
  const y = await yearOf(auth.db, auth.establishmentId);
  const period = periodIn(y, body.period)!;
  const students = [...((await relations.studentsOfClasses(auth.db, [body.classId])).get(body.classId) ?? [])];
  const guardians = await relations.gradeGuardiansOf(auth.db, students);
  const now = new Date();
  const className = await grades.targetName(auth.db, 'class', body.classId);
  await auth.transaction(async (trx) => {
    await grades.publishReport(
      trx,
      {
        establishment_id: auth.establishmentId,
        school_year_id: y.year.id,
        class_id: body.classId,
        period: body.period,
        published_by: auth.user.id,
      },
      now,
    );
    const recipients = new Set(students);
    for (const s of students) for (const g of guardians.get(s) ?? []) recipients.add(g);
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'grades.report.published',
      recipients,
      actorId: auth.user.id,
      text: {
        fr: `Le bulletin du ${period.label} (${className}) est disponible.`,
        en: `The ${period.key} report (${className}) is available.`,
      },
      link: `/grades?period=${body.period}`,
      source: { type: `grades_report.${body.period}`, id: body.classId },
    });
    await audit(trx, ctx, {
      action: 'grades.report.publish',
      establishmentId: auth.establishmentId,
      targetType: 'class',
      targetId: body.classId,
      details: { period: body.period, students: students.length },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'report.publish');
  return { publishedAt: now.toISOString(), students: students.length };
}

const pageOf = (d: ReportData, s: ReportData['students'][number], establishment: string): ReportPage => ({
  establishment,
  yearLabel: d.yearLabel,
  periodLabel: d.period.label,
  className: d.className,
  student: s.displayName,
  rows: s.averages.map((a) => ({ ...a, comment: s.comments.subjects[a.subjectCode] ?? null })),
  overall: s.overall,
  headTeacher: s.comments.headTeacher,
  direction: s.comments.direction,
});

export async function studentReportPdf(
  ctx: RequestContext,
  establishmentId: string,
  studentId: string,
  key: PeriodKey,
): Promise<{ pdf: Buffer; filename: string }> {
  const auth = await authorize(ctx, { establishmentId, permission: 'grades.read', service: SERVICE });
  await studentFor(auth, studentId);
  const classId = await classOfStudent(auth, studentId);
  const d = await reportData(auth, classId, key);
  if (!d.publishedAt && !beforeDelayFor(auth, studentId)) throw new AppError(403, 'REPORT_NOT_PUBLISHED');
  const s = d.students.find((x) => x.id === studentId);
  if (!s) throw notFound();
  const est = await grades.establishmentName(auth.db, auth.establishmentId);
  const pdf = await reportPdf([pageOf(d, s, est?.name ?? '')]);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'report.download');
  return { pdf, filename: `bulletin-${key}-${slug(s.displayName)}.pdf` };
}

export async function classReportPdf(
  ctx: RequestContext,
  establishmentId: string,
  classId: string,
  key: PeriodKey,
): Promise<{ pdf: Buffer; filename: string }> {
  const auth = await authorize(ctx, { establishmentId, permission: 'grades.report', service: SERVICE });
  await classIn(auth, classId);
  await checkReport(auth, classId);
  const d = await reportData(auth, classId, key);
  const est = await grades.establishmentName(auth.db, auth.establishmentId);
  const pdf = await reportPdf(d.students.map((s) => pageOf(d, s, est?.name ?? '')));
  recordUsage(ctx, auth.establishmentId, SERVICE, 'report.download_class');
  return { pdf, filename: `bulletins-${key}-${slug(d.className)}.pdf` };
}

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

// ---- the home widget ----

export async function gradesHome({ ctx, establishmentId, profiles }: HomeWidgetContext): Promise<GradesHome | null> {
  if (!profiles.includes('student') && !profiles.includes('guardian')) return null;
  const auth = await authorize(ctx, { establishmentId, permission: 'grades.read', service: SERVICE });
  const students = profiles.includes('student')
    ? [auth.user.id]
    : [
        ...(await relations.childrenWithGradesOf(
          auth.db,
          auth.user.id,
          await relations.allChildrenOf(auth.db, establishmentId, auth.user.id),
        )),
      ];
  students.sort();
  // From memory, like the student's page: tagged with the students, the establishment (its year) and the classes
  // and groups of the grades shown; a new grade announces its student; stops at the next publication time.
  const [entry, names] = await Promise.all([
    cached(
      auth.db,
      LATEST,
      `${establishmentId}|${students.join(',')}`,
      async () => {
        const { rows, next } = await grades.latestVisibleAndNext(auth.db, establishmentId, students, new Date(), 5);
        return { rows, changesAt: next?.getTime() ?? null };
      },
      (e) => [
        establishmentId,
        ...students,
        ...new Set(e.rows.flatMap((r) => [r.class_id, r.group_id].filter((x): x is string => !!x))),
      ],
    ),
    students.length > 1 ? relations.displayNames(auth.db, students) : Promise.resolve(new Map<string, string>()),
  ]);
  const rows = entry.rows;
  return {
    latest: rows.map((r) => ({
      assessmentId: r.id,
      student: students.length > 1 ? (names.get(r.student_id) ?? r.display_name) : null,
      subject: r.subject_label,
      title: r.title,
      date: r.on_date,
      ...(r.value !== null ? { value: r.value } : {}),
      ...(r.code ? { code: r.code } : {}),
      scale: r.scale,
    })),
  };
}
