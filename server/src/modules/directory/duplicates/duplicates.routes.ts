import {
  DuplicateList,
  IdParams,
  MergeBody,
  MergeList,
  MergeParams,
  MergeResult,
  Problem,
  UndoMergeResult,
} from '@preau/contracts';
import { z } from 'zod';
import type { App } from '../../../platform/module.ts';
import { listDuplicates, listMerges, mergePeople, undoMerge } from './duplicates.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** The request carries nothing; a body, if sent, must be empty. */
const NoBody = z.strictObject({}).nullish();

export async function duplicatesRoutes(app: App): Promise<void> {
  app.get(
    '/establishments/:id/duplicates',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary:
          'Likely duplicate persons among the members (same names and birth date, same e-mail…), with reasons and score',
        params: IdParams,
        response: { 200: DuplicateList, ...errors },
      },
    },
    async (req) => listDuplicates(req.ctx, req.params.id),
  );

  app.post(
    '/establishments/:id/duplicates/merge',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary:
          "Merge a person's account into another: memberships, enrolments, links, assignments move; the merged account is detached (audited, undoable for 30 days)",
        params: IdParams,
        body: MergeBody,
        response: { 201: MergeResult, ...errors, 409: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await mergePeople(req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/establishments/:id/duplicates/merges',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: 'The merges made in the establishment, latest first, and whether each can still be undone',
        params: IdParams,
        response: { 200: MergeList, ...errors },
      },
    },
    async (req) => listMerges(req.ctx, req.params.id),
  );

  app.post(
    '/establishments/:id/duplicates/merges/:mergeId/undo',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Undo a merge within its delay: everything that moved goes back (audited)',
        params: MergeParams,
        body: NoBody,
        response: { 200: UndoMergeResult, ...errors, 409: Problem },
      },
    },
    async (req) => undoMerge(req.ctx, req.params.id, req.params.mergeId),
  );
}
