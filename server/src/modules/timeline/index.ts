import { timelineApi } from '@preau/contracts';
import { connectionStringOf } from '../../platform/db/database.ts';
import { createMailTransport } from '../../platform/mail.ts';
import type { Messages } from '../../platform/module.ts';
import { defineModule } from '../../platform/module.ts';
import * as m0004 from './0004_timeline_core.ts';
import * as m0210 from './0210_timeline_delivery.ts';
import * as m0215 from './0215_timeline_home_cache.ts';
import { deliverMail, purgeOldMails, runDigest } from './timeline.delivery.ts';
import { listenLive } from './timeline.repository.ts';
import { timelineRoutes } from './timeline.routes.ts';
import { purgeOldNotifications, timelineHome, timelineOf } from './timeline.service.ts';

export { type DeliveryDeps, deliverMail, runDigest, sendMail } from './timeline.delivery.ts';
export { markSourceRead, type Notice, notify, notifyAll, withdraw } from './timeline.service.ts';

const BATCH = 200;

const messages: Messages<(typeof timelineApi.errors)[number]> = {
  UNKNOWN_NOTIFICATION_KIND: {
    fr: "Ce type de notification n'existe pas.",
    en: 'This kind of notification does not exist.',
  },
};

/**
 * The timeline (fil d'actualité): the notifications every service posts through `notify`, read on the home page
 * and counted live (server-sent events fed by LISTEN/NOTIFY); each person's delivery choices (in the ENT only,
 * e-mail at once, daily digest) and quiet hours; outgoing mail (SMTP, or kept for the local outbox page).
 * Not a service of the catalogue: it is part of everyone's ENT, whatever is open.
 */
export const timelineModule = defineModule({
  name: 'timeline',
  prefix: '/api/timeline',
  api: timelineApi,
  tables: ['notification', 'notification_recipient', 'notification_preference', 'notification_setting', 'mail_outbox'],
  migrations: {
    '0004_timeline_core': m0004,
    '0210_timeline_delivery': m0210,
    '0215_timeline_home_cache': m0215,
  },
  permissions: {},
  messages,
  personalData: {
    title: { fr: "Fil d'actualité et courriels", en: 'News feed and e-mails' },
    purpose: {
      fr: 'Informer chacun de ce qui le concerne dans les services ouverts (nouveau message, devoir, absence…), dans l’ENT ou par courriel selon ses choix.',
      en: 'Tell each person what concerns them in the open services (new message, homework, absence…), in the ENT or by e-mail as they choose.',
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
      {
        key: 'preferences',
        label: { fr: 'Choix de réception et heures de tranquillité', en: 'Delivery choices and quiet hours' },
        fields: ['kind', 'delivery', 'quietStart', 'quietEnd'],
      },
      {
        key: 'mails',
        label: { fr: 'Courriels envoyés', en: 'E-mails sent' },
        fields: ['to', 'subject', 'body', 'status', 'createdAt', 'sentAt'],
      },
    ],
    audience: {
      fr: 'La personne seule ; les administrateurs de la plateforme voient la file des courriels (exploitation).',
      en: 'The person only; platform administrators see the mail queue (operations).',
    },
    retention: {
      fr: 'Notifications : treize mois ; courriels : trois mois ; effacés chaque nuit et avec le compte.',
      en: 'Notifications: thirteen months; e-mails: three months; erased each night and with the account.',
    },
    exportFor: timelineOf,
  },
  home: timelineHome,
  jobs: async ({ boss, db, config, log }) => {
    await boss.createQueue('timeline.purge');
    await boss.work('timeline.purge', async () => {
      await purgeOldNotifications(db);
      await purgeOldMails(db);
    });
    await boss.schedule('timeline.purge', '45 3 * * *', null, { tz: 'Europe/Paris' });

    // Mail delivery: at once when an instance hears of a new mail, and every minute for deferred ones and retries.
    const transport = createMailTransport(config);
    const deps = { db, transport, origin: config.publicOrigin ?? `http://localhost:${config.port}`, log };
    let running: Promise<unknown> = Promise.resolve();
    let again = false;
    const deliver = () => {
      if (again) return;
      again = true;
      running = running
        .then(async () => {
          again = false;
          for (;;) {
            const r = await deliverMail(deps, { limit: BATCH });
            if (r.sent + r.kept + r.deferred + r.failed < BATCH) break; // a full batch may have left more
          }
        })
        .catch((e) => log.warn({ err: e }, 'mail delivery failed'));
    };
    await boss.createQueue('timeline.mail');
    await boss.work('timeline.mail', async () => deliver());
    await boss.schedule('timeline.mail', '* * * * *');
    await boss.createQueue('timeline.digest');
    await boss.work('timeline.digest', async () => {
      await runDigest(db);
      deliver();
    });
    await boss.schedule('timeline.digest', '0 17 * * *', null, { tz: 'Europe/Paris' });
    const url = connectionStringOf(db);
    if (url) {
      const listener = listenLive(url, {
        payload: (p) => {
          if (p === 'mail') deliver();
        },
        reset: deliver,
      });
      boss.on('stopped', () => {
        void listener.stop();
        transport?.close();
      });
    }
  },
  plugin: timelineRoutes,
});
