import { messagingApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import {
  audience,
  createFolder,
  deleteCopy,
  deleteFolder,
  discardDraft,
  getRules,
  getSettings,
  listFolders,
  mailbox,
  moderation,
  purge,
  readMessage,
  recall,
  recipients,
  renameFolder,
  saveDraft,
  send,
  updateCopy,
  updateRules,
  updateSettings,
} from './messaging.service.ts';

export async function messagingRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/messaging', messagingApi, {
    'GET /api/messaging/recipients': ({ req, query }) => recipients(req.ctx, query),
    'GET /api/messaging/audience': ({ req, query }) => audience(req.ctx, query),
    'POST /api/messaging/messages': ({ req, body }) => send(req.ctx, body),
    'GET /api/messaging/inbox': ({ req, query }) => mailbox(req.ctx, query),
    'GET /api/messaging/messages/:id': ({ req, params }) => readMessage(req.ctx, params.id),
    'PATCH /api/messaging/messages/:id': ({ req, params, body }) => updateCopy(req.ctx, params.id, body),
    'DELETE /api/messaging/messages/:id': async ({ req, params }) => {
      await deleteCopy(req.ctx, params.id);
      return undefined;
    },
    'POST /api/messaging/messages/:id/recall': ({ req, params }) => recall(req.ctx, params.id),
    'POST /api/messaging/drafts': ({ req, body }) => saveDraft(req.ctx, null, body),
    'PUT /api/messaging/drafts/:id': ({ req, params, body }) => saveDraft(req.ctx, params.id, body),
    'DELETE /api/messaging/drafts/:id': async ({ req, params }) => {
      await discardDraft(req.ctx, params.id);
      return undefined;
    },
    'GET /api/messaging/folders': ({ req, query }) => listFolders(req.ctx, query.establishment),
    'POST /api/messaging/folders': ({ req, body }) => createFolder(req.ctx, body),
    'PATCH /api/messaging/folders/:id': ({ req, params, body }) => renameFolder(req.ctx, params.id, body.name),
    'DELETE /api/messaging/folders/:id': async ({ req, params }) => {
      await deleteFolder(req.ctx, params.id);
      return undefined;
    },
    'GET /api/messaging/rules': ({ req, query }) => getRules(req.ctx, query.establishment),
    'PUT /api/messaging/rules': ({ req, body }) => updateRules(req.ctx, body),
    'GET /api/messaging/settings': ({ req, query }) => getSettings(req.ctx, query.establishment),
    'PUT /api/messaging/settings': ({ req, body }) => updateSettings(req.ctx, body),
    'GET /api/messaging/moderation': ({ req, query }) => moderation(req.ctx, query),
    'POST /api/messaging/messages/:id/purge': ({ req, params, body }) => purge(req.ctx, params.id, body.reason),
  });
}
