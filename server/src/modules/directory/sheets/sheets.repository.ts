import { sql } from 'kysely';
import type { Db, UserStatusValue } from '../../../platform/db/schema.ts';
import type { RequestContext } from '../../../platform/http/context.ts';

export type SheetProfile = 'student' | 'guardian' | 'teacher' | 'staff';

export interface RecipientRow {
  id: string;
  login: string;
  display_name: string;
  status: UserStatusValue;
  /** The person's profiles in the establishment (the password rules depend on them). */
  profiles: string[];
  /** Current classes: a student's, a teacher's; for a guardian, their children's. */
  classes: string[];
  /** Guardians: their children in the establishment, `MARTIN Hugo (2NDE1)`. */
  children: string[];
  total: number;
}

/**
 * Who gets a sheet: the members with the profile (in the class when one is given — for guardians, the
 * guardians of the class's students; for teachers, those who teach it), awaiting activation or active
 * (blocked and detached accounts get none). One query, their classes and children included.
 */
const recipientsQuery = (
  establishmentId: string,
  profile: SheetProfile,
  classId: string | null,
  onlyPending: boolean,
  limit: number,
) => {
  const inClass = !classId
    ? sql`TRUE`
    : profile === 'student'
      ? sql`EXISTS (SELECT 1 FROM enrolment e WHERE e.student_id = u.id AND e.class_id = ${classId})`
      : profile === 'guardian'
        ? sql`EXISTS (SELECT 1 FROM guardianship g JOIN enrolment e ON e.student_id = g.student_id
                      WHERE g.guardian_id = u.id AND g.establishment_id = ${establishmentId} AND e.class_id = ${classId})`
        : sql`EXISTS (SELECT 1 FROM teaching_assignment t WHERE t.teacher_id = u.id AND t.class_id = ${classId})`;
  return sql<RecipientRow>`
    WITH cur_class AS (
      SELECT c.id, c.code FROM class c JOIN school_year sy ON sy.id = c.school_year_id AND sy.status = 'current'
      WHERE c.establishment_id = ${establishmentId}
    ),
    chosen AS (
      SELECT u.id, u.login, u.display_name, u.status
      FROM app_user u
      WHERE u.id IN (SELECT m.user_id FROM membership m WHERE m.establishment_id = ${establishmentId} AND m.profile = ${profile})
        AND u.status IN ('pending_activation', 'active')
        ${onlyPending ? sql`AND u.status = 'pending_activation'` : sql``}
        AND ${inClass}
    )
    SELECT ch.*,
      (SELECT array_agg(m.profile ORDER BY m.profile) FROM membership m
        WHERE m.user_id = ch.id AND m.establishment_id = ${establishmentId}) AS profiles,
      COALESCE((
        SELECT array_agg(DISTINCT cc.code ORDER BY cc.code) FROM cur_class cc
        WHERE cc.id IN (SELECT e.class_id FROM enrolment e WHERE e.student_id = ch.id
                        UNION SELECT t.class_id FROM teaching_assignment t WHERE t.teacher_id = ch.id)
      ), '{}') AS classes,
      COALESCE((
        SELECT array_agg(s.display_name || COALESCE(' (' || (
                 SELECT string_agg(cc.code, ', ' ORDER BY cc.code) FROM enrolment e JOIN cur_class cc ON cc.id = e.class_id
                 WHERE e.student_id = s.id) || ')', '') ORDER BY s.display_name)
        FROM guardianship g JOIN app_user s ON s.id = g.student_id
        WHERE g.guardian_id = ch.id AND g.establishment_id = ${establishmentId} AND s.status <> 'detached'
      ), '{}') AS children,
      (count(*) OVER ())::int AS total
    FROM chosen ch
    ORDER BY ch.display_name, ch.login
    LIMIT ${limit}`;
};

/** All SQL of the login sheets. */
export const sheets = {
  establishment: (db: Db, id: string) =>
    db.selectFrom('establishment').select(['id', 'name', 'uai']).where('id', '=', id).executeTakeFirstOrThrow(),

  /** A class of the current school year by its code (case-insensitive). */
  currentClassByCode: (db: Db, establishmentId: string, code: string) =>
    db
      .selectFrom('class as c')
      .innerJoin('school_year as sy', 'sy.id', 'c.school_year_id')
      .select(['c.id', 'c.code', 'c.label'])
      .where('c.establishment_id', '=', establishmentId)
      .where('sy.status', '=', 'current')
      .where(sql<string>`upper(c.code)`, '=', code.toUpperCase())
      .executeTakeFirst(),

  recipients: async (
    db: Db,
    establishmentId: string,
    profile: SheetProfile,
    classId: string | null,
    onlyPending: boolean,
    limit: number,
  ) => (await recipientsQuery(establishmentId, profile, classId, onlyPending, limit).execute(db)).rows,

  /**
   * New activation codes for accounts still awaiting activation, in one statement; returns the ids really
   * changed (an account activated meanwhile keeps its password and gets no code).
   */
  setCodes: async (db: Db, codes: { id: string; hash: string }[], expiresAt: Date) => {
    if (codes.length === 0) return new Set<string>();
    const { rows } = await sql<{ id: string }>`
      UPDATE app_user u
      SET activation_code_hash = v.hash, activation_expires_at = ${expiresAt}, updated_at = now()
      FROM (SELECT unnest(${codes.map((c) => c.id)}::uuid[]) AS id, unnest(${codes.map((c) => c.hash)}::text[]) AS hash) v
      WHERE u.id = v.id AND u.status = 'pending_activation'
      RETURNING u.id
    `.execute(db);
    return new Set(rows.map((r) => r.id));
  },

  /** One audit event per account given a new code (the same shape `audit()` writes), in one statement. */
  auditCodes: async (
    db: Db,
    ctx: Pick<RequestContext, 'user' | 'ip'>,
    establishmentId: string,
    userIds: string[],
    details: Record<string, unknown>,
  ) => {
    if (userIds.length === 0) return;
    await sql`
      INSERT INTO audit_event (actor_id, establishment_id, action, target_type, target_id, details, address)
      SELECT ${ctx.user?.id ?? null}::uuid, ${establishmentId}::uuid, 'directory.user.activation_code', 'user', t.id,
             ${JSON.stringify(details)}::jsonb, ${ctx.ip || null}
      FROM unnest(${userIds}::text[]) AS t(id)
    `.execute(db);
  },
};
