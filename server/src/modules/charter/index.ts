import { charterApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import { charterRoutes } from './charter.routes.ts';

export { hasAcceptedCharter, pendingCharters } from './charter.service.ts';

export const charterModule = defineModule({
  name: 'charter',
  prefix: '/api',
  api: charterApi,
  tables: ['charter', 'charter_acceptance'],
  permissions: { 'charter.manage': ['principal', 'local_admin'] },
  plugin: charterRoutes,
});
