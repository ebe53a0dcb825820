import {
  DismissalList,
  DismissalParams,
  DismissPairBody,
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
import {
  dismissPair,
  listDismissals,
  listDuplicates,
  listMerges,
  mergePeople,
  undoDismissal,
  undoMerge,
} from './duplicates.service.ts';

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

  app.post(
    '/establishments/:id/duplicates/dismissals',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Dismiss a pair as "not the same person", for good in the establishment (audited, undoable)',
        params: IdParams,
        body: DismissPairBody,
        response: { 201: z.object({ id: z.uuid(), dismissedAt: z.string() }), ...errors, 409: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await dismissPair(req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/establishments/:id/duplicates/dismissals',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary: 'The pairs dismissed as "not the same person", latest first, and whether each can be undone',
        params: IdParams,
        response: { 200: DismissalList, ...errors },
      },
    },
    async (req) => listDismissals(req.ctx, req.params.id),
  );

  app.post(
    '/establishments/:id/duplicates/dismissals/:dismissalId/undo',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Undo a dismissal: the pair is listed again if still likely (audited)',
        params: DismissalParams,
        body: NoBody,
        response: { 200: z.object({ id: z.uuid(), undoneAt: z.string() }), ...errors, 409: Problem },
      },
    },
    async (req) => undoDismissal(req.ctx, req.params.id, req.params.dismissalId),
  );
}
