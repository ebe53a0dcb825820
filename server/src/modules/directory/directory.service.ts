import { randomBytes } from 'node:crypto';
import type { EstablishmentProfile, UserDetail, UsersQuery } from '@preau/contracts';
import { permissionsIn, requireEstablishmentPermission } from '../../platform/access/access.ts';
import { audit } from '../../platform/audit.ts';
import { sessions } from '../../platform/auth/session.repository.ts';
import { cached, defineCache } from '../../platform/cache.ts';
import type { Db, UserStatusValue } from '../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import type { AuthedContext, AuthUser, RequestContext } from '../../platform/http/context.ts';
import { t } from '../../platform/i18n.ts';
import { newActivationCode } from '../../platform/logins.ts';
import { recordUsage } from '../../platform/usage.ts';
import { hashActivationCode } from '../accounts/index.ts';
import { directory, type MemberListRow } from './directory.repository.ts';

/** Lower case, accents stripped: the same folding as the SQL side. */
function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/** A member with their searchable text folded once (login, last, first and display names, one per line). */
interface ListedMember extends MemberListRow {
  folded: string;
}

/**
 * Each establishment's member list, in memory (topic `dir`: memberships, members' names and status, classes,
 * enrolments and assignments announce their changes). The list page, its filters and the name search run over it:
 * at 5,000 members a search is a scan of 5,000 short folded strings (tens of microseconds), the page a slice.
 * At most 50 establishments per instance (a large lycée's list is a few MB).
 */
const MEMBERS = defineCache<ListedMember[]>({ name: 'directory-members', topic: 'dir', max: 50, ttlMs: 600_000 });

const membersOf = (db: Db, establishmentId: string) =>
  cached(db, MEMBERS, establishmentId, async () =>
    (await directory.members(db, establishmentId)).map((m) => ({
      ...m,
      folded: foldText(`${m.login}\n${m.last_name}\n${m.first_name}\n${m.display_name}`),
    })),
  );

export async function listUsers(ctx: RequestContext, establishmentId: string, query: UsersQuery) {
  await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  // Each word must appear in the login, last, first or display name (no word holds a line break).
  const words = query.q ? foldText(query.q).split(/\s+/).filter(Boolean).slice(0, 5) : [];
  const classCode = query.class ? query.class.toUpperCase() : undefined;
  const all = await membersOf(ctx.db, establishmentId);
  const matching =
    words.length === 0 && !query.profile && !classCode && !query.status
      ? all
      : all.filter(
          (m) =>
            (!query.status || m.status === query.status) &&
            (!query.profile || m.profiles.includes(query.profile)) &&
            (!classCode || m.classes.some((c) => c.toUpperCase() === classCode)) &&
            words.every((w) => m.folded.includes(w)),
        );
  const offset = (query.page - 1) * query.pageSize;
  recordUsage(ctx, establishmentId, 'directory', 'users.list');
  return {
    items: matching.slice(offset, offset + query.pageSize).map((r) => ({
      id: r.id,
      login: r.login,
      displayName: r.display_name,
      profiles: r.profiles as EstablishmentProfile[],
      status: r.status,
      ...(r.position ? { position: r.position } : {}),
      classes: r.classes,
    })),
    total: matching.length,
    page: query.page,
    pageSize: query.pageSize,
  };
}

type Member = NonNullable<Awaited<ReturnType<typeof directory.member>>>;

/** Only a platform admin may change a platform admin's account. */
const mayTouch = (actor: AuthUser, target: Member) => !target.is_platform_admin || actor.platformAdmin;

/**
 * An account shared with another establishment is the person's or the platform administrator's: an
 * establishment's administrator changes only what belongs to their establishment (issue 8).
 */
export const mayChangeAccount = (actor: AuthUser, target: { elsewhere: boolean }) =>
  actor.platformAdmin || !target.elsewhere;

export const personInOtherEstablishment = () => new AppError(403, 'PERSON_IN_OTHER_ESTABLISHMENT');

/** The person's status as this establishment sees it: `blocked` where suspended here. */
const statusHere = (target: Member): UserStatusValue =>
  target.suspended_here && (target.status === 'active' || target.status === 'pending_activation')
    ? 'blocked'
    : target.status;

async function canFlags(ctx: AuthedContext, establishmentId: string, target: Member) {
  const manage = (await permissionsIn(ctx.db, ctx.user, establishmentId, ['users.manage'])).length > 0;
  const ok = manage && mayTouch(ctx.user, target);
  // The person endpoints refuse to correct a detached account (409 PERSON_DETACHED).
  const editable = ok && target.status !== 'detached';
  const teacher = target.profiles.includes('teacher');
  const status = statusHere(target);
  return {
    block: ok && target.id !== ctx.user.id && (status === 'active' || status === 'pending_activation'),
    unblock: ok && status === 'blocked' && (target.suspended_here || mayChangeAccount(ctx.user, target)),
    newActivationCode: ok && status === 'pending_activation' && mayChangeAccount(ctx.user, target),
    printSheet: ok && (status === 'active' || (status === 'pending_activation' && mayChangeAccount(ctx.user, target))),
    edit: editable,
    editAccount: editable && mayChangeAccount(ctx.user, target),
    manageGuardians: editable && target.profiles.includes('student'),
    manageAssignments: editable && teacher,
    setHeadTeacher: editable && teacher,
  };
}

async function detail(ctx: AuthedContext, db: Db, establishmentId: string, userId: string) {
  const target = await directory.member(db, establishmentId, userId);
  if (!target) throw notFound();
  const [classes, children, guardians, can] = await Promise.all([
    directory.classesOf(db, establishmentId, userId),
    directory.childrenOf(db, establishmentId, userId),
    directory.guardiansOf(db, establishmentId, userId),
    canFlags(ctx, establishmentId, target),
  ]);
  const result: UserDetail = {
    id: target.id,
    login: target.login,
    displayName: target.display_name,
    firstName: target.first_name,
    lastName: target.last_name,
    birthDate: target.birth_date,
    email: target.email,
    status: statusHere(target),
    profiles: target.profiles as EstablishmentProfile[],
    functions: target.functions,
    ...(target.position ? { position: target.position } : {}),
    classes,
    children: children.map((c) => ({ id: c.id, displayName: c.display_name, level: c.level })),
    guardians: guardians.map((g) => ({ id: g.id, displayName: g.display_name, level: g.level })),
    activationExpiresAt:
      target.status === 'pending_activation' && target.activation_expires_at
        ? new Date(target.activation_expires_at).toISOString()
        : null,
    lastLoginAt: target.last_login_at ? new Date(target.last_login_at).toISOString() : null,
    accountShared: target.elsewhere,
    can,
  };
  return result;
}

export async function getUser(ctx: RequestContext, establishmentId: string, userId: string): Promise<UserDetail> {
  await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const user = await detail(ctx as AuthedContext, ctx.db, establishmentId, userId);
  recordUsage(ctx, establishmentId, 'directory', 'user.view');
  return user;
}

/**
 * Block or unblock a person in this establishment. Blocking suspends their membership here only (issue 8): a
 * person who also belongs elsewhere keeps their account, their sessions and their other establishments, and
 * this one disappears from their memberships at their next request; a person left with no establishment
 * cannot log in, and their sessions end at once. Unblocking lifts the suspension (and, for an account blocked
 * as a whole before suspensions existed, gives back the state it had — the platform administrator's call when
 * the account is shared with another establishment).
 */
export async function setUserStatus(
  ctx: RequestContext,
  establishmentId: string,
  userId: string,
  status: 'active' | 'blocked',
): Promise<UserDetail> {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  await ctx.db.transaction().execute(async (trx) => {
    const target = await directory.member(trx, establishmentId, userId, { forUpdate: true });
    if (!target) throw notFound();
    if (status === 'blocked' && target.id === actor.id) {
      throw new AppError(400, 'CANNOT_BLOCK_SELF', {
        errors: [{ path: 'body.status', message: t(ctx.lang, 'CANNOT_BLOCK_SELF') }],
      });
    }
    if (!mayTouch(actor, target)) throw forbidden();
    if (target.status === 'detached') throw statusNotAllowed(ctx);
    const from = statusHere(target);
    if (status === 'blocked') {
      if (from === 'blocked') return; // already so: nothing to change, nothing to audit
      await directory.suspend(trx, establishmentId, target.id, actor.id);
      // Left with no establishment, the person can do nothing: their sessions end now.
      const keeps = await directory.activeElsewhere(trx, establishmentId, target.id);
      const sessionsEnded = keeps
        ? 0
        : Number((await sessions.deleteOthers(trx, target.id, null))[0]?.numDeletedRows ?? 0);
      await audit(trx, ctx, {
        action: 'directory.user.block',
        establishmentId,
        targetType: 'user',
        targetId: target.id,
        details: { scope: 'establishment', from, to: 'blocked', otherEstablishments: target.elsewhere, sessionsEnded },
      });
      return;
    }
    if (target.status === 'pending_activation' && !target.suspended_here) throw statusNotAllowed(ctx);
    if (from !== 'blocked') return;
    let accountTo: UserStatusValue | null = null;
    if (target.status === 'blocked') {
      if (!mayChangeAccount(actor, target)) throw personInOtherEstablishment();
      accountTo = target.has_password ? 'active' : 'pending_activation';
      await directory.setStatus(trx, target.id, accountTo);
    }
    if (target.suspended_here) await directory.lift(trx, establishmentId, target.id);
    await audit(trx, ctx, {
      action: 'directory.user.unblock',
      establishmentId,
      targetType: 'user',
      targetId: target.id,
      details: {
        scope: 'establishment',
        from: 'blocked',
        to: accountTo ?? target.status,
        ...(accountTo ? { account: accountTo } : {}),
      },
    });
  });
  recordUsage(ctx, establishmentId, 'directory', status === 'blocked' ? 'user.block' : 'user.unblock');
  return detail(ctx as AuthedContext, ctx.db, establishmentId, userId);
}

const statusNotAllowed = (ctx: RequestContext) =>
  new AppError(400, 'STATUS_CHANGE_NOT_ALLOWED', {
    errors: [{ path: 'body.status', message: t(ctx.lang, 'STATUS_CHANGE_NOT_ALLOWED') }],
  });

/** A new one-time activation code for an account awaiting activation; the previous one stops working. */
export async function newUserActivationCode(ctx: RequestContext, establishmentId: string, userId: string) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'users.manage', establishmentId);
  const code = newActivationCode(randomBytes);
  const expiresAt = new Date(Date.now() + ctx.config.activationCodeDays * 86_400_000);
  await ctx.db.transaction().execute(async (trx) => {
    const target = await directory.member(trx, establishmentId, userId, { forUpdate: true });
    if (!target) throw notFound();
    // A code sets the password: handing one out for a platform admin is a platform admin's call, and for
    // a person who also belongs elsewhere too (whoever holds the code holds the account, in every school).
    if (!mayTouch(actor, target)) throw forbidden();
    if (target.status === 'active') throw new AppError(409, 'ALREADY_ACTIVE');
    if (statusHere(target) !== 'pending_activation') throw new AppError(409, 'ACCOUNT_NOT_PENDING');
    if (!mayChangeAccount(actor, target)) throw personInOtherEstablishment();
    await directory.setActivationCode(trx, target.id, hashActivationCode(target.id, code), expiresAt);
    await audit(trx, ctx, {
      action: 'directory.user.activation_code',
      establishmentId,
      targetType: 'user',
      targetId: target.id,
      details: { expiresAt: expiresAt.toISOString() },
    });
  });
  recordUsage(ctx, establishmentId, 'directory', 'user.activation_code');
  return { code, expiresAt: expiresAt.toISOString() };
}

/**
 * The staff positions of these people in an establishment (for other modules: messaging names the CPE to
 * parents). Only those with a staff membership there; no access check here, the caller has made its own.
 */
export async function positionsOf(
  db: Db,
  establishmentId: string,
  userIds: string[],
): Promise<Map<string, { position: string | null; functions: string[] }>> {
  const rows = await directory.positions(db, establishmentId, userIds);
  return new Map(rows.map((r) => [r.user_id, { position: r.position, functions: r.functions }]));
}
