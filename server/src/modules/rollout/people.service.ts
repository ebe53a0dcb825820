import {
  PULSE_MIN_ANSWERS,
  type PulseResults,
  type ResourcePerson,
  ROLLOUT_MIN_GROUP,
  SERVICE_CATALOGUE,
  type ServiceKey,
  SKILL_DOMAINS,
  type SkillLevels,
  type SkillsAggregate,
  type RolloutSlot as Slot,
  type Training,
} from '@preau/contracts';
import { type Authorized, authorize } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { frenchDate } from '../../platform/dates.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { t } from '../../platform/i18n.ts';
import { recordUsage } from '../../platform/usage.ts';
import { directoryFacts } from '../directory/index.ts';
import { openServicesFor } from '../services/index.ts';
import { notify } from '../timeline/index.ts';
import { pulse, skills, support, trainings } from './people.repository.ts';
import { requireStaff, steering } from './plan.service.ts';
import { rolloutAccess } from './rollout.access.ts';
import { addDays, monthOf, parisDay } from './rollout.dates.ts';
import { plan } from './rollout.repository.ts';

const DAY = 86_400_000;
const MAX_SLOT_HOURS = 4;

const use = (ctx: RequestContext, establishmentId: string) =>
  authorize(ctx, { establishmentId, permission: 'rollout.use', service: 'rollout' });

const when = (at: Date | string) => frenchDate(at, { dateStyle: 'full', timeStyle: 'short' });

// ---- Self-assessment -----------------------------------------------------------------------------------------

export async function mySkills(ctx: RequestContext, establishmentId: string) {
  const auth = await use(ctx, establishmentId);
  const rows = await skills.mine(auth.db, establishmentId, auth.user.id);
  if (rows.length < SKILL_DOMAINS.length) return { levels: null, assessedAt: null };
  const levels = Object.fromEntries(rows.map((r) => [r.domain, r.level])) as SkillLevels;
  const at = rows
    .map((r) => new Date(r.assessed_at).toISOString())
    .sort()
    .at(-1)!;
  return { levels, assessedAt: at };
}

export async function saveSkills(ctx: RequestContext, body: { establishmentId: string; levels: SkillLevels }) {
  const auth = await use(ctx, body.establishmentId);
  await skills.save(auth.db, body.establishmentId, auth.user.id, body.levels);
  recordUsage(ctx, body.establishmentId, 'rollout', 'skills.save');
  return mySkills(ctx, body.establishmentId);
}

type Levels = Record<string, number>;

function aggregate(people: Levels[]) {
  return Object.fromEntries(
    SKILL_DOMAINS.map((d) => {
      const values = people.map((p) => p[d]!);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return [d, { mean: Math.round(mean * 10) / 10, atMost2: values.filter((v) => v <= 2).length }];
    }),
  ) as SkillsAggregate['overall']['domains'];
}

/**
 * The self-assessment as the direction sees it: aggregates only, per discipline, each of at least
 * ROLLOUT_MIN_GROUP people — and a discipline is also hidden when the rest of the staff is a group that small
 * (the overall figures minus the discipline's would reveal it). Nobody's levels can be read back.
 */
export async function skillsAggregate(ctx: RequestContext, establishmentId: string): Promise<SkillsAggregate> {
  const { auth } = await steering(ctx, establishmentId);
  const [rows, staff] = await Promise.all([
    skills.all(auth.db, establishmentId),
    directoryFacts.staff(auth.db, establishmentId),
  ]);
  const byUser = new Map<string, Levels>();
  for (const r of rows) {
    const levels = byUser.get(r.user_id) ?? {};
    levels[r.domain] = r.level;
    byUser.set(r.user_id, levels);
  }
  const complete = new Map([...byUser].filter(([, l]) => SKILL_DOMAINS.every((d) => l[d] !== undefined)));
  const min = ROLLOUT_MIN_GROUP;
  const group = (ids: string[]) => {
    const people = ids.map((id) => complete.get(id)).filter((l): l is Levels => l !== undefined);
    const rest = complete.size - people.length;
    const shown = people.length >= min && (rest === 0 || rest >= min);
    return shown ? { count: people.length, domains: aggregate(people) } : { count: null, domains: null };
  };
  const overallShown = complete.size >= min;
  const subjects = new Map<string, string[]>();
  for (const s of staff) for (const code of s.subjects) subjects.set(code, [...(subjects.get(code) ?? []), s.id]);
  const labels = await directoryFacts.subjectLabels(auth.db, [...subjects.keys()]);
  recordUsage(ctx, establishmentId, 'rollout', 'skills.aggregate.view');
  return {
    minGroup: min,
    overall: overallShown
      ? { count: complete.size, domains: aggregate([...complete.values()]) }
      : { count: null, domains: null },
    bySubject: [...subjects.entries()]
      .map(([code, ids]) => ({ subjectCode: code, subject: labels.get(code) ?? code, ...group(ids) }))
      .sort((a, b) => a.subject.localeCompare(b.subject, 'fr')),
  };
}

// ---- Resource persons and slots ------------------------------------------------------------------------------

type SlotRow = Awaited<ReturnType<typeof support.slots>>[number];

function presentSlot(s: SlotRow, me: string, seesBooker: boolean, names: Map<string, string>): Slot {
  const mine = s.booked_by === me;
  return {
    id: s.id,
    startsAt: new Date(s.starts_at).toISOString(),
    endsAt: new Date(s.ends_at).toISOString(),
    mode: s.mode,
    room: s.room,
    booked: s.booked_by !== null,
    bookedByMe: mine,
    booker:
      s.booked_by && (seesBooker || mine) ? { id: s.booked_by, displayName: names.get(s.booked_by) ?? '—' } : null,
    topic: seesBooker || mine ? s.topic : null,
  };
}

export async function listResourcePersons(ctx: RequestContext, establishmentId: string) {
  const auth = await use(ctx, establishmentId);
  const role = await rolloutAccess.role(auth);
  const now = new Date();
  const [persons, slots] = await Promise.all([
    support.resourcePersons(auth.db, establishmentId),
    support.slots(auth.db, establishmentId, new Date(now.getTime() - 30 * DAY)),
  ]);
  const [names, labels] = await Promise.all([
    directoryFacts.names(auth.db, [
      ...persons.map((p) => p.user_id),
      ...slots.flatMap((s) => (s.booked_by ? [s.booked_by] : [])),
    ]),
    directoryFacts.subjectLabels(
      auth.db,
      persons.flatMap((p) => (p.subject_code ? [p.subject_code] : [])),
    ),
  ]);
  const horizon = now.getTime() + 30 * DAY;
  const items: ResourcePerson[] = persons.map((p) => {
    const own = p.user_id === auth.user.id;
    const seesAll = own || role.direction;
    const mine = slots.filter((s) => s.resource_person_id === p.id);
    const visible = mine.filter((s) => seesAll || new Date(s.ends_at) >= now);
    const booked = mine.filter((s) => s.booked_by && new Date(s.starts_at).getTime() <= horizon);
    return {
      id: p.id,
      person: { id: p.user_id, displayName: names.get(p.user_id) ?? '—' },
      service: p.service_key as ServiceKey | null,
      subjectCode: p.subject_code,
      subject: p.subject_code ? (labels.get(p.subject_code) ?? p.subject_code) : null,
      note: p.note,
      mine: own,
      slots: visible.map((s) => presentSlot(s, auth.user.id, seesAll, names)),
      load: role.direction
        ? {
            booked: booked.length,
            hours:
              Math.round(
                booked.reduce(
                  (h, s) => h + (new Date(s.ends_at).getTime() - new Date(s.starts_at).getTime()) / 3_600_000,
                  0,
                ) * 10,
              ) / 10,
            free: mine.filter((s) => !s.booked_by && new Date(s.starts_at) > now).length,
          }
        : null,
    };
  });
  recordUsage(ctx, establishmentId, 'rollout', 'resource_persons.view');
  return { items, can: { manage: role.steering } };
}

export async function createResourcePerson(
  ctx: RequestContext,
  body: {
    establishmentId: string;
    userId: string;
    service: ServiceKey | null;
    subjectCode: string | null;
    note: string;
  },
) {
  const { auth } = await steering(ctx, body.establishmentId);
  if (!body.service && !body.subjectCode) {
    throw new AppError(400, 'RESOURCE_PERSON_SCOPE', {
      errors: [{ path: 'body.service', message: t(ctx.lang, 'RESOURCE_PERSON_SCOPE') }],
    });
  }
  await requireStaff(auth, [body.userId], 'body.userId');
  if (body.subjectCode && !(await directoryFacts.subjectLabels(auth.db, [body.subjectCode])).has(body.subjectCode)) {
    throw new AppError(400, 'UNKNOWN_SUBJECT', {
      errors: [{ path: 'body.subjectCode', message: t(ctx.lang, 'UNKNOWN_SUBJECT') }],
    });
  }
  const existing = await support.resourcePersons(auth.db, body.establishmentId);
  if (
    existing.some(
      (p) => p.user_id === body.userId && p.service_key === body.service && p.subject_code === body.subjectCode,
    )
  ) {
    throw new AppError(409, 'ALREADY_RESOURCE_PERSON');
  }
  const id = await auth.transaction(async (trx) => {
    const rpId = await support.insertResourcePerson(trx, body);
    await audit(trx, ctx, {
      action: 'rollout.resource_person.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_resource_person',
      targetId: rpId,
      details: { userId: body.userId, service: body.service, subject: body.subjectCode },
    });
    await notify(trx, {
      establishmentId: body.establishmentId,
      kind: 'rollout.resource_person.named',
      recipients: [body.userId],
      actorId: auth.user.id,
      text: {
        fr: 'Vous êtes désormais personne ressource pour le déploiement de l’ENT : proposez vos créneaux de disponibilité.',
        en: 'You are now a resource person for the ENT rollout: offer your availability slots.',
      },
      link: '/rollout/support',
    });
    return rpId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'resource_person.create');
  return { id };
}

export async function deleteResourcePerson(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_resource_person', id);
  const { auth } = await steering(ctx, establishmentId);
  const rp = await support.resourcePerson(auth.db, establishmentId, id);
  if (!rp) throw notFound();
  const future = await support.futureSlotsOf(auth.db, id, new Date());
  await auth.transaction(async (trx) => {
    await support.deleteResourcePerson(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.resource_person.delete',
      establishmentId,
      targetType: 'rollout_resource_person',
      targetId: id,
      details: { userId: rp.user_id, withdrawnSlots: future.length },
    });
    for (const s of future.filter((x) => x.booked_by)) {
      await notify(trx, {
        establishmentId,
        kind: 'rollout.slot.cancelled',
        recipients: [s.booked_by!],
        actorId: auth.user.id,
        text: {
          fr: `Votre rendez-vous avec une personne ressource du ${when(s.starts_at)} est annulé.`,
          en: `Your appointment with a resource person on ${new Date(s.starts_at).toISOString()} is cancelled.`,
        },
        link: '/rollout/support',
      });
    }
  });
  recordUsage(ctx, establishmentId, 'rollout', 'resource_person.delete');
}

/** The resource person themself, or the steering group, manages their slots. */
async function slotOwnerAccess(ctx: RequestContext, resourcePersonId: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_resource_person', resourcePersonId);
  const auth = await use(ctx, establishmentId);
  const rp = await support.resourcePerson(auth.db, establishmentId, resourcePersonId);
  if (!rp) throw notFound();
  if (rp.user_id !== auth.user.id) await rolloutAccess.requireSteering(auth);
  return { auth, rp };
}

export async function createSlot(
  ctx: RequestContext,
  body: { resourcePersonId: string; startsAt: string; endsAt: string; mode: 'onsite' | 'remote'; room: string | null },
) {
  const { auth, rp } = await slotOwnerAccess(ctx, body.resourcePersonId);
  const start = new Date(body.startsAt);
  const end = new Date(body.endsAt);
  const lang = ctx.lang;
  const field = (code: 'INVALID_PERIOD' | 'SLOT_IN_PAST' | 'SLOT_TOO_LONG' | 'ROOM_REQUIRED', path: string) =>
    new AppError(400, code, {
      vars: { max: MAX_SLOT_HOURS },
      errors: [{ path, message: t(lang, code, { max: MAX_SLOT_HOURS }) }],
    });
  if (end <= start) throw field('INVALID_PERIOD', 'body.endsAt');
  if (start.getTime() < Date.now()) throw field('SLOT_IN_PAST', 'body.startsAt');
  if (end.getTime() - start.getTime() > MAX_SLOT_HOURS * 3_600_000) throw field('SLOT_TOO_LONG', 'body.endsAt');
  if (body.mode === 'onsite' && !body.room) throw field('ROOM_REQUIRED', 'body.room');
  const id = await auth.transaction(async (trx) => {
    if ((await support.overlapping(trx, rp.id, start, end)).length > 0) throw new AppError(409, 'SLOT_OVERLAP');
    return support.insertSlot(trx, {
      establishmentId: auth.establishmentId,
      resourcePersonId: rp.id,
      startsAt: start,
      endsAt: end,
      mode: body.mode,
      room: body.mode === 'onsite' ? body.room : null,
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'slot.create');
  return { id };
}

async function slotAccess(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_slot', id);
  const auth = await use(ctx, establishmentId);
  const slot = await support.slot(auth.db, establishmentId, id);
  if (!slot) throw notFound();
  const rp = (await support.resourcePerson(auth.db, establishmentId, slot.resource_person_id))!;
  return { auth, slot, rp };
}

export async function deleteSlot(ctx: RequestContext, id: string) {
  const { auth, slot, rp } = await slotAccess(ctx, id);
  if (rp.user_id !== auth.user.id) await rolloutAccess.requireSteering(auth);
  await auth.transaction(async (trx) => {
    await support.deleteSlot(trx, id);
    if (slot.booked_by && new Date(slot.starts_at) > new Date()) {
      await notify(trx, {
        establishmentId: auth.establishmentId,
        kind: 'rollout.slot.cancelled',
        recipients: [slot.booked_by],
        actorId: auth.user.id,
        text: {
          fr: `Votre rendez-vous avec une personne ressource du ${when(slot.starts_at)} est annulé.`,
          en: `Your appointment with a resource person on ${new Date(slot.starts_at).toISOString()} is cancelled.`,
        },
        link: '/rollout/support',
      });
    }
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'slot.delete');
}

export async function bookSlot(ctx: RequestContext, id: string, body: { topic: string }): Promise<Slot> {
  const { auth, slot, rp } = await slotAccess(ctx, id);
  if (rp.user_id === auth.user.id) {
    throw new AppError(400, 'OWN_SLOT', { errors: [{ path: 'params.id', message: t(ctx.lang, 'OWN_SLOT') }] });
  }
  if (new Date(slot.starts_at) <= new Date()) throw new AppError(409, 'SLOT_IN_PAST');
  await auth.transaction(async (trx) => {
    // One statement takes the slot only if it is still free: two people booking at once, one gets it.
    if ((await support.book(trx, id, auth.user.id, body.topic)) === 0) throw new AppError(409, 'SLOT_TAKEN');
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'rollout.slot.booked',
      recipients: [rp.user_id],
      actorId: auth.user.id,
      text: {
        fr: `${auth.user.displayName} a réservé votre créneau du ${when(slot.starts_at)}${body.topic ? ` : « ${body.topic} »` : ''}.`,
        en: `${auth.user.displayName} booked your slot on ${new Date(slot.starts_at).toISOString()}${body.topic ? `: “${body.topic}”` : ''}.`,
      },
      link: '/rollout/support',
      source: { type: 'rollout.slot', id },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'slot.book');
  const after = (await support.slot(auth.db, auth.establishmentId, id))!;
  return presentSlot(after, auth.user.id, false, new Map([[auth.user.id, auth.user.displayName]]));
}

export async function cancelBooking(ctx: RequestContext, id: string) {
  const { auth, slot, rp } = await slotAccess(ctx, id);
  if (!slot.booked_by) throw new AppError(409, 'NOT_REGISTERED');
  const isBooker = slot.booked_by === auth.user.id;
  if (!isBooker && rp.user_id !== auth.user.id) await rolloutAccess.requireSteering(auth);
  await auth.transaction(async (trx) => {
    await support.unbook(trx, id);
    await notify(trx, {
      establishmentId: auth.establishmentId,
      kind: 'rollout.slot.cancelled',
      recipients: [isBooker ? rp.user_id : slot.booked_by!],
      actorId: auth.user.id,
      text: {
        fr: `Le rendez-vous du ${when(slot.starts_at)} avec une personne ressource est annulé.`,
        en: `The appointment with a resource person on ${new Date(slot.starts_at).toISOString()} is cancelled.`,
      },
      link: '/rollout/support',
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'slot.cancel');
}

// ---- Training sessions ---------------------------------------------------------------------------------------

type TrainingRow = Awaited<ReturnType<typeof trainings.list>>[number];

async function presentTrainings(auth: Authorized, rows: TrainingRow[], steeringView: boolean): Promise<Training[]> {
  const regs = await trainings.registrations(
    auth.db,
    rows.map((r) => r.id),
  );
  const stepIds = [...new Set(rows.flatMap((r) => (r.step_id ? [r.step_id] : [])))];
  const [steps, names] = await Promise.all([
    Promise.all(stepIds.map((id) => plan.step(auth.db, auth.establishmentId, id))),
    steeringView
      ? directoryFacts.names(
          auth.db,
          regs.map((r) => r.user_id),
        )
      : Promise.resolve(new Map<string, string>()),
  ]);
  return rows.map((r) => {
    const mine = regs.filter((x) => x.training_id === r.id);
    const step = steps.find((s) => s?.id === r.step_id);
    return {
      id: r.id,
      title: r.title,
      audience: r.audience,
      startsAt: new Date(r.starts_at).toISOString(),
      endsAt: new Date(r.ends_at).toISOString(),
      place: r.place,
      capacity: r.capacity,
      registered: mine.length,
      registeredMe: mine.some((x) => x.user_id === auth.user.id),
      step: step ? { id: step.id, title: step.title, service: step.service_key as ServiceKey } : null,
      attendees: steeringView
        ? mine.map((x) => ({ id: x.user_id, displayName: names.get(x.user_id) ?? '—', present: x.present }))
        : null,
    };
  });
}

export async function listTrainings(ctx: RequestContext, establishmentId: string) {
  const auth = await use(ctx, establishmentId);
  const role = await rolloutAccess.role(auth);
  const rows = await trainings.list(auth.db, establishmentId, new Date(Date.now() - 120 * DAY));
  recordUsage(ctx, establishmentId, 'rollout', 'trainings.view');
  return { items: await presentTrainings(auth, rows, role.steering), can: { manage: role.steering } };
}

function requirePeriod(lang: 'fr' | 'en', startsAt: Date, endsAt: Date) {
  if (endsAt <= startsAt) {
    throw new AppError(400, 'INVALID_PERIOD', {
      errors: [{ path: 'body.endsAt', message: t(lang, 'INVALID_PERIOD') }],
    });
  }
}

async function requireStepOf(auth: Authorized, stepId: string | null | undefined) {
  if (stepId && !(await plan.step(auth.db, auth.establishmentId, stepId))) throw notFound();
}

export async function createTraining(
  ctx: RequestContext,
  body: {
    establishmentId: string;
    title: string;
    audience: string;
    startsAt: string;
    endsAt: string;
    place: string;
    capacity: number;
    stepId: string | null;
  },
) {
  const { auth } = await steering(ctx, body.establishmentId);
  const startsAt = new Date(body.startsAt);
  const endsAt = new Date(body.endsAt);
  requirePeriod(ctx.lang, startsAt, endsAt);
  await requireStepOf(auth, body.stepId);
  const id = await auth.transaction(async (trx) => {
    const trainingId = await trainings.insert(trx, { ...body, startsAt, endsAt, createdBy: auth.user.id });
    await audit(trx, ctx, {
      action: 'rollout.training.create',
      establishmentId: body.establishmentId,
      targetType: 'rollout_training',
      targetId: trainingId,
      details: { title: body.title, startsAt: body.startsAt, capacity: body.capacity, stepId: body.stepId },
    });
    return trainingId;
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'training.create');
  return { id };
}

async function trainingAccess(ctx: RequestContext, id: string) {
  const establishmentId = await rolloutAccess.establishmentOf(ctx.db, 'rollout_training', id);
  const auth = await use(ctx, establishmentId);
  const row = await trainings.byId(auth.db, establishmentId, id);
  if (!row) throw notFound();
  return { auth, row };
}

async function registeredPeople(auth: Authorized, id: string) {
  return (await trainings.registrations(auth.db, [id])).map((r) => r.user_id);
}

export async function updateTraining(
  ctx: RequestContext,
  id: string,
  body: {
    title?: string;
    audience?: string;
    startsAt?: string;
    endsAt?: string;
    place?: string;
    capacity?: number;
    stepId?: string | null;
  },
): Promise<Training> {
  const { auth, row } = await trainingAccess(ctx, id);
  await rolloutAccess.requireSteering(auth);
  const startsAt = body.startsAt ? new Date(body.startsAt) : new Date(row.starts_at);
  const endsAt = body.endsAt ? new Date(body.endsAt) : new Date(row.ends_at);
  requirePeriod(ctx.lang, startsAt, endsAt);
  await requireStepOf(auth, body.stepId);
  const people = await registeredPeople(auth, id);
  if (body.capacity !== undefined && body.capacity < people.length) throw new AppError(409, 'TRAINING_FULL');
  const moved =
    (body.startsAt && startsAt.getTime() !== new Date(row.starts_at).getTime()) ||
    (body.place !== undefined && body.place !== row.place);
  await auth.transaction(async (trx) => {
    const { startsAt: _s, endsAt: _e, ...rest } = body;
    await trainings.update(trx, id, {
      ...rest,
      ...(body.startsAt ? { startsAt } : {}),
      ...(body.endsAt ? { endsAt } : {}),
    });
    await audit(trx, ctx, {
      action: 'rollout.training.update',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_training',
      targetId: id,
      details: { before: { startsAt: row.starts_at, place: row.place, capacity: row.capacity }, after: body },
    });
    if (moved) {
      await notify(trx, {
        establishmentId: auth.establishmentId,
        kind: 'rollout.training.changed',
        recipients: people,
        actorId: auth.user.id,
        text: {
          fr: `La formation « ${body.title ?? row.title} » a lieu le ${when(startsAt)}, ${body.place ?? row.place}.`,
          en: `The training “${body.title ?? row.title}” takes place on ${startsAt.toISOString()}, ${body.place ?? row.place}.`,
        },
        link: '/rollout/support',
        source: { type: 'rollout.training', id },
      });
    }
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'training.update');
  const after = (await trainings.byId(auth.db, auth.establishmentId, id))!;
  return (await presentTrainings(auth, [after], true))[0]!;
}

export async function deleteTraining(ctx: RequestContext, id: string) {
  const { auth, row } = await trainingAccess(ctx, id);
  await rolloutAccess.requireSteering(auth);
  const people = await registeredPeople(auth, id);
  await auth.transaction(async (trx) => {
    await trainings.delete(trx, id);
    await audit(trx, ctx, {
      action: 'rollout.training.delete',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_training',
      targetId: id,
      details: { title: row.title, startsAt: row.starts_at, registered: people.length },
    });
    if (new Date(row.starts_at) > new Date()) {
      await notify(trx, {
        establishmentId: auth.establishmentId,
        kind: 'rollout.training.changed',
        recipients: people,
        actorId: auth.user.id,
        text: {
          fr: `La formation « ${row.title} » du ${when(row.starts_at)} est annulée.`,
          en: `The training “${row.title}” on ${new Date(row.starts_at).toISOString()} is cancelled.`,
        },
        link: '/rollout/support',
      });
    }
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'training.delete');
}

export async function register(ctx: RequestContext, id: string): Promise<Training> {
  const { auth, row } = await trainingAccess(ctx, id);
  if (new Date(row.starts_at) <= new Date()) throw new AppError(409, 'TRAINING_PAST');
  await auth.transaction(async (trx) => {
    await trainings.lock(trx, id);
    const already = (await trainings.registrations(trx, [id])).some((r) => r.user_id === auth.user.id);
    if (already) return;
    if ((await trainings.register(trx, id, auth.establishmentId, auth.user.id, row.capacity)) === 0) {
      throw new AppError(409, 'TRAINING_FULL');
    }
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'training.register');
  const role = await rolloutAccess.role(auth);
  return (await presentTrainings(auth, [row], role.steering))[0]!;
}

export async function unregister(ctx: RequestContext, id: string) {
  const { auth, row } = await trainingAccess(ctx, id);
  if (new Date(row.starts_at) <= new Date()) throw new AppError(409, 'TRAINING_PAST');
  if ((await trainings.unregister(auth.db, id, auth.user.id)) === 0) throw new AppError(409, 'NOT_REGISTERED');
  recordUsage(ctx, auth.establishmentId, 'rollout', 'training.unregister');
}

export async function setAttendance(ctx: RequestContext, id: string, body: { present: string[] }): Promise<Training> {
  const { auth, row } = await trainingAccess(ctx, id);
  await rolloutAccess.requireSteering(auth);
  const people = new Set(await registeredPeople(auth, id));
  const stranger = body.present.findIndex((u) => !people.has(u));
  if (stranger >= 0) {
    throw new AppError(400, 'NOT_REGISTERED', {
      errors: [{ path: `body.present.${stranger}`, message: t(ctx.lang, 'NOT_REGISTERED') }],
    });
  }
  await auth.transaction(async (trx) => {
    await trainings.setAttendance(trx, id, [...new Set(body.present)]);
    await audit(trx, ctx, {
      action: 'rollout.training.attendance',
      establishmentId: auth.establishmentId,
      targetType: 'rollout_training',
      targetId: id,
      details: { present: body.present.length, registered: people.size },
    });
  });
  recordUsage(ctx, auth.establishmentId, 'rollout', 'training.attendance');
  return (await presentTrainings(auth, [row], true))[0]!;
}

// ---- Satisfaction pulse --------------------------------------------------------------------------------------

/** The services a person may give a pulse on: built ones, open to them there. */
async function pulseServices(auth: Authorized): Promise<ServiceKey[]> {
  const open = await openServicesFor(auth.db, auth.establishmentId, [...auth.profiles]);
  return open.filter((k) => SERVICE_CATALOGUE.find((e) => e.key === k)?.available);
}

export async function myPulse(ctx: RequestContext, establishmentId: string) {
  const auth = await use(ctx, establishmentId);
  const period = monthOf(parisDay(new Date()));
  const [services, answered] = await Promise.all([
    pulseServices(auth),
    pulse.answered(auth.db, establishmentId, auth.user.id, period),
  ]);
  return { period, services, answered: answered.map((a) => a.service_key as ServiceKey) };
}

/**
 * An anonymous answer: the marker (who answered this month) and the answer (no person, no time, only the
 * month) are two rows that share nothing but the establishment, the service and the month.
 */
export async function answerPulse(
  ctx: RequestContext,
  body: { establishmentId: string; service: ServiceKey; score: number; comment: string },
) {
  const auth = await use(ctx, body.establishmentId);
  if (!(await pulseServices(auth)).includes(body.service)) throw new AppError(403, 'SERVICE_CLOSED');
  const period = monthOf(parisDay(new Date()));
  await auth.transaction(async (trx) => {
    if ((await pulse.mark(trx, body.establishmentId, auth.user.id, body.service, period)) === 0) {
      throw new AppError(409, 'PULSE_ALREADY_ANSWERED');
    }
    await pulse.answer(trx, { ...body, period, comment: body.comment || null });
  });
  recordUsage(ctx, body.establishmentId, 'rollout', 'pulse.answer');
}

export async function pulseResults(ctx: RequestContext, establishmentId: string): Promise<PulseResults> {
  const { auth } = await steering(ctx, establishmentId);
  const today = parisDay(new Date());
  const periods = [
    monthOf(today),
    monthOf(addDays(`${monthOf(today)}-01`, -1)),
    monthOf(addDays(`${monthOf(today)}-01`, -32)),
  ];
  const rows = await pulse.results(auth.db, establishmentId, periods);
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    const k = `${r.service_key}|${r.period}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  recordUsage(ctx, establishmentId, 'rollout', 'pulse.view');
  return {
    minAnswers: PULSE_MIN_ANSWERS,
    services: [...groups.entries()]
      .map(([k, answers]) => {
        const [key, period] = k.split('|') as [ServiceKey, string];
        const enough = answers.length >= PULSE_MIN_ANSWERS;
        const mean = answers.reduce((a, b) => a + b.score, 0) / answers.length;
        return {
          key,
          period,
          answers: answers.length,
          mean: enough ? Math.round(mean * 10) / 10 : null,
          distribution: enough ? [1, 2, 3, 4, 5].map((s) => answers.filter((a) => a.score === s).length) : null,
          comments: enough ? answers.flatMap((a) => (a.comment ? [a.comment] : [])) : null,
        };
      })
      .sort((a, b) => b.period.localeCompare(a.period) || a.key.localeCompare(b.key)),
  };
}
