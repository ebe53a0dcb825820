import { establishmentsApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import {
  createEstablishment,
  getEstablishment,
  getPermissions,
  listAcademies,
  listEstablishments,
  setPermissions,
} from './establishments.service.ts';

export async function establishmentsRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api', establishmentsApi, {
    'GET /api/establishments': ({ req, query }) => listEstablishments(req.ctx, query),
    'POST /api/establishments': ({ req, body }) => createEstablishment(req.ctx, body),
    'GET /api/academies': ({ req }) => listAcademies(req.ctx),
    'GET /api/establishments/:id': ({ req, params }) => getEstablishment(req.ctx, params.id),
    'GET /api/establishments/:id/permissions': ({ req, params }) => getPermissions(req.ctx, params.id),
    'PUT /api/establishments/:id/permissions': ({ req, params, body }) => setPermissions(req.ctx, params.id, body),
  });
}
