import { type RawBuilder, sql } from 'kysely';
import type { Db, UserStatusValue } from '../../../platform/db/schema.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
import { memberElsewhere, suspendedIn } from '../directory.repository.ts';

export type SheetProfile = 'student' | 'guardian' | 'teacher' | 'staff';

/** Who the sheets are for: a profile (in a class), or one person. */
export type SheetSelection =
  | { profile: SheetProfile; classId: string | null; onlyPending: boolean }
  | { userId: string };

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
  /** Also a member of another establishment: their activation code is not this school's to hand out. */
  elsewhere: boolean;
  /** Their current activation code still works (a sheet printed with it would stop working). */
  live_code: boolean;
  total: number;
}

/**
 * Who gets a sheet: the members with the profile (in the class when one is given — for guardians, the
 * guardians of the class's students; for teachers, those who teach it), or one member; awaiting activation or
 * active, and not suspended in the establishment (blocked, suspended and detached accounts get none). One
 * query, their classes and children included.
 */
const recipientsQuery = (establishmentId: string, selection: SheetSelection, limit: number) => {
  let chosen: RawBuilder<unknown>;
  if ('userId' in selection) {
    chosen = sql`u.id = ${selection.userId}
      AND u.id IN (SELECT m.user_id FROM membership m WHERE m.establishment_id = ${establishmentId})`;
  } else {
    const { profile, classId, onlyPending } = selection;
    const inClass = !classId
      ? sql`TRUE`
      : profile === 'student'
        ? sql`EXISTS (SELECT 1 FROM enrolment e WHERE e.student_id = u.id AND e.class_id = ${classId})`
        : profile === 'guardian'
          ? sql`EXISTS (SELECT 1 FROM guardianship g JOIN enrolment e ON e.student_id = g.student_id
                        WHERE g.guardian_id = u.id AND g.establishment_id = ${establishmentId} AND e.class_id = ${classId})`
          : sql`EXISTS (SELECT 1 FROM teaching_assignment t WHERE t.teacher_id = u.id AND t.class_id = ${classId})`;
    chosen = sql`u.id IN (SELECT m.user_id FROM membership m WHERE m.establishment_id = ${establishmentId} AND m.profile = ${profile})
      ${onlyPending ? sql`AND u.status = 'pending_activation'` : sql``}
      AND ${inClass}`;
  }
  return sql<RecipientRow>`
    WITH cur_class AS (
      SELECT c.id, c.code FROM class c JOIN school_year sy ON sy.id = c.school_year_id AND sy.status = 'current'
      WHERE c.establishment_id = ${establishmentId}
    ),
    chosen AS (
      SELECT u.id, u.login, u.display_name, u.status,
             ${memberElsewhere(establishmentId)} AS elsewhere,
             (u.activation_code_hash IS NOT NULL AND u.activation_expires_at > now()) AS live_code
      FROM app_user u
      WHERE ${chosen}
        AND u.status IN ('pending_activation', 'active')
        AND NOT ${suspendedIn(establishmentId)}
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

  /** A member of the establishment (undefined otherwise). */
  person: (db: Db, establishmentId: string, userId: string) =>
    db
      .selectFrom('app_user as u')
      .select(['u.id', 'u.status', 'u.is_platform_admin'])
      .where('u.id', '=', userId)
      .where('u.id', 'in', (eb) =>
        eb.selectFrom('membership').select('user_id').where('establishment_id', '=', establishmentId),
      )
      .executeTakeFirst(),

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

  recipients: async (db: Db, establishmentId: string, selection: SheetSelection, limit: number) =>
    (await recipientsQuery(establishmentId, selection, limit).execute(db)).rows,

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
