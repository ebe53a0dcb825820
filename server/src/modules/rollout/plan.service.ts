import {
  type CreateObjectiveBody,
  type CreateStepBody,
  type Objective,
  type RolloutPlan,
  SERVICE_CATALOGUE,
  type ServiceKey,
  type Step,
  type UpdateStepBody,
} from '@preau/contracts';
import { type Authorized, authorize } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { frenchDate } from '../../platform/dates.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { t } from '../../platform/i18n.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import { directoryFacts } from '../directory/index.ts';
import { serviceOpenings } from '../services/index.ts';
import { notify } from '../timeline/index.ts';
import { activity } from './activity.repository.ts';
import { freshAsOf } from './indicators.service.ts';
import { rolloutAccess, STAFF } from './rollout.access.ts';
import { addDays, parisDay } from './rollout.dates.ts';
import { SERVICE_ACTIVE_PREFIX, SERVICE_ACTIVE_PROFILES, serviceActiveLabel } from './rollout.indicators.ts';
import { axes, outreach, plan, stock } from './rollout.repository.ts';

const use = (establishmentId: string) => ({ establishmentId, permission: 'rollout.use', service: 'rollout' }) as const;

/** The use case's access: a staff member of the establishment, then the steering rights. */
export async function steering(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, use(establishmentId));
  const role = await rolloutAccess.requireSteering(auth);
  return { auth, role };
}

/** Of these people, those not on the establishment's staff: 404 if not members at all, 400 if not staff. */
export async function requireStaff(auth: Authorized, ids: (string | null | undefined)[], path: string) {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return;
  const [members, staff] = await Promise.all([
    rolloutAccess.membersAmong(auth, wanted),
    rolloutAccess.staffAmong(auth, wanted),
  ]);
  if (wanted.some((id) => !members.has(id))) throw notFound();
  if (wanted.some((id) => !staff.has(id))) {
    throw new AppError(400, 'NOT_STAFF_MEMBER', {
      errors: [{ path, message: t(auth.ctx.lang, 'NOT_STAFF_MEMBER') }],
    });
  }
}

// ---- Indicators an objective can be tied to ---------------------------------------------------------------

export interface IndicatorChoice {
  key: string;
  label: string;
  unit: 'rate' | 'count';
  module: string;
}

/** Every registered indicator, and the per-service share of active people of each profile. */
export function indicatorChoices(lang: 'fr' | 'en'): IndicatorChoice[] {
  const registered = [...moduleRegistry().indicators.values()].map((d) => ({
    key: d.key,
    label: d.label[lang],
    unit: d.unit,
    module: d.module,
  }));
  const perService = SERVICE_ACTIVE_PROFILES.map((p) => ({
    key: `${SERVICE_ACTIVE_PREFIX}${p}`,
    label: serviceActiveLabel[lang][p],
    unit: 'rate' as const,
    module: 'rollout',
  }));
  return [...perService, ...registered];
}

interface ObjectiveRow {
  id: string;
  service_key: string;
  indicator: string;
  target: number;
  due_date: string;
  establishment_axis_id: string | null;
  academy_axis_id: string | null;
}

/**
 * Objectives with their current value (the school year so far, up to today) and the value a week earlier: the
 * trend. A per-service share reads the activity roll-up; a registered indicator is computed by its module.
 */
async function evaluate(auth: Authorized, rows: ObjectiveRow[]): Promise<Objective[]> {
  if (rows.length === 0) return [];
  const lang = auth.ctx.lang;
  const asOf = await freshAsOf(auth.db, auth.establishmentId);
  const today = parisDay(asOf);
  const weekAgo = addDays(today, -7);
  const yearStart = (await outreach.yearStart(auth.db, auth.establishmentId)) ?? addDays(today, -365);
  const [members] = await Promise.all([directoryFacts.roster(auth.db, auth.establishmentId)]);
  const memberCount = (profile: string) =>
    new Set(members.filter((m) => m.profile === profile).map((m) => m.user_id)).size;
  const choices = new Map(indicatorChoices(lang).map((c) => [c.key, c]));
  const registry = moduleRegistry().indicators;

  const valueAt = async (row: ObjectiveRow, day: string): Promise<number | null> => {
    if (row.indicator.startsWith(SERVICE_ACTIVE_PREFIX)) {
      const profile = row.indicator.slice(SERVICE_ACTIVE_PREFIX.length);
      const total = memberCount(profile);
      if (total === 0) return 0;
      return (await activity.monthUsers(auth.db, auth.establishmentId, row.service_key, profile, day)) / total;
    }
    const def = registry.get(row.indicator);
    if (!def) return null;
    try {
      return (await def.compute(auth.db, auth.establishmentId, { from: yearStart, to: day })).value;
    } catch (err) {
      auth.ctx.log.error({ err, indicator: row.indicator }, 'objective indicator failed');
      return null;
    }
  };

  return Promise.all(
    rows.map(async (row) => {
      const choice = choices.get(row.indicator);
      const [current, previous] = await Promise.all([valueAt(row, today), valueAt(row, weekAgo)]);
      const unit = choice?.unit ?? 'rate';
      const epsilon = unit === 'rate' ? 0.005 : 0;
      const trend =
        current === null || previous === null
          ? null
          : current - previous > epsilon
            ? 'up'
            : previous - current > epsilon
              ? 'down'
              : 'flat';
      return {
        id: row.id,
        indicator: row.indicator,
        label: choice?.label ?? row.indicator,
        unit,
        target: row.target,
        current,
        previous,
        trend,
        reached: current !== null && current >= row.target,
        dueDate: row.due_date,
        establishmentAxisId: row.establishment_axis_id,
        academyAxisId: row.academy_axis_id,
      } as Objective;
    }),
  );
}

function presentStep(
  r: { id: string; title: string; owner_id: string; due_date: string; state: string; done_at: Date | null },
  names: Map<string, string>,
  today: string,
): Step {
  return {
    id: r.id,
    title: r.title,
    ownerId: r.owner_id,
    ownerName: names.get(r.owner_id) ?? '—',
    dueDate: r.due_date,
    state: r.state as Step['state'],
    doneAt: r.done_at ? new Date(r.done_at).toISOString() : null,
    late: (r.state === 'todo' || r.state === 'in_progress') && r.due_date < today,
  };
}

// ---- The contract: GET /api/rollout/plan --------------------------------------------------------------------

export async function getPlan(ctx: RequestContext, establishmentId: string): Promise<RolloutPlan> {
  const { auth } = await steering(ctx, establishmentId);
  const est = await outreach.establishment(auth.db, establishmentId);
  if (!est) throw notFound();
  const [openings, steps, objectives, tools, axisRows] = await Promise.all([
    serviceOpenings(auth.db, establishmentId),
    plan.steps(auth.db, establishmentId),
    plan.objectives(auth.db, establishmentId),
    stock.tools(auth.db, establishmentId),
    axes.visibleIn(auth.db, establishmentId, est.academy_id),
  ]);
  const names = await directoryFacts.names(
    auth.db,
    steps.map((s) => s.owner_id),
  );
  const today = parisDay(new Date());
  const evaluated = await evaluate(auth, objectives);
  const presented = steps.map((s) => ({ ...presentStep(s, names, today), service: s.service_key as ServiceKey }));
  recordUsage(ctx, establishmentId, 'rollout', 'plan.view');
  return {
    services: SERVICE_CATALOGUE.map((entry) => {
      const o = openings.find((x) => x.key === entry.key)!;
      return {
        key: entry.key,
        name: entry.name[ctx.lang],
        status: o.status,
        ...(o.opensOn ? { openingDate: o.opensOn } : {}),
        ...(o.generalizesOn ? { generalisationDate: o.generalizesOn } : {}),
        steps: presented.filter((s) => s.service === entry.key).map(({ service: _, ...s }) => s),
        objectives: evaluated.filter((_, i) => objectives[i]!.service_key === entry.key),
        tools: tools
          .filter((tool) => tool.service_key === entry.key)
          .map((tool) => ({
            id: tool.id,
            name: tool.name,
            decision: tool.decision,
            decisionDate: tool.decision_date,
          })),
      };
    }),
    lateSteps: presented.filter((s) => s.late),
    indicators: indicatorChoices(ctx.lang),
    axes: axisRows.map((a) => ({
      id: a.id,
      scope: a.establishment_id ? ('establishment' as const) : ('academy' as const),
      label: a.label,
    })),
    can: { edit: true },
  };
}

// ---- Steps ---------------------------------------------------------------------------------------------------

async function notifyOwner(
  auth: Authorized,
  trx: Parameters<typeof notify>[0],
  step: { id: string; title: string; ownerId: string; dueDate: string },
) {
  await notify(trx, {
    establishmentId: auth.establishmentId,
    kind: 'rollout.step.assigned',
    recipients: [step.ownerId],
    actorId: auth.user.id,
    text: {
      fr: `Une étape du plan de déploiement vous est confiée : « ${step.title} », pour le ${frDate(step.dueDate)}.`,
      en: `A step of the rollout plan is yours: “${step.title}”, due ${step.dueDate}.`,
    },
    link: '/rollout/plan',
    source: { type: 'rollout.step', id: step.id },
  });
}

export const frDate = (day: string) => frenchDate(day, { dateStyle: 'long' });

export async function createStep(ctx: RequestContext, body: CreateStepBody) {
  const { auth } = await steering(ctx, body.establishmentId);
  await requireStaff(auth, [body.ownerId], 'body.ownerId');
  const id = await auth.transaction(async (trx) => {
    const state = body.state ?? 'todo';
    const stepId = await plan.insertStep(trx, { ...body, state, createdBy: auth.user.id });
    await audit(trx, ctx, {
      action: 'rollout.step.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_step',
      targetId: stepId,
      details: { service: body.service, title: body.title, ownerId: body.ownerId, dueDate: body.dueDate, state },
    });
    await notifyOwner(auth, trx, { id: stepId, title: body.title, ownerId: body.ownerId, dueDate: body.dueDate });
    return stepId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'step.create');
  return { id };
}

/** The object's establishment, then the same checks as for a named establishment. */
async function stepAccess(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_step', id);
  const { auth } = await steering(ctx, establishmentId);
  const row = await plan.step(auth.db, establishmentId, id);
  if (!row) throw notFound();
  return { auth, row };
}

export async function updateStep(ctx: RequestContext, id: string, body: UpdateStepBody): Promise<Step> {
  const { auth, row } = await stepAccess(ctx, id);
  await requireStaff(auth, [body.ownerId], 'body.ownerId');
  const doneAt =
    body.state === undefined || body.state === row.state ? undefined : body.state === 'done' ? new Date() : null;
  await auth.transaction(async (trx) => {
    await plan.updateStep(trx, id, { ...body, doneAt });
    await audit(trx, ctx, {
      action: 'rollout.step.update',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_step',
      targetId: id,
      details: {
        before: { title: row.title, ownerId: row.owner_id, dueDate: row.due_date, state: row.state },
        after: body,
      },
    });
    if (body.ownerId && body.ownerId !== row.owner_id) {
      await notifyOwner(auth, trx, {
        id,
        title: body.title ?? row.title,
        ownerId: body.ownerId,
        dueDate: body.dueDate ?? row.due_date,
      });
    }
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'step.update');
  const after = (await plan.step(auth.db, auth.establishmentId, id))!;
  const names = await directoryFacts.names(auth.db, [after.owner_id]);
  return presentStep(after, names, parisDay(new Date()));
}

export async function deleteStep(ctx: RequestContext, id: string) {
  const { auth, row } = await stepAccess(ctx, id);
  if ((await plan.trainingsOfStep(auth.db, id)) > 0) throw new AppError(409, 'STEP_IN_USE');
  await auth.transaction(async (trx) => {
    await plan.deleteStep(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.step.delete',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_step',
      targetId: id,
      details: { service: row.service_key, title: row.title, dueDate: row.due_date, state: row.state },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'step.delete');
}

// ---- Objectives -----------------------------------------------------------------------------------------------

/** The axes must be the establishment's own (for `establishmentAxisId`) and its académie's (`academyAxisId`). */
async function requireAxes(auth: Authorized, establishmentAxisId?: string | null, academyAxisId?: string | null) {
  const est = await outreach.establishment(auth.db, auth.establishmentId);
  const check = async (id: string | null | undefined, kind: 'establishment' | 'academy', path: string) => {
    if (!id) return;
    const axis = await axes.byId(auth.db, id);
    const ok =
      axis &&
      (kind === 'establishment'
        ? axis.establishment_id === auth.establishmentId
        : axis.establishment_id === null && axis.academy_id === est?.academy_id);
    if (!ok) throw new AppError(400, 'UNKNOWN_AXIS', { errors: [{ path, message: t(auth.ctx.lang, 'UNKNOWN_AXIS') }] });
  };
  await check(establishmentAxisId, 'establishment', 'body.establishmentAxisId');
  await check(academyAxisId, 'academy', 'body.academyAxisId');
}

function requireTarget(auth: Authorized, unit: 'rate' | 'count', target: number) {
  if (unit === 'rate' && target > 1) {
    throw new AppError(400, 'TARGET_OUT_OF_RANGE', {
      errors: [{ path: 'body.target', message: t(auth.ctx.lang, 'TARGET_OUT_OF_RANGE') }],
    });
  }
}

export async function createObjective(ctx: RequestContext, body: CreateObjectiveBody) {
  const { auth } = await steering(ctx, body.establishmentId);
  const choice = indicatorChoices(ctx.lang).find((c) => c.key === body.indicator);
  if (!choice) {
    throw new AppError(400, 'UNKNOWN_INDICATOR', {
      errors: [{ path: 'body.indicator', message: t(ctx.lang, 'UNKNOWN_INDICATOR') }],
    });
  }
  requireTarget(auth, choice.unit, body.target);
  await requireAxes(auth, body.establishmentAxisId, body.academyAxisId);
  const id = await auth.transaction(async (trx) => {
    const objectiveId = await plan.insertObjective(trx, {
      ...body,
      establishmentAxisId: body.establishmentAxisId ?? null,
      academyAxisId: body.academyAxisId ?? null,
      createdBy: auth.user.id,
    });
    await audit(trx, ctx, {
      action: 'rollout.objective.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_objective',
      targetId: objectiveId,
      details: { service: body.service, indicator: body.indicator, target: body.target, dueDate: body.dueDate },
    });
    return objectiveId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'objective.create');
  return { id };
}

async function objectiveAccess(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_objective', id);
  const { auth } = await steering(ctx, establishmentId);
  const row = await plan.objective(auth.db, establishmentId, id);
  if (!row) throw notFound();
  return { auth, row };
}

export async function updateObjective(
  ctx: RequestContext,
  id: string,
  body: { target?: number; dueDate?: string; establishmentAxisId?: string | null; academyAxisId?: string | null },
): Promise<Objective> {
  const { auth, row } = await objectiveAccess(ctx, id);
  const unit = indicatorChoices(ctx.lang).find((c) => c.key === row.indicator)?.unit ?? 'rate';
  if (body.target !== undefined) requireTarget(auth, unit, body.target);
  await requireAxes(auth, body.establishmentAxisId, body.academyAxisId);
  await auth.transaction(async (trx) => {
    await plan.updateObjective(trx, id, body);
    await audit(trx, ctx, {
      action: 'rollout.objective.update',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_objective',
      targetId: id,
      details: { before: { target: row.target, dueDate: row.due_date }, after: body },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'objective.update');
  const [evaluated] = await evaluate(auth, [(await plan.objective(auth.db, auth.establishmentId, id))!]);
  return evaluated!;
}

export async function deleteObjective(ctx: RequestContext, id: string) {
  const { auth, row } = await objectiveAccess(ctx, id);
  await auth.transaction(async (trx) => {
    await plan.deleteObjective(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.objective.delete',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_objective',
      targetId: id,
      details: { service: row.service_key, indicator: row.indicator, target: row.target },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'objective.delete');
}

export { STAFF };
