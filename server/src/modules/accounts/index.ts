import { trustedDb } from '../../platform/access/authorize.ts';
import { defineModule } from '../../platform/module.ts';
import * as m0220 from './0220_accounts_password_reset.ts';
import { accountsPersonalData } from './accounts.personal-data.ts';
import { accountsRoutes } from './accounts.routes.ts';
import { recovery } from './recovery.repository.ts';

export { activateForDemo, hashActivationCode, minPasswordLength } from './accounts.service.ts';

export const accountsModule = defineModule({
  name: 'accounts',
  prefix: '/api',
  permissions: {},
  tables: ['password_reset'],
  migrations: { '0220_accounts_password_reset': m0220 },
  personalData: accountsPersonalData,
  // Recovery links last 30 minutes; their rows go after a day.
  jobs: async ({ boss, db }) => {
    await boss.createQueue('accounts.recovery.purge');
    await boss.work('accounts.recovery.purge', async () => {
      await recovery.purge(trustedDb(db, 'retention job'));
    });
    await boss.schedule('accounts.recovery.purge', '20 * * * *');
  },
  plugin: accountsRoutes,
});
