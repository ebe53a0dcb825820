import type { Kysely } from 'kysely';
import { trustedDb } from '../../platform/access/authorize.ts';
import type { Database } from '../../platform/db/schema.ts';
import { notify } from '../timeline/index.ts';
import { frDate } from './plan.service.ts';
import { reminders } from './reminders.repository.ts';
import { addDays, parisDay, parisMidnight } from './rollout.dates.ts';

const when = (at: Date | string) =>
  new Intl.DateTimeFormat('fr-FR', { timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(at));

/**
 * The daily reminders on the timeline, each sent once: steps due within three days and late steps (to their
 * owner), tomorrow's appointments with a resource person (to both), tomorrow's training sessions (to those
 * registered). Each batch commits with its marks.
 */
export async function sendReminders(database: Kysely<Database>, now = new Date()) {
  const db = trustedDb(database, 'the daily reminders job');
  const today = parisDay(now);
  const tomorrow = addDays(today, 1);
  const sent = { steps: 0, slots: 0, trainings: 0 };

  await db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'the daily reminders job');
    const steps = await reminders.steps(trx, today, addDays(today, 3));
    for (const s of steps) {
      const late = s.due_date < today;
      await notify(trx, {
        establishmentId: s.establishment_id,
        kind: 'rollout.step.due',
        recipients: [s.owner_id],
        text: late
          ? {
              fr: `L'étape « ${s.title} » du plan de déploiement est en retard (échéance le ${frDate(s.due_date)}).`,
              en: `The rollout plan step “${s.title}” is late (due ${s.due_date}).`,
            }
          : {
              fr: `L'étape « ${s.title} » du plan de déploiement arrive à échéance le ${frDate(s.due_date)}.`,
              en: `The rollout plan step “${s.title}” is due on ${s.due_date}.`,
            },
        link: '/rollout/plan',
        source: { type: 'rollout.step', id: s.id },
      });
    }
    await reminders.markSteps(
      trx,
      steps.map((s) => s.id),
      today,
    );
    sent.steps = steps.length;
  });

  const from = parisMidnight(tomorrow);
  const to = parisMidnight(addDays(tomorrow, 1));
  await db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'the daily reminders job');
    const slots = await reminders.slots(trx, from, to);
    for (const s of slots) {
      const where = s.mode === 'onsite' ? `salle ${s.room}` : 'à distance';
      await notify(trx, {
        establishmentId: s.establishment_id,
        kind: 'rollout.slot.reminder',
        recipients: [s.booked_by!, s.person_id],
        text: {
          fr: `Rappel : rendez-vous avec une personne ressource demain à ${when(s.starts_at)} (${where}).`,
          en: `Reminder: appointment with a resource person tomorrow at ${when(s.starts_at)}.`,
        },
        link: '/rollout/support',
        source: { type: 'rollout.slot', id: s.id },
      });
    }
    await reminders.markSlots(
      trx,
      slots.map((s) => s.id),
    );
    sent.slots = slots.length;
  });

  await db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'the daily reminders job');
    const list = await reminders.trainings(trx, from, to);
    for (const tr of list) {
      const people = (await reminders.registered(trx, tr.id)).map((r) => r.user_id);
      await notify(trx, {
        establishmentId: tr.establishment_id,
        kind: 'rollout.training.reminder',
        recipients: people,
        text: {
          fr: `Rappel : la formation « ${tr.title} » a lieu demain à ${when(tr.starts_at)}, ${tr.place}.`,
          en: `Reminder: the training “${tr.title}” is tomorrow at ${when(tr.starts_at)}, ${tr.place}.`,
        },
        link: '/rollout/support',
        source: { type: 'rollout.training', id: tr.id },
      });
      await reminders.markTraining(trx, tr.id);
    }
    sent.trainings = list.length;
  });
  return sent;
}
