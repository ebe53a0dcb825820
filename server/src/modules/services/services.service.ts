import {
  type EstablishmentProfile,
  type EstablishmentService,
  type HomeResponse,
  type PortalResponse,
  SERVICE_CATALOGUE,
  type ServiceKey,
  type UpdateServiceBody,
} from '@preau/contracts';
import {
  establishmentSummary,
  membershipIn,
  permissionsIn,
  requireEstablishmentPermission,
  requireUser,
} from '../../platform/access/access.ts';
import { audit } from '../../platform/audit.ts';
import { cached, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuthedContext, RequestContext } from '../../platform/http/context.ts';
import { moduleRegistry } from '../../platform/registry.ts';
import { recordUsage } from '../../platform/usage.ts';
import { hasAcceptedCharter } from '../charter/index.ts';
import { type ServiceSettingRow, serviceSettings } from './services.repository.ts';

// Built once: constructing an Intl.DateTimeFormat costs more than the whole portal's own work.
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });

/** Today in Europe/Paris, as `YYYY-MM-DD`: opening dates are school days, not UTC instants. */
export function parisToday(now?: Date): string {
  if (now) return PARIS_DAY.format(now);
  // Every service gate asks: the day is read again at most once a second.
  const t = Date.now();
  if (t >= today.until) {
    today.value = PARIS_DAY.format(new Date(t));
    today.until = t + 1000 - (t % 1000);
  }
  return today.value;
}
const today = { value: '', until: 0 };

/** Each establishment's service settings, from memory (topic `svc`, announced by a trigger on every change). */
const SETTINGS = defineCache<ServiceSettingRow[]>({
  name: 'service-settings',
  topic: 'svc',
  max: 20_000,
  ttlMs: 600_000,
});
const settingsOf = (db: Db, establishmentId: string) =>
  cached(db, SETTINGS, establishmentId, () => serviceSettings.ofEstablishment(db, establishmentId));

interface Effective {
  key: ServiceKey;
  status: 'mandatory' | 'recommended' | 'closed';
  profiles: EstablishmentProfile[];
  opensOn: string | null;
  generalizesOn: string | null;
  usageRules: { whoEnters: string; whoUses: string; whoPublishes: string; forWhom: string };
  updatedAt: string | null;
}

/** The establishment's setting for each service, or the catalogue default where it said nothing. */
function effective(rows: ServiceSettingRow[]): Effective[] {
  return SERVICE_CATALOGUE.map((entry) => {
    const row = rows.find((r) => r.service_key === entry.key);
    const rules = row?.usage_rules ?? {};
    return {
      key: entry.key,
      status: row?.status ?? entry.defaultStatus,
      profiles: (row?.profiles ?? [...entry.defaultProfiles]) as EstablishmentProfile[],
      opensOn: row?.opens_on ?? null,
      generalizesOn: row?.generalizes_on ?? null,
      usageRules: {
        whoEnters: rules.whoEnters ?? '',
        whoUses: rules.whoUses ?? '',
        whoPublishes: rules.whoPublishes ?? '',
        forWhom: rules.forWhom ?? '',
      },
      updatedAt: row ? new Date(row.updated_at).toISOString() : null,
    };
  });
}

function isOpenTo(s: Effective, profiles: readonly string[] | 'all', today: string): boolean {
  if (s.status === 'closed') return false;
  if (s.opensOn && s.opensOn > today) return false;
  return profiles === 'all' || s.profiles.some((p) => profiles.includes(p));
}

function present(s: Effective, lang: 'fr' | 'en'): EstablishmentService {
  const entry = SERVICE_CATALOGUE.find((e) => e.key === s.key)!;
  return { ...s, name: entry.name[lang], description: entry.description[lang], available: entry.available };
}

export async function listServices(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'services.manage', establishmentId);
  const rows = await settingsOf(ctx.db, establishmentId);
  return { services: effective(rows).map((s) => present(s, ctx.lang)) };
}

export async function updateService(
  ctx: RequestContext,
  establishmentId: string,
  key: ServiceKey,
  input: UpdateServiceBody,
) {
  await requireEstablishmentPermission(ctx, 'services.manage', establishmentId);
  const user = ctx.user!;
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const before = effective(await serviceSettings.ofEstablishment(trx, establishmentId)).find((s) => s.key === key)!;
    const after: Effective = {
      ...before,
      status: input.status ?? before.status,
      profiles: input.profiles ? [...new Set(input.profiles)] : before.profiles,
      opensOn: input.opensOn !== undefined ? input.opensOn : before.opensOn,
      generalizesOn: input.generalizesOn !== undefined ? input.generalizesOn : before.generalizesOn,
      usageRules: { ...before.usageRules, ...(input.usageRules ?? {}) },
    };
    if (after.opensOn && after.generalizesOn && after.generalizesOn < after.opensOn) {
      throw new AppError(400, 'INVALID_DATES', {
        errors: [{ path: 'body.generalizesOn', message: 'INVALID_DATES' }],
      });
    }
    await serviceSettings.upsert(trx, {
      establishmentId,
      key,
      status: after.status,
      profiles: after.profiles,
      opensOn: after.opensOn,
      generalizesOn: after.generalizesOn,
      usageRules: after.usageRules,
      updatedBy: user.id,
    });
    await audit(trx, ctx, {
      action: 'services.update',
      establishmentId,
      targetType: 'service',
      targetId: key,
      details: { before: { ...before, updatedAt: undefined }, after: { ...after, updatedAt: undefined } },
    });
    const row = await serviceSettings.one(trx, establishmentId, key);
    return present(effective(row ? [row] : []).find((s) => s.key === key)!, ctx.lang);
  });
  recordUsage(ctx, establishmentId, 'services', 'update');
  return updated;
}

/** The establishment a portal call is about: the one asked for, else the user's first. */
function portalEstablishment(ctx: RequestContext, asked: string | undefined): string {
  requireUser(ctx);
  if (asked) return asked;
  const first = ctx.user.memberships[0]?.establishmentId;
  if (!first) throw notFound();
  return first;
}

async function portalAccess(ctx: RequestContext, asked: string | undefined) {
  const establishmentId = portalEstablishment(ctx, asked);
  // The portal's permission in *that* establishment: an establishment may revoke `portal.read` for a profile.
  const { user, membership: m } = await requireEstablishmentPermission(ctx, 'portal.read', establishmentId);
  const summary = await establishmentSummary(ctx.db, establishmentId);
  if (!summary) throw notFound();
  const est = { id: summary.id, uai: summary.uai, name: summary.name };
  if (m && !(await hasAcceptedCharter(ctx.db, user.id, establishmentId))) {
    throw new AppError(403, 'CHARTER_NOT_ACCEPTED');
  }
  return { est, profiles: m ? m.profiles : ('all' as const) };
}

/**
 * Services whose screens are not built yet (`available: false` in the catalogue) are shown — marked "bientôt
 * disponible" — only to those who open services in the establishment (`services.manage`: the direction, the local
 * administrator, a platform administrator), who prepare their opening. Students, families, teachers and staff see
 * only what works: no tile leading nowhere.
 */
async function seesUpcoming(ctx: RequestContext, establishmentId: string): Promise<boolean> {
  requireUser(ctx);
  return (await permissionsIn(ctx.db, ctx.user, establishmentId, ['services.manage'])).length > 0;
}

const isAvailable = (key: ServiceKey) => SERVICE_CATALOGUE.find((e) => e.key === key)?.available ?? false;

export async function portal(ctx: RequestContext, asked: string | undefined): Promise<PortalResponse> {
  const { est, profiles } = await portalAccess(ctx, asked);
  const today = parisToday();
  const rows = await settingsOf(ctx.db, est.id);
  const open = effective(rows).filter((s) => isOpenTo(s, profiles, today));
  const upcoming = open.some((s) => !isAvailable(s.key)) && (await seesUpcoming(ctx, est.id));
  const services = open
    .filter((s) => upcoming || isAvailable(s.key))
    .map((s) => {
      const p = present(s, ctx.lang);
      return {
        key: p.key,
        name: p.name,
        description: p.description,
        status: s.status as 'mandatory' | 'recommended',
        available: p.available,
        generalized: !s.generalizesOn || s.generalizesOn <= today,
      };
    });
  recordUsage(ctx, est.id, 'portal', 'view');
  return { establishment: est, profiles: profiles === 'all' ? [] : profiles, services };
}

/**
 * The first screen in one request: the portal, then each registered home widget whose module is not a service
 * (the timeline) or whose service is open to the caller there, loaded side by side. A widget that fails is
 * `null` (logged): the home page still shows the rest.
 */
export async function home(ctx: RequestContext, asked: string | undefined): Promise<HomeResponse> {
  const portalData = await portal(ctx, asked);
  const open = new Set<string>(portalData.services.map((s) => s.key));
  const user = ctx.user!;
  const establishmentId = portalData.establishment.id;
  const w = {
    ctx: ctx as AuthedContext,
    establishmentId,
    profiles: membershipIn(user, establishmentId)?.profiles ?? [],
  };
  const loaders = moduleRegistry().homeWidgets.filter((h) => h.service === null || open.has(h.service));
  const results = await Promise.allSettled(loaders.map((h) => h.load(w)));
  const widgets: Record<string, unknown> = {};
  results.forEach((r, i) => {
    const module = loaders[i]!.module;
    if (r.status === 'fulfilled') widgets[module] = r.value;
    else {
      ctx.log.error({ err: r.reason, module }, 'home widget failed');
      widgets[module] = null;
    }
  });
  return { portal: portalData, widgets };
}

/** One service's entry for the caller: what a service page asks before showing anything. */
export async function portalService(ctx: RequestContext, asked: string | undefined, key: ServiceKey) {
  const { est } = await portalAccess(ctx, asked);
  await requireServiceOpen(ctx, key, est.id);
  // Not built yet: it exists only for those who prepare its opening; to anyone else its address leads nowhere.
  if (!isAvailable(key) && !(await seesUpcoming(ctx, est.id))) throw notFound();
  const rows = await settingsOf(ctx.db, est.id);
  recordUsage(ctx, est.id, key, 'portal.service_view');
  return present(effective(rows).find((s) => s.key === key)!, ctx.lang);
}

/**
 * The gate every service module's routes pass (wired by the app for modules that declare a service):
 * a member of the establishment who accepted its charter, and the service open to one of their profiles.
 */
export async function requireServiceOpen(ctx: RequestContext, key: ServiceKey, establishmentId: string) {
  requireUser(ctx);
  const user = ctx.user;
  const id = establishmentId;
  const m = membershipIn(user, id);
  if (!m && !user.platformAdmin) throw notFound();
  if (m && !(await hasAcceptedCharter(ctx.db, user.id, id))) throw new AppError(403, 'CHARTER_NOT_ACCEPTED');
  const row = (await settingsOf(ctx.db, id)).find((r) => r.service_key === key);
  const s = effective(row ? [row] : []).find((x) => x.key === key)!;
  if (!isOpenTo(s, m ? m.profiles : 'all', parisToday())) throw new AppError(403, 'SERVICE_CLOSED');
}

export async function openServicesFor(db: Db, establishmentId: string, profiles: string[]): Promise<ServiceKey[]> {
  const today = parisToday();
  return effective(await settingsOf(db, establishmentId))
    .filter((s) => isOpenTo(s, profiles, today))
    .map((s) => s.key);
}

/**
 * Each service's opening in an establishment (the catalogue default where it said nothing; `updatedAt` null
 * then), for the rollout cockpit's plan and checklist. The caller has authorized the reader.
 */
export async function serviceOpenings(db: Db, establishmentId: string) {
  return effective(await settingsOf(db, establishmentId)).map((s) => ({
    key: s.key,
    status: s.status,
    profiles: s.profiles,
    opensOn: s.opensOn,
    generalizesOn: s.generalizesOn,
    updatedAt: s.updatedAt,
  }));
}

/** The demo académie: a service's opening as the direction would have set it. */
export async function openServiceForDemo(
  db: Db,
  establishmentId: string,
  key: ServiceKey,
  setting: {
    status: 'mandatory' | 'recommended' | 'closed';
    opensOn: string | null;
    generalizesOn: string | null;
    updatedBy: string;
  },
) {
  const entry = SERVICE_CATALOGUE.find((e) => e.key === key)!;
  await serviceSettings.upsert(db, {
    establishmentId,
    key,
    status: setting.status,
    profiles: [...entry.defaultProfiles],
    opensOn: setting.opensOn,
    generalizesOn: setting.generalizesOn,
    usageRules: {},
    updatedBy: setting.updatedBy,
  });
}
