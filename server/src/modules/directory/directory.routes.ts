import {
  ActivationCodeResponse,
  IdParams,
  Problem,
  SetUserStatusBody,
  UserDetail,
  UserList,
  UserParams,
  UsersQuery,
} from '@preau/contracts';
import { z } from 'zod';
import type { App } from '../../platform/module.ts';
import { getUser, listUsers, newUserActivationCode, setUserStatus } from './directory.service.ts';

/** The request carries nothing; a body, if sent, must be empty. */
const NoBody = z.strictObject({}).nullish();

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export async function directoryRoutes(app: App): Promise<void> {
  app.get(
    '/establishments/:id/users',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: 'Members of the establishment: search, filter by profile, class and status, paginated',
        params: IdParams,
        querystring: UsersQuery,
        response: { 200: UserList, ...errors },
      },
    },
    async (req) => listUsers(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/establishments/:id/users/:userId',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: 'One member: profiles, classes, children or guardians, account state and what one may do',
        params: UserParams,
        response: { 200: UserDetail, ...errors },
      },
    },
    async (req) => getUser(req.ctx, req.params.id, req.params.userId),
  );

  app.patch(
    '/establishments/:id/users/:userId',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: "Block (ends all the person's sessions) or unblock an account (audited)",
        params: UserParams,
        body: SetUserStatusBody,
        response: { 200: UserDetail, ...errors },
      },
    },
    async (req) => setUserStatus(req.ctx, req.params.id, req.params.userId, req.body.status),
  );

  app.post(
    '/establishments/:id/users/:userId/activation-code',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'A new one-time activation code for an account awaiting activation (audited, never logged)',
        params: UserParams,
        body: NoBody,
        response: { 201: ActivationCodeResponse, ...errors, 409: Problem },
      },
    },
    async (req, reply) => {
      const result = await newUserActivationCode(req.ctx, req.params.id, req.params.userId);
      return reply.code(201).header('cache-control', 'no-store').send(result);
    },
  );
}
