import { sql } from 'kysely';
import type { Db } from '../../../platform/db/schema.ts';

/** All SQL of the school-year rollover. */
export const schoolYears = {
  list: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'starts_on', 'ends_on', 'status', 'archived_at'])
      .where('establishment_id', '=', establishmentId)
      .orderBy('starts_on', 'desc')
      .execute(),

  current: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'starts_on', 'ends_on', 'status', 'archived_at'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst(),

  /** Lock the establishment's current year: two rollovers at once must not both run. */
  lockCurrent: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label', 'starts_on', 'ends_on', 'status', 'archived_at'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .forUpdate()
      .executeTakeFirst(),

  /** What the year holds, counted in one round-trip. */
  contents: async (db: Db, establishmentId: string, yearId: string) => {
    const res = await sql<{
      classes: number;
      groups: number;
      enrolments: number;
      teaching_assignments: number;
      head_teachers: number;
    }>`
      SELECT
        (SELECT count(*) FROM class WHERE establishment_id = ${establishmentId} AND school_year_id = ${yearId})::int AS classes,
        (SELECT count(*) FROM teaching_group WHERE establishment_id = ${establishmentId} AND school_year_id = ${yearId})::int AS groups,
        (SELECT count(*) FROM enrolment WHERE establishment_id = ${establishmentId} AND school_year_id = ${yearId})::int AS enrolments,
        (SELECT count(*) FROM teaching_assignment WHERE establishment_id = ${establishmentId} AND school_year_id = ${yearId})::int AS teaching_assignments,
        (SELECT count(*) FROM head_teacher WHERE establishment_id = ${establishmentId} AND school_year_id = ${yearId})::int AS head_teachers`.execute(
      db,
    );
    return res.rows[0]!;
  },

  membersByProfile: (db: Db, establishmentId: string) =>
    db
      .selectFrom('membership')
      .innerJoin('app_user', 'app_user.id', 'membership.user_id')
      .select(['membership.profile', (eb) => eb.fn.count<number>('membership.user_id').distinct().as('count')])
      .where('membership.establishment_id', '=', establishmentId)
      .where('app_user.status', '<>', 'detached')
      .groupBy('membership.profile')
      .orderBy('membership.profile')
      .execute(),

  archive: (db: Db, yearId: string) =>
    db
      .updateTable('school_year')
      .set({ status: 'archived', archived_at: new Date() })
      .where('id', '=', yearId)
      .execute(),

  /** The next year, made current (or an already prepared `next` year promoted). */
  openNext: (db: Db, establishmentId: string, year: { label: string; startsOn: string; endsOn: string }) =>
    db
      .insertInto('school_year')
      .values({
        establishment_id: establishmentId,
        label: year.label,
        starts_on: year.startsOn,
        ends_on: year.endsOn,
        status: 'current',
      })
      .onConflict((oc) =>
        oc.columns(['establishment_id', 'label']).doUpdateSet({ status: 'current', archived_at: null }),
      )
      .returning(['id'])
      .executeTakeFirstOrThrow(),
};
