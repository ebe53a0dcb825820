import { rolloutApi } from '@preau/contracts';
import { trustedDb } from '../../platform/access/authorize.ts';
import { defineModule } from '../../platform/module.ts';
import * as m0500 from './0500_rollout_core.ts';
import * as m0501 from './0501_rollout_indexes.ts';
import * as m0502 from './0502_rollout_cache_invalidation.ts';
import * as m0503 from './0503_rollout_step_invalidation.ts';
import * as m0504 from './0504_rollout_dashboard_cache.ts';
import { activity } from './activity.repository.ts';
import { rollUp } from './indicators.service.ts';
import { rolloutHome } from './overview.service.ts';
import { sendReminders } from './reminders.service.ts';
import { addDays, parisDay } from './rollout.dates.ts';
import { seedRolloutDemo } from './rollout.demo.ts';
import { rolloutIndicators } from './rollout.indicators.ts';
import { rolloutMessages } from './rollout.messages.ts';
import { rolloutPersonalData } from './rollout.personal-data.ts';
import { rolloutRoutes } from './rollout.routes.ts';
import { ROLLOUT_TABLES } from './rollout.tables.ts';

const STAFF = ['teacher', 'staff', 'principal', 'local_admin'] as const;

/**
 * The rollout cockpit (pilotage du déploiement): the principal's first screen, taking stock, the plan, the
 * indicators computed from the platform's data only, the académie view, and the people who carry the change.
 */
export const rolloutModule = defineModule({
  name: 'rollout',
  service: 'rollout',
  prefix: '/api/rollout',
  api: rolloutApi,
  tables: ROLLOUT_TABLES,
  migrations: {
    '0500_rollout_core': m0500,
    '0501_rollout_indexes': m0501,
    '0502_rollout_cache_invalidation': m0502,
    '0503_rollout_step_invalidation': m0503,
    '0504_rollout_dashboard_cache': m0504,
  },
  permissions: {
    // Teachers and staff take part (needs, self-assessment, bookings, training); the steering rights are the
    // direction's and its steering group's (checked in the use cases).
    'rollout.use': STAFF,
    'rollout.steer': ['principal'],
    // The académie view: platform administrators only (they hold every permission).
    'rollout.academy': [],
  },
  messages: rolloutMessages,
  notifications: [
    {
      kind: 'rollout.step.assigned',
      label: { fr: 'Une étape du plan vous est confiée', en: 'A plan step is assigned to you' },
      profiles: STAFF,
      defaultDelivery: 'email',
    },
    {
      kind: 'rollout.step.due',
      label: { fr: 'Étape du plan à échéance ou en retard', en: 'Plan step due or late' },
      profiles: STAFF,
      defaultDelivery: 'email',
    },
    {
      kind: 'rollout.slot.booked',
      label: { fr: 'Créneau de personne ressource réservé', en: 'Resource person slot booked' },
      profiles: STAFF,
      defaultDelivery: 'app',
    },
    {
      kind: 'rollout.slot.cancelled',
      label: { fr: 'Rendez-vous avec une personne ressource annulé', en: 'Resource person appointment cancelled' },
      profiles: STAFF,
      defaultDelivery: 'email',
    },
    {
      kind: 'rollout.slot.reminder',
      label: { fr: 'Rappel de rendez-vous (la veille)', en: 'Appointment reminder (the day before)' },
      profiles: STAFF,
      defaultDelivery: 'app',
    },
    {
      kind: 'rollout.training.reminder',
      label: { fr: 'Rappel de formation (la veille)', en: 'Training reminder (the day before)' },
      profiles: STAFF,
      defaultDelivery: 'email',
    },
    {
      kind: 'rollout.training.changed',
      label: { fr: 'Formation déplacée ou annulée', en: 'Training moved or cancelled' },
      profiles: STAFF,
      defaultDelivery: 'email',
    },
    {
      kind: 'rollout.need.answered',
      label: { fr: 'Réponse à un besoin exprimé', en: 'Answer to a need posted' },
      profiles: STAFF,
      defaultDelivery: 'app',
    },
    {
      kind: 'rollout.team.joined',
      label: { fr: 'Entrée au comité de pilotage', en: 'Joined the steering group' },
      profiles: STAFF,
      defaultDelivery: 'app',
    },
    {
      kind: 'rollout.resource_person.named',
      label: { fr: 'Nommé personne ressource', en: 'Named resource person' },
      profiles: STAFF,
      defaultDelivery: 'app',
    },
    {
      kind: 'rollout.families.info',
      label: { fr: "Information de l'établissement aux familles", en: 'Information from the school to families' },
      profiles: ['guardian'],
      defaultDelivery: 'app',
    },
  ],
  indicators: rolloutIndicators,
  personalData: rolloutPersonalData,
  home: rolloutHome,
  demo: seedRolloutDemo,
  jobs: async ({ boss, db, log }) => {
    // The activity roll-up: every hour (requests roll their establishment up themselves past an hour).
    await boss.createQueue('rollout.activity');
    await boss.work('rollout.activity', async () => {
      await rollUp(trustedDb(db, 'the hourly activity roll-up'), null);
    });
    await boss.schedule('rollout.activity', '20 * * * *', null, { tz: 'Europe/Paris' });

    await boss.createQueue('rollout.reminders');
    await boss.work('rollout.reminders', async () => {
      const sent = await sendReminders(db);
      log.info({ sent }, 'rollout reminders sent');
    });
    await boss.schedule('rollout.reminders', '0 7 * * *', null, { tz: 'Europe/Paris' });

    // Days of use go with the usage events they come from (13 months).
    await boss.createQueue('rollout.purge');
    await boss.work('rollout.purge', async () => {
      const cutoff = addDays(parisDay(new Date()), -396);
      await activity.purgeUserDaysBefore(trustedDb(db, 'the retention of days of use'), cutoff);
    });
    await boss.schedule('rollout.purge', '50 3 * * *', null, { tz: 'Europe/Paris' });
  },
  plugin: rolloutRoutes,
});
