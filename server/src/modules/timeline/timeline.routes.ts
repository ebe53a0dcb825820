import { timelineApi } from '@preau/contracts';
import { connectionStringOf } from '../../platform/db/database.ts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { LiveHub } from './timeline.live.ts';
import { feed, getPreferences, markRead, outbox, unreadCount, updatePreferences } from './timeline.service.ts';
import { liveStream } from './timeline.stream.ts';

export async function timelineRoutes(app: App): Promise<void> {
  // One hub per app instance, connected (LISTEN) on the first stream opened.
  let hub: LiveHub | null = null;
  app.addHook('preClose', async () => {
    hub?.closeStreams();
  });
  app.addHook('onClose', async () => {
    await hub?.stop();
  });
  registerEndpoints(app, '/api/timeline', timelineApi, {
    'GET /api/timeline': ({ req, query }) => feed(req.ctx, query),
    'GET /api/timeline/unread': ({ req }) => unreadCount(req.ctx),
    'POST /api/timeline/read': ({ req, body }) => markRead(req.ctx, body),
    'GET /api/timeline/stream': ({ req, query }, reply) => {
      hub ??= new LiveHub(req.ctx.db, connectionStringOf(req.ctx.db), app.log);
      return liveStream(req.ctx, hub, req, reply, query);
    },
    'GET /api/timeline/preferences': ({ req }) => getPreferences(req.ctx),
    'PUT /api/timeline/preferences': ({ req, body }) => updatePreferences(req.ctx, body),
    'GET /api/timeline/outbox': ({ req, query }) => outbox(req.ctx, query),
  });
}
