import {
  ActivateBody,
  ActivationCheckBody,
  ActivationCheckResponse,
  ChangePasswordBody,
  DeleteSessionsQuery,
  LoginBody,
  LoginResponse,
  MeResponse,
  PasswordCheckBody,
  PasswordCheckResponse,
  Problem,
  RecoveryLink,
  RecoveryRequestBody,
  RecoveryRequested,
  RecoveryResetBody,
  RecoveryTokenBody,
  SessionsResponse,
  UpdateMeBody,
} from '@preau/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { cookieName } from '../../platform/auth/sessions.ts';
import type { Config } from '../../platform/config.ts';
import type { App } from '../../platform/module.ts';
import {
  activate,
  changePassword,
  checkActivation,
  listSessions,
  login,
  logout,
  me,
  meForNewSession,
  passwordCheck,
  revokeSession,
  revokeSessions,
  updateMe,
} from './accounts.service.ts';
import { checkRecovery, requestRecovery, resetPassword } from './recovery.service.ts';

function setSessionCookie(
  reply: FastifyReply,
  config: Config,
  s: { token: string; expiresAt: Date; rememberMe: boolean },
) {
  reply.setCookie(cookieName(config), s.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    // "Remember me" survives closing the browser; otherwise a session cookie.
    ...(s.rememberMe ? { expires: s.expiresAt } : {}),
  });
}

const authErrors = { 400: Problem, 401: Problem, 403: Problem, 429: Problem };

export async function accountsRoutes(app: App): Promise<void> {
  app.post(
    '/auth/login',
    {
      // Its writes announce nothing a cache depends on (login-path.test.ts): no cache barrier after it.
      config: { auth: 'public', csrf: false, cacheBarrier: false },
      schema: {
        tags: ['auth'],
        summary: 'Log in with login and password: sets the session cookie',
        body: LoginBody,
        response: { 200: LoginResponse, ...authErrors },
      },
    },
    async (req, reply) => {
      const { session, user } = await login(req.ctx, req.body);
      setSessionCookie(reply, req.ctx.config, session);
      return { csrfToken: session.csrfToken, user, me: await meForNewSession(req.ctx, session, user.id) };
    },
  );

  app.post(
    '/auth/activate',
    {
      config: { auth: 'public', csrf: false },
      schema: {
        tags: ['auth'],
        summary: 'First login: activation code + new password; opens a session',
        body: ActivateBody,
        response: { 200: LoginResponse, ...authErrors },
      },
    },
    async (req, reply) => {
      const { session, user } = await activate(req.ctx, req.body);
      setSessionCookie(reply, req.ctx.config, session);
      return { csrfToken: session.csrfToken, user };
    },
  );

  app.post(
    '/auth/activation-check',
    {
      config: { auth: 'public', csrf: false },
      schema: {
        tags: ['auth'],
        summary: "Activation, first step: is this the login's activation code? (activation throttle; nothing changes)",
        body: ActivationCheckBody,
        response: { 200: ActivationCheckResponse, ...authErrors },
      },
    },
    async (req) => checkActivation(req.ctx, req.body),
  );

  app.post(
    '/auth/password-check',
    {
      config: { auth: 'public', csrf: false },
      schema: {
        tags: ['auth'],
        summary: 'Live feedback on the password policy (nothing is stored)',
        body: PasswordCheckBody,
        response: { 200: PasswordCheckResponse, 400: Problem },
      },
    },
    async (req) => passwordCheck(req.ctx, req.body),
  );

  app.post(
    '/auth/recovery',
    {
      config: { auth: 'public', csrf: false },
      schema: {
        tags: ['auth'],
        summary: 'Forgotten password: a single-use link by e-mail (same answer whether the account exists or not)',
        body: RecoveryRequestBody,
        response: { 202: RecoveryRequested, 400: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await requestRecovery(req.ctx, req.body.identifier, { host: req.headers.host, protocol: req.protocol });
      return reply.code(202).send({ sent: true });
    },
  );

  app.post(
    '/auth/recovery/check',
    {
      config: { auth: 'public', csrf: false },
      schema: {
        tags: ['auth'],
        summary: 'Whether a recovery link is still valid, and for which login',
        body: RecoveryTokenBody,
        response: { 200: RecoveryLink, 400: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req) => checkRecovery(req.ctx, req.body.token),
  );

  app.post(
    '/auth/recovery/reset',
    {
      config: { auth: 'public', csrf: false },
      schema: {
        tags: ['auth'],
        summary: "A new password through a recovery link (the person's rules; every session ends)",
        body: RecoveryResetBody,
        response: { 204: z.null(), 400: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await resetPassword(req.ctx, req.body.token, req.body.password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: z.null(), 401: Problem, 403: Problem },
      },
    },
    async (req, reply) => {
      await logout(req.ctx);
      reply.clearCookie(cookieName(req.ctx.config), { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['account'],
        summary: 'The current user, memberships, pending charters and CSRF token',
        response: { 200: MeResponse, 401: Problem },
      },
    },
    async (req) => me(req.ctx),
  );

  app.patch(
    '/me',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['account'],
        summary: "Change one's own e-mail (null removes it); identity comes from the directory",
        body: UpdateMeBody,
        response: { 200: MeResponse, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (req) => updateMe(req.ctx, req.body),
  );

  app.post(
    '/me/password',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['account'],
        summary: 'Change password: ends every other session',
        body: ChangePasswordBody,
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (req, reply) => {
      await changePassword(req.ctx, req.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/sessions',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['account'],
        summary: "One's active sessions",
        response: { 200: SessionsResponse, 401: Problem },
      },
    },
    async (req) => listSessions(req.ctx),
  );

  app.delete(
    '/me/sessions',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['account'],
        summary: 'End all sessions (or all others with ?others=true)',
        querystring: DeleteSessionsQuery,
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (req, reply) => {
      const others = req.query.others === 'true';
      await revokeSessions(req.ctx, others);
      if (!others) reply.clearCookie(cookieName(req.ctx.config), { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/me/sessions/:sessionId',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['account'],
        summary: 'End one of my sessions',
        params: z.strictObject({ sessionId: z.uuid() }),
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      await revokeSession(req.ctx, req.params.sessionId);
      return reply.code(204).send(null);
    },
  );
}
