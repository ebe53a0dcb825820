import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/schema.ts';
import { sessions } from './session.repository.ts';

/** 256-bit random tokens; the database keeps only their SHA-256, so a leaked table opens no session. */
export const newToken = () => randomBytes(32).toString('base64url');
export const hashToken = (token: string) => createHash('sha256').update(token).digest();

export function cookieName(config: Config): string {
  // Browsers accept the `__Host-` prefix only on Secure cookies, so plain-HTTP development drops it.
  return config.secureCookies ? '__Host-preau_session' : 'preau_session';
}

export function sessionLifetimes(config: Config, rememberMe: boolean, now = Date.now()) {
  const idleMs = rememberMe ? config.rememberMeDays * 86_400_000 : config.sessionIdleMinutes * 60_000;
  const absoluteMs = rememberMe ? config.rememberMeDays * 86_400_000 : config.sessionAbsoluteHours * 3_600_000;
  return { idleExpiresAt: new Date(now + idleMs), expiresAt: new Date(now + absoluteMs), idleMs };
}

/** A new session's secrets and row, not yet written: lets a caller write it together with other rows. */
export function prepareSession(
  config: Config,
  input: { userId: string; rememberMe: boolean; address: string | null; userAgent: string | null },
) {
  const token = newToken();
  const csrfToken = randomBytes(24).toString('base64url');
  const { idleExpiresAt, expiresAt } = sessionLifetimes(config, input.rememberMe);
  return {
    token,
    csrfToken,
    expiresAt,
    rememberMe: input.rememberMe,
    row: {
      tokenHash: hashToken(token),
      userId: input.userId,
      csrfToken,
      rememberMe: input.rememberMe,
      idleExpiresAt,
      expiresAt,
      address: input.address,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    },
  };
}

export async function createSession(
  db: Db,
  config: Config,
  input: { userId: string; rememberMe: boolean; address: string | null; userAgent: string | null },
) {
  const { row, ...session } = prepareSession(config, input);
  const { id } = await sessions.insert(db, row);
  return { id, ...session };
}
