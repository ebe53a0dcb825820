import { charterApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { acceptCharter, getCharter, publishCharter } from './charter.service.ts';

export async function charterRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api', charterApi, {
    'POST /api/me/charter/accept': async ({ req, body }) => {
      await acceptCharter(req.ctx, body.charterId, body.establishmentId);
      return undefined;
    },
    'GET /api/establishments/:id/charter': ({ req, params }) => getCharter(req.ctx, params.id),
    'POST /api/establishments/:id/charter': ({ req, params, body }) => publishCharter(req.ctx, params.id, body),
  });
}
