import { defineModule } from '../../platform/module.ts';
import { servicesRoutes } from './services.routes.ts';

export { openServicesFor, parisToday, requireServiceOpen } from './services.service.ts';

export const servicesModule = defineModule({
  name: 'services',
  prefix: '/api',
  permissions: {
    'portal.read': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'services.manage': ['principal', 'local_admin'],
  },
  plugin: servicesRoutes,
});
