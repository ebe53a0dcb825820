import {
  IdParams,
  Problem,
  RolloverBody,
  RolloverList,
  RolloverParams,
  RolloverPreview,
  RolloverResult,
  SchoolYearList,
} from '@preau/contracts';
import { z } from 'zod';
import type { App } from '../../../platform/module.ts';
import { listRollovers, listSchoolYears, previewRollover, runRollover, undoRollover } from './rollover.service.ts';

/** The request carries nothing; a body, if sent, must be empty. */
const NoBody = z.strictObject({}).nullish();

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem };

export async function rolloverRoutes(app: App): Promise<void> {
  app.get(
    '/establishments/:id/school-years',
    {
      config: { permission: 'school_years.manage' },
      schema: {
        tags: ['directory'],
        summary: "The establishment's school years, current and archived",
        params: IdParams,
        response: { 200: SchoolYearList, ...errors },
      },
    },
    async (req) => listSchoolYears(req.ctx, req.params.id),
  );

  app.get(
    '/establishments/:id/school-years/rollover',
    {
      config: { permission: 'school_years.manage' },
      schema: {
        tags: ['directory'],
        summary: 'Preview of the rollover: what will be archived, which year opens, accounts kept',
        params: IdParams,
        response: { 200: RolloverPreview, ...errors },
      },
    },
    async (req) => previewRollover(req.ctx, req.params.id),
  );

  app.post(
    '/establishments/:id/school-years/rollover',
    {
      config: { permission: 'school_years.manage' },
      schema: {
        tags: ['directory'],
        summary:
          "Close the current school year (archived, read-only) and open the next one (audited, undoable); before the year's end only with the year's label typed",
        params: IdParams,
        body: RolloverBody,
        response: { 200: RolloverResult, ...errors },
      },
    },
    async (req) => runRollover(req.ctx, req.params.id, req.body),
  );

  app.get(
    '/establishments/:id/school-years/rollovers',
    {
      config: { permission: 'school_years.manage' },
      schema: {
        tags: ['directory'],
        summary: 'The rollovers made, latest first, and whether the latest can still be undone',
        params: IdParams,
        response: { 200: RolloverList, ...errors },
      },
    },
    async (req) => listRollovers(req.ctx, req.params.id),
  );

  app.post(
    '/establishments/:id/school-years/rollovers/:rolloverId/undo',
    {
      config: { permission: 'school_years.manage' },
      schema: {
        tags: ['directory'],
        summary:
          'Undo the latest rollover while the new year is still empty: the closed year is current again (audited)',
        params: RolloverParams,
        body: NoBody,
        response: { 200: z.object({ id: z.uuid(), undoneAt: z.string() }), ...errors },
      },
    },
    async (req) => undoRollover(req.ctx, req.params.id, req.params.rolloverId),
  );
}
