import { audit } from '../../platform/audit.ts';
import { sessions } from '../../platform/auth/session.repository.ts';
import { hashToken, newToken } from '../../platform/auth/sessions.ts';
import { addressKey, clearFailures, loginKey, recordFailure, throttleWaits } from '../../platform/auth/throttle.ts';
import { AppError } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/http/context.ts';
import { hashPassword } from '../../platform/passwords.ts';
import { recordUsage } from '../../platform/usage.ts';
import { sendMail } from '../timeline/index.ts';
import { users } from './accounts.repository.ts';
import { enforcePolicy } from './accounts.service.ts';
import { recovery } from './recovery.repository.ts';

/**
 * "Mot de passe oublié": a single-use link by e-mail to people whose address is known. Same answer whether the
 * identifier exists or not (and whatever the throttle decided about it); the others are told on the page to ask
 * their school, which prints a new login sheet.
 */
export const RECOVERY_MINUTES = 30;
/** Requests and wrong links per address before it waits (a whole school may share one address). */
const ADDRESS_FREE = 50;
const ADDRESS_MAX_BLOCK_S = 15 * 60;
/** Requests per identifier (login or e-mail) before the next ones are silently dropped. */
const IDENTIFIER_FREE = 3;
const PER_HOUR = 3;

const recoveryAddressKey = (address: string) => `recovery:${addressKey(address)}`;
const identifierKey = (identifier: string) => `recovery:id:${identifier.toLowerCase()}`;

function tooMany(seconds: number) {
  return new AppError(429, 'TOO_MANY_ATTEMPTS', { vars: { seconds }, retryAfterSeconds: seconds });
}

async function addressGate(ctx: RequestContext) {
  const wait = (await throttleWaits(ctx.db, [recoveryAddressKey(ctx.ip)])).get(recoveryAddressKey(ctx.ip)) ?? 0;
  if (wait > 0) throw tooMany(wait);
}

/** Where a link leads: PUBLIC_ORIGIN, or (development) the address the request came to. */
function origin(ctx: RequestContext, host: string | undefined, protocol: string): string {
  return ctx.config.publicOrigin ?? `${protocol}://${host ?? `localhost:${ctx.config.port}`}`;
}

export async function requestRecovery(
  ctx: RequestContext,
  identifier: string,
  request: { host: string | undefined; protocol: string },
): Promise<void> {
  await addressGate(ctx);
  // Every request counts against the address, whether it names someone or not.
  await recordFailure(ctx.db, recoveryAddressKey(ctx.ip), ADDRESS_FREE, ADDRESS_MAX_BLOCK_S);
  const idWait = await recordFailure(ctx.db, identifierKey(identifier), IDENTIFIER_FREE, ADDRESS_MAX_BLOCK_S);
  if (idWait > 0) return; // same answer: the link was sent recently enough
  const found = await recovery.candidates(ctx.db, identifier.trim());
  for (const u of found) {
    if ((await recovery.recentCount(ctx.db, u.id)) >= PER_HOUR) continue;
    const token = newToken();
    await ctx.db.transaction().execute(async (trx) => {
      await recovery.insert(trx, {
        userId: u.id,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + RECOVERY_MINUTES * 60_000),
        address: ctx.ip || null,
      });
      await sendMail(trx, {
        establishmentId: null,
        userId: u.id,
        to: u.email,
        kind: 'accounts.recovery',
        subject: 'Préau : choisir un nouveau mot de passe',
        body: [
          `Bonjour ${u.display_name},`,
          '',
          `Une demande de nouveau mot de passe a été faite pour le compte Préau « ${u.login} ».`,
          `Pour choisir un nouveau mot de passe, ouvrez ce lien dans les ${RECOVERY_MINUTES} minutes (il ne sert qu'une fois) :`,
          `${origin(ctx, request.host, request.protocol)}/reset-password#token=${token}`,
          '',
          "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.",
        ].join('\n'),
        link: null,
        quiet: false,
        secret: true,
      });
      await audit(trx, ctx, { action: 'auth.recovery.request', targetType: 'user', targetId: u.id, actorId: null });
    });
  }
  recordUsage(ctx, null, 'account', 'recovery.request');
}

async function validLink(ctx: RequestContext, token: string) {
  await addressGate(ctx);
  const link = await recovery.valid(ctx.db, hashToken(token));
  if (!link) {
    const wait = await recordFailure(ctx.db, recoveryAddressKey(ctx.ip), ADDRESS_FREE, ADDRESS_MAX_BLOCK_S);
    if (wait > 0) throw tooMany(wait);
    throw new AppError(400, 'INVALID_RECOVERY_LINK', {
      errors: [{ path: 'body.token', message: 'INVALID_RECOVERY_LINK' }],
    });
  }
  return link;
}

/** The page checks its link before asking for a password: the login it is for. */
export async function checkRecovery(ctx: RequestContext, token: string) {
  const link = await validLink(ctx, token);
  return { login: link.login, displayName: link.display_name };
}

/** The new password: the person's own rules apply; every session ends, every other link too. */
export async function resetPassword(ctx: RequestContext, token: string, password: string): Promise<void> {
  const link = await validLink(ctx, token);
  enforcePolicy(ctx, password, link, await users.profiles(ctx.db, link.user_id), 'password');
  const passwordHash = await hashPassword(password, ctx.ip);
  await ctx.db.transaction().execute(async (trx) => {
    // Consumed first, in the transaction: a link raced twice changes the password once.
    const used = await recovery.consume(trx, link.user_id);
    if (Number(used[0]?.numUpdatedRows ?? 0) === 0) {
      throw new AppError(400, 'INVALID_RECOVERY_LINK', {
        errors: [{ path: 'body.token', message: 'INVALID_RECOVERY_LINK' }],
      });
    }
    await users.setPassword(trx, link.user_id, passwordHash);
    await sessions.deleteOthers(trx, link.user_id, null);
    await audit(trx, ctx, {
      action: 'auth.password.reset',
      targetType: 'user',
      targetId: link.user_id,
      actorId: link.user_id,
    });
  });
  await clearFailures(ctx.db, loginKey(link.login));
  recordUsage(ctx, null, 'account', 'recovery.reset');
}
