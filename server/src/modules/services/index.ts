import { servicesApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import { servicesMessages } from './services.messages.ts';
import { servicesRoutes } from './services.routes.ts';

export {
  openServiceForDemo,
  openServicesFor,
  parisToday,
  requireServiceOpen,
  serviceOpenings,
} from './services.service.ts';

export const servicesModule = defineModule({
  name: 'services',
  prefix: '/api',
  api: servicesApi,
  tables: ['establishment_service'],
  permissions: {
    'portal.read': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'services.manage': ['principal', 'local_admin'],
  },
  messages: servicesMessages,
  plugin: servicesRoutes,
});
