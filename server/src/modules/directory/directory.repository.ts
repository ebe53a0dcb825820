import { sql } from 'kysely';
import type { Db, UserStatusValue } from '../../platform/db/schema.ts';

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

/** One member of an establishment as the user list shows them (profiles, classes and status in that establishment). */
export interface MemberListRow {
  id: string;
  login: string;
  display_name: string;
  first_name: string;
  last_name: string;
  /** `blocked` where the establishment suspended them (statusIn). */
  status: UserStatusValue;
  profiles: string[];
  /** The label of their functions here (staff): "CONSEILLER PRINCIPAL D'EDUCATION". */
  position: string | null;
  /** Codes of the current school year's classes they are enrolled in or teach. */
  classes: string[];
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
  /**
   * Every member of the establishment, ordered by display name then id, with their profiles, current classes and
   * status there: set-based (two aggregates joined once), one pass whatever the size of the académie's app_user.
   */
  members: async (db: Db, establishmentId: string): Promise<MemberListRow[]> => {
    const res = await sql<MemberListRow>`
      WITH mem AS (
        SELECT user_id, array_agg(profile ORDER BY profile) AS profiles,
               string_agg(DISTINCT position, ', ') AS position
        FROM membership WHERE establishment_id = ${establishmentId} GROUP BY user_id
      ), cls AS (
        SELECT x.user_id, array_agg(DISTINCT c.code ORDER BY c.code) AS classes
        FROM (
          SELECT student_id AS user_id, class_id FROM enrolment
          WHERE establishment_id = ${establishmentId} AND class_id IS NOT NULL
          UNION
          SELECT teacher_id, class_id FROM teaching_assignment
          WHERE establishment_id = ${establishmentId} AND class_id IS NOT NULL
        ) x
        JOIN class c ON c.id = x.class_id
        JOIN school_year sy ON sy.id = c.school_year_id AND sy.status = 'current'
        GROUP BY x.user_id
      )
      SELECT u.id, u.login, u.display_name, u.first_name, u.last_name,
             ${statusIn(establishmentId)} AS status, mem.profiles, mem.position, COALESCE(cls.classes, '{}') AS classes
      FROM mem JOIN app_user u ON u.id = mem.user_id LEFT JOIN cls ON cls.user_id = mem.user_id
      ORDER BY u.display_name, u.id`.execute(db);
    return res.rows;
  },

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
        sql<string | null>`(
          SELECT string_agg(DISTINCT m3.position, ', ') FROM membership m3
          WHERE m3.user_id = u.id AND m3.establishment_id = ${establishmentId})`.as('position'),
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

  /** Staff positions and function codes of these people in one establishment (those who have any). */
  positions: (db: Db, establishmentId: string, userIds: string[]) =>
    userIds.length === 0
      ? Promise.resolve([] as { user_id: string; position: string | null; functions: string[] }[])
      : db
          .selectFrom('membership')
          .select([
            'user_id',
            sql<string | null>`string_agg(DISTINCT position, ', ')`.as('position'),
            sql<string[]>`COALESCE(array_agg(DISTINCT f ORDER BY f) FILTER (WHERE f IS NOT NULL), '{}')`.as(
              'functions',
            ),
          ])
          .leftJoin(sql`unnest(membership.functions)`.as('f'), (join) => join.onTrue())
          .where('establishment_id', '=', establishmentId)
          .where(sql<boolean>`user_id = ANY(${userIds}::uuid[])`)
          .where('profile', 'in', ['teacher', 'staff', 'principal', 'local_admin'])
          .groupBy('user_id')
          .execute(),

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
