import type { EstablishmentProfile, PendingCharter } from '@preau/contracts';
import { requireEstablishmentPermission, requireUser } from '../../platform/access/access.ts';
import { audit } from '../../platform/audit.ts';
import { cached, cacheOf, defineCache } from '../../platform/cache.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { recordUsage } from '../../platform/usage.ts';
import { type CurrentCharterRow, charters } from './charter.repository.ts';

/**
 * The charter in force in each establishment (topic `charter`; `charter:*` when the platform default changes),
 * and each user's acceptances (topic `u`): the charter gate of every portal and service call reads memory.
 */
const CURRENT = defineCache<CurrentCharterRow | null>({
  name: 'current-charters',
  topic: 'charter',
  max: 20_000,
  ttlMs: 600_000,
});
const ACCEPTED = defineCache<Set<string>>({ name: 'charter-acceptances', topic: 'u', max: 200_000, ttlMs: 120_000 });

async function currentCharters(db: Db, establishmentIds: string[]): Promise<CurrentCharterRow[]> {
  if (establishmentIds.length === 0) return [];
  if (!cacheOf(db, CURRENT)) return charters.currentFor(db, establishmentIds);
  const rows = await Promise.all(
    establishmentIds.map((id) => cached(db, CURRENT, id, async () => (await charters.currentFor(db, [id]))[0] ?? null)),
  );
  return rows.filter((r) => r !== null);
}

/** Every (charter, establishment) the user accepted, as `charterId|establishmentId`. */
const acceptedBy = (db: Db, userId: string) => cached(db, ACCEPTED, userId, () => charters.acceptedAll(db, userId));

/**
 * A person's acceptances read within a login's own statement (`sql`, the login adds it to its writes): `keep` takes
 * that statement's answer as the load of the cached acceptances — call it before the answer arrives (as any load,
 * it is not kept if an invalidation overlapped it).
 */
export const acceptancesAtLogin = (userId: string) => ({
  sql: charters.acceptedAllJson(userId),
  keep: (db: Db, loaded: Promise<string[]>) => {
    loaded.catch(() => {}); // the login awaits the statement itself: its failure is the login's
    cached(db, ACCEPTED, userId, () => loaded.then((keys) => new Set(keys))).catch(() => {});
  },
});

/** Charters in force in these establishments that the user has not accepted yet. */
export async function pendingCharters(
  db: Db,
  userId: string,
  establishments: { id: string; name: string }[],
): Promise<PendingCharter[]> {
  const current = await currentCharters(
    db,
    establishments.map((e) => e.id),
  );
  const accepted = current.length === 0 ? new Set<string>() : await acceptedBy(db, userId);
  return current
    .filter((c) => !accepted.has(`${c.id}|${c.establishment_id}`))
    .map((c) => ({
      charterId: c.id,
      establishmentId: c.establishment_id,
      establishmentName: establishments.find((e) => e.id === c.establishment_id)?.name ?? null,
      version: c.version,
      title: c.title,
      body: c.body,
      publishedAt: new Date(c.published_at).toISOString(),
    }));
}

/** Has the user accepted the charter in force in this establishment? (the gate before any service) */
export async function hasAcceptedCharter(db: Db, userId: string, establishmentId: string): Promise<boolean> {
  if (!cacheOf(db, CURRENT)) return charters.acceptedCurrent(db, userId, establishmentId);
  const [current] = await currentCharters(db, [establishmentId]);
  return !current || (await acceptedBy(db, userId)).has(`${current.id}|${establishmentId}`);
}

export async function acceptCharter(ctx: RequestContext, charterId: string, establishmentId?: string) {
  requireUser(ctx);
  const user = ctx.user;
  const ids = user.memberships
    .map((m) => m.establishmentId)
    .filter((id) => establishmentId === undefined || id === establishmentId);
  const current = await charters.currentFor(ctx.db, ids);
  // Only a charter in force in one of the user's establishments can be accepted; anything else is unknown.
  const matching = current.filter((c) => c.id === charterId);
  if (matching.length === 0) throw notFound();
  await ctx.db.transaction().execute(async (trx) => {
    for (const c of matching) {
      await charters.accept(trx, user.id, c.id, c.establishment_id);
      await audit(trx, ctx, {
        action: 'charter.accept',
        establishmentId: c.establishment_id,
        targetType: 'charter',
        targetId: c.id,
        details: { version: c.version },
      });
    }
  });
  for (const c of matching) recordUsage(ctx, c.establishment_id, 'charter', 'accept');
}

export async function getCharter(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'charter.manage', establishmentId);
  const [current] = await charters.currentFor(ctx.db, [establishmentId]);
  const acceptance = current ? await charters.acceptanceByProfile(ctx.db, establishmentId, current.id) : [];
  return {
    current: current
      ? {
          id: current.id,
          version: current.version,
          title: current.title,
          body: current.body,
          publishedAt: new Date(current.published_at).toISOString(),
          inherited: current.inherited,
        }
      : null,
    acceptance: acceptance.map((a) => ({ ...a, profile: a.profile as EstablishmentProfile })),
  };
}

export async function publishCharter(
  ctx: RequestContext,
  establishmentId: string,
  input: { title: string; body: string },
) {
  const { user } = await requireEstablishmentPermission(ctx, 'charter.manage', establishmentId);
  if (input.body.trim().length < 10) throw new AppError(400, 'VALIDATION');
  await ctx.db.transaction().execute(async (trx) => {
    // Serialise publications per establishment so two principals never publish the same version number.
    await charters.lockEstablishment(trx, establishmentId);
    const version = await charters.nextVersion(trx, establishmentId);
    const row = await charters.insert(trx, { establishmentId, version, ...input, publishedBy: user.id });
    await audit(trx, ctx, {
      action: 'charter.publish',
      establishmentId,
      targetType: 'charter',
      targetId: row.id,
      details: { version },
    });
  });
  recordUsage(ctx, establishmentId, 'charter', 'publish');
  return getCharter(ctx, establishmentId);
}

/**
 * The charter facts the rollout cockpit reads (exported by `charter/index.ts`): the charter in force in an
 * establishment and when each member accepted it. The caller has authorized the reader.
 */
export const charterFacts = {
  async inForce(db: Db, establishmentId: string) {
    const [current] = await currentCharters(db, [establishmentId]);
    if (!current) return null;
    return {
      id: current.id,
      version: current.version,
      title: current.title,
      publishedAt: new Date(current.published_at).toISOString(),
      inherited: current.inherited,
    };
  },

  /** Who accepted the charter in force, and when. */
  async acceptedAt(db: Db, establishmentId: string): Promise<Map<string, Date>> {
    const current = await charterFacts.inForce(db, establishmentId);
    if (!current) return new Map();
    const rows = await charters.acceptedAtIn(db, establishmentId, current.id);
    return new Map(rows.map((r) => [r.user_id, new Date(r.accepted_at)]));
  },

  acceptanceCounts: charters.acceptanceCounts,

  /** The demo académie: acceptances of the charter in force, at the given times. */
  async acceptForDemo(db: Db, establishmentId: string, rows: { userId: string; at: Date }[]) {
    const current = await charterFacts.inForce(db, establishmentId);
    if (!current) return;
    await charters.acceptMany(
      db,
      rows.map((r) => ({ ...r, charterId: current.id, establishmentId })),
    );
  },
};
