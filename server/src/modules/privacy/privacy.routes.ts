import { privacyApi } from '@preau/contracts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import type { App } from '../../platform/module.ts';
import { myData, register } from './privacy.service.ts';

export async function privacyRoutes(app: App): Promise<void> {
  registerEndpoints(app, '/api/privacy', privacyApi, {
    'GET /api/privacy/register': ({ req }) => register(req.ctx),
    'GET /api/privacy/my-data': async ({ req }, reply) => {
      const data = await myData(req.ctx);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="mes-donnees-preau.json"')
        .header('cache-control', 'no-store')
        .send(JSON.stringify(data, null, 2));
    },
  });
}
