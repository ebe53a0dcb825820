import { timelineApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import * as m0004 from './0004_timeline_core.ts';
import { timelineRoutes } from './timeline.routes.ts';
import { purgeOldNotifications, timelineHome, timelineOf } from './timeline.service.ts';

export { type Notice, notify, withdraw } from './timeline.service.ts';

/**
 * The timeline (fil d'actualité): the notifications every service posts through `notify`, read on the home page.
 * Not a service of the catalogue: it is part of everyone's ENT, whatever is open.
 */
export const timelineModule = defineModule({
  name: 'timeline',
  prefix: '/api/timeline',
  api: timelineApi,
  tables: ['notification', 'notification_recipient'],
  migrations: { '0004_timeline_core': m0004 },
  permissions: {},
  personalData: {
    title: { fr: "Fil d'actualité", en: 'News feed' },
    purpose: {
      fr: 'Informer chacun de ce qui le concerne dans les services ouverts (nouveau message, devoir, absence…).',
      en: 'Tell each person what concerns them in the open services (new message, homework, absence…).',
    },
    legalBasis: {
      fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; arrêté ENT du 30 novembre 2006.",
      en: "The school's public-interest mission (GDPR art. 6-1-e); French ENT decree of 30 November 2006.",
    },
    categories: [
      {
        key: 'notifications',
        label: { fr: 'Notifications reçues et leur lecture', en: 'Notifications received and read' },
        fields: ['kind', 'text', 'link', 'createdAt', 'readAt'],
      },
    ],
    audience: { fr: 'La personne seule.', en: 'The person only.' },
    retention: {
      fr: 'Treize mois, puis effacées chaque nuit ; supprimées avec le compte.',
      en: 'Thirteen months, then erased each night; deleted with the account.',
    },
    exportFor: timelineOf,
  },
  home: timelineHome,
  jobs: async ({ boss, db }) => {
    await boss.createQueue('timeline.purge');
    await boss.work('timeline.purge', async () => {
      await purgeOldNotifications(db);
    });
    await boss.schedule('timeline.purge', '45 3 * * *', null, { tz: 'Europe/Paris' });
  },
  plugin: timelineRoutes,
});
