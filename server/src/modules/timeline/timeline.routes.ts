import { timelineApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { feed, markRead, unreadCount } from './timeline.service.ts';

export async function timelineRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/timeline', timelineApi, {
    'GET /api/timeline': ({ req, query }) => feed(req.ctx, query),
    'GET /api/timeline/unread': ({ req }) => unreadCount(req.ctx),
    'POST /api/timeline/read': ({ req, body }) => markRead(req.ctx, body),
  });
}
