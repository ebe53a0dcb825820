import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashActivationCode } from '../modules/accounts/index.ts';
import { displayNameOf } from '../modules/directory/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db/schema.ts';
import { allocateLogin, baseLogin, newActivationCode, uaiCheckLetter } from '../platform/logins.ts';
import { hashPassword } from '../platform/passwords.ts';
import { FIRST_F, FIRST_M, LAST, rng } from './names.ts';

/**
 * The demo académie: a lycée (~600 students) and a collège (~400), deterministic from a fixed seed,
 * with the fixed demo accounts of the README. Written set-based, in one transaction.
 */

const SUBJECTS: [string, string][] = [
  ['020100', 'Français'],
  ['061300', 'Mathématiques'],
  ['040300', 'Histoire-géographie'],
  ['030201', 'Anglais LV1'],
  ['030602', 'Espagnol LV2'],
  ['030402', 'Allemand LV2'],
  ['063800', 'Physique-chimie'],
  ['062900', 'Sciences de la vie et de la Terre'],
  ['100100', 'Éducation physique et sportive'],
  ['080100', 'Arts plastiques'],
  ['083500', 'Éducation musicale'],
  ['072000', 'Technologie'],
  ['060600', 'Sciences économiques et sociales'],
  ['050100', 'Philosophie'],
  ['040900', 'Enseignement moral et civique'],
];

const DEMO_PASSWORD = 'demo';
export const ACTIVATION_DEMO_LOGIN = 'activation.demo';

type UserRow = {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  display_name: string;
  birth_date: string | null;
  email: string | null;
  /** Civilité (Mme, M.): the words that agree with the person ("Administratrice locale"). */
  title: string | null;
  status: 'pending_activation' | 'active';
  is_platform_admin: boolean;
  password_hash: string | null;
  activation_code_hash: string | null;
  activation_expires_at: Date | null;
};

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 1000) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export async function seedDemoIfEmpty(db: Kysely<Database>, config: Config): Promise<boolean> {
  const any = await db.selectFrom('establishment').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  const random = rng(20260901);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const demoHash = await hashPassword(DEMO_PASSWORD);
  const taken = new Set<string>();
  const users: UserRow[] = [];
  const expires = new Date(Date.now() + config.activationCodeDays * 86_400_000);
  const uuid = () => crypto.randomUUID();

  const addUser = (
    first: string,
    last: string,
    opts: { login?: string; birth?: string; active?: boolean; admin?: boolean; email?: string; title?: string } = {},
  ) => {
    const id = uuid();
    const login = opts.login ?? allocateLogin(baseLogin(first, last), taken);
    if (opts.login) taken.add(opts.login);
    const active = opts.active ?? false;
    users.push({
      id,
      login,
      first_name: first,
      last_name: last,
      display_name: displayNameOf(first, last),
      birth_date: opts.birth ?? null,
      email: opts.email ?? null,
      title: opts.title ?? null,
      status: active ? 'active' : 'pending_activation',
      is_platform_admin: opts.admin ?? false,
      password_hash: active ? demoHash : null,
      activation_code_hash: active ? null : hashActivationCode(id, newActivationCode(randomBytes)),
      activation_expires_at: active ? null : expires,
    });
    return id;
  };

  /**
   * Names drawn for one establishment never repeat there (folded: `Léa` = `LEA`): the demo must not make
   * look-alike people by accident — the duplicate finder would list them. (Real homonyms exist; the finder
   * tells them apart by birth date and kind of person.) The deliberate duplicates are added apart, below.
   */
  const fold = (s: string) =>
    s
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/[^a-z]/g, '');
  const namesTaken = new Map<string, Set<string>>();
  const drawName = (est: string, firsts: readonly string[], last?: string): [string, string] => {
    const taken = namesTaken.get(est) ?? namesTaken.set(est, new Set()).get(est)!;
    for (let attempt = 0; ; attempt++) {
      // Keep the family name asked for (a child's parent) while a free first name remains likely.
      const l = last && attempt < 20 ? last : pick(LAST);
      const f = pick(firsts);
      const key = `${fold(f)}|${fold(l)}`;
      if (taken.has(key)) continue;
      taken.add(key);
      return [f, l];
    }
  };

  await db.transaction().execute(async (trx) => {
    const academy = await trx
      .insertInto('academy')
      .values({ code: 'CRETEIL', name: 'Académie de Créteil' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const mkEst = (digits: string, type: string, name: string, city: string, slug: string) =>
      trx
        .insertInto('establishment')
        .values({
          academy_id: academy.id,
          uai: `${digits}${uaiCheckLetter(digits)}`,
          type,
          name,
          city,
          slug,
          settings: '{}',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const lycee = (await mkEst('0931234', 'LYCEE', 'Lycée Jean Jaurès', 'Montreuil', 'lycee-jean-jaures-montreuil')).id;
    const college = (
      await mkEst('0935678', 'COLLEGE', 'Collège Louise Michel', 'Montreuil', 'college-louise-michel-montreuil')
    ).id;
    const year = (est: string) =>
      trx
        .insertInto('school_year')
        .values({
          establishment_id: est,
          label: '2026-2027',
          starts_on: '2026-09-01',
          ends_on: '2027-07-04',
          status: 'current',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const years = { [lycee]: (await year(lycee)).id, [college]: (await year(college)).id };
    await trx
      .insertInto('subject')
      .values(SUBJECTS.map(([code, label]) => ({ code, label })))
      .onConflict((oc) => oc.doNothing())
      .execute();

    // Fixed demo accounts first, so their logins are the ones printed.
    const direction = addUser('Claire', 'Direction', {
      login: 'direction.demo',
      active: true,
      email: 'direction.demo@example.org',
      title: 'Mme',
    });
    const prof = addUser('Paul', 'Professeur', {
      login: 'prof.demo',
      active: true,
      email: 'prof.demo@example.org',
      title: 'M.',
    });
    const eleve = addUser('Emma', 'Élève', { login: 'eleve.demo', active: true, birth: '2011-03-14' });
    const parent = addUser('Nadia', 'Parent', {
      login: 'parent.demo',
      active: true,
      email: 'parent.demo@example.org',
      title: 'Mme',
    });
    const cpe = addUser('Karim', 'Cpe', {
      login: 'cpe.demo',
      active: true,
      email: 'cpe.demo@example.org',
      title: 'M.',
    });
    const admin = addUser('Anne', 'Administratrice', { login: 'admin.demo', active: true, admin: true, title: 'Mme' });
    const activation = addUser('Marc', 'Activation', { login: ACTIVATION_DEMO_LOGIN, title: 'M.' });
    const collegeChild = addUser('Hugo', 'Élève', { birth: '2014-06-02' });

    const memberships: { establishment_id: string; user_id: string; profile: string; functions: string[] }[] = [
      { establishment_id: lycee, user_id: direction, profile: 'principal', functions: ['DIR'] },
      { establishment_id: lycee, user_id: direction, profile: 'local_admin', functions: [] },
      { establishment_id: lycee, user_id: prof, profile: 'teacher', functions: ['ENS'] },
      { establishment_id: college, user_id: prof, profile: 'teacher', functions: ['ENS'] },
      { establishment_id: lycee, user_id: eleve, profile: 'student', functions: [] },
      { establishment_id: lycee, user_id: parent, profile: 'guardian', functions: [] },
      { establishment_id: college, user_id: parent, profile: 'guardian', functions: [] },
      // The function as the directory (AAF ENTPersonFonctions) gives it: code, label, position code and label.
      {
        establishment_id: lycee,
        user_id: cpe,
        profile: 'staff',
        functions: ["EDU$EDUCATION$E0030$CONSEILLER PRINCIPAL D'EDUCATION"],
      },
      { establishment_id: lycee, user_id: activation, profile: 'guardian', functions: [] },
      { establishment_id: college, user_id: collegeChild, profile: 'student', functions: [] },
    ];
    const classes: { id: string; establishment_id: string; school_year_id: string; code: string; label: string }[] = [];
    const groups: { id: string; establishment_id: string; school_year_id: string; code: string; label: string }[] = [];
    const enrolments: {
      establishment_id: string;
      school_year_id: string;
      student_id: string;
      class_id: string | null;
      group_id: string | null;
    }[] = [];
    const guardianships: {
      establishment_id: string;
      guardian_id: string;
      student_id: string;
      level: 'legal' | 'in_charge';
      relation: string;
    }[] = [];
    const assignments: {
      establishment_id: string;
      school_year_id: string;
      teacher_id: string;
      class_id: string | null;
      group_id: string | null;
      subject_code: string;
    }[] = [];
    const heads: { establishment_id: string; school_year_id: string; teacher_id: string; class_id: string }[] = [];

    const build = (
      est: string,
      codes: string[],
      perClass: number,
      birthYear: (code: string) => number,
      subjects: string[],
      groupDefs: [string, string, string][],
    ) => {
      const sy = years[est]!;
      const estClasses = codes.map((code) => {
        const c = { id: uuid(), establishment_id: est, school_year_id: sy, code, label: code };
        classes.push(c);
        return c;
      });
      const estGroups = groupDefs.map(([code, label]) => {
        const g = { id: uuid(), establishment_id: est, school_year_id: sy, code, label };
        groups.push(g);
        return g;
      });
      // Teachers: one per subject per 4 classes, at least one per subject.
      const teachersBySubject = new Map<string, string[]>();
      for (const s of subjects) {
        const n = Math.max(1, Math.ceil(codes.length / 5));
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          const female = random() < 0.6;
          const id = addUser(...drawName(est, female ? FIRST_F : FIRST_M), { email: undefined });
          memberships.push({ establishment_id: est, user_id: id, profile: 'teacher', functions: ['ENS'] });
          ids.push(id);
        }
        teachersBySubject.set(s, ids);
      }
      estClasses.forEach((c, ci) => {
        for (const s of subjects) {
          const ts = teachersBySubject.get(s)!;
          assignments.push({
            establishment_id: est,
            school_year_id: sy,
            teacher_id: ts[ci % ts.length]!,
            class_id: c.id,
            group_id: null,
            subject_code: s,
          });
        }
        heads.push({
          establishment_id: est,
          school_year_id: sy,
          teacher_id: teachersBySubject.get(subjects[ci % subjects.length]!)![0]!,
          class_id: c.id,
        });
      });
      estGroups.forEach((g, gi) => {
        const subject = groupDefs[gi]![2];
        const ts = teachersBySubject.get(subject) ?? [...teachersBySubject.values()][0]!;
        assignments.push({
          establishment_id: est,
          school_year_id: sy,
          teacher_id: ts[gi % ts.length]!,
          class_id: null,
          group_id: g.id,
          subject_code: subject,
        });
      });
      // Students and their guardians (about 1.7 guardians per student).
      for (const c of estClasses) {
        for (let i = 0; i < perClass; i++) {
          const female = random() < 0.5;
          const [first, last] = drawName(est, female ? FIRST_F : FIRST_M);
          const by = birthYear(c.code);
          const birth = `${by}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
          const sid = addUser(first, last, { birth });
          memberships.push({ establishment_id: est, user_id: sid, profile: 'student', functions: [] });
          enrolments.push({
            establishment_id: est,
            school_year_id: sy,
            student_id: sid,
            class_id: c.id,
            group_id: null,
          });
          if (estGroups.length > 0) {
            const g = estGroups[Math.floor(random() * estGroups.length)]!;
            enrolments.push({
              establishment_id: est,
              school_year_id: sy,
              student_id: sid,
              class_id: null,
              group_id: g.id,
            });
          }
          const nGuardians = random() < 0.72 ? 2 : 1;
          for (let k = 0; k < nGuardians; k++) {
            const gid = addUser(
              ...drawName(est, k === 0 ? FIRST_F : FIRST_M, k === 0 && random() < 0.3 ? undefined : last),
              {
                email: random() < 0.85 ? `${crypto.randomUUID().slice(0, 8)}@example.org` : undefined,
              },
            );
            memberships.push({ establishment_id: est, user_id: gid, profile: 'guardian', functions: [] });
            guardianships.push({
              establishment_id: est,
              guardian_id: gid,
              student_id: sid,
              level: 'legal',
              relation: k === 0 ? 'MERE' : 'PERE',
            });
          }
        }
      }
      // Staff with functions: school life, secretariat, library.
      const staffFns = ['EDU', 'EDU', 'EDU', 'ADF', 'ADF', 'DOC', 'EDU', 'MDS'];
      const nStaff = Math.round(codes.length * perClass * 0.02);
      for (let i = 0; i < nStaff; i++) {
        const id = addUser(...drawName(est, FIRST_F));
        memberships.push({
          establishment_id: est,
          user_id: id,
          profile: 'staff',
          functions: [staffFns[i % staffFns.length]!],
        });
      }
      return { classes: estClasses, groups: estGroups, teachersBySubject };
    };

    const lyc = build(
      lycee,
      [
        '2NDE1',
        '2NDE2',
        '2NDE3',
        '2NDE4',
        '2NDE5',
        '2NDE6',
        '2NDE7',
        '1G1',
        '1G2',
        '1G3',
        '1G4',
        '1G5',
        '1G6',
        'TG1',
        'TG2',
        'TG3',
        'TG4',
        'TG5',
        'TG6',
      ],
      32,
      (code) => (code.startsWith('2') ? 2011 : code.startsWith('1') ? 2010 : 2009),
      ['020100', '061300', '040300', '030201', '030602', '063800', '062900', '100100', '060600', '050100'],
      [
        ['ESP2-A', 'Espagnol LV2 groupe A', '030602'],
        ['ESP2-B', 'Espagnol LV2 groupe B', '030602'],
        ['ALL2-A', 'Allemand LV2', '030402'],
        ['SPE-MATHS-1', 'Spécialité mathématiques 1', '061300'],
        ['SPE-SES-1', 'Spécialité SES 1', '060600'],
      ],
    );
    const col = build(
      college,
      ['6A', '6B', '6C', '6D', '5A', '5B', '5C', '5D', '4A', '4B', '4C', '4D', '3A', '3B', '3C', '3D'],
      25,
      (code) => 2015 - Number(code[0] === '6' ? 0 : code[0] === '5' ? 1 : code[0] === '4' ? 2 : 3),
      ['020100', '061300', '040300', '030201', '063800', '062900', '100100', '080100', '083500', '072000'],
      [
        ['LAT-5', 'Latin 5e', '020100'],
        ['ESP-4', 'Espagnol 4e', '030201'],
      ],
    );

    // Two deliberate duplicates at the lycée, as a school really gets them, for the duplicates page: a
    // student of 2NDE3 entered again by hand (same name and birth date, no class yet), and a mother of a
    // 1G1 student entered twice (same name, same child; one with an e-mail, the other without).
    const byId = new Map(users.map((u) => [u.id, u]));
    const firstOf = (classId: string) => enrolments.find((e) => e.class_id === classId)!.student_id;
    const twinOf = byId.get(firstOf(lyc.classes[2]!.id))!;
    const twin = addUser(twinOf.first_name, twinOf.last_name, { birth: twinOf.birth_date ?? undefined });
    memberships.push({ establishment_id: lycee, user_id: twin, profile: 'student', functions: [] });
    const child = firstOf(lyc.classes[7]!.id);
    const mother = byId.get(guardianships.find((g) => g.student_id === child && g.relation === 'MERE')!.guardian_id)!;
    const motherAgain = addUser(mother.first_name, mother.last_name);
    memberships.push({ establishment_id: lycee, user_id: motherAgain, profile: 'guardian', functions: [] });
    guardianships.push({
      establishment_id: lycee,
      guardian_id: motherAgain,
      student_id: child,
      level: 'legal',
      relation: 'MERE',
    });

    // The fixed accounts' links: eleve.demo in 2NDE1 with parent.demo; parent.demo's second child at the collège;
    // prof.demo teaches maths in 2NDE1 (head teacher) and 6A; activation.demo is eleve.demo's second guardian.
    const c2nde1 = lyc.classes[0]!;
    const c6a = col.classes[0]!;
    enrolments.push({
      establishment_id: lycee,
      school_year_id: years[lycee]!,
      student_id: eleve,
      class_id: c2nde1.id,
      group_id: null,
    });
    enrolments.push({
      establishment_id: lycee,
      school_year_id: years[lycee]!,
      student_id: eleve,
      class_id: null,
      group_id: lyc.groups[0]!.id,
    });
    enrolments.push({
      establishment_id: college,
      school_year_id: years[college]!,
      student_id: collegeChild,
      class_id: c6a.id,
      group_id: null,
    });
    guardianships.push({
      establishment_id: lycee,
      guardian_id: parent,
      student_id: eleve,
      level: 'legal',
      relation: 'MERE',
    });
    guardianships.push({
      establishment_id: lycee,
      guardian_id: activation,
      student_id: eleve,
      level: 'legal',
      relation: 'PERE',
    });
    guardianships.push({
      establishment_id: college,
      guardian_id: parent,
      student_id: collegeChild,
      level: 'legal',
      relation: 'MERE',
    });
    for (const a of assignments) {
      if (a.class_id === c2nde1.id && a.subject_code === '061300') a.teacher_id = prof;
      if (a.class_id === c6a.id && a.subject_code === '061300') a.teacher_id = prof;
    }
    heads.find((h) => h.class_id === c2nde1.id)!.teacher_id = prof;

    await insertChunked(users, (chunk) => trx.insertInto('app_user').values(chunk).execute());
    await insertChunked(memberships, (chunk) => trx.insertInto('membership').values(chunk).execute());
    await insertChunked(classes, (chunk) => trx.insertInto('class').values(chunk).execute());
    await insertChunked(groups, (chunk) => trx.insertInto('teaching_group').values(chunk).execute());
    await insertChunked(enrolments, (chunk) => trx.insertInto('enrolment').values(chunk).execute());
    await insertChunked(guardianships, (chunk) => trx.insertInto('guardianship').values(chunk).execute());
    // Dedupe assignments (a reassigned demo teacher may now hold the same class × subject twice).
    const seen = new Set<string>();
    const uniqueAssignments = assignments.filter((a) => {
      const k = `${a.teacher_id}|${a.class_id ?? a.group_id}|${a.subject_code}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    await insertChunked(uniqueAssignments, (chunk) => trx.insertInto('teaching_assignment').values(chunk).execute());
    await insertChunked(heads, (chunk) => trx.insertInto('head_teacher').values(chunk).execute());

    // The platform's default charter, accepted by every demo account but activation.demo.
    const charter = await trx
      .insertInto('charter')
      .values({
        establishment_id: null,
        version: 1,
        title: "Charte d'usage de l'ENT Préau",
        body: DEFAULT_CHARTER,
        published_by: admin,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('charter_acceptance')
      .values([
        { user_id: direction, charter_id: charter.id, establishment_id: lycee },
        { user_id: prof, charter_id: charter.id, establishment_id: lycee },
        { user_id: prof, charter_id: charter.id, establishment_id: college },
        { user_id: eleve, charter_id: charter.id, establishment_id: lycee },
        { user_id: parent, charter_id: charter.id, establishment_id: lycee },
        { user_id: parent, charter_id: charter.id, establishment_id: college },
        { user_id: cpe, charter_id: charter.id, establishment_id: lycee },
      ])
      .execute();
    void col.teachersBySubject;
  });
  return true;
}

/**
 * activation.demo gets a fresh code at each start while it is not activated, so the printed code always works;
 * it is valid for ACTIVATION_CODE_DAYS like every code.
 */
export async function printDemoAccounts(
  db: Kysely<Database>,
  config: Pick<Config, 'activationCodeDays'>,
  say: (m: string) => void,
  dataDir: string | null = null,
): Promise<void> {
  const activation = await db
    .selectFrom('app_user')
    .select(['id', 'status'])
    .where('login', '=', ACTIVATION_DEMO_LOGIN)
    .executeTakeFirst();
  let code: string | null = null;
  const expires = new Date(Date.now() + config.activationCodeDays * 86_400_000);
  if (activation?.status === 'pending_activation') {
    code = newActivationCode(randomBytes);
    await db
      .updateTable('app_user')
      .set({ activation_code_hash: hashActivationCode(activation.id, code), activation_expires_at: expires })
      .where('id', '=', activation.id)
      .execute();
  }
  say('\nDemo accounts (password: demo)');
  say('  direction.demo   principal and local admin, Lycée Jean Jaurès');
  say('  prof.demo        teacher at the lycée and the collège');
  say('  eleve.demo       student in 2NDE1 at the lycée');
  say('  parent.demo      guardian of eleve.demo (lycée) and of a collège student');
  say('  cpe.demo         school-life staff (CPE) at the lycée');
  say('  admin.demo       platform administrator');
  if (code)
    say(
      `  activation.demo  not activated yet: activation code ${code} (valid until ${expires.toISOString().slice(0, 10)})`,
    );
  else say('  activation.demo  already activated');
  if (dataDir) say(`\nTo reset the demo: stop Préau, delete ${dataDir}, start again.`);
  say('');
}

const DEFAULT_CHARTER = `# Charte d'usage de l'espace numérique de travail

L'ENT Préau est un service mis à la disposition des élèves, de leurs responsables légaux et des personnels
de l'établissement pour la vie scolaire et les apprentissages.

## Engagements de l'utilisateur
- Je garde mon mot de passe secret et je ne prête pas mon compte.
- Je respecte les autres : pas de propos injurieux, diffamatoires ou discriminatoires.
- Je respecte le droit d'auteur et le droit à l'image.
- Je n'utilise l'ENT que pour des usages liés à la scolarité.

## Engagements de l'établissement
- Les données personnelles sont traitées conformément au RGPD et à l'arrêté ENT.
- Chacun ne voit que ce qui le concerne.
- Un manquement à la charte peut entraîner la suspension du compte.`;
