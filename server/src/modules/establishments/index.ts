import { defineModule } from '../../platform/module.ts';
import { establishmentsRoutes } from './establishments.routes.ts';

export { schoolYearOf, slugify } from './establishments.service.ts';

export const establishmentsModule = defineModule({
  name: 'establishments',
  prefix: '/api',
  permissions: {
    // Platform-wide: held by nobody by default (a platform admin holds every permission), never set per establishment.
    'establishments.manage': [],
    'permissions.manage': ['principal', 'local_admin'],
  },
  plugin: establishmentsRoutes,
});
