import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database, Db, UserStatusValue } from '../../platform/db/schema.ts';

const ACCENTED = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ';
const PLAIN = [...ACCENTED].map((c) => c.normalize('NFD')[0]).join('');

/** Case- and accent-folded text, the same constant expression everywhere (an expression index can match it). */
const fold = (e: Expression<string | null>) =>
  sql<string>`lower(translate(${e}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))`;

/**
 * A person's state as one establishment sees it: suspended there (blocked by its administrator) and whether
 * they also belong to another establishment (their account-wide fields are then not this school's to change).
 */
export const suspendedIn = (establishmentId: string, userRef = sql.ref('u.id')) =>
  sql<boolean>`EXISTS (SELECT 1 FROM membership_suspension ms
                       WHERE ms.user_id = ${userRef} AND ms.establishment_id = ${establishmentId})`;
export const memberElsewhere = (establishmentId: string, userRef = sql.ref('u.id')) =>
  sql<boolean>`EXISTS (SELECT 1 FROM membership mo
                       WHERE mo.user_id = ${userRef} AND mo.establishment_id <> ${establishmentId})`;
/** The account's status, `blocked` where it is suspended in the establishment. */
export const statusIn = (establishmentId: string, userRef = sql.ref('u.id'), statusRef = sql.ref('u.status')) =>
  sql<UserStatusValue>`CASE WHEN ${statusRef} IN ('active', 'pending_activation') AND ${suspendedIn(establishmentId, userRef)}
                            THEN 'blocked' ELSE ${statusRef} END`;

const likeWord = (w: string) => `%${w.replace(/[\\%_]/g, '\\$&')}%`;

export interface UserFilter {
  establishmentId: string;
  /** Folded words; each must appear in the login, first, last or display name. */
  words: string[];
  profile?: string;
  classCode?: string;
  status?: UserStatusValue;
}

/** The columns of a member the list needs (the `member` CTE, aliased `u`). */
interface MemberCols {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  display_name: string;
  status: UserStatusValue;
}
type UserEb = ExpressionBuilder<Database & { u: MemberCols }, 'u'>;

/**
 * The classes of the establishment's current school year a user belongs to: enrolled in as a student,
 * or taught as a teacher.
 */
function currentClassIds(eb: UserEb, establishmentId: string) {
  return eb
    .selectFrom('enrolment as en')
    .select('en.class_id as class_id')
    .whereRef('en.student_id', '=', 'u.id')
    .where('en.establishment_id', '=', establishmentId)
    .where('en.class_id', 'is not', null)
    .union(
      eb
        .selectFrom('teaching_assignment as ta')
        .select('ta.class_id as class_id')
        .whereRef('ta.teacher_id', '=', 'u.id')
        .where('ta.establishment_id', '=', establishmentId)
        .where('ta.class_id', 'is not', null),
    );
}

function currentClasses(eb: UserEb, establishmentId: string) {
  return eb
    .selectFrom('class as c')
    .innerJoin('school_year as sy', 'sy.id', 'c.school_year_id')
    .where('c.establishment_id', '=', establishmentId)
    .where('sy.status', '=', 'current')
    .where('c.id', 'in', currentClassIds(eb, establishmentId));
}

/** The filters other than membership: one condition shared by the page and the count. */
const matching = (f: UserFilter) => (eb: UserEb) => {
  const conditions: Expression<SqlBool>[] = [];
  if (f.status) conditions.push(eb('u.status', '=', f.status));
  if (f.classCode) {
    conditions.push(
      eb.exists(
        currentClasses(eb, f.establishmentId)
          .select(sql.lit(1).as('one'))
          .where(sql<string>`upper(c.code)`, '=', f.classCode.toUpperCase()),
      ),
    );
  }
  for (const w of f.words) {
    const pattern = likeWord(w);
    conditions.push(
      eb.or([
        eb(fold(eb.ref('u.login')), 'like', pattern),
        eb(fold(eb.ref('u.last_name')), 'like', pattern),
        eb(fold(eb.ref('u.first_name')), 'like', pattern),
        eb(fold(eb.ref('u.display_name')), 'like', pattern),
      ]),
    );
  }
  return eb.and(conditions);
};

/**
 * The establishment's members (with the asked profile), materialised first: the searches below then fold
 * only these few thousand rows, never the whole app_user table of an académie.
 */
const members = (db: Db, f: UserFilter) =>
  db
    .with(
      (w) => w('member').materialized(),
      (d) =>
        d
          .selectFrom('app_user as au')
          .select(['au.id', 'au.login', 'au.first_name', 'au.last_name', 'au.display_name'])
          .select(statusIn(f.establishmentId, sql.ref('au.id'), sql.ref('au.status')).as('status'))
          .where('au.id', 'in', (eb) =>
            eb
              .selectFrom('membership as m')
              .select('m.user_id')
              .where('m.establishment_id', '=', f.establishmentId)
              .$if(!!f.profile, (q) => q.where('m.profile', '=', f.profile!)),
          ),
    )
    .selectFrom('member as u')
    .where(matching(f));

export interface UserListRow {
  id: string;
  login: string;
  display_name: string;
  status: UserStatusValue;
  profiles: string[];
  classes: string[];
  /** Members matching the filter, all pages (a window count: no second pass over the members). */
  total: number;
}

const USER_DETAIL_COLUMNS = [
  'u.id',
  'u.login',
  'u.first_name',
  'u.last_name',
  'u.display_name',
  'u.birth_date',
  'u.email',
  'u.status',
  'u.is_platform_admin',
  'u.activation_expires_at',
  'u.last_login_at',
] as const;

/** All SQL of the directory module. */
export const directory = {
  /** One page of members, with their profiles and current classes aggregated in the same query. */
  page: (db: Db, f: UserFilter, limit: number, offset: number): Promise<UserListRow[]> =>
    members(db, f)
      .select((eb) => [
        'u.id',
        'u.login',
        'u.display_name',
        'u.status',
        sql<number>`count(*) OVER ()`.as('total'),
        eb
          .selectFrom('membership as m')
          .select(sql<string[]>`array_agg(m.profile ORDER BY m.profile)`.as('profiles'))
          .whereRef('m.user_id', '=', 'u.id')
          .where('m.establishment_id', '=', f.establishmentId)
          .as('profiles'),
        eb
          .selectFrom(currentClasses(eb, f.establishmentId).select('c.code').as('cc'))
          .select(sql<string[]>`COALESCE(array_agg(cc.code ORDER BY cc.code), '{}')`.as('classes'))
          .as('classes'),
      ])
      .orderBy('u.display_name')
      .orderBy('u.id')
      .limit(limit)
      .offset(offset)
      .execute() as Promise<UserListRow[]>,

  count: async (db: Db, f: UserFilter) =>
    Number(
      (
        await members(db, f)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),

  /** A member of the establishment with their profiles and functions there; undefined if not a member. */
  member: (db: Db, establishmentId: string, userId: string, opts: { forUpdate?: boolean } = {}) =>
    db
      .selectFrom('app_user as u')
      .select([
        ...USER_DETAIL_COLUMNS,
        sql<boolean>`u.password_hash IS NOT NULL`.as('has_password'),
        suspendedIn(establishmentId).as('suspended_here'),
        memberElsewhere(establishmentId).as('elsewhere'),
        sql<string[]>`(
          SELECT array_agg(m.profile ORDER BY m.profile) FROM membership m
          WHERE m.user_id = u.id AND m.establishment_id = ${establishmentId})`.as('profiles'),
        sql<string[]>`(
          SELECT COALESCE(array_agg(DISTINCT f ORDER BY f), '{}') FROM membership m2, unnest(m2.functions) f
          WHERE m2.user_id = u.id AND m2.establishment_id = ${establishmentId})`.as('functions'),
      ])
      .where('u.id', '=', userId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('membership as m')
            .select(sql.lit(1).as('one'))
            .whereRef('m.user_id', '=', 'u.id')
            .where('m.establishment_id', '=', establishmentId),
        ),
      )
      .$if(!!opts.forUpdate, (q) => q.forUpdate('u'))
      .executeTakeFirst(),

  classesOf: (db: Db, establishmentId: string, userId: string) =>
    db
      .selectFrom('class as c')
      .innerJoin('school_year as sy', 'sy.id', 'c.school_year_id')
      .select(['c.id', 'c.code', 'c.label'])
      .where('c.establishment_id', '=', establishmentId)
      .where('sy.status', '=', 'current')
      .where((eb) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom('enrolment as en')
              .select(sql.lit(1).as('one'))
              .whereRef('en.class_id', '=', 'c.id')
              .where('en.student_id', '=', userId),
          ),
          eb.exists(
            eb
              .selectFrom('teaching_assignment as ta')
              .select(sql.lit(1).as('one'))
              .whereRef('ta.class_id', '=', 'c.id')
              .where('ta.teacher_id', '=', userId),
          ),
        ]),
      )
      .orderBy('c.code')
      .execute(),

  childrenOf: (db: Db, establishmentId: string, guardianId: string) =>
    db
      .selectFrom('guardianship as g')
      .innerJoin('app_user as s', 's.id', 'g.student_id')
      .select(['s.id', 's.display_name', 'g.level'])
      .where('g.establishment_id', '=', establishmentId)
      .where('g.guardian_id', '=', guardianId)
      .orderBy('s.display_name')
      .execute(),

  guardiansOf: (db: Db, establishmentId: string, studentId: string) =>
    db
      .selectFrom('guardianship as g')
      .innerJoin('app_user as p', 'p.id', 'g.guardian_id')
      .select(['p.id', 'p.display_name', 'g.level'])
      .where('g.establishment_id', '=', establishmentId)
      .where('g.student_id', '=', studentId)
      .orderBy(sql`g.level <> 'legal'`) // legal representatives first
      .orderBy('p.display_name')
      .execute(),

  setStatus: (db: Db, userId: string, status: UserStatusValue) =>
    db.updateTable('app_user').set({ status, updated_at: new Date() }).where('id', '=', userId).execute(),

  suspend: (db: Db, establishmentId: string, userId: string, by: string) =>
    db
      .insertInto('membership_suspension')
      .values({ establishment_id: establishmentId, user_id: userId, suspended_by: by })
      .onConflict((oc) => oc.columns(['establishment_id', 'user_id']).doNothing())
      .executeTakeFirst(),

  lift: (db: Db, establishmentId: string, userId: string) =>
    db
      .deleteFrom('membership_suspension')
      .where('establishment_id', '=', establishmentId)
      .where('user_id', '=', userId)
      .executeTakeFirst(),

  /** Does the person keep a membership somewhere that is not suspended? */
  activeElsewhere: async (db: Db, establishmentId: string, userId: string) =>
    !!(await db
      .selectFrom('membership as m')
      .select('m.establishment_id')
      .where('m.user_id', '=', userId)
      .where('m.establishment_id', '<>', establishmentId)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('membership_suspension as s')
              .select(sql.lit(1).as('one'))
              .whereRef('s.user_id', '=', 'm.user_id')
              .whereRef('s.establishment_id', '=', 'm.establishment_id'),
          ),
        ),
      )
      .limit(1)
      .executeTakeFirst()),

  setActivationCode: (db: Db, userId: string, codeHash: string, expiresAt: Date) =>
    db
      .updateTable('app_user')
      .set({ activation_code_hash: codeHash, activation_expires_at: expiresAt, updated_at: new Date() })
      .where('id', '=', userId)
      .where('status', '=', 'pending_activation')
      .executeTakeFirst(),
};
