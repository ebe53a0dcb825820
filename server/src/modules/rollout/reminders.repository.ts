import type { AuthorizedDb as Db } from '../../platform/access/authorize.ts';
import './rollout.tables.ts';

/** What the daily reminders read and mark (each reminder is sent once). */
export const reminders = {
  /** Open steps due within `soon` (not reminded yet), or late (not reminded since their due date). */
  steps: (db: Db, today: string, soon: string) =>
    db
      .selectFrom('rollout_step')
      .select(['id', 'establishment_id', 'title', 'owner_id', 'due_date', 'reminded_on'])
      .where('state', 'in', ['todo', 'in_progress'])
      .where('due_date', '<=', soon)
      .where((eb) =>
        eb.or([
          eb('reminded_on', 'is', null),
          eb.and([eb('due_date', '<', today), eb('reminded_on', '<=', eb.ref('due_date'))]),
        ]),
      )
      .limit(5000)
      .execute(),

  markSteps: (db: Db, ids: string[], today: string) =>
    ids.length === 0
      ? Promise.resolve()
      : db
          .updateTable('rollout_step')
          .set({ reminded_on: today })
          .where('id', 'in', ids)
          .execute()
          .then(() => undefined),

  /** Booked slots starting in [from, to) not reminded yet, with their resource person. */
  slots: (db: Db, from: Date, to: Date) =>
    db
      .selectFrom('rollout_slot as s')
      .innerJoin('rollout_resource_person as r', 'r.id', 's.resource_person_id')
      .select([
        's.id',
        's.establishment_id',
        's.starts_at',
        's.mode',
        's.room',
        's.booked_by',
        'r.user_id as person_id',
      ])
      .where('s.booked_by', 'is not', null)
      .where('s.reminded', '=', false)
      .where('s.starts_at', '>=', from)
      .where('s.starts_at', '<', to)
      .limit(5000)
      .execute(),

  markSlots: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve()
      : db
          .updateTable('rollout_slot')
          .set({ reminded: true })
          .where('id', 'in', ids)
          .execute()
          .then(() => undefined),

  trainings: (db: Db, from: Date, to: Date) =>
    db
      .selectFrom('rollout_training')
      .select(['id', 'establishment_id', 'title', 'starts_at', 'place'])
      .where('reminded', '=', false)
      .where('starts_at', '>=', from)
      .where('starts_at', '<', to)
      .limit(1000)
      .execute(),

  registered: (db: Db, trainingId: string) =>
    db.selectFrom('rollout_registration').select('user_id').where('training_id', '=', trainingId).execute(),

  markTraining: (db: Db, id: string) =>
    db.updateTable('rollout_training').set({ reminded: true }).where('id', '=', id).execute(),
};
