import { IdParams, Problem, RolloverBody, RolloverPreview, SchoolYearList } from '@preau/contracts';
import type { App } from '../../../platform/module.ts';
import { listSchoolYears, previewRollover, runRollover } from './rollover.service.ts';

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
        summary: 'Close the current school year (archived, read-only) and open the next one (audited)',
        params: IdParams,
        body: RolloverBody,
        response: { 200: RolloverPreview, ...errors },
      },
    },
    async (req) => runRollover(req.ctx, req.params.id, req.body.from),
  );
}
