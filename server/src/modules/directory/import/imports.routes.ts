import multipart from '@fastify/multipart';
import {
  CsvPreview,
  ImportCreated,
  ImportJob,
  ImportList,
  ImportListQuery,
  ImportParams,
  Problem,
} from '@preau/contracts';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../platform/errors.ts';
import type { App } from '../../../platform/module.ts';
import {
  createImport,
  getImport,
  IMPORT_PERMISSION,
  listImports,
  previewCsv,
  type UploadPart,
} from './imports.service.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** Per upload: 20 files of at most 200 MB (an académie's AAF export comes in parts of tens of MB). */
export const UPLOAD_LIMITS = { fileSize: 200 * 1024 * 1024, files: 20, fields: 10, fieldSize: 200_000, parts: 40 };

const TOO_LARGE = new Set(['FST_REQ_FILE_TOO_LARGE', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT']);

/** The multipart body as parts, multipart errors turned into problems (413, 415). */
async function* uploadParts(req: FastifyRequest): AsyncGenerator<UploadPart> {
  if (!req.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') yield { type: 'file', filename: part.filename ?? '', stream: part.file };
      else yield { type: 'field', name: part.fieldname, value: String(part.value ?? '') };
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (TOO_LARGE.has(code)) throw new AppError(413, 'PAYLOAD_TOO_LARGE');
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
    throw e;
  }
}

export async function importRoutes(app: App): Promise<void> {
  // Multipart only for the upload routes: an encapsulated scope, so no other route accepts it.
  await app.register(async (instance) => {
    const scope = instance as unknown as App;
    await scope.register(multipart, { limits: UPLOAD_LIMITS });

    scope.post(
      '/imports',
      {
        config: { permission: IMPORT_PERMISSION },
        schema: {
          tags: ['directory'],
          summary:
            'Upload AAF XML files (full or delta, in parts) or CSV files and queue their import (multipart: files, optional dryRun, establishment, mapping)',
          consumes: ['multipart/form-data'],
          response: { 202: ImportCreated, ...errors, 413: Problem, 415: Problem },
        },
      },
      async (req, reply) => reply.code(202).send(await createImport(req.ctx, uploadParts(req))),
    );

    scope.post(
      '/imports/csv/preview',
      {
        config: { permission: IMPORT_PERMISSION },
        schema: {
          tags: ['directory'],
          summary: 'The mapping step: columns of CSV files with the field recognised for each and sample values',
          consumes: ['multipart/form-data'],
          response: { 200: CsvPreview, ...errors, 413: Problem, 415: Problem },
        },
      },
      async (req) => previewCsv(req.ctx, uploadParts(req)),
    );
  });

  app.get(
    '/imports/:id',
    {
      config: { permission: IMPORT_PERMISSION },
      schema: {
        tags: ['directory'],
        summary: 'An import job: status, progress, phase and, once finished, its report',
        params: ImportParams,
        response: { 200: ImportJob, ...errors },
      },
    },
    async (req) => getImport(req.ctx, req.params.id),
  );

  app.get(
    '/imports',
    {
      config: { permission: IMPORT_PERMISSION },
      schema: {
        tags: ['directory'],
        summary: 'Import jobs, latest first: of an establishment, or those the caller may see',
        querystring: ImportListQuery,
        response: { 200: ImportList, ...errors },
      },
    },
    async (req) => listImports(req.ctx, req.query),
  );
}
