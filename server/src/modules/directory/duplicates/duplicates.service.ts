import {
  type DismissPairBody,
  DUPLICATES_LIMIT,
  type DuplicateDismissal,
  type DuplicateList,
  type DuplicatePerson,
  type DuplicateReason,
  type EstablishmentProfile,
  MERGE_UNDO_DAYS,
  type MergeItem,
  type MergeResult,
} from '@preau/contracts';
import { permissionsIn, requireEstablishmentPermission } from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import type { AppUserRow, UserStatusValue } from '../../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
import { type MessageKey, t } from '../../../platform/i18n.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { type DuplicatePersonRow, duplicates, MOVES, moves } from './duplicates.repository.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function presentPerson(r: DuplicatePersonRow): DuplicatePerson {
  return {
    id: r.id,
    login: r.login,
    displayName: r.display_name,
    birthDate: r.birth_date,
    email: r.email,
    status: r.status,
    profiles: (r.profiles ?? []) as EstablishmentProfile[],
    classes: r.classes,
    fromFeed: r.from_feed,
    otherEstablishments: r.elsewhere,
    createdAt: iso(r.created_at)!,
    lastLoginAt: iso(r.last_login_at),
  };
}

/**
 * Keep the account someone already uses, else the one the académie's feed maintains, else the one placed in
 * a class (a duplicate typed by hand usually has none yet), else the older one.
 */
function suggestKeep(a: DuplicatePersonRow, b: DuplicatePersonRow): string {
  const rank = (p: DuplicatePersonRow) => [
    p.has_password ? 0 : 1,
    p.from_feed ? 0 : 1,
    p.classes.length > 0 ? 0 : 1,
    new Date(p.created_at).getTime(),
  ];
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? a.id : b.id;
  return [a.id, b.id].sort()[0]!;
}

/**
 * Likely duplicate persons among the establishment's members, most likely first: plausible pairs only (same
 * kind of person, agreeing birth dates, not dismissed), each with the reasons that make its score.
 */
export async function listDuplicates(ctx: RequestContext, establishmentId: string): Promise<DuplicateList> {
  const { user } = await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const manage = (await permissionsIn(ctx.db, user, establishmentId, ['users.manage'])).length > 0;
  const pairs = await duplicates.pairs(ctx.db, establishmentId, DUPLICATES_LIMIT);
  const ids = [...new Set(pairs.flatMap((p) => [p.a_id, p.b_id]))];
  const byId = new Map((await duplicates.summaries(ctx.db, establishmentId, ids)).map((r) => [r.id, r]));
  const total = pairs[0]?.total ?? 0;
  // A merge detaches one of the two and fills the other's account-wide fields: people who also belong to
  // another establishment are the platform administrator's to merge (and one of the two must be local).
  const mergeable = (a: DuplicatePersonRow, b: DuplicatePersonRow) =>
    manage &&
    ((!a.is_platform_admin && !b.is_platform_admin) || user.platformAdmin) &&
    (user.platformAdmin ? !(a.elsewhere && b.elsewhere) : !a.elsewhere && !b.elsewhere);
  return {
    pairs: pairs.map((p) => {
      const a = byId.get(p.a_id)!;
      const b = byId.get(p.b_id)!;
      return {
        score: p.score,
        reasons: p.reasons as DuplicateReason[],
        people: [presentPerson(a), presentPerson(b)],
        suggestedKeepId: b.elsewhere && !a.elsewhere ? b.id : a.elsewhere && !b.elsewhere ? a.id : suggestKeep(a, b),
        kind: a.profiles?.includes('student') ? 'student' : 'adult',
        can: { merge: mergeable(a, b), dismiss: manage },
      };
    }),
    total,
    truncated: total > pairs.length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// "Not the same person": dismissals, and their undo

const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/**
 * Dismiss a pair for good in the establishment: the finder no longer shows it. Both must be members here
 * (else 404); a live dismissal of the same pair answers 409. Audited in the same transaction.
 */
export async function dismissPair(ctx: RequestContext, establishmentId: string, input: DismissPairBody) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  if (input.aId === input.bId) throw fieldError(ctx, 'MERGE_SAME_PERSON', 'body.bId');
  const [a, b] = ordered(input.aId, input.bId);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const members = await duplicates.summaries(trx, establishmentId, [a, b]);
    if (members.filter((m) => m.profiles !== null).length !== 2) throw notFound();
    if (await duplicates.liveDismissal(trx, establishmentId, a, b)) throw new AppError(409, 'PAIR_ALREADY_DISMISSED');
    const inserted = await duplicates.insertDismissal(trx, { establishmentId, a, b, by: actor.id });
    await audit(trx, ctx, {
      action: 'directory.duplicates.dismiss',
      establishmentId,
      targetType: 'duplicate_dismissal',
      targetId: inserted.id,
      details: { aId: a, bId: b },
    });
    return inserted;
  });
  recordUsage(ctx, establishmentId, 'directory', 'duplicates.dismiss');
  return { id: row.id, dismissedAt: iso(row.dismissed_at)! };
}

/** Undo a dismissal: the pair shows again (if still a likely one). The row stays, marked undone. */
export async function undoDismissal(ctx: RequestContext, establishmentId: string, dismissalId: string) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const d = await duplicates.dismissal(trx, establishmentId, dismissalId);
    if (!d) throw notFound();
    if (d.undone_at) throw new AppError(409, 'DISMISSAL_ALREADY_UNDONE');
    const done = await duplicates.undoDismissal(trx, d.id, actor.id);
    await audit(trx, ctx, {
      action: 'directory.duplicates.dismiss.undo',
      establishmentId,
      targetType: 'duplicate_dismissal',
      targetId: d.id,
      details: { aId: d.a_id, bId: d.b_id },
    });
    return { id: d.id, undoneAt: iso(done.undone_at)! };
  });
  recordUsage(ctx, establishmentId, 'directory', 'duplicates.dismiss_undo');
  return result;
}

export async function listDismissals(
  ctx: RequestContext,
  establishmentId: string,
): Promise<{ items: DuplicateDismissal[] }> {
  const { user } = await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const manage = (await permissionsIn(ctx.db, user, establishmentId, ['users.manage'])).length > 0;
  const rows = await duplicates.dismissals(ctx.db, establishmentId, 200);
  return {
    items: rows.map((r) => ({
      id: r.id,
      people: [
        { id: r.a_id, login: r.a_login, displayName: r.a_name },
        { id: r.b_id, login: r.b_login, displayName: r.b_name },
      ],
      dismissedAt: iso(r.dismissed_at)!,
      dismissedBy: r.dismissed_by,
      undoneAt: iso(r.undone_at),
      can: { undo: manage && !r.undone_at },
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Merge and undo

/** Identity fields the kept account takes from the merged one when it has none (the feed's key included). */
const FILLED = [
  'external_id',
  'email',
  'birth_date',
  'phone_mobile',
  'phone_home',
  'phone_work',
  'ine',
  'title',
] as const;
type Filled = (typeof FILLED)[number];

/** Everything a merge changed, so that its undo restores exactly that. Stored with the merge. */
interface MergeJournal {
  /** Move key (`table.column`) → keys of the rows moved from the merged account to the kept one. */
  moved: Record<string, string[]>;
  /** Move key → whole rows of the merged account deleted because the kept one had the same. */
  dropped: Record<string, Record<string, unknown>[]>;
  /** Rows of the kept account the merge changed (functions united, level raised), with their value before. */
  keptRows: { table: 'membership' | 'guardianship'; id: string; column: string; before: unknown; after: unknown }[];
  /** Identity fields filled on the kept account: value before (always null) and value given. */
  keptUser: Partial<Record<Filled, { before: unknown; after: unknown }>>;
  mergedUser: {
    status: UserStatusValue;
    detached_at: string | null;
    merged_into: string | null;
    external_id: string | null;
  };
  sessionsEnded: number;
}

const counts = (m: Record<string, unknown[]>) =>
  Object.fromEntries(
    Object.entries(m)
      .map(([k, v]) => [k, v.length])
      .filter(([, n]) => (n as number) > 0),
  );

const fieldError = (ctx: RequestContext, code: MessageKey, path: string) =>
  new AppError(400, code, { errors: [{ path, message: t(ctx.lang, code) }] });

/**
 * Merge `mergeId` into `keepId`: the merged account's rows of this establishment (memberships, enrolments,
 * guardian links both ways, teaching assignments, head-teacher rows, charter acceptances) move to the kept
 * account — or are dropped where the kept account already has the same, after uniting functions and keeping
 * the stronger guardian level; its sessions end; it is detached with `merged_into`. One transaction; the
 * journal of every change is stored for the undo and the moved row ids go to the audit trail.
 */
export async function mergePeople(
  ctx: RequestContext,
  establishmentId: string,
  input: { keepId: string; mergeId: string },
): Promise<MergeResult> {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  if (input.keepId === input.mergeId) throw fieldError(ctx, 'MERGE_SAME_PERSON', 'body.mergeId');
  if (input.mergeId === actor.id) throw fieldError(ctx, 'MERGE_SELF', 'body.mergeId');
  const result = await ctx.db.transaction().execute(async (trx) => {
    const locked = await duplicates.lockUsers(trx, [input.keepId, input.mergeId]);
    const kept = locked.find((u) => u.id === input.keepId);
    const merged = locked.find((u) => u.id === input.mergeId);
    if (!kept || !merged) throw notFound();
    const [keptIn, mergedIn] = await Promise.all([
      duplicates.establishmentsOf(trx, kept.id),
      duplicates.establishmentsOf(trx, merged.id),
    ]);
    if (!keptIn.includes(establishmentId) || !mergedIn.includes(establishmentId)) throw notFound();
    if ((kept.is_platform_admin || merged.is_platform_admin) && !actor.platformAdmin) throw forbidden();
    if (kept.status === 'detached' || merged.status === 'detached') throw new AppError(409, 'MERGE_NOT_LIVE');
    if (mergedIn.some((e) => e !== establishmentId)) throw new AppError(409, 'MERGE_OTHER_ESTABLISHMENTS');
    // The kept account takes the merged one's identity fields and its sessions' holder: when it also belongs
    // to another establishment, that is the platform administrator's call (issue 8).
    if (keptIn.some((e) => e !== establishmentId) && !actor.platformAdmin) {
      throw new AppError(403, 'PERSON_IN_OTHER_ESTABLISHMENT');
    }
    if (await duplicates.linked(trx, kept.id, merged.id)) throw new AppError(409, 'MERGE_RELATED');
    // A student and an adult are never one person: merging them would make a child a parent, or the reverse.
    const students = await duplicates.studentsAmong(trx, establishmentId, [kept.id, merged.id]);
    if (students.has(kept.id) !== students.has(merged.id)) throw new AppError(409, 'MERGE_DIFFERENT_KINDS');

    const reasons = await duplicates.reasonsFor(trx, establishmentId, kept.id, merged.id);
    const journal: MergeJournal = {
      moved: {},
      dropped: {},
      keptRows: [],
      keptUser: {},
      mergedUser: {
        status: merged.status,
        detached_at: iso(merged.detached_at),
        merged_into: merged.merged_into,
        external_id: merged.external_id,
      },
      sessionsEnded: 0,
    };

    for (const m of MOVES) {
      journal.moved[m.key] = await moves.move(trx, m, establishmentId, merged.id, kept.id);
      // What is left duplicates a row of the kept account: carry over what the kept row lacks, then drop.
      if (m.table === 'membership') {
        for (const c of await moves.membershipConflicts(trx, establishmentId, merged.id, kept.id)) {
          const united = [...new Set([...c.kept, ...c.merged])].sort();
          if (united.length === c.kept.length) continue;
          await moves.setColumn(trx, 'membership', c.id, 'functions', united);
          journal.keptRows.push({ table: 'membership', id: c.id, column: 'functions', before: c.kept, after: united });
        }
      }
      if (m.table === 'guardianship') {
        for (const c of await moves.guardianshipConflicts(trx, establishmentId, m.column, merged.id, kept.id)) {
          if (c.merged !== 'legal' || c.kept === 'legal') continue;
          await moves.setColumn(trx, 'guardianship', c.id, 'level', 'legal');
          journal.keptRows.push({ table: 'guardianship', id: c.id, column: 'level', before: c.kept, after: 'legal' });
        }
      }
      journal.dropped[m.key] = await moves.drop(trx, m, establishmentId, merged.id);
    }

    // The kept account takes the identity fields it lacks; the feed's join key first leaves the merged one.
    const fill: Partial<Record<Filled, unknown>> = {};
    for (const f of FILLED) {
      const value = (merged as AppUserRow)[f as keyof AppUserRow];
      if (value === null || value === undefined || value === '') continue;
      if ((kept as AppUserRow)[f as keyof AppUserRow] !== null) continue;
      fill[f] = value;
      journal.keptUser[f] = { before: null, after: value };
    }
    await duplicates.updateUser(trx, merged.id, {
      status: 'detached',
      detached_at: new Date(),
      merged_into: kept.id,
      ...(fill.external_id ? { external_id: null } : {}),
    });
    if (Object.keys(fill).length > 0) await duplicates.updateUser(trx, kept.id, fill);
    journal.sessionsEnded = await duplicates.endSessions(trx, merged.id);

    const undoUntil = new Date(Date.now() + MERGE_UNDO_DAYS * 86_400_000);
    const row = await duplicates.insertMerge(trx, {
      establishmentId,
      keptId: kept.id,
      mergedId: merged.id,
      reasons,
      journal,
      mergedBy: actor.id,
      undoUntil,
    });
    const droppedIds = Object.fromEntries(
      Object.entries(journal.dropped)
        .filter(([, rows]) => rows.length > 0)
        .map(([k, rows]) => [
          k,
          rows.map((r) => (r.id as string | undefined) ?? `${r.charter_id}/${r.establishment_id}`),
        ]),
    );
    await audit(trx, ctx, {
      action: 'directory.merge',
      establishmentId,
      targetType: 'user',
      targetId: merged.id,
      details: {
        mergeId: row.id,
        keptId: kept.id,
        mergedId: merged.id,
        reasons,
        moved: Object.fromEntries(Object.entries(journal.moved).filter(([, v]) => v.length > 0)),
        dropped: droppedIds,
        keptRows: journal.keptRows.map((r) => ({ table: r.table, id: r.id, column: r.column })),
        filled: Object.keys(journal.keptUser),
        sessionsEnded: journal.sessionsEnded,
      },
    });
    return {
      id: row.id,
      keptId: kept.id,
      mergedId: merged.id,
      moved: counts(journal.moved),
      dropped: counts(journal.dropped),
      sessionsEnded: journal.sessionsEnded,
      mergedAt: iso(row.merged_at)!,
      undoUntil: undoUntil.toISOString(),
    };
  });
  recordUsage(ctx, establishmentId, 'directory', 'duplicates.merge');
  return result;
}

/**
 * Undo a merge within its delay: the moved rows go back, the dropped rows come back with their ids, the
 * kept account's changed rows and filled fields get their values before, the merged account its status.
 * Refused if either account changed since in a way the journal cannot account for (a later merge).
 */
export async function undoMerge(ctx: RequestContext, establishmentId: string, mergeId: string) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const merge = await duplicates.merge(trx, establishmentId, mergeId, { forUpdate: true });
    if (!merge) throw notFound();
    if (merge.undone_at) throw new AppError(409, 'MERGE_ALREADY_UNDONE');
    if (new Date(merge.undo_until) <= new Date()) throw new AppError(409, 'MERGE_UNDO_EXPIRED');
    const locked = await duplicates.lockUsers(trx, [merge.kept_id, merge.merged_id]);
    const kept = locked.find((u) => u.id === merge.kept_id);
    const merged = locked.find((u) => u.id === merge.merged_id);
    if ((kept?.is_platform_admin || merged?.is_platform_admin) && !actor.platformAdmin) throw forbidden();
    if (
      !kept ||
      !merged ||
      kept.status === 'detached' ||
      merged.status !== 'detached' ||
      merged.merged_into !== kept.id
    ) {
      throw new AppError(409, 'MERGE_STATE_CHANGED');
    }
    const journal = merge.journal as unknown as MergeJournal;

    // Fields filled on the kept account go back to empty unless someone changed them since.
    const unfill: Record<string, null> = {};
    for (const [f, v] of Object.entries(journal.keptUser)) {
      const now = (kept as AppUserRow)[f as keyof AppUserRow];
      if (now !== null && JSON.stringify(iso2(now)) === JSON.stringify(v.after)) unfill[f] = null;
    }
    if (Object.keys(unfill).length > 0) await duplicates.updateUser(trx, kept.id, unfill);

    const restored: Record<string, number> = {};
    const missing: Record<string, number> = {};
    for (const m of [...MOVES].reverse()) {
      const keys = journal.moved[m.key] ?? [];
      const back = await moves.moveBack(trx, m, keys, kept.id, merged.id);
      const dropped = journal.dropped[m.key] ?? [];
      await duplicates.insertRows(trx, m.table, dropped);
      if (back + dropped.length > 0) restored[m.key] = back + dropped.length;
      if (keys.length > back) missing[m.key] = keys.length - back;
    }
    for (const r of journal.keptRows) await moves.setColumn(trx, r.table, r.id, r.column, r.before);

    await duplicates.updateUser(trx, merged.id, {
      status: journal.mergedUser.status,
      detached_at: journal.mergedUser.detached_at,
      merged_into: journal.mergedUser.merged_into,
      ...('external_id' in unfill ? { external_id: journal.mergedUser.external_id } : {}),
    });
    const done = await duplicates.markUndone(trx, merge.id, actor.id);
    await audit(trx, ctx, {
      action: 'directory.merge.undo',
      establishmentId,
      targetType: 'user',
      targetId: merged.id,
      details: { mergeId: merge.id, keptId: kept.id, mergedId: merged.id, restored, missing },
    });
    return { id: merge.id, undoneAt: iso(done.undone_at)!, restored, missing };
  });
  recordUsage(ctx, establishmentId, 'directory', 'duplicates.undo');
  return result;
}

/** Dates compare as the journal stored them (JSON): a `Date` as its ISO string. */
const iso2 = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

export async function listMerges(ctx: RequestContext, establishmentId: string): Promise<{ items: MergeItem[] }> {
  const { user } = await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const manage = (await permissionsIn(ctx.db, user, establishmentId, ['users.manage'])).length > 0;
  const rows = await duplicates.merges(ctx.db, establishmentId, 200);
  const now = Date.now();
  return {
    items: rows.map((r) => ({
      id: r.id,
      kept: { id: r.kept_id, login: r.kept_login, displayName: r.kept_name },
      merged: { id: r.merged_id, login: r.merged_login, displayName: r.merged_name },
      reasons: r.reasons,
      moved: counts((r.journal as unknown as MergeJournal).moved ?? {}),
      mergedAt: iso(r.merged_at)!,
      mergedBy: r.merged_by,
      undoUntil: iso(r.undo_until)!,
      undoneAt: iso(r.undone_at),
      can: { undo: manage && !r.undone_at && new Date(r.undo_until).getTime() > now },
    })),
  };
}
