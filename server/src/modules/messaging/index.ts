import { messagingApi } from '@preau/contracts';
import { trustedDb } from '../../platform/access/authorize.ts';
import { defineModule } from '../../platform/module.ts';
import { detachDocuments } from '../documents/index.ts';
import * as m0200 from './0200_messaging_core.ts';
import * as m0201 from './0201_messaging_mailbox_cache.ts';
import * as m0202 from './0202_messaging_indicator_indexes.ts';
import { readableMessages } from './messaging.access.ts';
import { messagingIndicators, messagingNotifications, messagingPersonalData } from './messaging.declarations.ts';
import { seedMessagingDemo } from './messaging.demo.ts';
import { messagingMessages } from './messaging.messages.ts';
import { purgeExpired } from './messaging.repository.ts';
import { messagingRoutes } from './messaging.routes.ts';
import { messageHolder, messagingHome } from './messaging.service.ts';

/**
 * Messaging (messagerie): messages between the members of an establishment within its communication rules, the
 * address book of whom one may write to, mailboxes (inbox, sent, drafts, trash, folders, threads, search), and the
 * direction's defences against abuse (caps, alerts, the suspension switch, purges). Attachments are references
 * to documents (the documents module asks `documentHolders.message` who may read them).
 */
export const messagingModule = defineModule({
  name: 'messaging',
  service: 'messaging',
  prefix: '/api/messaging',
  api: messagingApi,
  tables: [
    'message',
    'message_recipient',
    'message_folder',
    'messaging_rule',
    'messaging_structure_rule',
    'messaging_setting',
    'messaging_alert',
  ],
  migrations: {
    '0200_messaging_core': m0200,
    '0201_messaging_mailbox_cache': m0201,
    '0202_messaging_indicator_indexes': m0202,
  },
  permissions: {
    'messaging.read': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'messaging.write': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'messaging.no_reply': ['principal', 'local_admin'],
    'messaging.manage': ['principal'],
  },
  messages: messagingMessages,
  notifications: messagingNotifications,
  indicators: messagingIndicators,
  personalData: messagingPersonalData,
  documentHolders: { message: readableMessages },
  home: messagingHome,
  demo: seedMessagingDemo,
  jobs: async ({ boss, db }) => {
    await boss.createQueue('messaging.purge');
    await boss.work('messaging.purge', async () => {
      await db.transaction().execute(async (trx) => {
        const gone = await purgeExpired(trustedDb(trx, 'retention job'));
        await detachDocuments(trx, gone.map(messageHolder));
      });
    });
    await boss.schedule('messaging.purge', '15 4 * * *', null, { tz: 'Europe/Paris' });
  },
  plugin: messagingRoutes,
});
