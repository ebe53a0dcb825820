import { createHash, timingSafeEqual } from 'node:crypto';
import type { EstablishmentProfile, MeResponse } from '@preau/contracts';
import {
  establishmentSummary,
  membershipIn,
  permissionsByEstablishment,
  requireUser,
} from '../../platform/access/access.ts';
import { allPermissions } from '../../platform/access/permissions.ts';
import { relationsAtLogin } from '../../platform/access/relations.repository.ts';
import { audit } from '../../platform/audit.ts';
import { sessions } from '../../platform/auth/session.repository.ts';
import { sessionCreated, userEntry, userEntryAtLogin } from '../../platform/auth/session-cache.ts';
import { createSession, prepareSession } from '../../platform/auth/sessions.ts';
import {
  ADDRESS_FREE_FAILURES,
  ADDRESS_MAX_BLOCK_S,
  addressKey,
  checkedCodeKey,
  clearFailures,
  FREE_FAILURES,
  firstTimeChecked,
  isKnownAddress,
  loginKey,
  pairKey,
  recordFailure,
  throttleWaits,
} from '../../platform/auth/throttle.ts';
import { cached, caughtUp, defineCache } from '../../platform/cache.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { t } from '../../platform/i18n.ts';
import {
  checkPassword,
  dummyPasswordHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  verifyPassword,
} from '../../platform/passwords.ts';
import { insertUsageEvents, recordUsage } from '../../platform/usage.ts';
import { acceptancesAtLogin, pendingCharters } from '../charter/index.ts';
import { loginQueries, type MeRelations, meQueries, users } from './accounts.repository.ts';

/** Activation codes are random; stored as SHA-256 of (user id, code), see docs/SECURITY.md. */
export function hashActivationCode(userId: string, code: string): string {
  const normalised = code.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return createHash('sha256').update(`${userId}:${normalised}`).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Passwords are throttled per (address, login), per address and per login from anywhere; activation codes
 * per (address, login) and per address only (see platform/auth/throttle.ts and docs/SECURITY.md).
 */
type Attempt = 'password' | 'code';

const tooMany = (seconds: number) =>
  new AppError(429, 'TOO_MANY_ATTEMPTS', { vars: { seconds }, retryAfterSeconds: seconds });

function attemptKeys(ctx: RequestContext, login: string, kind: Attempt) {
  const keys = [pairKey(ctx.ip, login), addressKey(ctx.ip)];
  return kind === 'password' ? [...keys, loginKey(login)] : keys;
}

/**
 * Refuses an attempt while its address, its (address, login) pair or — for a password — its login is
 * blocked; returns the keys with failures on record (to clear on success) and, when only the login is
 * blocked from everywhere, the wait that applies unless the address is one the person is known at.
 */
async function throttleGate(ctx: RequestContext, login: string, kind: Attempt) {
  return gate(ctx, login, kind, await throttleWaits(ctx.db, attemptKeys(ctx, login, kind)));
}

/** `throttleGate` on throttle waits already read (the login reads them with the account). */
function gate(ctx: RequestContext, login: string, kind: Attempt, waits: Map<string, number>) {
  const local = Math.max(waits.get(pairKey(ctx.ip, login)) ?? 0, waits.get(addressKey(ctx.ip)) ?? 0);
  if (local > 0) throw tooMany(local);
  const loginWait = kind === 'password' ? (waits.get(loginKey(login)) ?? 0) : 0;
  const recorded = [...waits.keys()].filter((k) => k !== addressKey(ctx.ip));
  return { recorded, loginWait };
}

/** A login blocked from everywhere may still be tried from an address the person logged in from before. */
async function requireKnownAddressIfBlocked(ctx: RequestContext, loginWait: number, userId: string | null) {
  if (loginWait > 0 && !(await isKnownAddress(ctx.db, userId, ctx.ip))) throw tooMany(loginWait);
}

/** After a failure: the delay this address now faces for this login (0: it may try again at once). */
async function waitAfterFailure(ctx: RequestContext, waits: { local: number; login: number }, userId: string | null) {
  if (waits.local > 0) return waits.local;
  if (waits.login > 0 && !(await isKnownAddress(ctx.db, userId, ctx.ip))) return waits.login;
  return 0;
}

async function recordFailedAttempt(
  ctx: RequestContext,
  login: string,
  userId: string | null,
  action: string,
  kind: Attempt,
  details: Record<string, unknown> = {},
) {
  const local = Math.max(
    await recordFailure(ctx.db, pairKey(ctx.ip, login), FREE_FAILURES),
    await recordFailure(ctx.db, addressKey(ctx.ip), ADDRESS_FREE_FAILURES, ADDRESS_MAX_BLOCK_S),
  );
  const fromAnywhere = kind === 'password' ? await recordFailure(ctx.db, loginKey(login), FREE_FAILURES) : 0;
  await audit(ctx.db, ctx, {
    action,
    actorId: userId,
    targetType: 'user',
    targetId: userId ?? undefined,
    details: { login: login.slice(0, 100), outcome: 'failure', ...details },
  });
  return { local, login: fromAnywhere };
}

export function minPasswordLength(config: Config, profiles: string[]): number {
  const studentOnly = profiles.length > 0 && profiles.every((p) => p === 'student');
  return studentOnly ? config.studentPasswordMinLength : config.adultPasswordMinLength;
}

export function enforcePolicy(
  ctx: RequestContext,
  password: string,
  user: { login: string; first_name: string; last_name: string },
  profiles: string[],
  field: string,
) {
  const min = minPasswordLength(ctx.config, profiles);
  const problems = checkPassword(password, { minLength: min, names: [user.login, user.first_name, user.last_name] });
  if (problems.length === 0) return;
  const keys = {
    TOO_SHORT: 'PASSWORD_TOO_SHORT',
    TOO_LONG: 'PASSWORD_TOO_LONG',
    COMMON: 'PASSWORD_COMMON',
    CONTAINS_NAME: 'PASSWORD_CONTAINS_NAME',
  } as const;
  throw new AppError(400, 'PASSWORD_POLICY', {
    errors: problems.map((p) => ({
      path: `body.${field}`,
      message: t(ctx.lang, keys[p], { min, max: PASSWORD_MAX_LENGTH }),
      code: p,
    })),
  });
}

export async function login(ctx: RequestContext, input: { login: string; password: string; rememberMe?: boolean }) {
  // The throttle state and the account in one statement; a blocked attempt is refused before the password is checked.
  const { waits, user } = await loginQueries.accountAndThrottle(
    ctx.db,
    input.login,
    attemptKeys(ctx, input.login, 'password'),
  );
  const { recorded, loginWait } = gate(ctx, input.login, 'password', waits);
  await requireKnownAddressIfBlocked(ctx, loginWait, user?.id ?? null);
  // Same work whether the login exists or not: always one Argon2 verification.
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password, ctx.ip);
  if (!user || !ok || !user.password_hash) {
    const waits = await recordFailedAttempt(ctx, input.login, user?.id ?? null, 'auth.login.failure', 'password');
    const wait = await waitAfterFailure(ctx, waits, user?.id ?? null);
    if (wait > 0) throw tooMany(wait);
    throw new AppError(401, 'INVALID_CREDENTIALS');
  }
  if (user.status === 'blocked' || user.status === 'detached' || user.suspended_everywhere) {
    await audit(ctx.db, ctx, {
      action: 'auth.login.refused',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      details: { status: user.suspended_everywhere ? 'suspended' : user.status },
    });
    throw new AppError(403, 'ACCOUNT_BLOCKED');
  }
  if (recorded.length > 0) await clearFailures(ctx.db, ...recorded);
  const { row, ...prepared } = prepareSession(ctx.config, {
    userId: user.id,
    rememberMe: input.rememberMe ?? false,
    address: ctx.ip,
    userAgent: ctx.userAgent,
  });
  // The writes in one statement, with what the first screen reads of this person (their entry, classes, children and
  // charter acceptances): `/api/me`, the login's answer and the first `/api/home` find them in memory.
  // The home widgets then find a guardian's guardianships, the children's names and everyone's classes and groups.
  const charter = acceptancesAtLogin(user.id);
  const written = sessions.insertForLogin(ctx.db, row, 'auth.login.success', {
    relations: meQueries.relationsJson(user.id),
    accepted: charter.sql,
    guardianships: relationsAtLogin.guardianships(user.id),
    enrolments: relationsAtLogin.enrolments(user.id),
  });
  userEntryAtLogin(
    ctx.db,
    user.id,
    written.then((r) => r.user),
  );
  const relations = written.then((r) => r.relations);
  keepRelations(ctx.db, user.id, relations);
  relationsAtLogin.keepNames(
    ctx.db,
    relations.then((r) => r.children.map((c) => ({ id: c.id, displayName: c.display_name }))),
  );
  charter.keep(
    ctx.db,
    written.then((r) => r.accepted),
  );
  relationsAtLogin.keepGuardianships(
    ctx.db,
    user.id,
    written.then((r) => r.guardianships),
  );
  relationsAtLogin.keepEnrolments(
    ctx.db,
    written.then((r) => r.enrolments),
  );
  const { id } = await written;
  sessionCreated(ctx.db, id, row);
  const session = { id, ...prepared };
  ctx.usage.record({ userId: user.id, establishmentId: null, profile: null, service: 'portal', action: 'login' });
  return { session, user: presentUser(user) };
}

export async function activate(
  ctx: RequestContext,
  input: { login: string; code: string; password: string; email?: string },
) {
  const { recorded } = await throttleGate(ctx, input.login, 'code');
  const user = await users.byLogin(ctx.db, input.login);
  const valid =
    !!user &&
    user.status === 'pending_activation' &&
    !!user.activation_code_hash &&
    !!user.activation_expires_at &&
    user.activation_expires_at > new Date() &&
    sameHex(user.activation_code_hash, hashActivationCode(user.id, input.code));
  if (!user || !valid) {
    const { local } = await recordFailedAttempt(ctx, input.login, user?.id ?? null, 'auth.activate.failure', 'code');
    if (local > 0) throw tooMany(local);
    throw new AppError(400, 'INVALID_ACTIVATION');
  }
  // Suspended by every establishment: the code is right, but there is nothing to open.
  if (user.suspended_everywhere) throw new AppError(403, 'ACCOUNT_BLOCKED');
  const profiles = await users.profiles(ctx.db, user.id);
  enforcePolicy(ctx, input.password, user, profiles, 'password');
  const passwordHash = await hashPassword(input.password, ctx.ip);
  if (recorded.length > 0) await clearFailures(ctx.db, ...recorded);
  const session = await ctx.db.transaction().execute(async (trx) => {
    const res = await users.activate(trx, user.id, passwordHash, input.email);
    if (Number(res.numUpdatedRows) !== 1) throw new AppError(400, 'INVALID_ACTIVATION');
    await audit(trx, ctx, { action: 'auth.activate', actorId: user.id, targetType: 'user', targetId: user.id });
    return createSession(trx, ctx.config, {
      userId: user.id,
      rememberMe: false,
      address: ctx.ip,
      userAgent: ctx.userAgent,
    });
  });
  ctx.usage.record({ userId: user.id, establishmentId: null, profile: null, service: 'portal', action: 'activate' });
  return { session, user: presentUser({ ...user, status: 'active', email: input.email ?? user.email }) };
}

export async function logout(ctx: RequestContext) {
  requireUser(ctx);
  await sessions.delete(ctx.db, ctx.user.sessionId);
}

const codeIsValid = (u: Awaited<ReturnType<typeof users.byLogin>>, code: string) =>
  !!u?.activation_code_hash &&
  !!u.activation_expires_at &&
  u.activation_expires_at > new Date() &&
  sameHex(u.activation_code_hash, hashActivationCode(u.id, code));

/**
 * The activation journey's first step: the login and its code, checked before anyone chooses a password. It is an
 * activation attempt like any other: refused while the address or the (address, login) pair is blocked, a wrong
 * code counts as a failed activation (the same counters as POST /api/auth/activate and the password check), and an
 * unknown login, a wrong code and an expired one get the same answer. Nothing is changed.
 */
export async function checkActivation(ctx: RequestContext, input: { login: string; code: string }) {
  await throttleGate(ctx, input.login, 'code');
  const user = await users.byLogin(ctx.db, input.login);
  if (user?.status !== 'pending_activation' || !codeIsValid(user, input.code)) {
    const { local } = await recordFailedAttempt(ctx, input.login, user?.id ?? null, 'auth.activate.failure', 'code', {
      via: 'activation_check',
    });
    if (local > 0) throw tooMany(local);
    throw new AppError(400, 'INVALID_ACTIVATION');
  }
  if (user.suspended_everywhere) throw new AppError(403, 'ACCOUNT_BLOCKED');
  const profiles = await users.profiles(ctx.db, user.id);
  return {
    valid: true as const,
    passwordPolicy: { minLength: minPasswordLength(ctx.config, profiles), maxLength: PASSWORD_MAX_LENGTH },
  };
}

/**
 * Whose rules apply: the session's user, or a pending account whose valid activation code came along.
 * Telling a valid code from another is an activation attempt: it goes through the activation throttle
 * (refused while the address or the (address, login) pair is blocked, where the generic answer is given),
 * and a code that is not valid counts as one failed activation — once per distinct code, since the live
 * feedback sends the same code again with every keystroke.
 */
async function passwordCheckSubject(ctx: RequestContext, login?: string, code?: string) {
  if (ctx.user) return users.byId(ctx.db, ctx.user.id);
  if (!login || !code) return undefined;
  try {
    await throttleGate(ctx, login, 'code');
  } catch (e) {
    if (e instanceof AppError && e.status === 429) return undefined;
    throw e;
  }
  const u = await users.byLogin(ctx.db, login);
  if (codeIsValid(u, code)) return u;
  if (await firstTimeChecked(ctx.db, checkedCodeKey(login, code))) {
    await recordFailedAttempt(ctx, login, u?.id ?? null, 'auth.activate.failure', 'code', { via: 'password_check' });
  }
  return undefined;
}

/** Without a session or a valid activation code, the answer never tells whether a login exists. */
export async function passwordCheck(ctx: RequestContext, input: { login?: string; code?: string; password: string }) {
  const person = await passwordCheckSubject(ctx, input.login, input.code);
  const profiles = person ? await users.profiles(ctx.db, person.id) : [];
  const min = minPasswordLength(ctx.config, profiles);
  const problems = checkPassword(input.password, {
    minLength: min,
    names: person ? [person.login, person.first_name, person.last_name] : [input.login],
  });
  return { ok: problems.length === 0, minLength: min, maxLength: PASSWORD_MAX_LENGTH, problems };
}

export async function changePassword(ctx: RequestContext, input: { currentPassword: string; newPassword: string }) {
  requireUser(ctx);
  const me = ctx.user;
  const user = await users.byId(ctx.db, me.id);
  if (!user?.password_hash) throw notFound();
  // A stolen session must not become a free password oracle: wrong current passwords count like failed logins.
  const { loginWait } = await throttleGate(ctx, user.login, 'password');
  await requireKnownAddressIfBlocked(ctx, loginWait, user.id);
  if (!(await verifyPassword(user.password_hash, input.currentPassword, ctx.ip))) {
    const waits = await recordFailedAttempt(ctx, user.login, user.id, 'auth.password.failure', 'password');
    const wait = await waitAfterFailure(ctx, waits, user.id);
    if (wait > 0) throw tooMany(wait);
    throw new AppError(400, 'WRONG_PASSWORD', {
      errors: [{ path: 'body.currentPassword', message: t(ctx.lang, 'WRONG_PASSWORD'), code: 'WRONG_PASSWORD' }],
    });
  }
  enforcePolicy(ctx, input.newPassword, user, await users.profiles(ctx.db, me.id), 'newPassword');
  const passwordHash = await hashPassword(input.newPassword, ctx.ip);
  await ctx.db.transaction().execute(async (trx) => {
    await users.setPassword(trx, me.id, passwordHash);
    // A changed password ends every other session at once (a thief's session too).
    await sessions.deleteOthers(trx, me.id, me.sessionId);
    await audit(trx, ctx, { action: 'auth.password.change', targetType: 'user', targetId: me.id });
  });
  recordUsage(ctx, null, 'account', 'password.change');
}

export async function updateMe(ctx: RequestContext, input: { email: string | null }): Promise<MeResponse> {
  requireUser(ctx);
  const u = ctx.user;
  await ctx.db.transaction().execute(async (trx) => {
    await users.setEmail(trx, u.id, input.email);
    await audit(trx, ctx, { action: 'account.email.update', targetType: 'user', targetId: u.id });
  });
  recordUsage(ctx, null, 'account', 'email.update');
  await caughtUp(ctx.db); // the cached user entry has heard of the new address
  return me(ctx);
}

/** A user's classes of the current year and children (topic `u`): with the session, what /api/me reads. */
const RELATIONS = defineCache<MeRelations>({ name: 'me-relations', topic: 'u', max: 200_000, ttlMs: 120_000 });

/** The relations read by the login's own statement, taken as the cache's load (see `userEntryAtLogin`). */
function keepRelations(db: Db, userId: string, loaded: Promise<MeRelations>): void {
  loaded.catch(() => {}); // the login awaits the statement itself: its failure is the login's
  cached(db, RELATIONS, userId, () => loaded).catch(() => {});
}

/**
 * What `GET /api/me` answers, for the session a login has just opened (its cookie is not sent back yet): the login's
 * answer carries it, so the web app's first screen follows with `GET /api/home` alone.
 */
export async function meForNewSession(
  ctx: RequestContext,
  session: { id: string; csrfToken: string },
  userId: string,
): Promise<MeResponse> {
  const entry = await userEntry(ctx.db, userId);
  if (!entry) throw notFound();
  ctx.user = {
    id: userId,
    login: entry.login,
    displayName: entry.displayName,
    platformAdmin: entry.platformAdmin,
    sessionId: session.id,
    csrfToken: session.csrfToken,
    memberships: entry.memberships,
  };
  return me(ctx);
}

export async function me(ctx: RequestContext): Promise<MeResponse> {
  requireUser(ctx);
  const u = ctx.user;
  const ids = u.memberships.map((m) => m.establishmentId);
  const [user, summaries, relations] = await Promise.all([
    userEntry(ctx.db, u.id),
    Promise.all(ids.map((id) => establishmentSummary(ctx.db, id))),
    cached(ctx.db, RELATIONS, u.id, () => meQueries.relations(ctx.db, u.id)),
  ]);
  if (!user) throw notFound();
  const establishments = summaries
    .filter((e) => e !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const permissions = await permissionsByEstablishment(
    ctx.db,
    u,
    establishments.map((e) => e.id),
    allPermissions(),
  );
  const memberships = establishments.map((e) => {
    const m = membershipIn(u, e.id);
    return {
      establishment: { id: e.id, uai: e.uai, name: e.name, type: e.type },
      profiles: (m?.profiles ?? []) as EstablishmentProfile[],
      functions: m?.functions ?? [],
      classes: relations.classes
        .filter((c) => c.establishment_id === e.id)
        .map((c) => ({ id: c.id, code: c.code, label: c.label })),
      children: relations.children
        .filter((c) => c.establishment_id === e.id)
        .map((c) => ({ id: c.id, displayName: c.display_name, firstName: c.first_name })),
      permissions: permissions.get(e.id) ?? [],
    };
  });
  const profiles = u.memberships.flatMap((m) => m.profiles);
  return {
    user: presentUser({
      id: user.id,
      login: user.login,
      display_name: user.displayName,
      first_name: user.firstName,
      last_name: user.lastName,
      email: user.email,
      title: user.title,
      status: user.status,
      is_platform_admin: user.platformAdmin,
    }),
    memberships,
    pendingCharters: await pendingCharters(ctx.db, u.id, establishments),
    csrfToken: u.csrfToken,
    passwordPolicy: { minLength: minPasswordLength(ctx.config, profiles), maxLength: PASSWORD_MAX_LENGTH },
  };
}

export async function listSessions(ctx: RequestContext) {
  requireUser(ctx);
  const rows = await sessions.listForUser(ctx.db, ctx.user.id);
  const current = ctx.user.sessionId;
  return {
    sessions: rows.map((s) => ({
      id: s.id,
      createdAt: new Date(s.created_at).toISOString(),
      lastSeenAt: new Date(s.last_seen_at).toISOString(),
      expiresAt: new Date(Math.min(+new Date(s.expires_at), +new Date(s.idle_expires_at))).toISOString(),
      userAgent: s.user_agent,
      address: s.address,
      current: s.id === current,
      rememberMe: s.remember_me,
    })),
  };
}

export async function revokeSession(ctx: RequestContext, sessionId: string) {
  requireUser(ctx);
  const mine = await sessions.listForUser(ctx.db, ctx.user.id);
  if (!mine.some((s) => s.id === sessionId)) throw notFound();
  await ctx.db.transaction().execute(async (trx) => {
    await sessions.delete(trx, sessionId);
    await audit(trx, ctx, { action: 'auth.session.revoke', targetType: 'session', targetId: sessionId });
  });
  recordUsage(ctx, null, 'account', 'session.revoke');
}

/** `others` keeps the current session; otherwise every session ends, this one included. */
export async function revokeSessions(ctx: RequestContext, others: boolean) {
  requireUser(ctx);
  const u = ctx.user;
  await ctx.db.transaction().execute(async (trx) => {
    await sessions.deleteOthers(trx, u.id, others ? u.sessionId : null);
    await audit(trx, ctx, {
      action: 'auth.session.revoke_all',
      targetType: 'user',
      targetId: u.id,
      details: { others },
    });
  });
  recordUsage(ctx, null, 'account', 'sessions.revoke');
}

export function presentUser(u: {
  id: string;
  login: string;
  display_name: string;
  first_name: string;
  last_name: string;
  email: string | null;
  title?: string | null;
  status: string;
  is_platform_admin: boolean;
}) {
  return {
    id: u.id,
    login: u.login,
    displayName: u.display_name,
    firstName: u.first_name,
    lastName: u.last_name,
    email: u.email,
    status: u.status as 'pending_activation' | 'active' | 'blocked' | 'detached',
    platformAdmin: u.is_platform_admin,
    gender: genderOf(u.title),
  };
}

/** The civilité of the directory (AAF `personalTitle`, CSV "Civilité"): Mme, Mlle → female; M. → male. */
export function genderOf(title: string | null | undefined): 'female' | 'male' | null {
  const t = (title ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (['mme', 'madame', 'mlle', 'mademoiselle'].includes(t)) return 'female';
  if (['m', 'mr', 'monsieur'].includes(t)) return 'male';
  return null;
}

/**
 * The demo académie: accounts activated at given times, as if each person had typed their code then — the
 * account is active with the demo password, and its activation event carries that time (the cockpit's
 * activation curve reads it). Set-based; never used outside the demo.
 */
export async function activateForDemo(db: Db, rows: { userId: string; at: Date }[], passwordHash: string) {
  if (rows.length === 0) return;
  await users.activateMany(
    db,
    rows.map((r) => ({ id: r.userId, at: r.at })),
    passwordHash,
  );
  await insertUsageEvents(
    db,
    rows.map((r) => ({
      userId: r.userId,
      establishmentId: null,
      profile: null,
      service: 'portal',
      action: 'activate',
      at: r.at,
    })),
  );
}
