/**
 * All SQL of the directory import. Writes are set-based: one statement per table and kind of change, the
 * rows passed as parallel arrays and expanded with `unnest` (no per-row round trip, no parameter limit).
 * No decisions here.
 */
import type { ImportCounts, ImportReport } from '@preau/contracts';
import { type Kysely, sql } from 'kysely';
import type { Database, Db, ImportJobStatus } from '../../../platform/db/schema.ts';

/** One import writes at a time (logins are allocated against the whole table). */
const IMPORT_LOCK = 0x70726561; // "prea"

export interface EstablishmentRow {
  id: string;
  external_id: string | null;
  uai: string;
  name: string;
  type: string;
  city: string | null;
}

export interface ExistingUser {
  id: string;
  external_id: string;
  status: string;
  is_platform_admin: boolean;
  merged_into: string | null;
  memberships: { e: string; p: string }[];
}

/** A person a CSV row may be (see `membersForMatching`). */
export interface MatchCandidateRow {
  id: string;
  external_id: string | null;
  first_name: string;
  last_name: string;
  birth_date: string | null;
  ine: string | null;
  email: string | null;
  phone_mobile: string | null;
  status: string;
  is_platform_admin: boolean;
  merged_into: string | null;
  profiles: string[];
  classes: string[];
  guardians: { last: string; first: string }[];
  children: string[];
  memberships: { e: string; p: string }[];
}

export interface UserRow {
  id: string;
  external_id: string | null;
  login: string;
  first_name: string;
  last_name: string;
  display_name: string;
  birth_date: string | null;
  email: string | null;
  title: string | null;
  ine: string | null;
  phone_home: string | null;
  phone_work: string | null;
  phone_mobile: string | null;
  address: unknown;
  consents: Record<string, string>;
  status: string;
  has_password: boolean;
  detached_at: Date | null;
  merged_into: string | null;
  is_platform_admin: boolean;
}

export interface NewUserRow {
  id: string;
  external_id: string;
  login: string;
  first_name: string;
  last_name: string;
  display_name: string;
  birth_date: string | null;
  email: string | null;
  title: string | null;
  ine: string | null;
  phone_home: string | null;
  phone_work: string | null;
  phone_mobile: string | null;
  address: string | null;
  consents: string;
  activation_code_hash: string;
}

export type UserUpdateRow = Omit<NewUserRow, 'login' | 'activation_code_hash' | 'external_id'> & {
  status: string;
  detached: boolean;
};

const col = <T, K extends keyof T>(rows: T[], k: K) => rows.map((r) => r[k]);

export const imports = {
  lock: (db: Db) => sql`SELECT pg_advisory_xact_lock(${IMPORT_LOCK})`.execute(db),

  // ---- nomenclatures ----
  subjects: (db: Db) => db.selectFrom('subject').select(['code', 'label']).execute(),
  mefs: (db: Db, codes: string[]) =>
    codes.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('mef')
          .select(['code', 'label', 'level'])
          .where(sql<boolean>`code = ANY(${codes}::text[])`)
          .execute(),
  insertSubjects: (db: Db, rows: { code: string; label: string }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO subject (code, label)
            SELECT * FROM unnest(${col(rows, 'code')}::text[], ${col(rows, 'label')}::text[])
            ON CONFLICT (code) DO NOTHING`.execute(db),
  updateSubjects: (db: Db, rows: { code: string; label: string }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE subject s SET label = v.label
            FROM unnest(${col(rows, 'code')}::text[], ${col(rows, 'label')}::text[]) AS v(code, label)
            WHERE s.code = v.code`.execute(db),
  upsertMefs: (db: Db, rows: { code: string; label: string; level: string | null }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO mef (code, label, level)
            SELECT * FROM unnest(${col(rows, 'code')}::text[], ${col(rows, 'label')}::text[], ${col(rows, 'level')}::text[])
            ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, level = EXCLUDED.level
            WHERE (mef.label, mef.level) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.level)`.execute(db),

  // ---- establishments ----
  establishments: (db: Db, keys: string[], uais: string[]) =>
    keys.length === 0 && uais.length === 0
      ? Promise.resolve([] as EstablishmentRow[])
      : db
          .selectFrom('establishment')
          .select(['id', 'external_id', 'uai', 'name', 'type', 'city'])
          .where(sql<boolean>`external_id = ANY(${keys}::text[]) OR uai = ANY(${uais}::text[])`)
          .execute(),
  establishmentsByIds: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve([] as EstablishmentRow[])
      : db
          .selectFrom('establishment')
          .select(['id', 'external_id', 'uai', 'name', 'type', 'city'])
          .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
          .execute(),
  /** The CLI's `--establishment`: a UAI or an id. */
  establishmentByUaiOrId: (db: Db, ref: string) =>
    /^[0-9a-f-]{36}$/i.test(ref)
      ? db.selectFrom('establishment').select('id').where('id', '=', ref).executeTakeFirst()
      : db.selectFrom('establishment').select('id').where('uai', '=', ref.toUpperCase()).executeTakeFirst(),
  uaiTaken: async (db: Db, uai: string, exceptId: string | null) =>
    !!(await db
      .selectFrom('establishment')
      .select('id')
      .where('uai', '=', uai)
      .$if(!!exceptId, (q) => q.where('id', '<>', exceptId!))
      .executeTakeFirst()),
  academyByCode: (db: Db, code: string) =>
    db.selectFrom('academy').select('id').where(sql`upper(code)`, '=', code.toUpperCase()).executeTakeFirst(),
  onlyAcademy: async (db: Db) => {
    const rows = await db.selectFrom('academy').select('id').limit(2).execute();
    return rows.length === 1 ? rows[0]! : undefined;
  },
  insertAcademy: (db: Db, code: string, name: string) =>
    db
      .insertInto('academy')
      .values({ code, name })
      .onConflict((oc) => oc.column('code').doUpdateSet({ code }))
      .returning('id')
      .executeTakeFirstOrThrow(),
  slugsLike: async (db: Db, prefix: string) =>
    (
      await db
        .selectFrom('establishment')
        .select('slug')
        .where('slug', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)
        .execute()
    ).map((r) => r.slug),
  insertEstablishment: (
    db: Db,
    row: {
      academy_id: string;
      uai: string;
      type: string;
      name: string;
      city: string | null;
      slug: string;
      external_id: string;
    },
  ) =>
    db
      .insertInto('establishment')
      .values({ ...row, settings: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow(),
  updateEstablishment: (
    db: Db,
    id: string,
    set: Partial<{ uai: string; type: string; name: string; city: string | null; external_id: string }>,
  ) =>
    db
      .updateTable('establishment')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', id)
      .execute(),
  currentSchoolYear: (db: Db, establishmentId: string) =>
    db
      .selectFrom('school_year')
      .select(['id', 'label'])
      .where('establishment_id', '=', establishmentId)
      .where('status', '=', 'current')
      .executeTakeFirst(),
  insertCurrentSchoolYear: (
    db: Db,
    establishmentId: string,
    year: { label: string; startsOn: string; endsOn: string },
  ) =>
    db
      .insertInto('school_year')
      .values({
        establishment_id: establishmentId,
        label: year.label,
        starts_on: year.startsOn,
        ends_on: year.endsOn,
        status: 'current',
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst(),

  // ---- classes and groups of a school year ----
  classes: (db: Db, establishmentId: string, yearId: string) =>
    db
      .selectFrom('class')
      .select(['id', 'code', 'label', 'mef_code'])
      .where('establishment_id', '=', establishmentId)
      .where('school_year_id', '=', yearId)
      .execute(),
  groups: (db: Db, establishmentId: string, yearId: string) =>
    db
      .selectFrom('teaching_group')
      .select(['id', 'code', 'label'])
      .where('establishment_id', '=', establishmentId)
      .where('school_year_id', '=', yearId)
      .execute(),
  insertClasses: (
    db: Db,
    establishmentId: string,
    yearId: string,
    rows: { id: string; code: string; label: string; mef_code: string | null }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO class (id, establishment_id, school_year_id, code, label, mef_code)
            SELECT v.id, ${establishmentId}::uuid, ${yearId}::uuid, v.code, v.label, v.mef_code
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'code')}::text[], ${col(rows, 'label')}::text[],
                        ${col(rows, 'mef_code')}::text[]) AS v(id, code, label, mef_code)`.execute(db),
  updateClasses: (db: Db, rows: { id: string; label: string; mef_code: string | null }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE class c SET label = v.label, mef_code = v.mef_code
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'label')}::text[], ${col(rows, 'mef_code')}::text[])
              AS v(id, label, mef_code)
            WHERE c.id = v.id`.execute(db),
  insertGroups: (
    db: Db,
    establishmentId: string,
    yearId: string,
    rows: { id: string; code: string; label: string }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO teaching_group (id, establishment_id, school_year_id, code, label)
            SELECT v.id, ${establishmentId}::uuid, ${yearId}::uuid, v.code, v.label
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'code')}::text[], ${col(rows, 'label')}::text[])
              AS v(id, code, label)`.execute(db),
  updateGroups: (db: Db, rows: { id: string; label: string }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE teaching_group g SET label = v.label
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'label')}::text[]) AS v(id, label)
            WHERE g.id = v.id`.execute(db),

  // ---- accounts ----
  /** Accounts known by these join keys, with every membership (establishment, profile). */
  existingUsers: async (db: Db, keys: string[]): Promise<ExistingUser[]> => {
    if (keys.length === 0) return [];
    const res = await sql<ExistingUser>`
      SELECT u.id, u.external_id, u.status, u.is_platform_admin, u.merged_into,
             COALESCE((SELECT json_agg(json_build_object('e', m.establishment_id, 'p', m.profile))
                       FROM membership m WHERE m.user_id = u.id), '[]'::json) AS memberships
      FROM app_user u WHERE u.external_id = ANY(${keys}::text[])`.execute(db);
    return res.rows;
  },
  /** Accounts by id (the accounts merged ones point to), with every membership. */
  accountsByIds: async (
    db: Db,
    ids: string[],
  ): Promise<
    { id: string; is_platform_admin: boolean; merged_into: string | null; memberships: { e: string; p: string }[] }[]
  > => {
    if (ids.length === 0) return [];
    const res = await sql<{
      id: string;
      is_platform_admin: boolean;
      merged_into: string | null;
      memberships: { e: string; p: string }[];
    }>`
      SELECT u.id, u.is_platform_admin, u.merged_into,
             COALESCE((SELECT json_agg(json_build_object('e', m.establishment_id, 'p', m.profile))
                       FROM membership m WHERE m.user_id = u.id), '[]'::json) AS memberships
      FROM app_user u WHERE u.id = ANY(${ids}::uuid[])`.execute(db);
    return res.rows;
  },
  /**
   * Full rows of accounts, by join keys or by ids. Not locked: imports are serialised by their advisory lock,
   * and the writes never depend on the columns other writers change (login, password, status but detached).
   */
  users: async (db: Db, by: { keys: string[] } | { ids: string[] }): Promise<UserRow[]> => {
    const list = 'keys' in by ? by.keys : by.ids;
    if (list.length === 0) return [];
    const where = 'keys' in by ? sql`u.external_id = ANY(${by.keys}::text[])` : sql`u.id = ANY(${by.ids}::uuid[])`;
    const res = await sql<UserRow>`
      SELECT u.id, u.external_id, u.login, u.first_name, u.last_name, u.display_name, u.birth_date, u.email,
             u.title, u.ine, u.phone_home, u.phone_work, u.phone_mobile, u.address, u.consents, u.status,
             u.password_hash IS NOT NULL AS has_password, u.detached_at, u.merged_into, u.is_platform_admin
      FROM app_user u WHERE ${where}`.execute(db);
    return res.rows;
  },
  /** Logins already taken that could collide with these `prenom.nom` bases (any numeric suffix). */
  takenLogins: async (db: Db, bases: string[]) => {
    if (bases.length === 0) return [];
    const stripped = [...new Set(bases.map((b) => b.toLowerCase().replace(/[0-9]+$/, '')))];
    const res = await sql<{ login: string }>`
      SELECT lower(login) AS login FROM app_user
      WHERE regexp_replace(lower(login), '[0-9]+$', '') = ANY(${stripped}::text[])`.execute(db);
    return res.rows.map((r) => r.login);
  },
  insertUsers: (db: Db, rows: NewUserRow[], activationExpiresAt: Date) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO app_user (id, external_id, login, first_name, last_name, display_name, birth_date, email, title,
                                  ine, phone_home, phone_work, phone_mobile, address, consents, status,
                                  activation_code_hash, activation_expires_at)
            SELECT v.id, v.external_id, v.login, v.first_name, v.last_name, v.display_name, v.birth_date, v.email,
                   v.title, v.ine, v.phone_home, v.phone_work, v.phone_mobile, v.address::jsonb, v.consents::jsonb,
                   'pending_activation', v.activation_code_hash, ${activationExpiresAt}::timestamptz
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'external_id')}::text[], ${col(rows, 'login')}::text[],
                        ${col(rows, 'first_name')}::text[], ${col(rows, 'last_name')}::text[],
                        ${col(rows, 'display_name')}::text[], ${col(rows, 'birth_date')}::date[],
                        ${col(rows, 'email')}::text[], ${col(rows, 'title')}::text[], ${col(rows, 'ine')}::text[],
                        ${col(rows, 'phone_home')}::text[], ${col(rows, 'phone_work')}::text[],
                        ${col(rows, 'phone_mobile')}::text[], ${col(rows, 'address')}::text[],
                        ${col(rows, 'consents')}::text[], ${col(rows, 'activation_code_hash')}::text[])
              AS v(id, external_id, login, first_name, last_name, display_name, birth_date, email, title, ine,
                   phone_home, phone_work, phone_mobile, address, consents, activation_code_hash)`.execute(db),
  updateUsers: (db: Db, rows: UserUpdateRow[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE app_user u SET first_name = v.first_name, last_name = v.last_name, display_name = v.display_name,
                   birth_date = v.birth_date, email = v.email, title = v.title, ine = v.ine,
                   phone_home = v.phone_home, phone_work = v.phone_work, phone_mobile = v.phone_mobile,
                   address = v.address::jsonb, consents = v.consents::jsonb,
                   -- only a detached account changes status here (re-attached): never undo an activation or a block
                   status = CASE WHEN u.status = 'detached' AND NOT v.detached AND u.merged_into IS NULL
                                 THEN (CASE WHEN u.password_hash IS NULL THEN 'pending_activation' ELSE 'active' END)
                                 ELSE u.status END,
                   detached_at = CASE WHEN u.status = 'detached' AND NOT v.detached AND u.merged_into IS NULL
                                      THEN NULL ELSE u.detached_at END,
                   updated_at = now()
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'first_name')}::text[], ${col(rows, 'last_name')}::text[],
                        ${col(rows, 'display_name')}::text[], ${col(rows, 'birth_date')}::date[],
                        ${col(rows, 'email')}::text[], ${col(rows, 'title')}::text[], ${col(rows, 'ine')}::text[],
                        ${col(rows, 'phone_home')}::text[], ${col(rows, 'phone_work')}::text[],
                        ${col(rows, 'phone_mobile')}::text[], ${col(rows, 'address')}::text[],
                        ${col(rows, 'consents')}::text[], ${col(rows, 'status')}::text[], ${col(rows, 'detached')}::boolean[])
              AS v(id, first_name, last_name, display_name, birth_date, email, title, ine, phone_home, phone_work,
                   phone_mobile, address, consents, status, detached)
            WHERE u.id = v.id`.execute(db),
  /** Detach accounts: disabled and out of every session; kept (with their memberships) for the retention time. */
  detachUsers: async (db: Db, ids: string[]) => {
    if (ids.length === 0) return;
    await sql`UPDATE app_user SET status = 'detached', detached_at = now(), updated_at = now()
              WHERE id = ANY(${ids}::uuid[]) AND status <> 'detached'`.execute(db);
    await sql`DELETE FROM session WHERE user_id = ANY(${ids}::uuid[])`.execute(db);
  },

  // ---- memberships ----
  memberships: (db: Db, establishmentId: string, userIds: string[]) =>
    userIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('membership')
          .select(['id', 'user_id', 'profile', 'functions', 'position'])
          .where('establishment_id', '=', establishmentId)
          .where(sql<boolean>`user_id = ANY(${userIds}::uuid[])`)
          .execute(),
  insertMemberships: (
    db: Db,
    establishmentId: string,
    rows: { user_id: string; profile: string; functions: string; position: string | null }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO membership (establishment_id, user_id, profile, functions, position)
            SELECT ${establishmentId}::uuid, v.user_id, v.profile, v.functions::text[], v.position
            FROM unnest(${col(rows, 'user_id')}::uuid[], ${col(rows, 'profile')}::text[], ${col(rows, 'functions')}::text[],
                        ${col(rows, 'position')}::text[])
              AS v(user_id, profile, functions, position)
            ON CONFLICT (user_id, establishment_id, profile) DO NOTHING`.execute(db),
  updateMemberships: (db: Db, rows: { id: string; functions: string; position: string | null }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE membership m SET functions = v.functions::text[], position = v.position
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'functions')}::text[], ${col(rows, 'position')}::text[])
              AS v(id, functions, position)
            WHERE m.id = v.id`.execute(db),
  deleteMemberships: (db: Db, ids: string[]) =>
    ids.length === 0 ? Promise.resolve() : sql`DELETE FROM membership WHERE id = ANY(${ids}::uuid[])`.execute(db),

  /**
   * Imported members (with a join key) of an establishment with one of these profiles: those the import does
   * not mention are candidates for detachment. With every membership they hold anywhere.
   */
  importedMembers: async (db: Db, establishmentId: string, profiles: string[]) => {
    const res = await sql<{
      id: string;
      external_id: string;
      status: string;
      memberships: { id: string; e: string; p: string }[];
    }>`
      SELECT u.id, u.external_id, u.status,
             (SELECT json_agg(json_build_object('id', m2.id, 'e', m2.establishment_id, 'p', m2.profile))
              FROM membership m2 WHERE m2.user_id = u.id) AS memberships
      FROM app_user u
      WHERE u.external_id IS NOT NULL AND NOT u.is_platform_admin
        AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.establishment_id = ${establishmentId}
                    AND m.profile = ANY(${profiles}::text[]))`.execute(db);
    return res.rows;
  },

  // ---- enrolments ----
  enrolments: (db: Db, establishmentId: string, yearId: string, studentIds: string[]) =>
    studentIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('enrolment')
          .select(['id', 'student_id', 'class_id', 'group_id'])
          .where('establishment_id', '=', establishmentId)
          .where('school_year_id', '=', yearId)
          .where(sql<boolean>`student_id = ANY(${studentIds}::uuid[])`)
          .execute(),
  insertEnrolments: (
    db: Db,
    establishmentId: string,
    yearId: string,
    rows: { student_id: string; class_id: string | null; group_id: string | null }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO enrolment (establishment_id, school_year_id, student_id, class_id, group_id)
            SELECT ${establishmentId}::uuid, ${yearId}::uuid, v.student_id, v.class_id, v.group_id
            FROM unnest(${col(rows, 'student_id')}::uuid[], ${col(rows, 'class_id')}::uuid[], ${col(rows, 'group_id')}::uuid[])
              AS v(student_id, class_id, group_id)
            ON CONFLICT DO NOTHING`.execute(db),
  deleteEnrolments: (db: Db, ids: string[]) =>
    ids.length === 0 ? Promise.resolve() : sql`DELETE FROM enrolment WHERE id = ANY(${ids}::uuid[])`.execute(db),

  // ---- guardianships ----
  guardianships: (db: Db, establishmentId: string, userIds: string[]) =>
    userIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('guardianship')
          .select(['id', 'guardian_id', 'student_id', 'level', 'relation'])
          .where('establishment_id', '=', establishmentId)
          .where(sql<boolean>`(guardian_id = ANY(${userIds}::uuid[]) OR student_id = ANY(${userIds}::uuid[]))`)
          .execute(),
  insertGuardianships: (
    db: Db,
    establishmentId: string,
    rows: { guardian_id: string; student_id: string; level: string; relation: string | null }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO guardianship (establishment_id, guardian_id, student_id, level, relation)
            SELECT ${establishmentId}::uuid, v.guardian_id, v.student_id, v.level, v.relation
            FROM unnest(${col(rows, 'guardian_id')}::uuid[], ${col(rows, 'student_id')}::uuid[],
                        ${col(rows, 'level')}::text[], ${col(rows, 'relation')}::text[])
              AS v(guardian_id, student_id, level, relation)
            ON CONFLICT (establishment_id, guardian_id, student_id) DO NOTHING`.execute(db),
  updateGuardianships: (db: Db, rows: { id: string; level: string; relation: string | null }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE guardianship g SET level = v.level, relation = v.relation
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'level')}::text[], ${col(rows, 'relation')}::text[])
              AS v(id, level, relation)
            WHERE g.id = v.id`.execute(db),
  deleteGuardianships: (db: Db, ids: string[]) =>
    ids.length === 0 ? Promise.resolve() : sql`DELETE FROM guardianship WHERE id = ANY(${ids}::uuid[])`.execute(db),

  // ---- teaching assignments and head teachers ----
  assignments: (db: Db, establishmentId: string, yearId: string, teacherIds: string[]) =>
    teacherIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('teaching_assignment')
          .select(['id', 'teacher_id', 'class_id', 'group_id', 'subject_code'])
          .where('establishment_id', '=', establishmentId)
          .where('school_year_id', '=', yearId)
          .where(sql<boolean>`teacher_id = ANY(${teacherIds}::uuid[])`)
          .execute(),
  insertAssignments: (
    db: Db,
    establishmentId: string,
    yearId: string,
    rows: { teacher_id: string; class_id: string | null; group_id: string | null; subject_code: string }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO teaching_assignment (establishment_id, school_year_id, teacher_id, class_id, group_id, subject_code)
            SELECT ${establishmentId}::uuid, ${yearId}::uuid, v.teacher_id, v.class_id, v.group_id, v.subject_code
            FROM unnest(${col(rows, 'teacher_id')}::uuid[], ${col(rows, 'class_id')}::uuid[],
                        ${col(rows, 'group_id')}::uuid[], ${col(rows, 'subject_code')}::text[])
              AS v(teacher_id, class_id, group_id, subject_code)
            ON CONFLICT DO NOTHING`.execute(db),
  deleteAssignments: (db: Db, ids: string[]) =>
    ids.length === 0
      ? Promise.resolve()
      : sql`DELETE FROM teaching_assignment WHERE id = ANY(${ids}::uuid[])`.execute(db),
  headTeachers: (db: Db, establishmentId: string, yearId: string, teacherIds: string[]) =>
    teacherIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('head_teacher')
          .select(['id', 'teacher_id', 'class_id'])
          .where('establishment_id', '=', establishmentId)
          .where('school_year_id', '=', yearId)
          .where(sql<boolean>`teacher_id = ANY(${teacherIds}::uuid[])`)
          .execute(),
  insertHeadTeachers: (
    db: Db,
    establishmentId: string,
    yearId: string,
    rows: { teacher_id: string; class_id: string }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`INSERT INTO head_teacher (establishment_id, school_year_id, teacher_id, class_id)
            SELECT ${establishmentId}::uuid, ${yearId}::uuid, v.teacher_id, v.class_id
            FROM unnest(${col(rows, 'teacher_id')}::uuid[], ${col(rows, 'class_id')}::uuid[]) AS v(teacher_id, class_id)
            ON CONFLICT (teacher_id, class_id) DO NOTHING`.execute(db),
  deleteHeadTeachers: (db: Db, ids: string[]) =>
    ids.length === 0 ? Promise.resolve() : sql`DELETE FROM head_teacher WHERE id = ANY(${ids}::uuid[])`.execute(db),

  /**
   * CSV matching: every member of an establishment with what tells people apart — names, birth date, INE,
   * contacts, profiles, this year's classes, their guardians' names (students) and children (guardians).
   */
  membersForMatching: async (db: Db, establishmentId: string) => {
    const res = await sql<MatchCandidateRow>`
      SELECT u.id, u.external_id, u.first_name, u.last_name, u.birth_date, u.ine, u.email, u.phone_mobile,
             u.status, u.is_platform_admin, u.merged_into,
             array_agg(DISTINCT m.profile) AS profiles,
             COALESCE((SELECT array_agg(DISTINCT c.code) FROM enrolment e JOIN class c ON c.id = e.class_id
                       JOIN school_year sy ON sy.id = c.school_year_id AND sy.status = 'current'
                       WHERE e.student_id = u.id AND e.establishment_id = ${establishmentId}), '{}') AS classes,
             COALESCE((SELECT json_agg(json_build_object('last', g.last_name, 'first', g.first_name))
                       FROM guardianship gs JOIN app_user g ON g.id = gs.guardian_id
                       WHERE gs.student_id = u.id AND gs.establishment_id = ${establishmentId}), '[]'::json) AS guardians,
             COALESCE((SELECT array_agg(gs.student_id) FROM guardianship gs
                       WHERE gs.guardian_id = u.id AND gs.establishment_id = ${establishmentId}), '{}') AS children,
             COALESCE((SELECT json_agg(json_build_object('e', m2.establishment_id, 'p', m2.profile))
                       FROM membership m2 WHERE m2.user_id = u.id), '[]'::json) AS memberships
      FROM membership m JOIN app_user u ON u.id = m.user_id
      WHERE m.establishment_id = ${establishmentId} AND u.merged_into IS NULL
      GROUP BY u.id`.execute(db);
    return res.rows;
  },
  /** CSV matching: accounts with these INE, wherever they are. */
  usersByIne: async (db: Db, ines: string[]) => {
    if (ines.length === 0) return [];
    const res = await sql<MatchCandidateRow>`
      SELECT u.id, u.external_id, u.first_name, u.last_name, u.birth_date, u.ine, u.email, u.phone_mobile,
             u.status, u.is_platform_admin, u.merged_into, '{}'::text[] AS profiles, '{}'::text[] AS classes,
             '[]'::json AS guardians, '{}'::uuid[] AS children,
             COALESCE((SELECT json_agg(json_build_object('e', m.establishment_id, 'p', m.profile))
                       FROM membership m WHERE m.user_id = u.id), '[]'::json) AS memberships
      FROM app_user u WHERE upper(u.ine) = ANY(${ines}::text[]) AND u.merged_into IS NULL`.execute(db);
    return res.rows;
  },
  /** Accounts recognised by a CSV import without a join key take the row's key (the next import finds them by it). */
  adoptExternalIds: (db: Db, rows: { id: string; key: string }[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`UPDATE app_user u SET external_id = v.key
            FROM unnest(${col(rows, 'id')}::uuid[], ${col(rows, 'key')}::text[]) AS v(id, key)
            WHERE u.id = v.id AND u.external_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM app_user o WHERE o.external_id = v.key)`.execute(db),

  /** CSV: the establishment's students, to find the children a guardians' file names. */
  studentsOf: async (db: Db, establishmentId: string) => {
    const res = await sql<{ external_id: string | null; first_name: string; last_name: string; classes: string[] }>`
      SELECT u.external_id, u.first_name, u.last_name,
             COALESCE((SELECT array_agg(c.code) FROM enrolment e JOIN class c ON c.id = e.class_id
                       JOIN school_year sy ON sy.id = c.school_year_id AND sy.status = 'current'
                       WHERE e.student_id = u.id AND e.establishment_id = ${establishmentId}), '{}') AS classes
      FROM membership m JOIN app_user u ON u.id = m.user_id
      WHERE m.establishment_id = ${establishmentId} AND m.profile = 'student'`.execute(db);
    return res.rows;
  },
};

// ---- import jobs ----

/** An establishment a job has committed (`import_job.written`). */
export interface WrittenEstablishment {
  establishmentId: string;
  label: string;
  counts: ImportCounts;
}

export interface ImportJobRow {
  id: string;
  establishment_id: string | null;
  requested_by: string | null;
  kind: 'aaf' | 'csv';
  dry_run: boolean;
  status: ImportJobStatus;
  progress: number;
  phase: string;
  report: unknown;
  files: unknown;
  options: unknown;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  runner: string | null;
  heartbeat_at: Date | null;
  written: unknown;
}

export const importJobs = {
  insert: (
    db: Db,
    row: {
      id: string;
      establishment_id: string | null;
      requested_by: string | null;
      kind: 'aaf' | 'csv';
      dry_run: boolean;
      files: unknown[];
      options: Record<string, unknown>;
    },
  ) =>
    db
      .insertInto('import_job')
      .values({ ...row, files: JSON.stringify(row.files), options: JSON.stringify(row.options) })
      .execute(),
  /** What the upload turned out to be, once its files are stored and checked. */
  describe: (
    db: Db,
    id: string,
    job: {
      kind: 'aaf' | 'csv';
      dry_run: boolean;
      establishment_id: string | null;
      files: unknown[];
      options: Record<string, unknown> | object;
    },
  ) =>
    db
      .updateTable('import_job')
      .set({ ...job, files: JSON.stringify(job.files), options: JSON.stringify(job.options) })
      .where('id', '=', id)
      .execute(),
  byId: (db: Db, id: string) =>
    db.selectFrom('import_job').selectAll().where('id', '=', id).executeTakeFirst() as Promise<
      ImportJobRow | undefined
    >,
  /** A queued job this process will run itself (no queue): if the process dies first, it is interrupted. */
  claim: (db: Db, id: string, runner: string) =>
    db.updateTable('import_job').set({ runner }).where('id', '=', id).where('status', '=', 'queued').execute(),
  /** Take a queued job: true when this caller now runs it (a job that ran once is never taken again). */
  start: async (db: Db, id: string, runner: string) => {
    const r = await db
      .updateTable('import_job')
      .set({
        status: 'running',
        started_at: new Date(),
        heartbeat_at: new Date(),
        runner,
        progress: 0,
        phase: 'parsing',
      })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  heartbeat: (db: Db, id: string) =>
    db
      .updateTable('import_job')
      .set({ heartbeat_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute(),
  /** One establishment committed: called inside that establishment's transaction. */
  addWritten: (db: Db, id: string, written: WrittenEstablishment) =>
    sql`UPDATE import_job SET written = written || ${JSON.stringify([written])}::jsonb WHERE id = ${id}`.execute(db),
  /** The processes said to run unfinished jobs. */
  unfinishedRunners: async (db: Db) =>
    (
      await db
        .selectFrom('import_job')
        .select('runner')
        .distinct()
        .where('status', 'in', ['queued', 'running'])
        .where('runner', 'is not', null)
        .execute()
    ).map((r) => r.runner!),
  /**
   * Mark interrupted the unfinished jobs of these (dead) runners, and the running ones silent for `staleMs`;
   * each instance takes its own (SKIP LOCKED). Returns them with what they had written.
   */
  interrupt: async (db: Db, deadRunners: string[], staleMs: number) => {
    const res = await sql<{ id: string; dry_run: boolean; written: WrittenEstablishment[] }>`
      UPDATE import_job j SET status = 'interrupted', phase = 'interrupted', finished_at = now()
      WHERE j.id IN (
        SELECT id FROM import_job
        WHERE (status IN ('queued', 'running') AND runner = ANY(${deadRunners}::text[]))
           OR (status = 'running'
               AND COALESCE(heartbeat_at, started_at, created_at) < now() - make_interval(secs => ${staleMs / 1000}))
        FOR UPDATE SKIP LOCKED)
      RETURNING j.id, j.dry_run, j.written`.execute(db);
    return res.rows;
  },
  setReport: (db: Db, id: string, report: unknown) =>
    db
      .updateTable('import_job')
      .set({ report: JSON.stringify(report) })
      .where('id', '=', id)
      .execute(),
  progress: (db: Db, id: string, progress: number, phase: string) =>
    db
      .updateTable('import_job')
      .set({ progress: Math.max(0, Math.min(1, progress)), phase })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute(),
  setEstablishment: (db: Db, id: string, establishmentId: string) =>
    db
      .updateTable('import_job')
      .set({ establishment_id: establishmentId })
      .where('id', '=', id)
      .where('establishment_id', 'is', null)
      .execute(),
  finish: (db: Db, id: string, status: 'done' | 'failed', report: unknown) =>
    db
      .updateTable('import_job')
      .set({
        status,
        progress: 1,
        phase: status,
        report: JSON.stringify(report),
        finished_at: new Date(),
      })
      .where('id', '=', id)
      .execute(),
  /** A page of jobs, newest first, with the report's counts and anomaly count (not the report), and the total. */
  page: async (
    db: Db,
    filter: { establishmentId?: string; visibleTo?: { userId: string; establishmentIds: string[] } },
    page: { page: number; pageSize: number },
  ) => {
    let q = db.selectFrom('import_job');
    if (filter.establishmentId) q = q.where('establishment_id', '=', filter.establishmentId);
    if (filter.visibleTo) {
      const v = filter.visibleTo;
      q = q.where((eb) =>
        eb.or([
          eb('requested_by', '=', v.userId),
          ...(v.establishmentIds.length ? [eb('establishment_id', 'in', v.establishmentIds)] : []),
        ]),
      );
    }
    const [rows, count] = await Promise.all([
      q
        .select([
          'id',
          'establishment_id',
          'requested_by',
          'kind',
          'dry_run',
          'status',
          'progress',
          'phase',
          'files',
          'options',
          'created_at',
          'started_at',
          'finished_at',
          sql<ImportReport['counts'] | null>`report->'counts'`.as('counts'),
          sql<number | null>`jsonb_array_length(report->'anomalies')`.as('anomalies'),
        ])
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(page.pageSize)
        .offset((page.page - 1) * page.pageSize)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
};

/** Uploads kept as chunks until their job has run (sources.ts streams them in and out). */
export const importChunks = {
  insert: (db: Db, row: { job_id: string; file_no: number; seq: number; data: Buffer }) =>
    db.insertInto('import_file_chunk').values(row).execute(),
  /** `n` chunks of a file from `from` on, in order. */
  read: async (db: Db, jobId: string, fileNo: number, from: number, n: number) =>
    (
      await db
        .selectFrom('import_file_chunk')
        .select('data')
        .where('job_id', '=', jobId)
        .where('file_no', '=', fileNo)
        .where('seq', '>=', from)
        .where('seq', '<', from + n)
        .orderBy('seq')
        .execute()
    ).map((r) => r.data),
  deleteOf: async (db: Db, jobId: string) => {
    await db.deleteFrom('import_file_chunk').where('job_id', '=', jobId).execute();
  },
};

/** Runs `work` inside a savepoint of `trx`: its writes are rolled back alone if it throws (then rethrown). */
export async function inSavepoint<T>(trx: Db, name: string, work: () => Promise<T>): Promise<T> {
  await sql`SAVEPOINT ${sql.id(name)}`.execute(trx);
  try {
    const out = await work();
    await sql`RELEASE SAVEPOINT ${sql.id(name)}`.execute(trx);
    return out;
  } catch (e) {
    await sql`ROLLBACK TO SAVEPOINT ${sql.id(name)}`.execute(trx);
    throw e;
  }
}

export type ImportsDb = Kysely<Database>;
