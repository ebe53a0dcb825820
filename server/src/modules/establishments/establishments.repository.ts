import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database, Db } from '../../platform/db/schema.ts';

const ACCENTED = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ';
const PLAIN = [...ACCENTED].map((c) => c.normalize('NFD')[0]).join('');

/** Case- and accent-folded text, the same constant expression everywhere (an expression index can match it). */
const fold = (e: Expression<string | null>) =>
  sql<string>`lower(translate(${e}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))`;

export interface EstablishmentFilter {
  /** Folded words; each must appear in the name, the UAI or the city. */
  words: string[];
  /** Restrict to these establishments (a non-admin's memberships); undefined = all. */
  ids?: string[];
}

export interface EstablishmentRow {
  id: string;
  uai: string;
  name: string;
  type: string;
  city: string | null;
  slug: string;
  academy_id: string;
  academy_name: string;
  school_year: string | null;
}

const likeWord = (w: string) => `%${w.replace(/[\\%_]/g, '\\$&')}%`;

type EstablishmentEb = ExpressionBuilder<Database & { e: Database['establishment'] }, 'e'>;

/** The filter as one condition, usable by the page query and the count query alike. */
const matching = (filter: EstablishmentFilter) => (eb: EstablishmentEb) => {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.ids) conditions.push(filter.ids.length > 0 ? eb('e.id', 'in', filter.ids) : eb.lit(false));
  for (const w of filter.words) {
    const pattern = likeWord(w);
    conditions.push(
      eb.or([
        eb(fold(eb.ref('e.name')), 'like', pattern),
        eb(fold(eb.ref('e.uai')), 'like', pattern),
        eb(fold(eb.ref('e.city')), 'like', pattern),
      ]),
    );
  }
  return eb.and(conditions);
};

const withDetails = (db: Db) =>
  db
    .selectFrom('establishment as e')
    .innerJoin('academy as a', 'a.id', 'e.academy_id')
    .leftJoin('school_year as sy', (j) => j.onRef('sy.establishment_id', '=', 'e.id').on('sy.status', '=', 'current'))
    .select([
      'e.id',
      'e.uai',
      'e.name',
      'e.type',
      'e.city',
      'e.slug',
      'e.academy_id',
      'a.name as academy_name',
      'sy.label as school_year',
    ]);

/** All SQL of the establishments module. */
export const establishments = {
  page: (db: Db, filter: EstablishmentFilter, limit: number, offset: number): Promise<EstablishmentRow[]> =>
    withDetails(db).where(matching(filter)).orderBy('e.name').orderBy('e.id').limit(limit).offset(offset).execute(),

  count: async (db: Db, filter: EstablishmentFilter) =>
    Number(
      (
        await db
          .selectFrom('establishment as e')
          .where(matching(filter))
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),

  byId: (db: Db, id: string): Promise<EstablishmentRow | undefined> =>
    withDetails(db).where('e.id', '=', id).executeTakeFirst(),

  uaiTaken: async (db: Db, uai: string) =>
    !!(await db.selectFrom('establishment').select('id').where('uai', '=', uai).executeTakeFirst()),

  slugTaken: async (db: Db, slug: string) =>
    !!(await db.selectFrom('establishment').select('id').where('slug', '=', slug).executeTakeFirst()),

  /** Slugs in use that start with `prefix` (to pick a free suffix in one query). */
  slugsLike: async (db: Db, prefix: string) =>
    (
      await db
        .selectFrom('establishment')
        .select('slug')
        .where('slug', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)
        .execute()
    ).map((r) => r.slug),

  insert: (
    db: Db,
    row: { academyId: string; uai: string; type: string; name: string; city: string | null; slug: string },
  ) =>
    db
      .insertInto('establishment')
      .values({
        academy_id: row.academyId,
        uai: row.uai,
        type: row.type,
        name: row.name,
        city: row.city,
        slug: row.slug,
        settings: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow(),

  insertSchoolYear: (db: Db, row: { establishmentId: string; label: string; startsOn: string; endsOn: string }) =>
    db
      .insertInto('school_year')
      .values({
        establishment_id: row.establishmentId,
        label: row.label,
        starts_on: row.startsOn,
        ends_on: row.endsOn,
        status: 'current',
      })
      .execute(),
};

export const academies = {
  all: (db: Db) => db.selectFrom('academy').select(['id', 'code', 'name']).orderBy('name').execute(),
  exists: async (db: Db, id: string) =>
    !!(await db.selectFrom('academy').select('id').where('id', '=', id).executeTakeFirst()),
};

export const permissionOverrides = {
  ofEstablishment: (db: Db, establishmentId: string) =>
    db
      .selectFrom('permission_override')
      .select(['profile', 'permission', 'granted'])
      .where('establishment_id', '=', establishmentId)
      .execute(),

  /** Replace the establishment's overrides (call inside a transaction). */
  replace: async (
    db: Db,
    establishmentId: string,
    rows: { profile: string; permission: string; granted: boolean }[],
  ) => {
    await db.deleteFrom('permission_override').where('establishment_id', '=', establishmentId).execute();
    if (rows.length > 0) {
      await db
        .insertInto('permission_override')
        .values(rows.map((r) => ({ establishment_id: establishmentId, ...r })))
        .execute();
    }
  },

  /** Serialise concurrent replacements of one establishment's overrides. */
  lock: (db: Db, establishmentId: string) =>
    db.selectFrom('establishment').select('id').where('id', '=', establishmentId).forUpdate().execute(),
};
