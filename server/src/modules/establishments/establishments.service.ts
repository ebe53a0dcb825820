import {
  type CreateEstablishmentBody,
  ESTABLISHMENT_PROFILES,
  type Establishment,
  type EstablishmentPermissions,
  type SetPermissionsBody,
} from '@preau/contracts';
import {
  membershipIn,
  requireEstablishmentPermission,
  requirePlatformAdmin,
  requireUser,
} from '../../platform/access/access.ts';
import { allPermissions, defaultGranted, isKnownPermission } from '../../platform/access/permissions.ts';
import { audit } from '../../platform/audit.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { t } from '../../platform/i18n.ts';
import { isValidUai } from '../../platform/logins.ts';
import { recordUsage } from '../../platform/usage.ts';
import { parisToday } from '../services/index.ts';
import { academies, type EstablishmentRow, establishments, permissionOverrides } from './establishments.repository.ts';

export const PAGE_SIZE = 50;

/** Permissions that are platform-wide: they cannot be granted or revoked per establishment. */
const PLATFORM_WIDE = new Set(['establishments.manage']);

/** Lower case, accents stripped: the same folding as the SQL side. */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

const words = (q: string | undefined) => (q ? foldText(q).split(/\s+/).filter(Boolean).slice(0, 5) : []);

/** The school year running on a given Paris day: September to August (`2026-2027`). */
export function schoolYearOf(day: string): { label: string; startsOn: string; endsOn: string } {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const start = m >= 9 ? y : y - 1;
  return { label: `${start}-${start + 1}`, startsOn: `${start}-09-01`, endsOn: `${start + 1}-08-31` };
}

/** `Lycée Jean Jaurès`, `Montreuil` → `lycee-jean-jaures-montreuil`. */
export function slugify(...parts: (string | null | undefined)[]): string {
  const slug = foldText(parts.filter(Boolean).join(' '))
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 70)
    .replace(/-+$/, '');
  return slug || 'etablissement';
}

function present(row: EstablishmentRow): Establishment {
  return {
    id: row.id,
    uai: row.uai,
    name: row.name,
    type: row.type,
    city: row.city,
    slug: row.slug,
    academy: { id: row.academy_id, name: row.academy_name },
    currentSchoolYear: row.school_year,
  };
}

/** A platform admin sees every establishment; anyone else only those they are a member of. */
export async function listEstablishments(ctx: RequestContext, query: { q?: string; page: number }) {
  requireUser(ctx);
  const filter = {
    words: words(query.q),
    ids: ctx.user.platformAdmin ? undefined : ctx.user.memberships.map((m) => m.establishmentId),
  };
  const [rows, total] = await Promise.all([
    establishments.page(ctx.db, filter, PAGE_SIZE, (query.page - 1) * PAGE_SIZE),
    establishments.count(ctx.db, filter),
  ]);
  return { items: rows.map(present), total };
}

export async function getEstablishment(ctx: RequestContext, id: string): Promise<Establishment> {
  requireUser(ctx);
  if (!ctx.user.platformAdmin && !membershipIn(ctx.user, id)) throw notFound();
  const row = await establishments.byId(ctx.db, id);
  if (!row) throw notFound();
  return present(row);
}

export async function listAcademies(ctx: RequestContext) {
  requirePlatformAdmin(ctx);
  return { items: await academies.all(ctx.db) };
}

async function freeSlug(db: Db, base: string): Promise<string> {
  const taken = new Set(await establishments.slugsLike(db, base));
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

const isUniqueViolation = (e: unknown, constraint: string) =>
  (e as { code?: string }).code === '23505' && (e as { constraint?: string }).constraint === constraint;

export async function createEstablishment(ctx: RequestContext, input: CreateEstablishmentBody): Promise<Establishment> {
  requirePlatformAdmin(ctx);
  if (!isValidUai(input.uai)) {
    throw new AppError(400, 'UAI_CHECK_LETTER', {
      errors: [{ path: 'body.uai', message: t(ctx.lang, 'UAI_CHECK_LETTER') }],
    });
  }
  if (!(await academies.exists(ctx.db, input.academyId))) {
    throw new AppError(400, 'VALIDATION', {
      errors: [{ path: 'body.academyId', message: t(ctx.lang, 'UNKNOWN_ACADEMY') }],
    });
  }
  const city = input.city?.trim() || null;
  const year = schoolYearOf(parisToday());
  try {
    const id = await ctx.db.transaction().execute(async (trx) => {
      if (await establishments.uaiTaken(trx, input.uai)) throw new AppError(409, 'UAI_TAKEN');
      let slug = input.slug;
      if (slug) {
        if (await establishments.slugTaken(trx, slug)) throw new AppError(409, 'SLUG_TAKEN');
      } else {
        slug = await freeSlug(trx, slugify(input.name, city));
      }
      const { id } = await establishments.insert(trx, {
        academyId: input.academyId,
        uai: input.uai,
        type: input.type,
        name: input.name,
        city,
        slug,
      });
      await establishments.insertSchoolYear(trx, { establishmentId: id, ...year });
      await audit(trx, ctx, {
        action: 'establishments.create',
        establishmentId: id,
        targetType: 'establishment',
        targetId: id,
        details: { uai: input.uai, name: input.name, type: input.type, city, slug, schoolYear: year.label },
      });
      return id;
    });
    recordUsage(ctx, id, 'establishments', 'create');
    return present((await establishments.byId(ctx.db, id))!);
  } catch (e) {
    // Two creations racing past the checks: the unique constraints decide.
    if (isUniqueViolation(e, 'establishment_uai_key')) throw new AppError(409, 'UAI_TAKEN');
    if (isUniqueViolation(e, 'establishment_slug_key')) throw new AppError(409, 'SLUG_TAKEN');
    throw e;
  }
}

/** The permissions an establishment can set: every module's, except the platform-wide ones. */
const establishmentPermissions = () => allPermissions().filter((p) => !PLATFORM_WIDE.has(p));

function matrix(overrides: { profile: string; permission: string; granted: boolean }[]): EstablishmentPermissions {
  const permissions = establishmentPermissions();
  const grants = ESTABLISHMENT_PROFILES.flatMap((profile) =>
    permissions.map((permission) => {
      const byDefault = defaultGranted(permission, [profile]);
      const o = overrides.find((x) => x.profile === profile && x.permission === permission);
      return { profile, permission, granted: o ? o.granted : byDefault, byDefault, overridden: !!o };
    }),
  );
  return { permissions, profiles: [...ESTABLISHMENT_PROFILES], grants };
}

export async function getPermissions(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'permissions.manage', establishmentId);
  return matrix(await permissionOverrides.ofEstablishment(ctx.db, establishmentId));
}

function checkOverrides(ctx: RequestContext, overrides: SetPermissionsBody['overrides']) {
  const errors: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  overrides.forEach((o, i) => {
    const key = `${o.profile}|${o.permission}`;
    if (!isKnownPermission(o.permission) || PLATFORM_WIDE.has(o.permission)) {
      errors.push({ path: `body.overrides.${i}.permission`, message: t(ctx.lang, 'UNKNOWN_PERMISSION') });
    } else if (seen.has(key)) {
      errors.push({ path: `body.overrides.${i}`, message: t(ctx.lang, 'DUPLICATE_OVERRIDE') });
    } else if (o.profile === 'principal' && o.permission === 'permissions.manage' && !o.granted) {
      errors.push({ path: `body.overrides.${i}.granted`, message: t(ctx.lang, 'PERMISSIONS_LOCKOUT') });
    }
    seen.add(key);
  });
  if (errors.length === 0) return;
  const unknown = errors.some((e) => e.path.endsWith('.permission'));
  throw new AppError(400, unknown ? 'UNKNOWN_PERMISSION' : 'VALIDATION', { errors });
}

/** Replace the establishment's overrides, in one transaction, audited with the before/after lists. */
export async function setPermissions(ctx: RequestContext, establishmentId: string, input: SetPermissionsBody) {
  await requireEstablishmentPermission(ctx, 'permissions.manage', establishmentId);
  checkOverrides(ctx, input.overrides);
  const after = await ctx.db.transaction().execute(async (trx) => {
    await permissionOverrides.lock(trx, establishmentId);
    const before = await permissionOverrides.ofEstablishment(trx, establishmentId);
    await permissionOverrides.replace(trx, establishmentId, input.overrides);
    await audit(trx, ctx, {
      action: 'permissions.update',
      establishmentId,
      targetType: 'establishment',
      targetId: establishmentId,
      details: { before, after: input.overrides },
    });
    return permissionOverrides.ofEstablishment(trx, establishmentId);
  });
  recordUsage(ctx, establishmentId, 'establishments', 'permissions.update');
  return matrix(after);
}
