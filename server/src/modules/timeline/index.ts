import { timelineApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import * as m0004 from './0004_timeline_core.ts';
import { timelineRoutes } from './timeline.routes.ts';
import { timelineHome, timelineOf } from './timeline.service.ts';

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
      fr: "Jusqu'à la fin de l'année scolaire suivante, ou la suppression du compte.",
      en: 'Until the end of the following school year, or the deletion of the account.',
    },
    exportFor: timelineOf,
  },
  home: timelineHome,
  plugin: timelineRoutes,
});
