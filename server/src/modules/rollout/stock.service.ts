import type { Need, NeedList, Risk, RolloutStock, RolloutTeam, Tool, UpdateTeamBody } from '@preau/contracts';
import { authorize, trustedDb } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { t } from '../../platform/i18n.ts';
import { recordUsage } from '../../platform/usage.ts';
import { directoryFacts } from '../directory/index.ts';
import { notify } from '../timeline/index.ts';
import { requireStaff, steering } from './plan.service.ts';
import { rolloutAccess } from './rollout.access.ts';
import { axes, needs, outreach, stock, team } from './rollout.repository.ts';

type ToolRow = Awaited<ReturnType<typeof stock.tools>>[number];
type RiskRow = Awaited<ReturnType<typeof stock.risks>>[number];

function presentTool(r: ToolRow): Tool {
  return {
    id: r.id,
    name: r.name,
    category: r.category as Tool['category'],
    service: r.service_key as Tool['service'],
    users: r.users,
    frequency: r.frequency,
    teachingValue: r.teaching_value,
    decision: r.decision,
    decisionDate: r.decision_date,
    notes: r.notes,
  };
}

function presentRisk(r: RiskRow, names: Map<string, string>): Risk {
  return {
    id: r.id,
    title: r.title,
    likelihood: r.likelihood,
    impact: r.impact,
    owner: r.owner_id ? { id: r.owner_id, displayName: names.get(r.owner_id) ?? '—' } : null,
    mitigation: r.mitigation,
    status: r.status,
    reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
  };
}

// ---- Taking stock --------------------------------------------------------------------------------------------

export async function getStock(ctx: RequestContext, establishmentId: string): Promise<RolloutStock> {
  const { auth } = await steering(ctx, establishmentId);
  const est = await outreach.establishment(auth.db, establishmentId);
  if (!est) throw notFound();
  const [tools, risks, axisRows] = await Promise.all([
    stock.tools(auth.db, establishmentId),
    stock.risks(auth.db, establishmentId),
    axes.visibleIn(auth.db, establishmentId, est.academy_id),
  ]);
  const names = await directoryFacts.names(
    auth.db,
    risks.flatMap((r) => (r.owner_id ? [r.owner_id] : [])),
  );
  recordUsage(ctx, establishmentId, 'rollout', 'stock.view');
  return {
    tools: tools.map(presentTool),
    risks: risks.map((r) => presentRisk(r, names)),
    axes: axisRows.map((a) => ({
      id: a.id,
      scope: a.establishment_id ? ('establishment' as const) : ('academy' as const),
      label: a.label,
    })),
    can: { edit: true },
  };
}

type ToolInput = Parameters<typeof stock.insertTool>[1];

export async function createTool(ctx: RequestContext, body: ToolInput) {
  const { auth } = await steering(ctx, body.establishmentId);
  const id = await auth.transaction(async (trx) => {
    const toolId = await stock.insertTool(trx, body);
    await audit(trx, ctx, {
      action: 'rollout.tool.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_tool',
      targetId: toolId,
      details: { name: body.name, decision: body.decision, decisionDate: body.decisionDate },
    });
    return toolId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'tool.create');
  return { id };
}

async function toolAccess(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_tool', id);
  const { auth } = await steering(ctx, establishmentId);
  const row = await stock.tool(auth.db, establishmentId, id);
  if (!row) throw notFound();
  return { auth, row };
}

export async function updateTool(ctx: RequestContext, id: string, body: Parameters<typeof stock.updateTool>[2]) {
  const { auth, row } = await toolAccess(ctx, id);
  await auth.transaction(async (trx) => {
    await stock.updateTool(trx, id, body);
    await audit(trx, ctx, {
      action: 'rollout.tool.update',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_tool',
      targetId: id,
      details: { before: { decision: row.decision, decisionDate: row.decision_date }, after: body },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'tool.update');
  return presentTool((await stock.tool(auth.db, auth.establishmentId, id))!);
}

export async function deleteTool(ctx: RequestContext, id: string) {
  const { auth, row } = await toolAccess(ctx, id);
  await auth.transaction(async (trx) => {
    await stock.deleteTool(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.tool.delete',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_tool',
      targetId: id,
      details: { name: row.name },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'tool.delete');
}

export async function createRisk(
  ctx: RequestContext,
  body: {
    establishmentId: string;
    title: string;
    likelihood: number;
    impact: number;
    ownerId: string | null;
    mitigation: string;
  },
) {
  const { auth } = await steering(ctx, body.establishmentId);
  await requireStaff(auth, [body.ownerId], 'body.ownerId');
  const id = await auth.transaction(async (trx) => {
    const riskId = await stock.insertRisk(trx, body);
    await audit(trx, ctx, {
      action: 'rollout.risk.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_risk',
      targetId: riskId,
      details: { title: body.title, likelihood: body.likelihood, impact: body.impact, ownerId: body.ownerId },
    });
    return riskId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'risk.create');
  return { id };
}

async function riskAccess(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_risk', id);
  const { auth } = await steering(ctx, establishmentId);
  const row = await stock.risk(auth.db, establishmentId, id);
  if (!row) throw notFound();
  return { auth, row };
}

export async function updateRisk(
  ctx: RequestContext,
  id: string,
  body: {
    title?: string;
    likelihood?: number;
    impact?: number;
    ownerId?: string | null;
    mitigation?: string;
    status?: 'open' | 'closed';
    reviewed?: true;
  },
) {
  const { auth, row } = await riskAccess(ctx, id);
  await requireStaff(auth, [body.ownerId], 'body.ownerId');
  const { reviewed, ...patch } = body;
  await auth.transaction(async (trx) => {
    await stock.updateRisk(trx, id, { ...patch, ...(reviewed ? { reviewedAt: new Date() } : {}) });
    await audit(trx, ctx, {
      action: 'rollout.risk.update',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_risk',
      targetId: id,
      details: {
        before: { likelihood: row.likelihood, impact: row.impact, status: row.status, ownerId: row.owner_id },
        after: body,
      },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', reviewed ? 'risk.review' : 'risk.update');
  const after = (await stock.risk(auth.db, auth.establishmentId, id))!;
  return presentRisk(after, await directoryFacts.names(auth.db, after.owner_id ? [after.owner_id] : []));
}

export async function deleteRisk(ctx: RequestContext, id: string) {
  const { auth, row } = await riskAccess(ctx, id);
  await auth.transaction(async (trx) => {
    await stock.deleteRisk(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.risk.delete',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_risk',
      targetId: id,
      details: { title: row.title },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'risk.delete');
}

// ---- Axes of the projects ------------------------------------------------------------------------------------

export async function createAxis(ctx: RequestContext, body: { establishmentId: string; label: string }) {
  const { auth } = await steering(ctx, body.establishmentId);
  const est = await outreach.establishment(auth.db, body.establishmentId);
  if (!est) throw notFound();
  const id = await auth.transaction(async (trx) => {
    const axisId = await axes.insert(trx, {
      academyId: est.academy_id,
      establishmentId: body.establishmentId,
      label: body.label,
      createdBy: auth.user.id,
    });
    await audit(trx, ctx, {
      action: 'rollout.axis.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_axis',
      targetId: axisId,
      details: { label: body.label },
    });
    return axisId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'axis.create');
  return { id };
}

/** An establishment's axis goes with its steering group's decision; an académie's only by a platform admin. */
export async function deleteAxis(ctx: RequestContext, id: string) {
  const scope = await rolloutAccess.axisScope(ctx.db, id);
  if (!scope.establishment_id) {
    if (!ctx.user?.platformAdmin) throw notFound();
    await ctx.db.transaction().execute(async (trx) => {
      await axes.delete(trustedDb(trx, 'a platform administrator removes an académie axis'), id);
      await audit(trx, ctx, {
        action: 'rollout.academy_axis.delete',
        targetType: 'rollout_axis',
        targetId: id,
        details: { academyId: scope.academy_id },
      });
    });
    recordUsage(ctx, null, 'rollout', 'academy_axis.delete');
    return;
  }
  const { auth } = await steering(ctx, scope.establishment_id);
  await auth.transaction(async (trx) => {
    await axes.delete(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.axis.delete',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_axis',
      targetId: id,
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'axis.delete');
}

// ---- Steering group ------------------------------------------------------------------------------------------

async function teamOf(auth: Awaited<ReturnType<typeof steering>>['auth'], canEdit: boolean) {
  const [rows, subjects] = await Promise.all([
    team.members(auth.db, auth.establishmentId),
    directoryFacts.subjectsTaught(auth.db, auth.establishmentId),
  ]);
  const names = await directoryFacts.names(
    auth.db,
    rows.map((r) => r.user_id),
  );
  const person = (id: string) => ({ id, displayName: names.get(id) ?? '—' });
  const pilot = rows.find((r) => r.role === 'pilot');
  const tice = rows.filter((r) => r.role === 'tice');
  // Every discipline taught, plus any represented one no longer taught (kept visible until changed).
  const labels = await directoryFacts.subjectLabels(
    auth.db,
    tice.map((r) => r.subject_code!),
  );
  const codes = new Map(subjects.map((s) => [s.code, s.label]));
  for (const r of tice)
    if (!codes.has(r.subject_code!)) codes.set(r.subject_code!, labels.get(r.subject_code!) ?? r.subject_code!);
  return {
    pilot: pilot ? person(pilot.user_id) : null,
    members: rows
      .filter((r) => r.role === 'member')
      .map((r) => person(r.user_id))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr')),
    tice: [...codes.entries()]
      .sort((a, b) => a[1].localeCompare(b[1], 'fr'))
      .map(([code, label]) => {
        const rep = tice.find((r) => r.subject_code === code);
        return { subjectCode: code, subject: label, person: rep ? person(rep.user_id) : null };
      }),
    can: { edit: canEdit },
  } satisfies RolloutTeam;
}

export async function getTeam(ctx: RequestContext, establishmentId: string): Promise<RolloutTeam> {
  const { auth, role } = await steering(ctx, establishmentId);
  recordUsage(ctx, establishmentId, 'rollout', 'team.view');
  return teamOf(auth, role.direction);
}

/** Set the whole group (the direction): everyone on the staff, each TICE representative teaching their discipline. */
export async function setTeam(ctx: RequestContext, body: UpdateTeamBody): Promise<RolloutTeam> {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'rollout.steer',
    service: 'rollout',
  });
  await rolloutAccess.requireDirection(auth);
  const lang = ctx.lang;
  const codes = body.tice.map((x) => x.subjectCode);
  const dup = codes.findIndex((c, i) => codes.indexOf(c) !== i);
  if (dup >= 0) {
    throw new AppError(400, 'DUPLICATE_SUBJECT', {
      errors: [{ path: `body.tice.${dup}.subjectCode`, message: t(lang, 'DUPLICATE_SUBJECT') }],
    });
  }
  await requireStaff(auth, [body.pilotId, ...body.memberIds, ...body.tice.map((x) => x.userId)], 'body');
  const staff = await directoryFacts.staff(auth.db, body.establishmentId);
  const known = await directoryFacts.subjectLabels(auth.db, codes);
  for (const [i, rep] of body.tice.entries()) {
    if (!known.has(rep.subjectCode)) {
      throw new AppError(400, 'UNKNOWN_SUBJECT', {
        errors: [{ path: `body.tice.${i}.subjectCode`, message: t(lang, 'UNKNOWN_SUBJECT') }],
      });
    }
    if (!staff.find((s) => s.id === rep.userId)?.subjects.includes(rep.subjectCode)) {
      throw new AppError(400, 'NOT_TEACHER_OF_SUBJECT', {
        errors: [{ path: `body.tice.${i}.userId`, message: t(lang, 'NOT_TEACHER_OF_SUBJECT') }],
      });
    }
  }
  const before = await team.members(auth.db, body.establishmentId);
  const members = [...new Set(body.memberIds)].filter((id) => id !== body.pilotId);
  const rows = [
    ...(body.pilotId ? [{ userId: body.pilotId, role: 'pilot' as const, subjectCode: null }] : []),
    ...members.map((userId) => ({ userId, role: 'member' as const, subjectCode: null })),
    ...body.tice.map((x) => ({ userId: x.userId, role: 'tice' as const, subjectCode: x.subjectCode })),
  ];
  await auth.transaction(async (trx) => {
    await team.replace(trx, body.establishmentId, rows);
    await audit(trx, ctx, {
      action: 'rollout.team.update',
      establishmentId: body.establishmentId,
      targetType: 'establishment',
      targetId: body.establishmentId,
      details: {
        before: before.map((r) => ({ userId: r.user_id, role: r.role, subject: r.subject_code })),
        after: rows,
      },
    });
    const newcomers = rows.map((r) => r.userId).filter((id) => !before.some((b) => b.user_id === id));
    await notify(trx, {
      establishmentId: body.establishmentId,
      kind: 'rollout.team.joined',
      recipients: newcomers,
      actorId: auth.user.id,
      text: {
        fr: 'Vous faites désormais partie du comité de pilotage du déploiement de l’ENT.',
        en: 'You are now a member of the ENT rollout steering group.',
      },
      link: '/rollout/team',
    });
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'team.update');
  return teamOf(auth, true);
}

export async function staffList(ctx: RequestContext, establishmentId: string) {
  const { auth } = await steering(ctx, establishmentId);
  const [staff, subjects] = await Promise.all([
    directoryFacts.staff(auth.db, establishmentId),
    directoryFacts.subjectsTaught(auth.db, establishmentId),
  ]);
  return {
    people: staff.map((s) => ({
      id: s.id,
      displayName: s.display_name,
      profiles: s.profiles as ('teacher' | 'staff' | 'principal' | 'local_admin')[],
      subjects: s.subjects,
    })),
    subjects: subjects.map((s) => ({ code: s.code, label: s.label })),
  };
}

// ---- Needs backlog -------------------------------------------------------------------------------------------

type NeedRow = Awaited<ReturnType<typeof needs.list>>[number];

function presentNeed(
  r: NeedRow,
  me: string,
  steering: boolean,
  names: Map<string, string>,
  labels: Map<string, string>,
): Need {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    subjectCode: r.subject_code,
    subject: r.subject_code ? (labels.get(r.subject_code) ?? r.subject_code) : null,
    service: r.service_key as Need['service'],
    status: r.status,
    answer: r.answer,
    answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
    author: steering && r.author_id ? { id: r.author_id, displayName: names.get(r.author_id) ?? '—' } : null,
    mine: r.author_id === me,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** Everyone taking part sees the backlog and its answers; the authors' names only the steering group. */
export async function listNeeds(ctx: RequestContext, establishmentId: string): Promise<NeedList> {
  const auth = await authorize(ctx, { establishmentId, permission: 'rollout.use', service: 'rollout' });
  const role = await rolloutAccess.role(auth);
  const [rows, subjects] = await Promise.all([
    needs.list(auth.db, establishmentId),
    directoryFacts.subjectsTaught(auth.db, establishmentId),
  ]);
  const [names, labels] = await Promise.all([
    role.steering
      ? directoryFacts.names(
          auth.db,
          rows.flatMap((r) => (r.author_id ? [r.author_id] : [])),
        )
      : Promise.resolve(new Map<string, string>()),
    directoryFacts.subjectLabels(
      auth.db,
      rows.flatMap((r) => (r.subject_code ? [r.subject_code] : [])),
    ),
  ]);
  const counts = new Map<string | null, { total: number; open: number }>();
  for (const r of rows) {
    const c = counts.get(r.subject_code) ?? { total: 0, open: 0 };
    c.total++;
    if (r.status === 'open' || r.status === 'in_progress') c.open++;
    counts.set(r.subject_code, c);
  }
  recordUsage(ctx, establishmentId, 'rollout', 'needs.view');
  return {
    items: rows.map((r) => presentNeed(r, auth.user.id, role.steering, names, labels)),
    bySubject: [...counts.entries()]
      .map(([code, c]) => ({ subjectCode: code, subject: code ? (labels.get(code) ?? code) : null, ...c }))
      .sort(
        (a, b) =>
          b.total - a.total ||
          Number(a.subject === null) - Number(b.subject === null) ||
          (a.subject ?? '').localeCompare(b.subject ?? '', 'fr'),
      ),
    subjects: subjects.map((x) => ({ code: x.code, label: x.label })),
    can: { answer: role.steering },
  };
}

export async function createNeed(
  ctx: RequestContext,
  body: { establishmentId: string; title: string; body: string; subjectCode: string | null; service: string | null },
) {
  const auth = await authorize(ctx, {
    establishmentId: body.establishmentId,
    permission: 'rollout.use',
    service: 'rollout',
  });
  if (body.subjectCode && !(await directoryFacts.subjectLabels(auth.db, [body.subjectCode])).has(body.subjectCode)) {
    throw new AppError(400, 'UNKNOWN_SUBJECT', {
      errors: [{ path: 'body.subjectCode', message: t(ctx.lang, 'UNKNOWN_SUBJECT') }],
    });
  }
  const id = await needs.insert(auth.db, { ...body, authorId: auth.user.id });
  recordUsage(ctx, body.establishmentId, 'rollout', 'need.create');
  return { id };
}

export async function answerNeed(
  ctx: RequestContext,
  id: string,
  body: { status?: 'open' | 'in_progress' | 'done' | 'declined'; answer?: string | null },
): Promise<Need> {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_need', id);
  const { auth } = await steering(ctx, establishmentId);
  const row = await needs.byId(auth.db, establishmentId, id);
  if (!row) throw notFound();
  await auth.transaction(async (trx) => {
    await needs.answer(trx, id, { ...body, by: auth.user.id });
    await audit(trx, ctx, {
      action: 'rollout.need.answer',
      establishmentId,
      targetType: 'rollout_need',
      targetId: id,
      details: { before: { status: row.status }, after: body },
    });
    if (row.author_id) {
      await notify(trx, {
        establishmentId,
        kind: 'rollout.need.answered',
        recipients: [row.author_id],
        actorId: auth.user.id,
        text: {
          fr: `Le comité de pilotage a répondu à votre besoin « ${row.title} ».`,
          en: `The steering group answered your need “${row.title}”.`,
        },
        link: '/rollout/needs',
        source: { type: 'rollout.need', id },
      });
    }
  });
  recordUsage(ctx, establishmentId, 'rollout', 'need.answer');
  const after = (await needs.byId(auth.db, establishmentId, id))!;
  const [names, labels] = await Promise.all([
    directoryFacts.names(auth.db, after.author_id ? [after.author_id] : []),
    directoryFacts.subjectLabels(auth.db, after.subject_code ? [after.subject_code] : []),
  ]);
  return presentNeed(after, auth.user.id, true, names, labels);
}
