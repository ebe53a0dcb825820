import { DataQualityReport, IdParams, Problem } from '@preau/contracts';
import type { App } from '../../../platform/module.ts';
import { dataQuality } from './quality.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export async function qualityRoutes(app: App): Promise<void> {
  app.get(
    '/establishments/:id/data-quality',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['directory'],
        summary:
          'Data quality of the live directory (current school year): each check with the people or classes concerned and how to fix it',
        params: IdParams,
        response: { 200: DataQualityReport, ...errors },
      },
    },
    async (req) => dataQuality(req.ctx, req.params.id),
  );
}
