import { AcceptCharterBody, CharterResponse, IdParams, Problem, PublishCharterBody } from '@preau/contracts';
import { z } from 'zod';
import type { App } from '../../platform/module.ts';
import { acceptCharter, getCharter, publishCharter } from './charter.service.ts';

export async function charterRoutes(app: App): Promise<void> {
  app.post(
    '/me/charter/accept',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['charter'],
        summary: "Accept the charter in force in one of one's establishments",
        body: AcceptCharterBody,
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      await acceptCharter(req.ctx, req.body.charterId, req.body.establishmentId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/establishments/:id/charter',
    {
      config: { permission: 'charter.manage' },
      schema: {
        tags: ['charter'],
        summary: 'The charter in force and its acceptance per profile',
        params: IdParams,
        response: { 200: CharterResponse, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req) => getCharter(req.ctx, req.params.id),
  );

  app.post(
    '/establishments/:id/charter',
    {
      config: { permission: 'charter.manage' },
      schema: {
        tags: ['charter'],
        summary: 'Publish a new charter version: every member must accept it again',
        params: IdParams,
        body: PublishCharterBody,
        response: { 201: CharterResponse, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await publishCharter(req.ctx, req.params.id, req.body)),
  );
}
