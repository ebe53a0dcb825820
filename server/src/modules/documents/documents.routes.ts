import multipart from '@fastify/multipart';
import { documentsApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import {
  browse,
  createFolder,
  deleteFile,
  deleteFolder,
  fileContent,
  fileDetail,
  listFiles,
  listSpaces,
  quota,
  search,
  sharedWithMe,
  trashOf,
  updateFile,
  updateFolder,
} from './documents.service.ts';
import { copyResource, publish, searchLibrary, withdrawResource } from './library.service.ts';
import { referenceContent } from './references.ts';
import { createShare, getSettings, listShares, revokeShare, shareTargets, updateSettings } from './shares.service.ts';
import { replaceFile, restoreVersion, uploadFile } from './uploads.service.ts';

/** Thin handlers: the contract's validated input, one use case, its answer. */
export async function documentsRoutes(app: App): Promise<void> {
  // Uploads are streamed by the use cases (req.parts()); the limits are set per upload from the settings.
  await app.register(multipart);
  registerEndpoints(app, '/api/documents', documentsApi, {
    'GET /api/documents/spaces': ({ req, query }) => listSpaces(req.ctx, query.establishment),
    'GET /api/documents/spaces/:spaceId/files': ({ req, params, query }) =>
      listFiles(req.ctx, params.spaceId, query.folderId),
    'POST /api/documents/spaces/:spaceId/files': ({ req, params }) => uploadFile(req.ctx, req, params.spaceId),
    'GET /api/documents/spaces/:spaceId/browse': ({ req, params, query }) =>
      browse(req.ctx, params.spaceId, query.folderId),
    'POST /api/documents/spaces/:spaceId/folders': ({ req, params, body }) =>
      createFolder(req.ctx, params.spaceId, body),
    'PATCH /api/documents/folders/:id': ({ req, params, body }) => updateFolder(req.ctx, params.id, body),
    'DELETE /api/documents/folders/:id': async ({ req, params }) => void (await deleteFolder(req.ctx, params.id)),
    'GET /api/documents/files/:id': ({ req, params }) => fileDetail(req.ctx, params.id),
    'GET /api/documents/files/:id/content': ({ req, params, query }, reply) =>
      fileContent(req.ctx, req, reply, params.id, query),
    'PUT /api/documents/files/:id/content': ({ req, params }) => replaceFile(req.ctx, req, params.id),
    'POST /api/documents/files/:id/versions': ({ req, params, body }) => restoreVersion(req.ctx, params.id, body.from),
    'PATCH /api/documents/files/:id': ({ req, params, body }) => updateFile(req.ctx, params.id, body),
    'DELETE /api/documents/files/:id': async ({ req, params }) => void (await deleteFile(req.ctx, params.id)),
    'GET /api/documents/trash': ({ req, query }) => trashOf(req.ctx, query.establishment),
    'GET /api/documents/search': ({ req, query }) => search(req.ctx, query.establishment, query.q),
    'GET /api/documents/shared': ({ req, query }) => sharedWithMe(req.ctx, query.establishment),
    'GET /api/documents/shares': ({ req, query }) => listShares(req.ctx, query),
    'POST /api/documents/shares': ({ req, body }) => createShare(req.ctx, body),
    'DELETE /api/documents/shares/:id': async ({ req, params }) => void (await revokeShare(req.ctx, params.id)),
    'GET /api/documents/share-targets': ({ req, query }) => shareTargets(req.ctx, query.establishment, query.q),
    'GET /api/documents/quota': ({ req, query }) => quota(req.ctx, query.establishment),
    'GET /api/documents/settings': ({ req, query }) => getSettings(req.ctx, query.establishment),
    'PUT /api/documents/settings': ({ req, body }) => updateSettings(req.ctx, body),
    'GET /api/documents/library': ({ req, query }) => searchLibrary(req.ctx, query),
    'POST /api/documents/library': ({ req, body }) => publish(req.ctx, body),
    'DELETE /api/documents/library/:id': async ({ req, params }) => void (await withdrawResource(req.ctx, params.id)),
    'POST /api/documents/library/:id/copies': ({ req, params, body }) => copyResource(req.ctx, params.id, body),
    'GET /api/documents/references/:id/content': ({ req, params, query }, reply) =>
      referenceContent(req.ctx, req, reply, params.id, query.disposition),
  });
}
