import { servicesApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { home, listServices, portal, portalService, updateService } from './services.service.ts';

export async function servicesRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api', servicesApi, {
    'GET /api/portal': ({ req, query }) => portal(req.ctx, query.establishment),
    'GET /api/home': ({ req, query }) => home(req.ctx, query.establishment),
    'GET /api/portal/services/:key': ({ req, params, query }) =>
      portalService(req.ctx, query.establishment, params.key),
    'GET /api/establishments/:id/services': ({ req, params }) => listServices(req.ctx, params.id),
    'PATCH /api/establishments/:id/services/:key': ({ req, params, body }) =>
      updateService(req.ctx, params.id, params.key, body),
  });
}
