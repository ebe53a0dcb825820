import { establishmentsApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import { establishmentsMessages } from './establishments.messages.ts';
import { establishmentsRoutes } from './establishments.routes.ts';

export { schoolYearOf, slugify } from './establishments.service.ts';

export const establishmentsModule = defineModule({
  name: 'establishments',
  prefix: '/api',
  api: establishmentsApi,
  tables: ['academy', 'establishment', 'school_year', 'permission_override'],
  permissions: {
    // Platform-wide: held by nobody by default (a platform admin holds every permission), never set per establishment.
    'establishments.manage': [],
    'permissions.manage': ['principal', 'local_admin'],
  },
  messages: establishmentsMessages,
  plugin: establishmentsRoutes,
});
