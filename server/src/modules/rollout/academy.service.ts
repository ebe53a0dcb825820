import type { AcademyEstablishment, AcademyView } from '@preau/contracts';
import { requirePlatformAdmin } from '../../platform/access/access.ts';
import { trustedDb } from '../../platform/access/authorize.ts';
import { audit } from '../../platform/audit.ts';
import { notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import { charterFacts } from '../charter/index.ts';
import { directoryFacts } from '../directory/index.ts';
import { activity } from './activity.repository.ts';
import { ROLLUP_MAX_AGE_MS, rollUp } from './indicators.service.ts';
import { addDays, parisDay } from './rollout.dates.ts';
import { SERVICE_ACTIVE_PREFIX } from './rollout.indicators.ts';
import { axes, outreach, plan } from './rollout.repository.ts';

/** Platform administrators act across establishments: the académie view is theirs alone. */
function admin(ctx: RequestContext) {
  requirePlatformAdmin(ctx);
  return trustedDb(ctx.db, 'a platform administrator reads or sets the académie view');
}

const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);

/**
 * Every establishment of every académie with its rates (activation overall, of guardians and of teachers;
 * charter; people active over 30 days) and its plan's progress, ranked within its académie by the share of
 * active people, then activation. Set-based: a handful of queries whatever the number of establishments.
 */
export async function academyView(ctx: RequestContext): Promise<AcademyView> {
  const db = admin(ctx);
  const now = new Date();
  const oldest = await activity.oldestAsOf(db);
  const asOf = oldest && now.getTime() - oldest.getTime() <= ROLLUP_MAX_AGE_MS ? oldest : await rollUp(db, null, now);
  const today = parisDay(asOf);
  const rows = await outreach.academiesWithEstablishments(db);
  const ids = rows.map((r) => r.id);
  const academyIds = [...new Set(rows.map((r) => r.academy_id))];
  const [activation, charter, active, progress, objectives, axisRows, contacts] = await Promise.all([
    directoryFacts.activationCounts(db, ids),
    charterFacts.acceptanceCounts(db, ids),
    activity.monthUsersAny(db, ids, today),
    plan.progress(db, ids, today),
    plan.objectivesOf(db, ids),
    axes.ofAcademies(db, academyIds),
    outreach.contacts(db, academyIds),
  ]);

  // Objectives reached: a per-service share from the roll-up, a registered indicator computed by its module
  // over the school year so far (one computation per objective: plans hold a handful).
  const reached = new Map<string, number>();
  const registry = moduleRegistry().indicators;
  for (const o of objectives) {
    let value: number | null = null;
    if (o.indicator.startsWith(SERVICE_ACTIVE_PREFIX)) {
      const profile = o.indicator.slice(SERVICE_ACTIVE_PREFIX.length);
      const members =
        activation.find((a) => a.establishment_id === o.establishment_id && a.profile === profile)?.total ?? 0;
      const users = await activity.monthUsers(db, o.establishment_id, o.service_key, profile, today);
      value = members > 0 ? users / members : 0;
    } else {
      const def = registry.get(o.indicator);
      const from = (await outreach.yearStart(db, o.establishment_id)) ?? addDays(today, -365);
      value = def
        ? await def.compute(db, o.establishment_id, { from, to: today }).then(
            (v) => v.value,
            () => null,
          )
        : null;
    }
    if (value !== null && value >= o.target)
      reached.set(o.establishment_id, (reached.get(o.establishment_id) ?? 0) + 1);
  }

  const figures = (id: string): Omit<AcademyEstablishment, 'id' | 'uai' | 'name' | 'rank'> => {
    const act = activation.filter((a) => a.establishment_id === id);
    const sum = (xs: { activated?: number; accepted?: number; total: number }[], k: 'activated' | 'accepted') =>
      rate(
        xs.reduce((n, x) => n + (x[k] ?? 0), 0),
        xs.reduce((n, x) => n + x.total, 0),
      );
    const of = (profile: string) => act.filter((a) => a.profile === profile);
    const people = act.reduce((n, a) => n + a.total, 0);
    const p = progress.find((x) => x.establishment_id === id);
    return {
      activation: sum(act, 'activated'),
      guardians: sum(of('guardian'), 'activated'),
      teachers: sum(of('teacher'), 'activated'),
      charter: sum(
        charter.filter((c) => c.establishment_id === id),
        'accepted',
      ),
      active: rate(active.find((a) => a.establishment_id === id)?.month_users ?? 0, people),
      plan: {
        steps: p?.steps ?? 0,
        done: p?.done ?? 0,
        late: p?.late ?? 0,
        objectives: objectives.filter((o) => o.establishment_id === id).length,
        reached: reached.get(id) ?? 0,
      },
    };
  };

  recordUsage(ctx, null, 'rollout', 'academy.view');
  return {
    asOf: asOf.toISOString(),
    academies: academyIds.map((academyId) => {
      const ests = rows.filter((r) => r.academy_id === academyId);
      const contact = contacts.find((c) => c.academy_id === academyId);
      const ranked = ests
        .map((e) => ({ id: e.id, uai: e.uai, name: e.name, ...figures(e.id) }))
        .sort((a, b) => b.active - a.active || b.activation - a.activation || a.name.localeCompare(b.name, 'fr'))
        .map((e, i) => ({ ...e, rank: i + 1 }));
      return {
        id: academyId,
        name: ests[0]!.academy_name,
        contact: contact
          ? { name: contact.name, email: contact.email, phone: contact.phone, url: contact.url, hours: contact.hours }
          : null,
        axes: axisRows
          .filter((a) => a.academy_id === academyId)
          .map((a) => ({ id: a.id, scope: 'academy' as const, label: a.label })),
        establishments: ranked,
      };
    }),
  };
}

export async function setContact(
  ctx: RequestContext,
  academyId: string,
  body: { name: string; email: string | null; phone: string | null; url: string | null; hours: string | null },
) {
  const db = admin(ctx);
  if (!(await outreach.academy(db, academyId))) throw notFound();
  const row = await db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'a platform administrator sets the académie contact');
    const saved = await outreach.upsertContact(trx, { academyId, ...body, updatedBy: ctx.user!.id });
    await audit(trx, ctx, {
      action: 'rollout.academy.contact',
      targetType: 'academy',
      targetId: academyId,
      details: { name: body.name, email: body.email, phone: body.phone, url: body.url },
    });
    return saved;
  });
  recordUsage(ctx, null, 'rollout', 'academy.contact');
  return { name: row.name, email: row.email, phone: row.phone, url: row.url, hours: row.hours };
}

export async function createAcademyAxis(ctx: RequestContext, academyId: string, body: { label: string }) {
  const db = admin(ctx);
  if (!(await outreach.academy(db, academyId))) throw notFound();
  const id = await db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'a platform administrator adds an académie axis');
    const axisId = await axes.insert(trx, {
      academyId,
      establishmentId: null,
      label: body.label,
      createdBy: ctx.user!.id,
    });
    await audit(trx, ctx, {
      action: 'rollout.academy_axis.create',
      targetType: 'rollout_axis',
      targetId: axisId,
      details: { academyId, label: body.label },
    });
    return axisId;
  });
  recordUsage(ctx, null, 'rollout', 'academy_axis.create');
  return { id };
}
