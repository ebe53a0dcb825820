import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AddAssignmentBody,
  AddGuardianBody,
  Assignment,
  CreatePersonBody,
  EstablishmentProfile,
  Person,
  UpdatePersonBody,
} from '@preau/contracts';
import { requireEstablishmentPermission } from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../../platform/errors.ts';
import type { AuthUser, RequestContext } from '../../../platform/http/context.ts';
import { type MessageKey, t } from '../../../platform/i18n.ts';
import { allocateLogin, baseLogin, newActivationCode } from '../../../platform/logins.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { hashActivationCode } from '../../accounts/index.ts';
import { displayNameOf } from '../names.ts';
import { FUNCTION_PROFILES, people } from './people.repository.ts';

type Member = NonNullable<Awaited<ReturnType<typeof people.member>>>;

/** `MARTIN Hugo`: how names are shown everywhere. */

const fieldError = (ctx: RequestContext, status: number, code: MessageKey, path: string) =>
  new AppError(status, code, { errors: [{ path, message: t(ctx.lang, code) }] });

/** Only a platform admin may change a platform admin's account. */
function requireTouchable(actor: AuthUser, target: Member) {
  if (target.is_platform_admin && !actor.platformAdmin) throw forbidden();
}

async function requireMember(db: Db, establishmentId: string, userId: string, forUpdate = false) {
  const target = await people.member(db, establishmentId, userId, { forUpdate });
  if (!target) throw notFound();
  return target;
}

async function requireCurrentClass(db: Db, establishmentId: string, classId: string) {
  const c = await people.currentClass(db, establishmentId, classId);
  if (!c) throw notFound();
  return c;
}

async function presentPerson(db: Db, establishmentId: string, userId: string): Promise<Person> {
  const [u, classes] = await Promise.all([
    requireMember(db, establishmentId, userId),
    people.currentClassEnrolments(db, establishmentId, userId),
  ]);
  const c = classes[0];
  return {
    id: u.id,
    login: u.login,
    displayName: u.display_name,
    firstName: u.first_name,
    lastName: u.last_name,
    birthDate: u.birth_date,
    email: u.email,
    phoneMobile: u.phone_mobile,
    phoneHome: u.phone_home,
    phoneWork: u.phone_work,
    status: u.suspended_here && (u.status === 'active' || u.status === 'pending_activation') ? 'blocked' : u.status,
    profiles: u.profiles as EstablishmentProfile[],
    functions: u.functions,
    class: c ? { id: c.class_id, code: c.code, label: c.label } : null,
    fromFeed: u.external_id !== null,
    accountShared: u.elsewhere,
  };
}

export async function getPerson(ctx: RequestContext, establishmentId: string, userId: string): Promise<Person> {
  await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  return presentPerson(ctx.db, establishmentId, userId);
}

const isUniqueLoginViolation = (e: unknown) =>
  (e as { code?: string; constraint?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'app_user_login_ci';

/**
 * Create a person by hand (between imports): a free `prenom.nom` login, an account awaiting activation and
 * a one-time activation code returned once. Principal and local admin accounts are a platform admin's call.
 */
export async function createPerson(ctx: RequestContext, establishmentId: string, input: CreatePersonBody) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  if ((input.profile === 'principal' || input.profile === 'local_admin') && !actor.platformAdmin) throw forbidden();
  const code = newActivationCode(randomBytes);
  const expiresAt = new Date(Date.now() + ctx.config.activationCodeDays * 86_400_000);
  const base = baseLogin(input.firstName, input.lastName);
  // Two people created at once may want the same login: the unique index decides, we try again.
  for (let attempt = 0; ; attempt++) {
    try {
      const id = await ctx.db.transaction().execute(async (trx) => {
        const klass =
          'classId' in input && input.classId ? await requireCurrentClass(trx, establishmentId, input.classId) : null;
        const id = randomUUID();
        const login = allocateLogin(base, await people.loginsLike(trx, base));
        await people.insertUser(trx, {
          id,
          login,
          first_name: input.firstName,
          last_name: input.lastName,
          display_name: displayNameOf(input.firstName, input.lastName),
          birth_date: input.birthDate ?? null,
          email: input.email ?? null,
          phone_mobile: input.phoneMobile ?? null,
          phone_home: input.phoneHome ?? null,
          phone_work: input.phoneWork ?? null,
          status: 'pending_activation',
          activation_code_hash: hashActivationCode(id, code),
          activation_expires_at: expiresAt,
        });
        const functions = 'functions' in input ? (input.functions ?? []) : [];
        await people.insertMembership(trx, establishmentId, id, input.profile, functions);
        if (klass) {
          await people.insertEnrolment(trx, {
            establishmentId,
            schoolYearId: klass.school_year_id,
            studentId: id,
            classId: klass.id,
          });
        }
        await audit(trx, ctx, {
          action: 'directory.person.create',
          establishmentId,
          targetType: 'user',
          targetId: id,
          details: { profile: input.profile, login, classId: klass?.id ?? null, functions },
        });
        return id;
      });
      recordUsage(ctx, establishmentId, 'directory', 'person.create');
      return {
        person: await presentPerson(ctx.db, establishmentId, id),
        activationCode: { code, expiresAt: expiresAt.toISOString() },
      };
    } catch (e) {
      if (attempt < 3 && isUniqueLoginViolation(e)) continue;
      throw e;
    }
  }
}

const IDENTITY_FIELDS = {
  firstName: 'first_name',
  lastName: 'last_name',
  birthDate: 'birth_date',
  email: 'email',
  phoneMobile: 'phone_mobile',
  phoneHome: 'phone_home',
  phoneWork: 'phone_work',
} as const;

/**
 * Correct a person's identity, contact, class (students, current school year) or functions (staff).
 * Only what differs is written and audited, with the values before and after.
 */
export async function updatePerson(
  ctx: RequestContext,
  establishmentId: string,
  userId: string,
  input: UpdatePersonBody,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  await ctx.db.transaction().execute(async (trx) => {
    const target = await requireMember(trx, establishmentId, userId, true);
    requireTouchable(actor, target);
    if (target.status === 'detached') throw new AppError(409, 'PERSON_DETACHED');
    const changes: Record<string, { from: unknown; to: unknown }> = {};

    const set: Record<string, string | null> = {};
    for (const [field, column] of Object.entries(IDENTITY_FIELDS)) {
      const value = input[field as keyof typeof IDENTITY_FIELDS];
      if (value === undefined || value === target[column]) continue;
      set[column] = value;
      changes[field] = { from: target[column], to: value };
    }
    // Names, birth date, e-mail and phones are the account's, shared by every establishment of the person:
    // the person's or the platform administrator's to change once another establishment has them (issue 8).
    if (Object.keys(set).length > 0 && target.elsewhere && !actor.platformAdmin) {
      throw new AppError(403, 'PERSON_IN_OTHER_ESTABLISHMENT', {
        errors: Object.keys(changes).map((field) => ({
          path: `body.${field}`,
          message: t(ctx.lang, 'ACCOUNT_FIELD_SHARED'),
        })),
      });
    }
    if (set.first_name !== undefined || set.last_name !== undefined) {
      set.display_name = displayNameOf(input.firstName ?? target.first_name, input.lastName ?? target.last_name);
    }
    if (Object.keys(set).length > 0) await people.updateUser(trx, target.id, set);

    if (input.classId !== undefined) {
      if (!target.profiles.includes('student')) throw fieldError(ctx, 400, 'NOT_A_STUDENT', 'body.classId');
      const klass = input.classId ? await requireCurrentClass(trx, establishmentId, input.classId) : null;
      const current = await people.currentClassEnrolments(trx, establishmentId, target.id);
      const unchanged = klass ? current.length === 1 && current[0]!.class_id === klass.id : current.length === 0;
      if (!unchanged) {
        await people.deleteEnrolments(
          trx,
          current.map((e) => e.id),
        );
        if (klass) {
          await people.insertEnrolment(trx, {
            establishmentId,
            schoolYearId: klass.school_year_id,
            studentId: target.id,
            classId: klass.id,
          });
        }
        changes.classId = { from: current.map((e) => e.class_id), to: klass?.id ?? null };
      }
    }

    if (input.functions !== undefined) {
      if (!target.profiles.some((p) => (FUNCTION_PROFILES as readonly string[]).includes(p))) {
        throw fieldError(ctx, 400, 'FUNCTIONS_NOT_APPLICABLE', 'body.functions');
      }
      const next = [...new Set(input.functions)].sort();
      if (next.join('\u0000') !== target.functions.join('\u0000')) {
        await people.setFunctions(trx, establishmentId, target.id, next);
        changes.functions = { from: target.functions, to: next };
      }
    }

    if (Object.keys(changes).length === 0) return;
    await audit(trx, ctx, {
      action: 'directory.person.update',
      establishmentId,
      targetType: 'user',
      targetId: target.id,
      details: { changes },
    });
  });
  recordUsage(ctx, establishmentId, 'directory', 'person.update');
  return presentPerson(ctx.db, establishmentId, userId);
}

// ---------------------------------------------------------------------------------------------------------
// Guardian links

/**
 * Link a guardian to a student (or change the link's level). Being linked is what makes one a guardian:
 * a member without the guardian profile (a teacher who is also a parent) gets it.
 */
export async function addGuardian(
  ctx: RequestContext,
  establishmentId: string,
  studentId: string,
  input: AddGuardianBody,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const created = await ctx.db.transaction().execute(async (trx) => {
    const student = await requireMember(trx, establishmentId, studentId, true);
    const guardian = await requireMember(trx, establishmentId, input.guardianId, true);
    requireTouchable(actor, student);
    requireTouchable(actor, guardian);
    if (!student.profiles.includes('student')) throw fieldError(ctx, 400, 'NOT_A_STUDENT', 'params.userId');
    if (student.id === guardian.id) throw fieldError(ctx, 400, 'GUARDIAN_OF_SELF', 'body.guardianId');
    if (student.status === 'detached' || guardian.status === 'detached') throw new AppError(409, 'PERSON_DETACHED');
    const before = await people.guardianship(trx, establishmentId, guardian.id, student.id);
    const relation = input.relation ?? before?.relation ?? null;
    if (before && before.level === input.level && before.relation === relation) return false;
    const addedProfile = !!(await people.insertMembership(trx, establishmentId, guardian.id, 'guardian'));
    await people.upsertGuardianship(trx, {
      establishmentId,
      guardianId: guardian.id,
      studentId: student.id,
      level: input.level,
      relation,
    });
    await audit(trx, ctx, {
      action: before ? 'directory.guardian.update' : 'directory.guardian.link',
      establishmentId,
      targetType: 'user',
      targetId: student.id,
      details: {
        guardianId: guardian.id,
        level: input.level,
        relation,
        ...(before ? { from: { level: before.level, relation: before.relation } } : {}),
        ...(addedProfile ? { addedProfile: 'guardian' } : {}),
      },
    });
    return !before;
  });
  recordUsage(ctx, establishmentId, 'directory', 'person.guardian.add');
  return { created, links: await guardianLinks(ctx.db, establishmentId, studentId) };
}

export async function removeGuardian(
  ctx: RequestContext,
  establishmentId: string,
  studentId: string,
  guardianId: string,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  await ctx.db.transaction().execute(async (trx) => {
    const student = await requireMember(trx, establishmentId, studentId, true);
    requireTouchable(actor, student);
    const link = await people.guardianship(trx, establishmentId, guardianId, student.id);
    if (!link) throw notFound();
    await people.deleteGuardianship(trx, link.id);
    await audit(trx, ctx, {
      action: 'directory.guardian.unlink',
      establishmentId,
      targetType: 'user',
      targetId: student.id,
      details: { guardianId, level: link.level, relation: link.relation },
    });
  });
  recordUsage(ctx, establishmentId, 'directory', 'person.guardian.remove');
}

export async function guardianLinks(db: Db, establishmentId: string, studentId: string) {
  const rows = await people.guardiansOf(db, establishmentId, studentId);
  return {
    guardians: rows.map((g) => ({ id: g.id, displayName: g.display_name, level: g.level, relation: g.relation })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Teaching assignments and head teachers (current school year)

const presentAssignment = (r: Awaited<ReturnType<typeof people.assignments>>[number]): Assignment => ({
  id: r.id,
  class: r.class_id ? { id: r.class_id, code: r.class_code!, label: r.class_label! } : null,
  group: r.group_id ? { id: r.group_id, code: r.group_code!, label: r.group_label! } : null,
  subject: { code: r.subject_code, label: r.subject_label },
});

async function requireTeacher(ctx: RequestContext, db: Db, actor: AuthUser, establishmentId: string, userId: string) {
  const teacher = await requireMember(db, establishmentId, userId, true);
  requireTouchable(actor, teacher);
  if (!teacher.profiles.includes('teacher')) throw fieldError(ctx, 400, 'NOT_A_TEACHER', 'params.userId');
  if (teacher.status === 'detached') throw new AppError(409, 'PERSON_DETACHED');
  return teacher;
}

export async function listAssignments(ctx: RequestContext, establishmentId: string, teacherId: string) {
  await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  await requireMember(ctx.db, establishmentId, teacherId);
  return { items: (await people.assignments(ctx.db, establishmentId, teacherId)).map(presentAssignment) };
}

export async function addAssignment(
  ctx: RequestContext,
  establishmentId: string,
  teacherId: string,
  input: AddAssignmentBody,
): Promise<Assignment> {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const id = await ctx.db.transaction().execute(async (trx) => {
    const teacher = await requireTeacher(ctx, trx, actor, establishmentId, teacherId);
    const target =
      'classId' in input
        ? await requireCurrentClass(trx, establishmentId, input.classId)
        : await people.currentGroup(trx, establishmentId, input.groupId);
    if (!target) throw notFound();
    if (!(await people.subject(trx, input.subjectCode)))
      throw fieldError(ctx, 400, 'UNKNOWN_SUBJECT', 'body.subjectCode');
    const where = 'classId' in input ? { classId: target.id } : { groupId: target.id };
    if (await people.assignmentExists(trx, teacher.id, where, input.subjectCode)) {
      throw new AppError(409, 'ALREADY_ASSIGNED');
    }
    const row = await people.insertAssignment(trx, {
      establishmentId,
      schoolYearId: target.school_year_id,
      teacherId: teacher.id,
      classId: where.classId ?? null,
      groupId: where.groupId ?? null,
      subjectCode: input.subjectCode,
    });
    await audit(trx, ctx, {
      action: 'directory.assignment.add',
      establishmentId,
      targetType: 'user',
      targetId: teacher.id,
      details: { assignmentId: row.id, ...where, subjectCode: input.subjectCode },
    });
    return row.id;
  });
  const [row] = await people.assignments(ctx.db, establishmentId, teacherId, id);
  recordUsage(ctx, establishmentId, 'directory', 'person.assignment.add');
  return presentAssignment(row!);
}

export async function removeAssignment(
  ctx: RequestContext,
  establishmentId: string,
  teacherId: string,
  assignmentId: string,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  await ctx.db.transaction().execute(async (trx) => {
    const teacher = await requireMember(trx, establishmentId, teacherId, true);
    requireTouchable(actor, teacher);
    const [row] = await people.assignments(trx, establishmentId, teacher.id, assignmentId);
    if (!row) throw notFound();
    await people.deleteAssignment(trx, row.id);
    await audit(trx, ctx, {
      action: 'directory.assignment.remove',
      establishmentId,
      targetType: 'user',
      targetId: teacher.id,
      details: { assignmentId: row.id, classId: row.class_id, groupId: row.group_id, subjectCode: row.subject_code },
    });
  });
  recordUsage(ctx, establishmentId, 'directory', 'person.assignment.remove');
}

export async function addHeadTeacher(ctx: RequestContext, establishmentId: string, teacherId: string, classId: string) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const teacher = await requireTeacher(ctx, trx, actor, establishmentId, teacherId);
    const klass = await requireCurrentClass(trx, establishmentId, classId);
    if (await people.headTeacher(trx, teacher.id, klass.id)) throw new AppError(409, 'ALREADY_HEAD_TEACHER');
    await people.insertHeadTeacher(trx, {
      establishmentId,
      schoolYearId: klass.school_year_id,
      teacherId: teacher.id,
      classId: klass.id,
    });
    await audit(trx, ctx, {
      action: 'directory.head_teacher.add',
      establishmentId,
      targetType: 'user',
      targetId: teacher.id,
      details: { classId: klass.id },
    });
    return { class: { id: klass.id, code: klass.code, label: klass.label } };
  });
  recordUsage(ctx, establishmentId, 'directory', 'person.head_teacher.add');
  return result;
}

export async function removeHeadTeacher(
  ctx: RequestContext,
  establishmentId: string,
  teacherId: string,
  classId: string,
) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  await ctx.db.transaction().execute(async (trx) => {
    const teacher = await requireMember(trx, establishmentId, teacherId, true);
    requireTouchable(actor, teacher);
    const klass = await requireCurrentClass(trx, establishmentId, classId);
    const row = await people.headTeacher(trx, teacher.id, klass.id);
    if (!row) throw notFound();
    await people.deleteHeadTeacher(trx, row.id);
    await audit(trx, ctx, {
      action: 'directory.head_teacher.remove',
      establishmentId,
      targetType: 'user',
      targetId: teacher.id,
      details: { classId: klass.id },
    });
  });
  recordUsage(ctx, establishmentId, 'directory', 'person.head_teacher.remove');
}

// ---------------------------------------------------------------------------------------------------------
// Lookups

export async function listClasses(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const [year, rows] = await Promise.all([
    people.currentYear(ctx.db, establishmentId),
    people.classes(ctx.db, establishmentId),
  ]);
  return {
    schoolYear: year?.label ?? null,
    items: rows.map((c) => ({
      id: c.id,
      code: c.code,
      label: c.label,
      mefCode: c.mef_code,
      students: Number(c.students ?? 0),
      headTeachers: c.head_teachers,
    })),
  };
}

export async function listGroups(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const [year, rows] = await Promise.all([
    people.currentYear(ctx.db, establishmentId),
    people.groups(ctx.db, establishmentId),
  ]);
  return {
    schoolYear: year?.label ?? null,
    items: rows.map((g) => ({
      id: g.id,
      code: g.code,
      label: g.label,
      kind: g.kind,
      students: Number(g.students ?? 0),
    })),
  };
}

export async function listSubjects(ctx: RequestContext) {
  return { items: await people.subjects(ctx.db) };
}
