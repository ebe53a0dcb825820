import {
  IdParams,
  LoginSheetsPreview,
  LoginSheetsPreviewQuery,
  PrintLoginSheetsBody,
  PrintPersonSheetBody,
  Problem,
  UserParams,
} from '@preau/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { previewLoginSheets, printLoginSheets, printPersonSheet } from './sheets.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** The address this request came to (used on the sheets in development, when PUBLIC_ORIGIN is not set). */
const requestOrigin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

function sendPdf(reply: FastifyReply, { doc, filename }: { doc: unknown; filename: string }) {
  return (
    reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      // A stream is piped as is (no serializer); the typed `send` only knows the JSON responses.
      .send(doc as never)
  );
}

/**
 * Printing hands out activation codes, so it is a POST (CSRF-checked like every change); the preview, a GET,
 * changes nothing. The PDF is the POST's answer: the codes exist only in it, never stored in clear.
 */
export async function sheetsRoutes(app: App): Promise<void> {
  app.get(
    '/establishments/:id/login-sheets/preview',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary:
          'What printing these login sheets would do (changes nothing): sheets, new codes, printed sheets it invalidates',
        params: IdParams,
        querystring: LoginSheetsPreviewQuery,
        response: { 200: LoginSheetsPreview, ...errors },
      },
    },
    async (req) => previewLoginSheets(req.ctx, req.params.id, req.query),
  );

  app.post(
    '/establishments/:id/login-sheets',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary:
          'Print login sheets (PDF) of a class or profile: a new activation code for each account awaiting activation (confirm the codes it replaces)',
        params: IdParams,
        body: PrintLoginSheetsBody,
        produces: ['application/pdf'],
        response: { ...errors, 409: Problem },
      },
    },
    async (req, reply) => sendPdf(reply, await printLoginSheets(req.ctx, req.params.id, req.body, requestOrigin(req))),
  );

  app.post(
    '/establishments/:id/users/:userId/login-sheet',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['directory'],
        summary: "Reprint one person's login sheet (PDF): a new activation code if they await activation",
        params: UserParams,
        body: PrintPersonSheetBody,
        produces: ['application/pdf'],
        response: { ...errors, 409: Problem },
      },
    },
    async (req, reply) =>
      sendPdf(reply, await printPersonSheet(req.ctx, req.params.id, req.params.userId, req.body, requestOrigin(req))),
  );
}
