import { IdParams, LoginSheetsQuery, Problem } from '@preau/contracts';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../platform/errors.ts';
import type { App } from '../../../platform/module.ts';
import { loginSheets } from './sheets.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/**
 * Printing changes codes, yet it is a GET (a download link). A cross-site page must not be able to make a
 * logged-in admin's browser regenerate a class's codes: the browser says where the request comes from.
 */
async function sameOriginOnly(req: FastifyRequest) {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new AppError(403, 'CSRF');
}

export async function sheetsRoutes(app: App): Promise<void> {
  app.get(
    '/establishments/:id/login-sheets.pdf',
    {
      config: { permission: 'users.manage' },
      onRequest: sameOriginOnly,
      schema: {
        tags: ['directory'],
        summary:
          'Login sheets (PDF) of a class or profile: login, a new activation code for each account awaiting activation, instructions',
        params: IdParams,
        querystring: LoginSheetsQuery,
        produces: ['application/pdf'],
        response: { ...errors },
      },
    },
    async (req, reply) => {
      const { doc, filename } = await loginSheets(req.ctx, req.params.id, req.query);
      return (
        reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${filename}"`)
          .header('cache-control', 'no-store')
          // A stream is piped as is (no serializer); the typed `send` only knows the JSON responses.
          .send(doc as never)
      );
    },
  );
}
