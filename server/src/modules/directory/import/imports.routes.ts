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
import { limitError, UPLOAD_LIMITS } from './uploads.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** The multipart limits of an upload (uploads.ts has them all, archives included). */
const MULTIPART_LIMITS = {
  fileSize: UPLOAD_LIMITS.fileBytes,
  files: UPLOAD_LIMITS.files,
  fields: UPLOAD_LIMITS.fields,
  fieldSize: UPLOAD_LIMITS.fieldBytes,
  parts: UPLOAD_LIMITS.files + UPLOAD_LIMITS.fields,
};

/** A multipart limit reached, as the problem that names it. */
function limitProblem(code: string, file: string): AppError | null {
  switch (code) {
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return limitError('IMPORT_TOO_MANY_FILES', { max: UPLOAD_LIMITS.files });
    case 'FST_FIELDS_LIMIT':
      return limitError('IMPORT_TOO_MANY_FIELDS', { max: UPLOAD_LIMITS.fields });
    case 'FST_REQ_FILE_TOO_LARGE':
      return limitError('IMPORT_FILE_TOO_LARGE', { file, max: UPLOAD_LIMITS.fileBytes / (1024 * 1024) });
    default:
      return null;
  }
}

/** A file part's bytes; a limit reached while reading it becomes its problem. */
async function* fileBytes(stream: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  try {
    yield* stream;
  } catch (e) {
    throw limitProblem((e as { code?: string }).code ?? '', file) ?? e;
  }
}

/** The multipart body as parts, multipart errors turned into problems (413 naming the limit, 415). */
export async function* uploadParts(req: FastifyRequest): AsyncGenerator<UploadPart> {
  if (!req.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
  let current = '';
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const filename = part.filename ?? '';
        current = filename;
        yield { type: 'file', filename, stream: fileBytes(part.file, filename) };
      } else yield { type: 'field', name: part.fieldname, value: String(part.value ?? '') };
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const limit = limitProblem(code, current);
    if (limit) throw limit;
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE');
    throw e;
  }
}

export async function importRoutes(app: App): Promise<void> {
  // Multipart only for the upload routes: an encapsulated scope, so no other route accepts it.
  await app.register(async (instance) => {
    const scope = instance as unknown as App;
    await scope.register(multipart, { limits: MULTIPART_LIMITS });

    scope.post(
      '/imports',
      {
        config: { permission: IMPORT_PERMISSION },
        schema: {
          tags: ['directory'],
          summary:
            'Upload AAF XML files (full or delta, in parts, or in .zip / .tar.gz archives) or CSV files and queue their import (multipart: files, optional dryRun, establishment, mapping, resolutions)',
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
