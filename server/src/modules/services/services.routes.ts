import {
  EstablishmentService,
  EstablishmentServicesResponse,
  IdParams,
  PortalQuery,
  PortalResponse,
  PortalServiceParams,
  Problem,
  ServiceKeyParams,
  UpdateServiceBody,
} from '@preau/contracts';
import type { App } from '../../platform/module.ts';
import { listServices, portal, portalService, updateService } from './services.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export async function servicesRoutes(app: App): Promise<void> {
  app.get(
    '/portal',
    {
      config: { permission: 'portal.read' },
      schema: {
        tags: ['services'],
        summary: "The services open to the caller's profiles in an establishment",
        querystring: PortalQuery,
        response: { 200: PortalResponse, ...errors },
      },
    },
    async (req) => portal(req.ctx, req.query.establishment),
  );

  app.get(
    '/portal/services/:key',
    {
      config: { permission: 'portal.read' },
      schema: {
        tags: ['services'],
        summary: 'One service as the caller sees it; 403 SERVICE_CLOSED when it is not open to them',
        params: PortalServiceParams,
        querystring: PortalQuery,
        response: { 200: EstablishmentService, ...errors },
      },
    },
    async (req) => portalService(req.ctx, req.query.establishment, req.params.key),
  );

  app.get(
    '/establishments/:id/services',
    {
      config: { permission: 'services.manage' },
      schema: {
        tags: ['services'],
        summary: "Every service's opening settings in the establishment",
        params: IdParams,
        response: { 200: EstablishmentServicesResponse, ...errors },
      },
    },
    async (req) => listServices(req.ctx, req.params.id),
  );

  app.patch(
    '/establishments/:id/services/:key',
    {
      config: { permission: 'services.manage' },
      schema: {
        tags: ['services'],
        summary: 'Change status, profiles, dates or usage rules of a service (audited)',
        params: ServiceKeyParams,
        body: UpdateServiceBody,
        response: { 200: EstablishmentService, ...errors },
      },
    },
    async (req) => updateService(req.ctx, req.params.id, req.params.key, req.body),
  );
}
