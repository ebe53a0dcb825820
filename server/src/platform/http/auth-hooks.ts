import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { holdsSomewhere } from '../access/access.ts';
import { sessions } from '../auth/session.repository.ts';
import { findActiveSession, sessionTouched } from '../auth/session-cache.ts';
import { cookieName, hashToken, sessionLifetimes } from '../auth/sessions.ts';
import { AppError } from '../errors.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TOUCH_EVERY_MS = 60_000;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** onRequest: find the session (from memory, else one query), then 401 and CSRF before the body is even parsed. */
export async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  // An unknown route is 404 for everyone (not 401 for the anonymous): the not-found handler answers it.
  if (req.is404) return;
  // Decide on the matched route, not the raw URL: the router decodes `/%61pi/…` into `/api/…`, and that
  // spelling must not skip the session, CSRF and Origin checks.
  const path = req.routeOptions.url ?? req.url;
  if (!path.startsWith('/api/') || path.startsWith('/api/docs')) return;
  const ctx = req.ctx;
  const token = req.cookies[cookieName(ctx.config)];
  if (token && token.length <= 100) {
    const tokenHash = hashToken(token);
    const found = await findActiveSession(ctx.db, tokenHash);
    if (found) {
      ctx.user = {
        id: found.userId,
        login: found.login,
        displayName: found.displayName,
        platformAdmin: found.platformAdmin,
        sessionId: found.sessionId,
        csrfToken: found.csrfToken,
        memberships: found.memberships,
      };
      if (Date.now() - new Date(found.lastSeenAt).getTime() > TOUCH_EVERY_MS) {
        const { idleExpiresAt } = sessionLifetimes(ctx.config, found.rememberMe);
        await sessions.touch(ctx.db, found.sessionId, idleExpiresAt);
        sessionTouched(ctx.db, tokenHash, idleExpiresAt);
      }
    } else {
      reply.clearCookie(cookieName(ctx.config), { path: '/' });
    }
  }
  const config = req.routeOptions.config;
  if (config.auth !== 'public' && !ctx.user) throw new AppError(401, 'UNAUTHENTICATED');
  if (UNSAFE.has(req.method)) {
    if (config.csrf === false) {
      checkOrigin(req);
    } else if (ctx.user) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, ctx.user.csrfToken)) throw new AppError(403, 'CSRF');
    }
  }
}

/**
 * Login, activation and the password check have no session yet: refuse cross-site posts by their Origin.
 * In production only PUBLIC_ORIGIN is accepted (the Host header is the client's to choose); in development
 * the request's own host too. A request without Origin (not a browser) is let through.
 */
function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (!origin) return;
  const { publicOrigin, production } = req.ctx.config;
  if (publicOrigin && origin === publicOrigin) return;
  if (!production) {
    try {
      if (new URL(origin).host === req.headers.host) return;
    } catch {
      // fall through
    }
  }
  throw new AppError(403, 'BAD_ORIGIN');
}

/** preHandler: the route's declared permission, held in at least one establishment. */
export async function checkRoutePermission(req: FastifyRequest): Promise<void> {
  const permission = req.routeOptions.config.permission;
  if (!permission) return;
  const user = req.ctx.user;
  if (!user) throw new AppError(401, 'UNAUTHENTICATED');
  if (!(await holdsSomewhere(req.ctx.db, user, permission))) throw new AppError(403, 'FORBIDDEN');
}
