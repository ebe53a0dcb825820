import type { EstablishmentProfile } from '@preau/contracts';
import { cached, cacheOf, defineCache } from '../cache.ts';
import type { Db } from '../db/schema.ts';
import { AppError, forbidden, notFound, unauthenticated } from '../errors.ts';
import type { AuthedContext, AuthUser, MembershipInfo, RequestContext } from '../http/context.ts';
import { accessRepository, type EstablishmentSummary, type OverrideRow } from './access.repository.ts';
import { defaultGranted } from './permissions.ts';

/** Each establishment's permission overrides (topic `perm`) and its id, UAI, name and type (topic `est`). */
const OVERRIDES = defineCache<OverrideRow[]>({
  name: 'permission-overrides',
  topic: 'perm',
  max: 20_000,
  ttlMs: 600_000,
});
const ESTABLISHMENTS = defineCache<EstablishmentSummary | undefined>({
  name: 'establishments',
  topic: 'est',
  max: 20_000,
  ttlMs: 600_000,
});

/** The overrides of these establishments for these profiles: from memory, else one query. */
async function overridesFor(db: Db, establishmentIds: string[], profiles: string[]): Promise<OverrideRow[]> {
  if (establishmentIds.length === 0 || profiles.length === 0) return [];
  if (!cacheOf(db, OVERRIDES)) return accessRepository.overrides(db, establishmentIds, profiles);
  const lists = await Promise.all(
    establishmentIds.map((id) => cached(db, OVERRIDES, id, () => accessRepository.overridesOf(db, id))),
  );
  return lists.flat().filter((o) => profiles.includes(o.profile));
}

/** An establishment's id, UAI, name and type; undefined when it does not exist. */
export function establishmentSummary(db: Db, id: string): Promise<EstablishmentSummary | undefined> {
  return cached(db, ESTABLISHMENTS, id, () => accessRepository.establishment(db, id));
}

export function requireUser(ctx: RequestContext): asserts ctx is AuthedContext {
  if (!ctx.user) throw unauthenticated();
}

export function membershipIn(user: AuthUser, establishmentId: string): MembershipInfo | undefined {
  return user.memberships.find((m) => m.establishmentId === establishmentId);
}

type Override = { profile: string; permission: string; granted: boolean };

/** A profile holds a permission if the establishment's override says so, else by default. */
function grantedTo(permission: string, profiles: readonly string[], overrides: Override[]): boolean {
  return profiles.some((profile) => {
    const o = overrides.find((x) => x.profile === profile && x.permission === permission);
    return o ? o.granted : defaultGranted(permission, [profile]);
  });
}

/** The permissions a user holds in one establishment (for the `permissions` list of /api/me). */
export async function permissionsIn(db: Db, user: AuthUser, establishmentId: string, all: string[]): Promise<string[]> {
  if (user.platformAdmin) return all;
  const m = membershipIn(user, establishmentId);
  if (!m) return [];
  const overrides = await overridesFor(db, [establishmentId], m.profiles);
  return all.filter((p) => grantedTo(p, m.profiles, overrides));
}

/** The same, for several establishments in one query (for /api/me). */
export async function permissionsByEstablishment(
  db: Db,
  user: AuthUser,
  establishmentIds: string[],
  all: string[],
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (user.platformAdmin) {
    for (const id of establishmentIds) result.set(id, all);
    return result;
  }
  const memberships = establishmentIds.map((id) => membershipIn(user, id)).filter((m) => m !== undefined);
  const profiles = [...new Set(memberships.flatMap((m) => m.profiles))];
  const overrides = await overridesFor(
    db,
    memberships.map((m) => m.establishmentId),
    profiles,
  );
  for (const id of establishmentIds) {
    const m = membershipIn(user, id);
    const mine = overrides.filter((o) => o.establishment_id === id);
    result.set(id, m ? all.filter((p) => grantedTo(p, m.profiles, mine)) : []);
  }
  return result;
}

async function holds(db: Db, permission: string, m: MembershipInfo): Promise<boolean> {
  const overrides = await overridesFor(db, [m.establishmentId], m.profiles);
  return grantedTo(permission, m.profiles, overrides);
}

/** Route-level check: does the user hold this permission in at least one establishment? */
export async function holdsSomewhere(db: Db, user: AuthUser, permission: string): Promise<boolean> {
  if (user.platformAdmin) return true;
  if (user.memberships.some((m) => defaultGranted(permission, m.profiles))) {
    // Defaults say yes somewhere; a revocation is caught by the object check in the use case.
    return true;
  }
  const ids = user.memberships.map((m) => m.establishmentId);
  const profiles = [...new Set(user.memberships.flatMap((m) => m.profiles))];
  const overrides = await overridesFor(db, ids, profiles);
  return overrides.some(
    (o) =>
      o.granted &&
      o.permission === permission &&
      user.memberships.some(
        (m) => m.establishmentId === o.establishment_id && m.profiles.includes(o.profile as EstablishmentProfile),
      ),
  );
}

/**
 * Object check for an establishment: unknown or foreign establishments answer 404 (never reveal
 * another school's existence), a member without the permission gets 403.
 */
export async function requireEstablishmentPermission(
  ctx: RequestContext,
  permission: string,
  establishmentId: string,
): Promise<{ user: AuthUser; membership: MembershipInfo | null }> {
  requireUser(ctx);
  const user = ctx.user;
  if (user.platformAdmin) {
    if (!(await establishmentSummary(ctx.db, establishmentId))) throw notFound();
    return { user, membership: membershipIn(user, establishmentId) ?? null };
  }
  const m = membershipIn(user, establishmentId);
  if (!m) throw notFound();
  if (!(await holds(ctx.db, permission, m))) throw forbidden();
  return { user, membership: m };
}

export function requirePlatformAdmin(ctx: RequestContext): void {
  requireUser(ctx);
  if (!ctx.user.platformAdmin) throw new AppError(403, 'FORBIDDEN');
}
