import { sql } from 'kysely';
import type { AuthorizedDb as Db } from '../../platform/access/authorize.ts';
import './rollout.tables.ts';

/** Self-assessment: a person's own rows; aggregates are computed by the service from whole groups. */
export const skills = {
  mine: (db: Db, establishmentId: string, userId: string) =>
    db
      .selectFrom('rollout_skill')
      .select(['domain', 'level', 'assessed_at'])
      .where('establishment_id', '=', establishmentId)
      .where('user_id', '=', userId)
      .execute(),

  save: async (db: Db, establishmentId: string, userId: string, levels: Record<string, number>) => {
    const at = new Date();
    await db
      .insertInto('rollout_skill')
      .values(
        Object.entries(levels).map(([domain, level]) => ({
          establishment_id: establishmentId,
          user_id: userId,
          domain,
          level,
          assessed_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['establishment_id', 'user_id', 'domain']).doUpdateSet((eb) => ({
          level: eb.ref('excluded.level'),
          assessed_at: eb.ref('excluded.assessed_at'),
        })),
      )
      .execute();
  },

  /** Every assessment of the establishment, without names: the service only ever returns aggregates of them. */
  all: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_skill')
      .select(['user_id', 'domain', 'level'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  ofPerson: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_skill as s')
      .innerJoin('establishment as e', 'e.id', 's.establishment_id')
      .select(['e.name as establishment', 's.domain', 's.level', 's.assessed_at'])
      .where('s.user_id', '=', userId)
      .execute(),
};

/** Resource persons and their availability slots. */
export const support = {
  resourcePersons: (db: Db, establishmentId: string) =>
    db
      .selectFrom('rollout_resource_person')
      .select(['id', 'user_id', 'service_key', 'subject_code', 'note'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('created_at')
      .execute(),

  resourcePerson: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_resource_person')
      .select(['id', 'user_id', 'service_key', 'subject_code', 'note'])
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insertResourcePerson: async (
    db: Db,
    row: { establishmentId: string; userId: string; service: string | null; subjectCode: string | null; note: string },
  ) =>
    (
      await db
        .insertInto('rollout_resource_person')
        .values({
          establishment_id: row.establishmentId,
          user_id: row.userId,
          service_key: row.service,
          subject_code: row.subjectCode,
          note: row.note,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  deleteResourcePerson: (db: Db, id: string) => db.deleteFrom('rollout_resource_person').where('id', '=', id).execute(),

  /** Slots from a time on (the upcoming ones, or the last 30 days' too), with their resource person. */
  slots: (db: Db, establishmentId: string, from: Date) =>
    db
      .selectFrom('rollout_slot')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('ends_at', '>=', from)
      .orderBy('starts_at')
      .limit(5000)
      .execute(),

  slot: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_slot')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  /** Slots of the resource person that overlap [start, end). */
  overlapping: (db: Db, resourcePersonId: string, start: Date, end: Date) =>
    db
      .selectFrom('rollout_slot')
      .select('id')
      .where('resource_person_id', '=', resourcePersonId)
      .where('starts_at', '<', end)
      .where('ends_at', '>', start)
      .execute(),

  insertSlot: async (
    db: Db,
    row: {
      establishmentId: string;
      resourcePersonId: string;
      startsAt: Date;
      endsAt: Date;
      mode: 'onsite' | 'remote';
      room: string | null;
    },
  ) =>
    (
      await db
        .insertInto('rollout_slot')
        .values({
          establishment_id: row.establishmentId,
          resource_person_id: row.resourcePersonId,
          starts_at: row.startsAt,
          ends_at: row.endsAt,
          mode: row.mode,
          room: row.room,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  deleteSlot: (db: Db, id: string) => db.deleteFrom('rollout_slot').where('id', '=', id).execute(),

  /** Future slots of a resource person (withdrawn with them). */
  futureSlotsOf: (db: Db, resourcePersonId: string, now: Date) =>
    db
      .selectFrom('rollout_slot')
      .select(['id', 'booked_by', 'starts_at'])
      .where('resource_person_id', '=', resourcePersonId)
      .where('starts_at', '>', now)
      .execute(),

  /** Book a free slot: one statement, so two people booking at once cannot both get it. */
  book: async (db: Db, id: string, userId: string, topic: string) =>
    Number(
      (
        await db
          .updateTable('rollout_slot')
          .set({ booked_by: userId, booked_at: new Date(), topic: topic || null, reminded: false })
          .where('id', '=', id)
          .where('booked_by', 'is', null)
          .executeTakeFirst()
      ).numUpdatedRows,
    ),

  unbook: (db: Db, id: string) =>
    db
      .updateTable('rollout_slot')
      .set({ booked_by: null, booked_at: null, topic: null, reminded: false })
      .where('id', '=', id)
      .execute(),

  bookingsOf: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_slot as s')
      .innerJoin('establishment as e', 'e.id', 's.establishment_id')
      .select(['e.name as establishment', 's.starts_at', 's.ends_at', 's.mode', 's.room', 's.topic', 's.booked_at'])
      .where('s.booked_by', '=', userId)
      .orderBy('s.starts_at', 'desc')
      .execute(),

  resourceRolesOf: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_resource_person as r')
      .innerJoin('establishment as e', 'e.id', 'r.establishment_id')
      .select(['e.name as establishment', 'r.service_key', 'r.subject_code', 'r.note', 'r.created_at'])
      .where('r.user_id', '=', userId)
      .execute(),
};

/** Training sessions and their registrations. */
export const trainings = {
  list: (db: Db, establishmentId: string, from: Date) =>
    db
      .selectFrom('rollout_training')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('ends_at', '>=', from)
      .orderBy('starts_at')
      .limit(500)
      .execute(),

  byId: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('rollout_training')
      .selectAll()
      .where('establishment_id', '=', establishmentId)
      .where('id', '=', id)
      .executeTakeFirst(),

  insert: async (
    db: Db,
    row: {
      establishmentId: string;
      title: string;
      audience: string;
      startsAt: Date;
      endsAt: Date;
      place: string;
      capacity: number;
      stepId: string | null;
      createdBy: string;
    },
  ) =>
    (
      await db
        .insertInto('rollout_training')
        .values({
          establishment_id: row.establishmentId,
          title: row.title,
          audience: row.audience,
          starts_at: row.startsAt,
          ends_at: row.endsAt,
          place: row.place,
          capacity: row.capacity,
          step_id: row.stepId,
          created_by: row.createdBy,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,

  update: (
    db: Db,
    id: string,
    p: {
      title?: string;
      audience?: string;
      startsAt?: Date;
      endsAt?: Date;
      place?: string;
      capacity?: number;
      stepId?: string | null;
    },
  ) =>
    db
      .updateTable('rollout_training')
      .set({
        ...(p.title !== undefined ? { title: p.title } : {}),
        ...(p.audience !== undefined ? { audience: p.audience } : {}),
        ...(p.startsAt !== undefined ? { starts_at: p.startsAt, reminded: false } : {}),
        ...(p.endsAt !== undefined ? { ends_at: p.endsAt } : {}),
        ...(p.place !== undefined ? { place: p.place } : {}),
        ...(p.capacity !== undefined ? { capacity: p.capacity } : {}),
        ...(p.stepId !== undefined ? { step_id: p.stepId } : {}),
      })
      .where('id', '=', id)
      .execute(),

  delete: (db: Db, id: string) => db.deleteFrom('rollout_training').where('id', '=', id).execute(),

  registrations: (db: Db, trainingIds: string[]) =>
    trainingIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('rollout_registration')
          .select(['training_id', 'user_id', 'present', 'registered_at'])
          .where('training_id', 'in', trainingIds)
          .orderBy('registered_at')
          .execute(),

  /**
   * Register within the capacity, in one statement (the training row is locked first by the caller's
   * transaction): no place is given twice.
   */
  register: async (db: Db, trainingId: string, establishmentId: string, userId: string, capacity: number) => {
    const res = await sql`
      INSERT INTO rollout_registration (training_id, user_id, establishment_id)
      SELECT ${trainingId}::uuid, ${userId}::uuid, ${establishmentId}::uuid
      WHERE (SELECT count(*) FROM rollout_registration WHERE training_id = ${trainingId}::uuid) < ${capacity}
      ON CONFLICT DO NOTHING`.execute(db);
    return Number(res.numAffectedRows ?? 0);
  },

  lock: (db: Db, trainingId: string) =>
    db.selectFrom('rollout_training').select('id').where('id', '=', trainingId).forUpdate().execute(),

  count: async (db: Db, trainingId: string) =>
    Number(
      (
        await db
          .selectFrom('rollout_registration')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('training_id', '=', trainingId)
          .executeTakeFirstOrThrow()
      ).n,
    ),

  unregister: async (db: Db, trainingId: string, userId: string) =>
    Number(
      (
        await db
          .deleteFrom('rollout_registration')
          .where('training_id', '=', trainingId)
          .where('user_id', '=', userId)
          .executeTakeFirst()
      ).numDeletedRows,
    ),

  setAttendance: async (db: Db, trainingId: string, present: string[]) => {
    await db
      .updateTable('rollout_registration')
      .set({ present: sql<boolean>`user_id = ANY(${present}::uuid[])` })
      .where('training_id', '=', trainingId)
      .execute();
  },

  ofPerson: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_registration as r')
      .innerJoin('rollout_training as t', 't.id', 'r.training_id')
      .select(['t.title', 't.starts_at', 't.place', 'r.registered_at', 'r.present'])
      .where('r.user_id', '=', userId)
      .orderBy('t.starts_at', 'desc')
      .execute(),

  /** Attendances in a period (the cockpit's own indicator). */
  attendedBetween: async (db: Db, establishmentId: string, from: Date, to: Date) => {
    const row = await db
      .selectFrom('rollout_registration as r')
      .innerJoin('rollout_training as t', 't.id', 'r.training_id')
      .select((eb) => [
        eb.fn.countAll<number>().as('registered'),
        eb.fn.count<number>('r.user_id').filterWhere('r.present', '=', true).as('present'),
      ])
      .where('t.establishment_id', '=', establishmentId)
      .where('t.starts_at', '>=', from)
      .where('t.starts_at', '<', to)
      .executeTakeFirstOrThrow();
    return { registered: Number(row.registered), present: Number(row.present) };
  },
};

/** The pulse: answers without person, markers without answer. */
export const pulse = {
  answered: (db: Db, establishmentId: string, userId: string, period: string) =>
    db
      .selectFrom('rollout_pulse_marker')
      .select('service_key')
      .where('establishment_id', '=', establishmentId)
      .where('user_id', '=', userId)
      .where('period', '=', period)
      .execute(),

  /** The marker first: its primary key refuses a second answer of the month (0 rows → already answered). */
  mark: async (db: Db, establishmentId: string, userId: string, service: string, period: string) =>
    Number(
      (
        await db
          .insertInto('rollout_pulse_marker')
          .values({ establishment_id: establishmentId, user_id: userId, service_key: service, period })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows ?? 0,
    ),

  answer: (
    db: Db,
    row: { establishmentId: string; service: string; period: string; score: number; comment: string | null },
  ) =>
    db
      .insertInto('rollout_pulse_answer')
      .values({
        establishment_id: row.establishmentId,
        service_key: row.service,
        period: row.period,
        score: row.score,
        comment: row.comment,
      })
      .execute(),

  /** Answers of the last periods, comments in a random order (their insertion order says nothing more). */
  results: (db: Db, establishmentId: string, periods: string[]) =>
    db
      .selectFrom('rollout_pulse_answer')
      .select(['service_key', 'period', 'score', 'comment'])
      .where('establishment_id', '=', establishmentId)
      .where('period', 'in', periods)
      .orderBy(sql`random()`)
      .execute(),

  markersOf: (db: Db, userId: string) =>
    db
      .selectFrom('rollout_pulse_marker as m')
      .innerJoin('establishment as e', 'e.id', 'm.establishment_id')
      .select(['e.name as establishment', 'm.service_key', 'm.period'])
      .where('m.user_id', '=', userId)
      .execute(),
};
