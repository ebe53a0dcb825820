/**
 * Visas: the direction signs a teacher's or a class's logbook up to a date, with an optional comment; so do the
 * inspectors the direction names for named teachers. Signed lessons are locked for their teacher: later edits
 * are kept as amendments (logbook.service.ts). Every visa and every inspector named or removed is audited.
 */

import { requireUser } from '../../platform/access/access.ts';
import { type Authorized, authorize, trustedDb } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { frenchDay } from '../../platform/dates.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuthedContext, RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import { openServicesFor } from '../services/index.ts';
import { notify } from '../timeline/index.ts';
import { parisDate } from '../timetable/index.ts';
import { classesIn, readScope, readsAll, related, teachersAmong } from './logbook.access.ts';
import { logbook } from './logbook.repository.ts';
import { buildEntries, checkPeriod, presentVisa, SERVICE } from './logbook.service.ts';

export async function listVisas(ctx: RequestContext, q: { establishment: string; teacher?: string; class?: string }) {
  const auth = await authorize(ctx, { establishmentId: q.establishment, permission: 'logbook.read', service: SERVICE });
  let rows = await logbook.visas(auth.db, auth.establishmentId, {
    ...(q.teacher ? { teacherId: q.teacher } : {}),
    ...(q.class ? { classIds: [q.class] } : {}),
  });
  if (!readsAll(auth)) {
    // A teacher sees the visas of their own logbook and of the classes they read; families those of their classes.
    const scope = await readScope(auth);
    rows = rows.filter(
      (v) => v.teacher_id === auth.user.id || (v.class_id !== null && scope.classIds.includes(v.class_id)),
    );
  }
  return { items: rows.map(presentVisa) };
}

interface SignTarget {
  teacherId?: string | undefined;
  classId?: string | undefined;
  through: string;
  comment?: string | undefined;
}

async function signIn(
  ctx: RequestContext,
  auth: Pick<Authorized, 'db' | 'establishmentId' | 'user' | 'transaction'>,
  role: 'principal' | 'inspector',
  body: SignTarget,
) {
  const year = await logbook.currentYear(auth.db, auth.establishmentId);
  if (!year) throw notFound();
  const target = body.classId
    ? { classIds: [body.classId], groupIds: (await related(auth.db, [body.classId], [])).groupIds }
    : { authorId: body.teacherId! };
  const out = await auth.transaction(async (trx) => {
    const visa = await logbook.insertVisa(trx, {
      establishment_id: auth.establishmentId,
      school_year_id: year.id,
      signer_id: auth.user.id,
      role,
      teacher_id: body.teacherId ?? null,
      class_id: body.classId ?? null,
      through: body.through,
      comment: body.comment || null,
    });
    const authors = await logbook.signLessons(trx, visa.id, {
      establishmentId: auth.establishmentId,
      schoolYearId: year.id,
      through: body.through,
      ...target,
    });
    await audit(trx, ctx, {
      action: 'logbook.visa.sign',
      establishmentId: auth.establishmentId,
      targetType: body.classId ? 'class' : 'user',
      targetId: (body.classId ?? body.teacherId)!,
      details: { visaId: visa.id, role, through: body.through, comment: body.comment ?? null, lessons: authors.length },
    });
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'logbook.visa.signed',
      recipients: new Set(authors),
      actorId: auth.user.id,
      text: {
        fr: `Votre cahier de textes a été visé jusqu’au ${frenchDay(body.through)} par ${auth.user.displayName}${body.comment ? ` : « ${body.comment} »` : '.'}`,
      },
      link: '/logbook',
      source: { type: 'logbook_visa', id: visa.id },
    });
    return { id: visa.id, lessons: authors.length };
  });
  return out;
}

export async function sign(
  ctx: RequestContext,
  body: { establishment: string; teacherId?: string; classId?: string; through: string; comment?: string },
) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'logbook.sign',
    service: SERVICE,
  });
  if (!!body.teacherId === !!body.classId) throw new AppError(400, 'VISA_TARGET');
  if (body.teacherId && !(await teachersAmong(auth.db, auth.establishmentId, [body.teacherId])).has(body.teacherId))
    throw notFound();
  if (body.classId && !(await classesIn(auth.db, auth.establishmentId, [body.classId])).has(body.classId))
    throw notFound();
  const out = await signIn(ctx, auth, 'principal', body);
  recordUsage(ctx, auth.establishmentId, SERVICE, 'visa.sign');
  return out;
}

// ---- inspectors ----

export async function listInspectors(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'logbook.sign', service: SERVICE });
  const rows = await logbook.inspectors(auth.db, establishmentId);
  const names = await logbook.names(auth.db, [...new Set(rows.flatMap((r) => r.teacher_ids))]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      inspector: { id: r.inspector_id, displayName: r.inspector_name },
      teachers: r.teacher_ids.map((t) => ({ id: t, displayName: names.get(t) ?? '' })),
      until: r.until,
      grantedAt: new Date(r.granted_at).toISOString(),
      grantedBy: r.granted_by ? { id: r.granted_by, displayName: r.granted_by_name ?? '' } : null,
    })),
  };
}

export async function nameInspector(
  ctx: RequestContext,
  body: { establishment: string; login: string; teacherIds: string[]; until?: string },
) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishment,
    permission: 'logbook.sign',
    service: SERVICE,
  });
  const inspector = await logbook.userByLogin(auth.db, body.login);
  if (!inspector) throw new AppError(400, 'INSPECTOR_UNKNOWN', { vars: { login: body.login } });
  const teachers = await teachersAmong(auth.db, auth.establishmentId, body.teacherIds);
  if (body.teacherIds.some((t) => !teachers.has(t))) throw new AppError(400, 'VISA_TARGET');
  const establishment = await logbook.establishment(auth.db, auth.establishmentId);
  const id = await auth.transaction(async (trx) => {
    const row = await logbook.insertInspector(trx, {
      establishment_id: auth.establishmentId,
      inspector_id: inspector.id,
      teacher_ids: [...new Set(body.teacherIds)],
      until: body.until ?? null,
      granted_by: auth.user.id,
    });
    await audit(trx, ctx, {
      action: 'logbook.inspector.name',
      establishmentId: auth.establishmentId,
      targetType: 'user',
      targetId: inspector.id,
      details: { grantId: row.id, teacherIds: body.teacherIds, until: body.until ?? null },
    });
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'logbook.inspection.granted',
      recipients: [inspector.id],
      actorId: auth.user.id,
      text: {
        fr: `${auth.user.displayName} vous donne accès au cahier de textes de ${body.teacherIds.length} enseignant${body.teacherIds.length > 1 ? 's' : ''} (${establishment?.name ?? ''}).`,
      },
      link: '/logbook/inspection',
      source: { type: 'logbook_inspector', id: row.id },
    });
    return row.id;
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'inspector.name');
  return (await listInspectors(ctx, auth.establishmentId)).items.find((i) => i.id === id)!;
}

export async function removeInspector(ctx: RequestContext, id: string) {
  requireUser(ctx);
  const row = await logbook.inspector(ctx.db, id);
  if (!row) throw notFound();
  const auth = await authorize(ctx, {
    establishmentId: row.establishment_id,
    permission: 'logbook.sign',
    service: SERVICE,
  });
  await auth.transaction(async (trx) => {
    await logbook.revokeInspector(trx, id);
    await audit(trx, ctx, {
      action: 'logbook.inspector.remove',
      establishmentId: row.establishment_id,
      targetType: 'user',
      targetId: row.inspector_id,
      details: { grantId: id },
    });
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'inspector.remove');
}

// ---- the inspector's side: no membership needed, the grant is the authorization ----

const live = (g: { until: string | null }) => !g.until || g.until >= parisDate();

export async function inspections(ctx: RequestContext) {
  requireUser(ctx);
  const db = trustedDb(ctx.db, "an inspector's own grants");
  const grants = (await logbook.grantsOf(db, ctx.user.id)).filter(live);
  const names = await logbook.names(db, [...new Set(grants.flatMap((g) => g.teacher_ids))]);
  return {
    items: grants.map((g) => ({
      id: g.id,
      establishment: { id: g.establishment_id, name: g.establishment_name },
      teachers: g.teacher_ids.map((t) => ({ id: t, displayName: names.get(t) ?? '' })),
      until: g.until,
    })),
  };
}

/** The caller's live grant for that teacher, the logbook service open there: else 404. */
async function grantFor(ctx: RequestContext, grantId: string, teacherId: string) {
  requireUser(ctx);
  const db = trustedDb(ctx.db, 'an inspector named by the direction, for the teachers of the grant');
  const grant = await logbook.inspector(db, grantId);
  if (!grant || grant.inspector_id !== ctx.user.id || !live(grant) || !grant.teacher_ids.includes(teacherId))
    throw notFound();
  if (!(await openServicesFor(db, grant.establishment_id, ['teacher', 'principal'])).includes(SERVICE))
    throw notFound();
  const actx = ctx as AuthedContext;
  const auth = {
    ctx: actx,
    user: actx.user,
    establishmentId: grant.establishment_id,
    membership: null,
    profiles: [],
    db,
    transaction: <T>(work: (trx: typeof db) => Promise<T>) =>
      db.transaction().execute((trx) => work(trustedDb(trx, 'the inspector’s visa'))),
  } satisfies Authorized;
  return { auth, grant };
}

export async function inspectionEntries(
  ctx: RequestContext,
  grantId: string,
  q: { teacher: string; from: string; to: string },
) {
  checkPeriod(q.from, q.to);
  const { auth } = await grantFor(ctx, grantId, q.teacher);
  const names = await logbook.names(auth.db, [q.teacher]);
  const { items, visaIds } = await buildEntries(
    auth,
    { classIds: [], groupIds: [], teacherIds: [q.teacher], authorIds: [q.teacher], student: null },
    q.from,
    q.to,
    undefined,
    null,
  );
  const visas = visaIds.length ? await logbook.visas(auth.db, auth.establishmentId, { ids: visaIds }) : [];
  recordUsage(ctx, auth.establishmentId, SERVICE, 'inspection.view');
  return {
    of: { kind: 'teacher' as const, id: q.teacher, name: names.get(q.teacher) ?? '' },
    items: items.map((e) => ({ ...e, can: { write: false } })),
    visas: visas.map(presentVisa),
    archived: false,
  };
}

export async function inspectionSign(
  ctx: RequestContext,
  grantId: string,
  body: { teacherId: string; through: string; comment?: string },
) {
  const { auth } = await grantFor(ctx, grantId, body.teacherId);
  const out = await signIn(ctx, auth, 'inspector', {
    teacherId: body.teacherId,
    through: body.through,
    comment: body.comment,
  });
  recordUsage(ctx, auth.establishmentId, SERVICE, 'visa.sign');
  return out;
}
