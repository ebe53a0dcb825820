import { operatorApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { cachesReport, getIdentity, putIdentity } from './operator.service.ts';

export async function operatorRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/operator', operatorApi, {
    'GET /api/operator': ({ req }) => getIdentity(req.ctx),
    'PUT /api/operator': ({ req, body }) => putIdentity(req.ctx, body),
    'GET /api/operator/caches': async ({ req }) => cachesReport(req.ctx),
  });
}
