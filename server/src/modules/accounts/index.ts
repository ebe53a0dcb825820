import { defineModule } from '../../platform/module.ts';
import { accountsPersonalData } from './accounts.personal-data.ts';
import { accountsRoutes } from './accounts.routes.ts';

export { hashActivationCode, minPasswordLength } from './accounts.service.ts';

export const accountsModule = defineModule({
  name: 'accounts',
  prefix: '/api',
  permissions: {},
  personalData: accountsPersonalData,
  plugin: accountsRoutes,
});
