import { DUPLICATE_REASON_WEIGHTS } from '@preau/contracts';
import { type RawBuilder, sql } from 'kysely';
import type { Db, UserStatusValue } from '../../../platform/db/schema.ts';

const ACCENTED = 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ';
const PLAIN = [...ACCENTED].map((c) => c.normalize('NFD')[0]).join('');

/** Names compared without case, accents, spaces, hyphens or apostrophes: `Jean-Noël` = `JEAN NOEL`. */
const nameKey = (column: string) =>
  sql`regexp_replace(lower(translate(${sql.ref(column)}, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)})), '[^a-z]', '', 'g')`;

/** How much each reason says "same person" (shared with the web, which explains the score). */
export const REASON_WEIGHTS = DUPLICATE_REASON_WEIGHTS;

/** People sharing one key beyond this are not taken for duplicates of each other (see `mem` below). */
export const MAX_GROUP = 6;

export interface PairRow {
  a_id: string;
  b_id: string;
  reasons: (keyof typeof REASON_WEIGHTS)[];
  score: number;
  total: number;
}

export interface DuplicatePersonRow {
  id: string;
  login: string;
  display_name: string;
  birth_date: string | null;
  email: string | null;
  status: UserStatusValue;
  profiles: string[];
  classes: string[];
  from_feed: boolean;
  created_at: Date;
  last_login_at: Date | null;
  has_password: boolean;
  is_platform_admin: boolean;
  /** Also a member of another establishment. */
  elsewhere: boolean;
}

/**
 * Likely duplicates among the establishment's live members, in one set-based query: self-joins on folded
 * names, birth dates, e-mails and mobile phones (hash joins over a few thousand rows). Only plausible pairs:
 * the same kind of person (two students, or two adults — a student is never paired with a parent or a
 * teacher of the same name), birth dates that agree when both are known, never a guardian and their own
 * child, never a pair the establishment dismissed as "not the same person". `only` restricts the search to
 * a given pair (to record why a merge was made).
 */
function pairsQuery(establishmentId: string, only?: [string, string]) {
  const restrict = only ? sql`AND u.id IN (${only[0]}, ${only[1]})` : sql``;
  const weights = sql.join(Object.entries(REASON_WEIGHTS).map(([reason, w]) => sql`(${reason}::text, ${w}::float8)`));
  const firstNamesMatch = sql`(a.fn = b.fn OR (a.fn <> '' AND b.fn <> '' AND (a.fn LIKE b.fn || '%' OR b.fn LIKE a.fn || '%')))`;
  return sql`
    WITH keyed AS (
      SELECT u.id, u.birth_date,
             EXISTS (SELECT 1 FROM membership ms WHERE ms.user_id = u.id AND ms.establishment_id = ${establishmentId}
                       AND ms.profile = 'student') AS is_student,
             ${nameKey('u.last_name')} AS ln, ${nameKey('u.first_name')} AS fn,
             lower(btrim(COALESCE(u.email, ''))) AS em,
             regexp_replace(COALESCE(u.phone_mobile, ''), '[^0-9]', '', 'g') AS ph
      FROM app_user u
      WHERE u.id IN (SELECT m.user_id FROM membership m WHERE m.establishment_id = ${establishmentId})
        AND u.status <> 'detached' ${restrict}
    ),
    -- A key shared by many people (a placeholder e-mail, a switchboard number, a very common name) says
    -- nothing about duplicates and would make pairs by the million: such groups are left out.
    mem AS MATERIALIZED (
      SELECT k.*,
             count(*) OVER (PARTITION BY k.ln, k.fn) AS name_n,
             count(*) OVER (PARTITION BY k.em) AS em_n,
             count(*) OVER (PARTITION BY k.ph) AS ph_n
      FROM keyed k
    ),
    found AS (
      SELECT a.id AS a_id, b.id AS b_id, 'SAME_NAME_AND_BIRTH_DATE' AS reason
      FROM mem a JOIN mem b ON a.ln = b.ln AND a.fn = b.fn AND a.birth_date = b.birth_date AND a.id < b.id
      WHERE a.name_n <= ${MAX_GROUP}
      UNION ALL
      SELECT a.id, b.id, 'SAME_NAME'
      FROM mem a JOIN mem b ON a.ln = b.ln AND a.fn = b.fn AND a.id < b.id
      WHERE a.name_n <= ${MAX_GROUP} AND (a.birth_date IS NULL OR b.birth_date IS NULL)
      UNION ALL
      SELECT a.id, b.id, 'SAME_NAME_AND_CHILDREN'
      FROM mem a JOIN mem b ON a.ln = b.ln AND a.fn = b.fn AND a.id < b.id
      WHERE a.name_n <= ${MAX_GROUP} AND EXISTS (
        SELECT 1 FROM guardianship ga JOIN guardianship gb ON gb.student_id = ga.student_id
        WHERE ga.guardian_id = a.id AND gb.guardian_id = b.id
          AND ga.establishment_id = ${establishmentId} AND gb.establishment_id = ${establishmentId})
      UNION ALL
      SELECT a.id, b.id, 'SAME_EMAIL'
      FROM mem a JOIN mem b ON a.em = b.em AND a.id < b.id
      WHERE a.em <> '' AND a.em_n <= ${MAX_GROUP} AND ${firstNamesMatch}
      UNION ALL
      SELECT a.id, b.id, 'SAME_PHONE'
      FROM mem a JOIN mem b ON a.ph = b.ph AND a.id < b.id
      WHERE length(a.ph) >= 8 AND a.ph_n <= ${MAX_GROUP} AND ${firstNamesMatch}
    ),
    weight (reason, w) AS (VALUES ${weights}),
    pairs AS (
      SELECT f.a_id, f.b_id,
             array_agg(DISTINCT f.reason) AS reasons,
             round((1 - exp(sum(ln(1 - weight.w))))::numeric, 2)::float8 AS score
      FROM (SELECT DISTINCT a_id, b_id, reason FROM found) f
      JOIN weight ON weight.reason = f.reason
      JOIN mem a ON a.id = f.a_id
      JOIN mem b ON b.id = f.b_id
      WHERE (a.birth_date IS NULL OR b.birth_date IS NULL OR a.birth_date = b.birth_date)
        AND a.is_student = b.is_student
        AND NOT EXISTS (
          SELECT 1 FROM guardianship g
          WHERE (g.guardian_id = f.a_id AND g.student_id = f.b_id) OR (g.guardian_id = f.b_id AND g.student_id = f.a_id))
        AND NOT EXISTS (
          SELECT 1 FROM duplicate_dismissal d
          WHERE d.establishment_id = ${establishmentId} AND d.undone_at IS NULL
            AND d.a_id = LEAST(f.a_id, f.b_id) AND d.b_id = GREATEST(f.a_id, f.b_id))
      GROUP BY f.a_id, f.b_id
    )`;
}

/** All SQL of duplicates detection and merges. */
export const duplicates = {
  pairs: async (db: Db, establishmentId: string, limit: number) => {
    const { rows } = await sql<PairRow>`
      ${pairsQuery(establishmentId)}
      SELECT p.*, (count(*) OVER ())::int AS total FROM pairs p
      -- the likeliest first: by score, then by how many reasons agree
      ORDER BY p.score DESC, cardinality(p.reasons) DESC, p.a_id, p.b_id
      LIMIT ${limit}
    `.execute(db);
    return rows;
  },

  reasonsFor: async (db: Db, establishmentId: string, a: string, b: string) => {
    const { rows } = await sql<{ reasons: string[] }>`
      ${pairsQuery(establishmentId, [a, b])}
      SELECT reasons FROM pairs
    `.execute(db);
    return rows[0]?.reasons ?? [];
  },

  /** What the page shows of each person of the pairs: one query for all of them. */
  summaries: async (db: Db, establishmentId: string, ids: string[]) => {
    if (ids.length === 0) return [];
    const { rows } = await sql<DuplicatePersonRow>`
      SELECT u.id, u.login, u.display_name, u.birth_date, u.email, u.status,
             u.external_id IS NOT NULL AS from_feed, u.created_at, u.last_login_at,
             u.password_hash IS NOT NULL AS has_password, u.is_platform_admin,
             EXISTS (SELECT 1 FROM membership mo WHERE mo.user_id = u.id AND mo.establishment_id <> ${establishmentId})
               AS elsewhere,
             (SELECT array_agg(m.profile ORDER BY m.profile) FROM membership m
               WHERE m.user_id = u.id AND m.establishment_id = ${establishmentId}) AS profiles,
             COALESCE((
               SELECT array_agg(DISTINCT c.code ORDER BY c.code)
               FROM class c JOIN school_year sy ON sy.id = c.school_year_id AND sy.status = 'current'
               WHERE c.establishment_id = ${establishmentId} AND c.id IN (
                 SELECT e.class_id FROM enrolment e WHERE e.student_id = u.id
                 UNION SELECT e.class_id FROM enrolment e JOIN guardianship g ON g.student_id = e.student_id
                   WHERE g.guardian_id = u.id AND g.establishment_id = ${establishmentId}
                 UNION SELECT t.class_id FROM teaching_assignment t WHERE t.teacher_id = u.id)
             ), '{}') AS classes
      FROM app_user u
      WHERE u.id = ANY(${ids}::uuid[])
    `.execute(db);
    return rows;
  },

  /** Both accounts, locked in a fixed order (no deadlock between two merges of the same people). */
  lockUsers: (db: Db, ids: string[]) =>
    db.selectFrom('app_user').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute(),

  /** The establishments each of these users is a member of. */
  establishmentsOf: async (db: Db, userId: string) =>
    (
      await db.selectFrom('membership').select('establishment_id').distinct().where('user_id', '=', userId).execute()
    ).map((r) => r.establishment_id),

  /** Which of these people are students in the establishment (the kind of person a merge must keep). */
  studentsAmong: async (db: Db, establishmentId: string, ids: string[]) =>
    new Set(
      (
        await db
          .selectFrom('membership')
          .select('user_id')
          .distinct()
          .where('establishment_id', '=', establishmentId)
          .where('profile', '=', 'student')
          .where('user_id', 'in', ids)
          .execute()
      ).map((r) => r.user_id),
    ),

  insertDismissal: (db: Db, row: { establishmentId: string; a: string; b: string; by: string }) =>
    db
      .insertInto('duplicate_dismissal')
      .values({ establishment_id: row.establishmentId, a_id: row.a, b_id: row.b, dismissed_by: row.by })
      .returningAll()
      .executeTakeFirstOrThrow(),

  liveDismissal: (db: Db, establishmentId: string, a: string, b: string) =>
    db
      .selectFrom('duplicate_dismissal')
      .select('id')
      .where('establishment_id', '=', establishmentId)
      .where('a_id', '=', a)
      .where('b_id', '=', b)
      .where('undone_at', 'is', null)
      .executeTakeFirst(),

  dismissal: (db: Db, establishmentId: string, id: string) =>
    db
      .selectFrom('duplicate_dismissal')
      .selectAll()
      .where('id', '=', id)
      .where('establishment_id', '=', establishmentId)
      .forUpdate()
      .executeTakeFirst(),

  undoDismissal: (db: Db, id: string, by: string) =>
    db
      .updateTable('duplicate_dismissal')
      .set({ undone_at: new Date(), undone_by: by })
      .where('id', '=', id)
      .returning('undone_at')
      .executeTakeFirstOrThrow(),

  dismissals: (db: Db, establishmentId: string, limit: number) =>
    db
      .selectFrom('duplicate_dismissal as d')
      .innerJoin('app_user as a', 'a.id', 'd.a_id')
      .innerJoin('app_user as b', 'b.id', 'd.b_id')
      .select([
        'd.id',
        'd.dismissed_at',
        'd.dismissed_by',
        'd.undone_at',
        'a.id as a_id',
        'a.login as a_login',
        'a.display_name as a_name',
        'b.id as b_id',
        'b.login as b_login',
        'b.display_name as b_name',
      ])
      .where('d.establishment_id', '=', establishmentId)
      .orderBy('d.dismissed_at', 'desc')
      .orderBy('d.id')
      .limit(limit)
      .execute(),

  linked: async (db: Db, a: string, b: string) =>
    !!(await db
      .selectFrom('guardianship')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('guardian_id', '=', a), eb('student_id', '=', b)]),
          eb.and([eb('guardian_id', '=', b), eb('student_id', '=', a)]),
        ]),
      )
      .executeTakeFirst()),

  /** Run one move statement (see MOVES) and return the ids (or keys) of the rows it moved. */
  run: async <T>(db: Db, statement: RawBuilder<T>) => (await statement.execute(db)).rows,

  updateUser: (db: Db, userId: string, set: Record<string, unknown>) =>
    db
      .updateTable('app_user')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', userId)
      .execute(),

  endSessions: async (db: Db, userId: string) =>
    Number((await db.deleteFrom('session').where('user_id', '=', userId).executeTakeFirst()).numDeletedRows),

  insertMerge: (
    db: Db,
    row: {
      establishmentId: string;
      keptId: string;
      mergedId: string;
      reasons: string[];
      journal: object;
      mergedBy: string;
      undoUntil: Date;
    },
  ) =>
    db
      .insertInto('user_merge')
      .values({
        establishment_id: row.establishmentId,
        kept_id: row.keptId,
        merged_id: row.mergedId,
        reasons: row.reasons,
        journal: JSON.stringify(row.journal),
        merged_by: row.mergedBy,
        undo_until: row.undoUntil,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),

  merge: (db: Db, establishmentId: string, mergeId: string, opts: { forUpdate?: boolean } = {}) =>
    db
      .selectFrom('user_merge')
      .selectAll()
      .where('id', '=', mergeId)
      .where('establishment_id', '=', establishmentId)
      .$if(!!opts.forUpdate, (q) => q.forUpdate())
      .executeTakeFirst(),

  markUndone: (db: Db, mergeId: string, by: string) =>
    db
      .updateTable('user_merge')
      .set({ undone_at: new Date(), undone_by: by })
      .where('id', '=', mergeId)
      .returning('undone_at')
      .executeTakeFirstOrThrow(),

  merges: (db: Db, establishmentId: string, limit: number) =>
    db
      .selectFrom('user_merge as m')
      .innerJoin('app_user as k', 'k.id', 'm.kept_id')
      .innerJoin('app_user as d', 'd.id', 'm.merged_id')
      .select([
        'm.id',
        'm.kept_id',
        'm.merged_id',
        'm.reasons',
        'm.journal',
        'm.merged_at',
        'm.merged_by',
        'm.undo_until',
        'm.undone_at',
        'k.login as kept_login',
        'k.display_name as kept_name',
        'd.login as merged_login',
        'd.display_name as merged_name',
      ])
      .where('m.establishment_id', '=', establishmentId)
      .orderBy('m.merged_at', 'desc')
      .orderBy('m.id')
      .limit(limit)
      .execute(),

  insertRows: (db: Db, table: string, rows: Record<string, unknown>[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO ${sql.table(table)} SELECT * FROM json_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows)}::json)`.execute(
          db,
        ),
};

/**
 * The rows a merge moves from one account to the other, table by table: `column` holds the person, `same`
 * says when the kept account already has the equivalent row (then the merged one is dropped, not moved).
 * Only rows of the establishment move.
 */
export const MOVES = [
  { key: 'membership.user_id', table: 'membership', column: 'user_id', same: sql`k.profile = t.profile` },
  {
    key: 'enrolment.student_id',
    table: 'enrolment',
    column: 'student_id',
    same: sql`((t.class_id IS NOT NULL AND k.class_id = t.class_id) OR (t.group_id IS NOT NULL AND k.group_id = t.group_id))`,
  },
  {
    key: 'guardianship.guardian_id',
    table: 'guardianship',
    column: 'guardian_id',
    same: sql`k.student_id = t.student_id`,
  },
  {
    key: 'guardianship.student_id',
    table: 'guardianship',
    column: 'student_id',
    same: sql`k.guardian_id = t.guardian_id`,
  },
  {
    key: 'teaching_assignment.teacher_id',
    table: 'teaching_assignment',
    column: 'teacher_id',
    same: sql`COALESCE(k.class_id, k.group_id) = COALESCE(t.class_id, t.group_id) AND k.subject_code = t.subject_code`,
  },
  { key: 'head_teacher.teacher_id', table: 'head_teacher', column: 'teacher_id', same: sql`k.class_id = t.class_id` },
  {
    key: 'charter_acceptance.user_id',
    table: 'charter_acceptance',
    column: 'user_id',
    same: sql`k.charter_id = t.charter_id`,
  },
] as const;

export type Move = (typeof MOVES)[number];

/** charter_acceptance has no id: its rows are named by (charter, establishment). */
const rowKey = (m: Move) =>
  m.table === 'charter_acceptance'
    ? sql<string>`t.charter_id::text || '/' || t.establishment_id::text`
    : sql<string>`t.id::text`;

export const moves = {
  /** Move the rows the kept account has no equivalent of; returns their keys. */
  move: async (db: Db, m: Move, establishmentId: string, from: string, to: string) => {
    const { rows } = await sql<{ key: string }>`
      UPDATE ${sql.table(m.table)} t SET ${sql.ref(m.column)} = ${to}
      WHERE t.${sql.ref(m.column)} = ${from} AND t.establishment_id = ${establishmentId}
        AND NOT EXISTS (
          SELECT 1 FROM ${sql.table(m.table)} k
          WHERE k.${sql.ref(m.column)} = ${to} AND k.establishment_id = t.establishment_id AND ${m.same})
      RETURNING ${rowKey(m)} AS key
    `.execute(db);
    return rows.map((r) => r.key);
  },

  /** Delete what is left (the kept account already has the same) and return the whole rows, to restore them. */
  drop: async (db: Db, m: Move, establishmentId: string, from: string) => {
    const { rows } = await sql<{ row: Record<string, unknown> }>`
      DELETE FROM ${sql.table(m.table)} t
      WHERE t.${sql.ref(m.column)} = ${from} AND t.establishment_id = ${establishmentId}
      RETURNING to_jsonb(t.*) AS row
    `.execute(db);
    return rows.map((r) => r.row);
  },

  /** Give moved rows back to the merged account; returns how many were still there. */
  moveBack: async (db: Db, m: Move, keys: string[], kept: string, merged: string) => {
    if (keys.length === 0) return 0;
    const { rows } = await sql<{ key: string }>`
      UPDATE ${sql.table(m.table)} t SET ${sql.ref(m.column)} = ${merged}
      WHERE t.${sql.ref(m.column)} = ${kept} AND ${
        m.table === 'charter_acceptance' ? sql`${rowKey(m)} = ANY(${keys}::text[])` : sql`t.id = ANY(${keys}::uuid[])`
      }
      RETURNING ${rowKey(m)} AS key
    `.execute(db);
    return rows.length;
  },

  /** The kept account's memberships that the merged one duplicates (same profile here), with both functions. */
  membershipConflicts: (db: Db, establishmentId: string, from: string, to: string) =>
    db
      .selectFrom('membership as k')
      .innerJoin('membership as t', (j) =>
        j.onRef('t.profile', '=', 'k.profile').onRef('t.establishment_id', '=', 'k.establishment_id'),
      )
      .select(['k.id', 'k.functions as kept', 't.functions as merged'])
      .where('t.user_id', '=', from)
      .where('k.user_id', '=', to)
      .where('k.establishment_id', '=', establishmentId)
      .execute(),

  /** The kept account's guardian links that the merged one duplicates, with both levels. */
  guardianshipConflicts: (
    db: Db,
    establishmentId: string,
    column: 'guardian_id' | 'student_id',
    from: string,
    to: string,
  ) => {
    const other = column === 'guardian_id' ? 'student_id' : 'guardian_id';
    return db
      .selectFrom('guardianship as k')
      .innerJoin('guardianship as t', (j) =>
        j.onRef(`t.${other}`, '=', `k.${other}`).onRef('t.establishment_id', '=', 'k.establishment_id'),
      )
      .select(['k.id', 'k.level as kept', 't.level as merged'])
      .where(`t.${column}`, '=', from)
      .where(`k.${column}`, '=', to)
      .where('k.establishment_id', '=', establishmentId)
      .execute();
  },

  setColumn: (db: Db, table: 'membership' | 'guardianship', id: string, column: string, value: unknown) =>
    sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${value} WHERE id = ${id}`.execute(db),
};
