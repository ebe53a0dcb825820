import {
  AcademyList,
  CreateEstablishmentBody,
  Establishment,
  EstablishmentList,
  EstablishmentListQuery,
  EstablishmentPermissions,
  IdParams,
  Problem,
  SetPermissionsBody,
} from '@preau/contracts';
import type { App } from '../../platform/module.ts';
import {
  createEstablishment,
  getEstablishment,
  getPermissions,
  listAcademies,
  listEstablishments,
  setPermissions,
} from './establishments.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export async function establishmentsRoutes(app: App): Promise<void> {
  app.get(
    '/establishments',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['establishments'],
        summary: 'Establishments: all of them for a platform admin, else those one is a member of (50 per page)',
        querystring: EstablishmentListQuery,
        response: { 200: EstablishmentList, 400: Problem, 401: Problem },
      },
    },
    async (req) => listEstablishments(req.ctx, req.query),
  );

  app.post(
    '/establishments',
    {
      config: { permission: 'establishments.manage' },
      schema: {
        tags: ['establishments'],
        summary: 'Create an establishment by hand, with its current school year (audited)',
        body: CreateEstablishmentBody,
        response: { 201: Establishment, ...errors, 409: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await createEstablishment(req.ctx, req.body)),
  );

  app.get(
    '/academies',
    {
      config: { permission: 'establishments.manage' },
      schema: {
        tags: ['establishments'],
        summary: 'Académies, for the establishment creation form',
        response: { 200: AcademyList, 401: Problem, 403: Problem },
      },
    },
    async (req) => listAcademies(req.ctx),
  );

  app.get(
    '/establishments/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['establishments'],
        summary: 'One establishment: its members and platform admins only',
        params: IdParams,
        response: { 200: Establishment, ...errors },
      },
    },
    async (req) => getEstablishment(req.ctx, req.params.id),
  );

  app.get(
    '/establishments/:id/permissions',
    {
      config: { permission: 'permissions.manage' },
      schema: {
        tags: ['establishments'],
        summary: 'Effective permissions per profile: defaults and the establishment overrides',
        params: IdParams,
        response: { 200: EstablishmentPermissions, ...errors },
      },
    },
    async (req) => getPermissions(req.ctx, req.params.id),
  );

  app.put(
    '/establishments/:id/permissions',
    {
      config: { permission: 'permissions.manage' },
      schema: {
        tags: ['establishments'],
        summary: "Replace the establishment's permission overrides (audited)",
        params: IdParams,
        body: SetPermissionsBody,
        response: { 200: EstablishmentPermissions, ...errors },
      },
    },
    async (req) => setPermissions(req.ctx, req.params.id, req.body),
  );
}
