/**
 * The generated académie written straight into a Préau database (the server's schema), set-based in one
 * transaction like server/src/seed/demo.ts: multi-row inserts by chunks, links resolved in memory, the
 * charter acceptances in one INSERT … SELECT. Every account is active with one known password whose hash is
 * computed once, so the rush can log everyone in.
 */
import { type Kysely, sql } from 'kysely';
import { displayNameOf } from '../../../server/src/modules/directory/names.ts';
import type { Database } from '../../../server/src/platform/db/schema.ts';
import { type Academy, establishmentSlug } from './academy.ts';
import { SUBJECTS } from './names.ts';

/** The password of every generated account. */
export const BENCH_PASSWORD = 'banc-d-essai-2026';

const RELATION_LABELS = { '10': 'PERE', '20': 'MERE', '50': 'AUTRE MEMBRE DE LA FAMILLE' } as const;
const PROFILE_OF_FUNCTION: Record<string, 'principal' | 'teacher' | 'staff'> = { DIR: 'principal', ENS: 'teacher' };
const CHUNK = 2000;

async function chunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
  return rows.length;
}

export interface WriteResult {
  rows: Record<string, number>;
  seconds: number;
}

export async function writeAcademy(
  db: Kysely<Database>,
  a: Academy,
  opts: { passwordHash: string; charter?: boolean },
): Promise<WriteResult> {
  const started = performance.now();
  const rows: Record<string, number> = {};
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('academy')
      .values({ code: a.code, name: a.name })
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    const academy = await trx.selectFrom('academy').select('id').where('code', '=', a.code).executeTakeFirstOrThrow();
    const taken = await trx
      .selectFrom('establishment')
      .select('uai')
      .where(
        'uai',
        'in',
        a.establishments.map((e) => e.uai),
      )
      .execute();
    if (taken.length > 0) {
      throw new Error(
        `The database already holds ${taken.length} of these establishments (${taken[0]!.uai}…): use an empty database or another seed.`,
      );
    }
    rows.subject = a.subjects.length;
    await trx
      .insertInto('subject')
      .values(a.subjects)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    rows.mef = a.mefs.length;
    await trx
      .insertInto('mef')
      .values(a.mefs)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    rows.establishment = await chunked(a.establishments, (chunk) =>
      trx
        .insertInto('establishment')
        .values(
          chunk.map((e) => ({
            id: e.id,
            academy_id: academy.id,
            uai: e.uai,
            type: e.type,
            name: e.name,
            city: e.commune.name,
            slug: establishmentSlug(e),
            settings: '{}',
            external_id: e.key,
          })),
        )
        .execute(),
    );
    const years = await trx
      .insertInto('school_year')
      .values(
        a.establishments.map((e) => ({
          establishment_id: e.id,
          label: a.schoolYear.label,
          starts_on: a.schoolYear.startsOn,
          ends_on: a.schoolYear.endsOn,
          status: 'current' as const,
        })),
      )
      .returning(['id', 'establishment_id'])
      .execute();
    rows.school_year = years.length;
    const yearOf = new Map(years.map((y) => [y.establishment_id, y.id]));

    rows.class = await chunked(
      a.establishments.flatMap((e) =>
        e.classes.map((c) => ({
          id: c.id,
          establishment_id: e.id,
          school_year_id: yearOf.get(e.id)!,
          code: c.code,
          label: c.label,
          mef_code: c.level.mef,
        })),
      ),
      (chunk) => trx.insertInto('class').values(chunk).execute(),
    );
    rows.teaching_group = await chunked(
      a.establishments.flatMap((e) =>
        e.groups.map((g) => ({
          id: g.id,
          establishment_id: e.id,
          school_year_id: yearOf.get(e.id)!,
          code: g.code,
          label: g.label,
        })),
      ),
      (chunk) => trx.insertInto('teaching_group').values(chunk).execute(),
    );

    const user = (p: {
      id: string;
      key: string;
      login: string;
      firstName: string;
      lastName: string;
      birthDate?: string;
      email?: string | null;
    }) => ({
      id: p.id,
      login: p.login,
      first_name: p.firstName,
      last_name: p.lastName,
      display_name: displayNameOf(p.firstName, p.lastName),
      birth_date: p.birthDate ?? null,
      email: p.email ?? null,
      status: 'active' as const,
      external_id: p.key,
      password_hash: opts.passwordHash,
      password_changed_at: now,
    });
    rows.app_user = await chunked([...a.staff.map(user), ...a.students.map(user), ...a.guardians.map(user)], (chunk) =>
      trx.insertInto('app_user').values(chunk).execute(),
    );

    const memberships: { establishment_id: string; user_id: string; profile: string; functions: string[] }[] = [];
    for (const s of a.staff) {
      const byProfile = new Map<string, string[]>();
      for (const f of s.functions) {
        const profile = PROFILE_OF_FUNCTION[f.code] ?? 'staff';
        byProfile.set(profile, [...new Set([...(byProfile.get(profile) ?? []), f.code])]);
      }
      for (const [profile, functions] of byProfile)
        memberships.push({ establishment_id: s.establishment.id, user_id: s.id, profile, functions });
    }
    for (const s of a.students)
      memberships.push({ establishment_id: s.establishment.id, user_id: s.id, profile: 'student', functions: [] });
    for (const g of a.guardians)
      for (const est of new Set(g.students.map((s) => s.establishment.id)))
        memberships.push({ establishment_id: est, user_id: g.id, profile: 'guardian', functions: [] });
    rows.membership = await chunked(memberships, (chunk) => trx.insertInto('membership').values(chunk).execute());

    const enrolments = a.students.flatMap((s) => {
      const base = {
        establishment_id: s.establishment.id,
        school_year_id: yearOf.get(s.establishment.id)!,
        student_id: s.id,
      };
      return [
        { ...base, class_id: s.klass.id, group_id: null },
        ...s.groups.map((g) => ({ ...base, class_id: null, group_id: g.id })),
      ];
    });
    rows.enrolment = await chunked(enrolments, (chunk) => trx.insertInto('enrolment').values(chunk).execute());

    const guardianships = a.students.flatMap((s) =>
      s.guardians.map((l) => ({
        establishment_id: s.establishment.id,
        guardian_id: l.guardian.id,
        student_id: s.id,
        level: l.level,
        relation: RELATION_LABELS[l.relation],
      })),
    );
    rows.guardianship = await chunked(guardianships, (chunk) => trx.insertInto('guardianship').values(chunk).execute());

    const assignments = a.staff.flatMap((t) =>
      t.assignments.map((u) => ({
        establishment_id: t.establishment.id,
        school_year_id: yearOf.get(t.establishment.id)!,
        teacher_id: t.id,
        class_id: u.kind === 'class' ? u.targetId : null,
        group_id: u.kind === 'group' ? u.targetId : null,
        subject_code: SUBJECTS[u.subject][0],
      })),
    );
    rows.teaching_assignment = await chunked(assignments, (chunk) =>
      trx.insertInto('teaching_assignment').values(chunk).execute(),
    );
    const heads = a.staff.flatMap((t) =>
      t.headOf.map((c) => ({
        establishment_id: t.establishment.id,
        school_year_id: yearOf.get(t.establishment.id)!,
        teacher_id: t.id,
        class_id: c.id,
      })),
    );
    rows.head_teacher = await chunked(heads, (chunk) => trx.insertInto('head_teacher').values(chunk).execute());

    if (opts.charter !== false) {
      // The platform charter in force, accepted by everyone: the home page then loads as on any school morning.
      let charter = await trx
        .selectFrom('charter')
        .select('id')
        .where('establishment_id', 'is', null)
        .orderBy('version', 'desc')
        .executeTakeFirst();
      charter ??= await trx
        .insertInto('charter')
        .values({
          establishment_id: null,
          version: 1,
          title: "Charte d'usage de l'ENT Préau",
          body: "L'ENT est un service mis à la disposition de la communauté éducative. Chacun ne voit que ce qui le concerne.",
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const accepted = await sql`
        INSERT INTO charter_acceptance (user_id, charter_id, establishment_id)
        SELECT DISTINCT m.user_id, ${charter.id}::uuid, m.establishment_id
        FROM membership m
        WHERE m.establishment_id = ANY(${a.establishments.map((e) => e.id)}::uuid[])
        ON CONFLICT DO NOTHING`.execute(trx);
      rows.charter_acceptance = Number(accepted.numAffectedRows ?? 0);
    }
  });
  // Fresh statistics and visibility map now, so that autovacuum does not wake up in the middle of a measurement.
  await sql`VACUUM (ANALYZE)`.execute(db);
  return { rows, seconds: (performance.now() - started) / 1000 };
}
