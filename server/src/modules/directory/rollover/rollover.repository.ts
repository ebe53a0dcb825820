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

  /** A year of the establishment by its label (a prepared `next` year, or one archived before). */
  byLabel: (db: Db, establishmentId: string, label: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'status'])
      .where('establishment_id', '=', establishmentId)
      .where('label', '=', label)
      .forUpdate()
      .executeTakeFirst(),

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

  /** Undo: the year that opened goes (when the rollover created it) or back to what it was. */
  removeYear: (db: Db, yearId: string) => db.deleteFrom('school_year').where('id', '=', yearId).execute(),
  setStatus: (db: Db, yearId: string, status: 'current' | 'archived' | 'next') =>
    db
      .updateTable('school_year')
      .set({ status, archived_at: status === 'archived' ? new Date() : null })
      .where('id', '=', yearId)
      .execute(),

  /** The establishment's settings (an establishment may set its own `rolloverOpensOn`). */
  settings: async (db: Db, establishmentId: string) =>
    (await db.selectFrom('establishment').select('settings').where('id', '=', establishmentId).executeTakeFirst())
      ?.settings ?? {},

  insertRollover: (
    db: Db,
    row: {
      establishmentId: string;
      fromYearId: string;
      toYearId: string;
      toLabel: string;
      toCreated: boolean;
      toStatusBefore: string | null;
      early: boolean;
      by: string;
      undoUntil: Date;
    },
  ) =>
    db
      .insertInto('school_year_rollover')
      .values({
        establishment_id: row.establishmentId,
        from_year_id: row.fromYearId,
        to_year_id: row.toYearId,
        to_label: row.toLabel,
        to_created: row.toCreated,
        to_status_before: row.toStatusBefore,
        early: row.early,
        rolled_by: row.by,
        undo_until: row.undoUntil,
      })
      .returning(['id', 'undo_until'])
      .executeTakeFirstOrThrow(),

  rollover: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('school_year_rollover')
      .selectAll()
      .where('id', '=', id)
      .where('establishment_id', '=', establishmentId)
      .forUpdate()
      .executeTakeFirst(),

  /** A rollover made after this one and not undone (undo the latest first). */
  laterRollover: (db: Db, establishmentId: string, rolloverId: string) =>
    db
      .selectFrom('school_year_rollover as l')
      .select('l.id')
      .where('l.establishment_id', '=', establishmentId)
      .where('l.id', '<>', rolloverId)
      .where('l.undone_at', 'is', null)
      .where('l.rolled_at', '>=', (eb) =>
        eb.selectFrom('school_year_rollover as r').select('r.rolled_at').where('r.id', '=', rolloverId),
      )
      .executeTakeFirst(),

  markUndone: (db: Db, id: string, by: string) =>
    db
      .updateTable('school_year_rollover')
      .set({ undone_at: new Date(), undone_by: by })
      .where('id', '=', id)
      .returning('undone_at')
      .executeTakeFirstOrThrow(),

  rollovers: (db: Db, establishmentId: string, limit: number) =>
    db
      .selectFrom('school_year_rollover as r')
      .innerJoin('school_year as f', 'f.id', 'r.from_year_id')
      .select([
        'r.id',
        'f.label as from_label',
        'r.to_label',
        'r.early',
        'r.rolled_at',
        'r.rolled_by',
        'r.undo_until',
        'r.undone_at',
      ])
      .where('r.establishment_id', '=', establishmentId)
      .orderBy('r.rolled_at', 'desc')
      .orderBy('r.id')
      .limit(limit)
      .execute(),
};
