import type { ImportJob } from '@preau/contracts';
import type { Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { generateAafSet } from '../../../../test/aaf-generator.ts';
import { countRows, loginAs, makeUser, testApp } from '../../../../test/helpers.ts';
import { fixture, fixtureDir, importFiles, type UploadFile, zero } from '../../../../test/imports.ts';
import { createSession } from '../../../platform/auth/sessions.ts';
import { testConfig } from '../../../platform/config.ts';
import type { Database } from '../../../platform/db/schema.ts';

/** Each scenario runs on a database of its own: the fixtures use fixed keys and UAIs. */
async function world() {
  const { app, db } = await testApp();
  const admin = await makeUser(db, { platformAdmin: true });
  return { app, db, as: await loginAs(app, admin.login) };
}
const story = await world();
const broken = await world();
const dry = await world();
const old = await world();
const generated = await world();
const contacts = await world();

const FULL = fixtureDir('aaf/full');

const DIRECTORY_TABLES: (keyof Database)[] = [
  'academy',
  'establishment',
  'school_year',
  'subject',
  'mef',
  'class',
  'teaching_group',
  'app_user',
  'membership',
  'enrolment',
  'guardianship',
  'teaching_assignment',
  'head_teacher',
  'session',
  'import_file_chunk',
];

async function snapshot(db: Kysely<Database>) {
  const out: Record<string, number> = {};
  for (const t of DIRECTORY_TABLES) out[t] = await countRows(db, t);
  return out;
}

const codes = (job: ImportJob) => new Set(job.report!.anomalies.map((a) => a.code));

function delta(requests: string, name = 'ENT2D_Delta_20260920_Eleve_0001.xml'): UploadFile {
  return {
    name,
    content: `<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n${requests}\n</ficAlimMENESR>\n`,
  };
}

async function user(db: Kysely<Database>, key: string) {
  return db.selectFrom('app_user').selectAll().where('external_id', '=', key).executeTakeFirstOrThrow();
}

async function guardiansOf(db: Kysely<Database>, studentKey: string) {
  return db
    .selectFrom('guardianship as g')
    .innerJoin('app_user as s', 's.id', 'g.student_id')
    .innerJoin('app_user as p', 'p.id', 'g.guardian_id')
    .select(['p.external_id as guardian', 'g.level', 'g.relation'])
    .where('s.external_id', '=', studentKey)
    .orderBy('p.external_id')
    .execute();
}

async function enrolmentsOf(db: Kysely<Database>, studentKey: string) {
  const rows = await db
    .selectFrom('enrolment as e')
    .innerJoin('app_user as u', 'u.id', 'e.student_id')
    .leftJoin('class as c', 'c.id', 'e.class_id')
    .leftJoin('teaching_group as g', 'g.id', 'e.group_id')
    .select(['c.code as class', 'g.code as group'])
    .where('u.external_id', '=', studentKey)
    .execute();
  return {
    classes: rows
      .map((r) => r.class)
      .filter(Boolean)
      .sort(),
    groups: rows
      .map((r) => r.group)
      .filter(Boolean)
      .sort(),
  };
}

async function profilesOf(db: Kysely<Database>, key: string) {
  return db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.profile', 'm.functions'])
    .where('u.external_id', '=', key)
    .orderBy('m.profile')
    .execute();
}

describe('a full AAF export, then the same again, then deltas, then the full export again', () => {
  const { db, as } = story;
  let first: ImportJob;

  test('the full export creates the establishment, the people and every link', async () => {
    first = await importFiles(as, FULL);
    expect(first.status).toBe('done');
    expect(first.progress).toBe(1);
    expect(first.report!.counts).toEqual({
      establishments: { created: 1, updated: 0, detached: 0 },
      students: { created: 6, updated: 0, detached: 0 },
      guardians: { created: 4, updated: 0, detached: 0 },
      staff: { created: 7, updated: 0, detached: 0 },
      classes: { created: 4, updated: 0, detached: 0 },
      groups: { created: 2, updated: 0, detached: 0 },
      subjects: { created: 4, updated: 0, detached: 0 },
    });
    const est = await db.selectFrom('establishment').selectAll().executeTakeFirstOrThrow();
    expect(est).toMatchObject({ uai: '0930122C', external_id: '30122', name: 'LYCEE PAUL ÉLUARD', type: 'LYCEE' });
    expect(first.establishmentId).toBe(est.id);
    const year = await db
      .selectFrom('school_year')
      .selectAll()
      .where('establishment_id', '=', est.id)
      .executeTakeFirstOrThrow();
    expect(year.status).toBe('current');
    const academy = await db
      .selectFrom('academy')
      .select('code')
      .where('id', '=', est.academy_id)
      .executeTakeFirstOrThrow();
    expect(academy.code).toBe('CRETEIL');

    // Students: identity, class and groups; both encodings.
    const eloise = await user(db, 'E1001');
    expect(eloise).toMatchObject({
      first_name: 'Éloïse',
      last_name: 'MARTIN',
      display_name: 'MARTIN Éloïse',
      birth_date: '2010-03-14',
      ine: '123456789AB',
      title: 'Mlle',
      login: 'eloise.martin',
      status: 'pending_activation',
      password_hash: null,
    });
    expect(eloise.activation_code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(eloise.activation_expires_at).not.toBeNull();
    expect(await enrolmentsOf(db, 'E1001')).toEqual({ classes: ['2NDE1'], groups: ['2NDE1_ESP2', 'SPE_MATHS'] });
    expect((await user(db, 'E1005')).last_name).toBe('LEFÈVRE-CŒURDEROY'); // ISO-8859-15 part
    expect((await user(db, 'E1003')).birth_date).toBeNull(); // 31/02/2010, reported
    expect((await user(db, 'E1006')).login).toBe('mael.francois');

    // Guardians with their responsibility level, both ways.
    expect(await guardiansOf(db, 'E1001')).toEqual([
      { guardian: 'R2001', level: 'legal', relation: '20' },
      { guardian: 'R2002', level: 'legal', relation: '10' },
    ]);
    expect(await guardiansOf(db, 'E1003')).toEqual([
      { guardian: 'R2003', level: 'legal', relation: '20' },
      { guardian: 'R2004', level: 'in_charge', relation: '50' },
    ]);
    const sophie = await user(db, 'R2001');
    expect(sophie).toMatchObject({
      email: 'sophie.martin@example.fr',
      phone_home: '01 48 20 11 22',
      phone_mobile: '06 12 34 56 78',
      address: {
        lines: ['12 rue de la République', 'Bâtiment B'],
        postalCode: '93200',
        city: 'SAINT-DENIS',
        country: 'FRANCE',
      },
    });
    expect(await profilesOf(db, 'R2001')).toEqual([{ profile: 'guardian', functions: [] }]);

    // Staff functions → profiles.
    expect(await profilesOf(db, 'P3001')).toEqual([{ profile: 'principal', functions: ['DIR'] }]);
    expect(await profilesOf(db, 'P3002')).toEqual([{ profile: 'staff', functions: ['EDU'] }]);
    expect(await profilesOf(db, 'P3003')).toEqual([{ profile: 'teacher', functions: ['ENS'] }]);
    expect(await profilesOf(db, 'P3005')).toEqual([{ profile: 'staff', functions: ['DOC'] }]);
    expect(await profilesOf(db, 'P3006')).toEqual([{ profile: 'staff', functions: ['ADF'] }]);
    expect(await profilesOf(db, 'P3007')).toEqual([{ profile: 'teacher', functions: ['ENS'] }]);

    // A teacher's assignments (class × subject, group × subject) and head-teacher class.
    const bernard = await user(db, 'P3003');
    const assignments = await db
      .selectFrom('teaching_assignment as ta')
      .leftJoin('class as c', 'c.id', 'ta.class_id')
      .leftJoin('teaching_group as g', 'g.id', 'ta.group_id')
      .select(['c.code as class', 'g.code as group', 'ta.subject_code'])
      .where('ta.teacher_id', '=', bernard.id)
      .orderBy('c.code')
      .orderBy('g.code')
      .execute();
    expect(assignments).toEqual([
      { class: '2NDE1', group: null, subject_code: '061300' },
      { class: 'TG1', group: null, subject_code: '061300' },
      { class: null, group: 'SPE_MATHS', subject_code: '061300' },
    ]);
    const heads = await db
      .selectFrom('head_teacher as h')
      .innerJoin('class as c', 'c.id', 'h.class_id')
      .innerJoin('app_user as u', 'u.id', 'h.teacher_id')
      .select(['u.external_id', 'c.code'])
      .orderBy('c.code')
      .execute();
    expect(heads).toEqual([
      { external_id: 'P3003', code: '2NDE1' },
      { external_id: 'P3004', code: '2NDE2' },
    ]);
    const classes = await db.selectFrom('class').select(['code', 'label', 'mef_code']).orderBy('code').execute();
    expect(classes).toContainEqual({ code: '2NDE1', label: 'Seconde 1', mef_code: '20010018110' });
    expect(await db.selectFrom('subject').select('label').where('code', '=', '061300').executeTakeFirst()).toEqual({
      label: 'MATHEMATIQUES',
    });

    // The report: every anomaly with its file and record.
    expect(codes(first)).toEqual(
      new Set([
        'MALFORMED_DATE',
        'MALFORMED_VALUE',
        'STUDENT_WITHOUT_CLASS',
        'GUARDIAN_WITHOUT_CONTACT',
        'TEACHER_WITHOUT_ASSIGNMENT',
        'UNKNOWN_PERSON',
      ]),
    );
    const noClass = first.report!.anomalies.find((a) => a.code === 'STUDENT_WITHOUT_CLASS')!;
    expect(noClass).toMatchObject({ file: 'ENT2D_Complet_20260901_Eleve_0001.xml', record: 4, key: 'E1004' });
    const absent = first.report!.anomalies.filter((a) => a.code === 'UNKNOWN_PERSON').map((a) => a.key);
    expect(absent).toContain('R2006');

    // One audit event per establishment written.
    const audits = await db.selectFrom('audit_event').select(['action', 'target_id']).execute();
    expect(audits).toContainEqual({ action: 'directory.import', target_id: first.id });
    expect(await countRows(db, 'import_file_chunk')).toBe(0);
  });

  test('the same files again change nothing', async () => {
    const before = await snapshot(db);
    const users = await db.selectFrom('app_user').select(['id', 'updated_at', 'activation_code_hash']).execute();
    const again = await importFiles(as, FULL);
    expect(again.status).toBe('done');
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
    expect(await snapshot(db)).toEqual(before);
    expect(await db.selectFrom('app_user').select(['id', 'updated_at', 'activation_code_hash']).execute()).toEqual(
      users,
    );
  });

  test('a delta updates exactly what it says: modify, add, delete → detached', async () => {
    // Éloïse has activated her account meanwhile, and has a session.
    const eloise = await user(db, 'E1001');
    await db
      .updateTable('app_user')
      .set({ status: 'active', password_hash: 'argon2-hash-kept', activation_code_hash: null })
      .where('id', '=', eloise.id)
      .execute();
    const lucas = await user(db, 'E1004');
    const config = testConfig('unused');
    await createSession(db, config, { userId: lucas.id, rememberMe: false, address: null, userAgent: null });
    const noe = await user(db, 'E1002');

    const job = await importFiles(as, [
      fixture('aaf/delta/ENT2D_Delta_20260915_Eleve_0001.xml'),
      delta(
        `<modifyRequest>
           <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
           <identifier><id>E1001</id></identifier>
           <attributes><attr name="sn"><value>MARTIN-DUPONT</value></attr></attributes>
         </modifyRequest>`,
        'ENT2D_Delta_20260915_Eleve_0002.xml',
      ),
    ]);
    expect(job.status).toBe('done');
    expect(job.report!.counts.students).toEqual({ created: 1, updated: 1, detached: 1 });
    expect(job.report!.counts.guardians).toEqual(zero);
    expect(job.report!.counts.staff).toEqual(zero);
    expect(job.report!.counts.establishments).toEqual(zero);

    // Modified: the new classes, the new name; everything else as it was; login and password untouched.
    const after = await user(db, 'E1001');
    expect(await enrolmentsOf(db, 'E1001')).toEqual({ classes: ['2NDE2'], groups: ['SPE_MATHS'] });
    expect(after).toMatchObject({
      last_name: 'MARTIN-DUPONT',
      first_name: 'Éloïse',
      display_name: 'MARTIN-DUPONT Éloïse',
      birth_date: '2010-03-14',
      login: 'eloise.martin',
      status: 'active',
      password_hash: 'argon2-hash-kept',
      activation_code_hash: null,
    });
    expect(await guardiansOf(db, 'E1001')).toHaveLength(2);

    // Added.
    expect(await user(db, 'E1010')).toMatchObject({ first_name: 'Inès', status: 'pending_activation' });
    expect(await enrolmentsOf(db, 'E1010')).toEqual({ classes: ['2NDE2'], groups: [] });
    expect(job.report!.anomalies).toContainEqual(expect.objectContaining({ code: 'UNKNOWN_PERSON', key: 'R2010' }));

    // Deleted: detached, out of its sessions, its memberships kept.
    const gone = await user(db, 'E1004');
    expect(gone.status).toBe('detached');
    expect(gone.detached_at).not.toBeNull();
    expect(await db.selectFrom('session').select('id').where('user_id', '=', lucas.id).execute()).toEqual([]);
    expect(await profilesOf(db, 'E1004')).toEqual([{ profile: 'student', functions: [] }]);

    // Not mentioned: not touched.
    expect((await user(db, 'E1002')).updated_at).toEqual(noe.updated_at);
  });

  test('the full export again: absentees detached, the deleted one back, classes as the export says', async () => {
    const job = await importFiles(as, FULL);
    expect(job.status).toBe('done');
    // E1010 (added by the delta) is not in the full export; E1004 is back; E1001 back to its name and classes.
    expect(job.report!.counts.students).toEqual({ created: 0, updated: 2, detached: 1 });
    expect((await user(db, 'E1010')).status).toBe('detached');
    expect((await user(db, 'E1004')).status).toBe('pending_activation');
    expect((await user(db, 'E1004')).detached_at).toBeNull();
    const eloise = await user(db, 'E1001');
    expect(eloise).toMatchObject({ last_name: 'MARTIN', status: 'active', password_hash: 'argon2-hash-kept' });
    expect(await enrolmentsOf(db, 'E1001')).toEqual({ classes: ['2NDE1'], groups: ['2NDE1_ESP2', 'SPE_MATHS'] });
  });

  test('a full export of staff alone detaches the staff it no longer lists, and only them', async () => {
    const staffOnly = [
      fixture('aaf/full/ENT2D_Complet_20260901_EtabEducNat_0001.xml'),
      delta(
        `<addRequest>
           <operationalAttributes><attr name="categoriePersonne"><value>PersEducNat</value></attr></operationalAttributes>
           <identifier><id>P3003</id></identifier>
           <attributes>
             <attr name="sn"><value>BERNARD</value></attr><attr name="givenName"><value>Hélène</value></attr>
             <attr name="personalTitle"><value>Mme</value></attr>
             <attr name="mail"><value>helene.bernard@ac-creteil.fr</value></attr>
             <attr name="ENTPersonStructRattach"><value>30122</value></attr>
             <attr name="ENTPersonFonctions"><value>30122$DIR$DIRECTION$ADJ$PROVISEUR ADJOINT</value></attr>
           </attributes>
         </addRequest>`,
        'ENT2D_Complet_20261001_PersEducNat_0001.xml',
      ),
    ];
    const job = await importFiles(as, staffOnly);
    expect(job.status).toBe('done');
    expect(job.report!.counts.staff).toEqual({ created: 0, updated: 1, detached: 6 });
    expect(job.report!.counts.students).toEqual(zero);
    // Bernard became deputy head: principal, no more teacher, no more assignments nor head-teacher class.
    expect(await profilesOf(db, 'P3003')).toEqual([{ profile: 'principal', functions: ['DIR'] }]);
    const bernard = await user(db, 'P3003');
    expect(
      await db.selectFrom('teaching_assignment').select('id').where('teacher_id', '=', bernard.id).execute(),
    ).toEqual([]);
    expect((await user(db, 'P3001')).status).toBe('detached');
    expect((await user(db, 'E1002')).status).toBe('pending_activation');
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({ code: 'CLASS_WITHOUT_TEACHER', key: 'TG1' }),
    );
  });
});

describe('broken files change nothing', () => {
  const { db, as } = broken;
  const cases: [string, UploadFile[], string][] = [
    ['not XML (a CSV named .xml)', [...FULL, fixture('aaf/broken/not-xml.xml')], 'NOT_XML'],
    ['truncated', [...FULL, fixture('aaf/broken/ENT2D_Complet_20260901_Eleve_0009.xml')], 'TRUNCATED_XML'],
    ['Latin-1 bytes declared UTF-8', [...FULL, fixture('aaf/broken/wrong-encoding.xml')], 'INVALID_ENCODING'],
    ['another root element', [...FULL, fixture('aaf/broken/wrong-root.xml')], 'WRONG_ROOT'],
    ['an empty file', [...FULL, { name: 'ENT2D_Complet_20260901_Eleve_0003.xml', content: '' }], 'EMPTY_FILE'],
  ];
  for (const [what, files, code] of cases) {
    test(`${what}: the job fails with a clear report and nothing is written`, async () => {
      const before = await snapshot(db);
      const job = await importFiles(as, files);
      expect(job.status).toBe('failed');
      expect(job.report!.anomalies[0]).toMatchObject({ code });
      expect(job.report!.anomalies[0]!.file).toMatch(/\.xml$/);
      for (const c of Object.values(job.report!.counts)) expect(c).toEqual(zero);
      expect(await snapshot(db)).toEqual(before);
    });
  }

  test('a request without identifier is skipped and reported, the rest is imported', async () => {
    const job = await importFiles(as, [...FULL, fixture('aaf/broken/missing-identifier.xml')]);
    expect(job.status).toBe('done');
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({ code: 'MISSING_KEY', file: 'missing-identifier.xml', record: 1 }),
    );
    expect(job.report!.counts.students.created).toBe(6);
  });
});

describe('dry run', () => {
  const { db, as } = dry;
  test('computes everything, changes nothing, and reports what a real run then does', async () => {
    const before = await snapshot(db);
    const preview = await importFiles(as, FULL, { dryRun: 'true' });
    expect(preview.status, JSON.stringify(preview.report?.anomalies.slice(-3))).toBe('done');
    expect(preview.dryRun).toBe(true);
    expect(await snapshot(db)).toEqual(before);
    expect(await db.selectFrom('audit_event').select('id').where('action', '=', 'directory.import').execute()).toEqual(
      [],
    );
    const real = await importFiles(as, FULL);
    expect(real.report!.counts).toEqual(preview.report!.counts);
    expect(real.report!.anomalies.map((a) => a.code).sort()).toEqual(
      preview.report!.anomalies.map((a) => a.code).sort(),
    );
    const again = await importFiles(as, FULL, { dryRun: 'true' });
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
  });
});

describe('older files', () => {
  const { db, as } = old;
  test('deprecated attributes: parents and parental authority give the guardians and their level', async () => {
    const job = await importFiles(as, [
      fixture('aaf/full/ENT2D_Complet_20260901_EtabEducNat_0001.xml'),
      fixture('aaf/deprecated/ENT2D_Complet_20190902_Eleve_0001.xml'),
      delta(
        ['R0901', 'R0902']
          .map(
            (k, i) => `<addRequest>
              <operationalAttributes><attr name="categoriePersonne"><value>PersRelEleve</value></attr></operationalAttributes>
              <identifier><id>${k}</id></identifier>
              <attributes><attr name="sn"><value>LAMBERT</value></attr>
                <attr name="givenName"><value>${i ? 'Marc' : 'Claire'}</value></attr>
                <attr name="mail"><value>${k}@example.fr</value></attr></attributes>
            </addRequest>`,
          )
          .join('\n'),
        'ENT2D_Complet_20190902_PersRelEleve_0001.xml',
      ),
    ]);
    expect(job.status).toBe('done');
    expect(job.report!.counts.students.created).toBe(2);
    expect(await guardiansOf(db, 'E0901')).toEqual([
      { guardian: 'R0901', level: 'legal', relation: null },
      { guardian: 'R0902', level: 'in_charge', relation: null },
    ]);
    expect(await guardiansOf(db, 'E0902')).toEqual([{ guardian: 'R0901', level: 'legal', relation: null }]);
    expect((await user(db, 'E0902')).birth_date).toBe('2006-08-30');
  });
});

describe('cross-file anomalies', () => {
  const { as } = old;
  test('same key twice, same names and birth date, links to absent structures, unknown subject and MEF', async () => {
    const student = (id: string, extra = '') => `<addRequest>
      <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
      <identifier><id>${id}</id></identifier>
      <attributes><attr name="sn"><value>ROBIN</value></attr><attr name="givenName"><value>Léo</value></attr>
        <attr name="ENTPersonDateNaissance"><value>01/01/2010</value></attr>
        <attr name="ENTPersonStructRattach"><value>30122</value></attr>
        <attr name="ENTEleveClasses"><value>30122$2NDE1</value></attr>${extra}</attributes>
    </addRequest>`;
    const job = await importFiles(as, [
      fixture('aaf/full/ENT2D_Complet_20260901_EtabEducNat_0001.xml'),
      delta(
        student('E7001', '<attr name="ENTEleveMEF"><value>99999999999</value></attr>') +
          student('E7002') +
          student('E7003', '<attr name="ENTEleveGroupes"><value>99999$G1</value><value>30122$NOUVEAU</value></attr>'),
        'ENT2D_Delta_20261002_Eleve_0001.xml',
      ),
      delta(student('E7001'), 'ENT2D_Delta_20261002_Eleve_0002.xml'),
      delta(
        `<addRequest>
          <operationalAttributes><attr name="categoriePersonne"><value>PersEducNat</value></attr></operationalAttributes>
          <identifier><id>P7001</id></identifier>
          <attributes><attr name="sn"><value>NOVAK</value></attr><attr name="givenName"><value>Ana</value></attr>
            <attr name="ENTPersonStructRattach"><value>30122</value></attr>
            <attr name="ENTPersonFonctions"><value>30122$ENS$ENSEIGNEMENT</value></attr>
            <attr name="ENTAuxEnsClassesMatieres"><value>30122$2NDE1$777777</value></attr></attributes>
        </addRequest>`,
        'ENT2D_Delta_20261002_PersEducNat_0001.xml',
      ),
    ]);
    expect(job.status).toBe('done');
    const found = (code: string) => job.report!.anomalies.filter((a) => a.code === code);
    expect(found('DUPLICATE_KEY')).toEqual([
      expect.objectContaining({ key: 'E7001', file: 'ENT2D_Delta_20261002_Eleve_0002.xml', record: 1 }),
    ]);
    expect(
      found('DUPLICATE_PERSON')
        .map((a) => a.key)
        .sort(),
    ).toEqual(['E7002', 'E7003']);
    expect(found('UNKNOWN_STRUCTURE')).toEqual([expect.objectContaining({ key: '99999' })]);
    expect(found('UNKNOWN_GROUP')).toEqual([expect.objectContaining({ key: 'NOUVEAU' })]);
    expect(found('UNKNOWN_MEF')).toEqual([expect.objectContaining({ key: '99999999999' })]);
    expect(found('UNKNOWN_SUBJECT')).toEqual([expect.objectContaining({ key: 'P7001' })]);
    // Imported as far as they can be: the group is created, the assignment kept with a placeholder subject.
    expect(job.report!.counts.groups.created).toBe(1);
    expect(job.report!.counts.subjects.created).toBe(1);
  });
});

describe('a generated lycée in numbered parts and both encodings', () => {
  const { db, as } = generated;
  const toUpload = (files: ReturnType<typeof generateAafSet>) =>
    files.map((f) => ({ name: f.name, content: f.content }));

  test('imports, re-imports as a no-op, and detaches who a later full export leaves out', async () => {
    const set = generateAafSet({ students: 70, guardians: 120, staff: 12 });
    const job = await importFiles(as, toUpload(set));
    expect(job.status).toBe('done');
    expect(job.report!.counts.students.created).toBe(70);
    expect(job.report!.counts.guardians.created).toBe(120);
    expect(job.report!.counts.staff.created).toBe(12);
    expect(await countRows(db, 'guardianship')).toBe(120);
    const logins = await db.selectFrom('app_user').select('login').execute();
    expect(new Set(logins.map((l) => l.login.toLowerCase())).size).toBe(logins.length);

    const again = await importFiles(as, toUpload(set));
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);

    // The same export a month later, without its last student (and that student's guardians).
    const smaller = generateAafSet({ students: 69, guardians: 119, staff: 12, date: '20261001' });
    const later = await importFiles(as, toUpload(smaller));
    expect(later.status).toBe('done');
    expect(later.report!.counts.students).toEqual({ created: 0, updated: 0, detached: 1 });
    expect(later.report!.counts.guardians).toEqual({ created: 0, updated: 0, detached: 1 });
    expect((await user(db, 'GE000070')).status).toBe('detached');
    expect((await user(db, 'GE000069')).status).toBe('pending_activation');
  });
});

describe('a delta that carries only attributes of the account', () => {
  const { db, as } = contacts;
  const modify = (category: string, id: string, attrs: Record<string, string>) => `<modifyRequest>
      <operationalAttributes><attr name="categoriePersonne"><value>${category}</value></attr></operationalAttributes>
      <identifier><id>${id}</id></identifier>
      <attributes>${Object.entries(attrs)
        .map(([n, v]) => `<attr name="${n}"><value>${v}</value></attr>`)
        .join('')}</attributes>
    </modifyRequest>`;
  const detail = async (key: string) => {
    const est = await db.selectFrom('establishment').select('id').executeTakeFirstOrThrow();
    const res = await as.get(`/api/establishments/${est.id}/users/${(await user(db, key)).id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { email: string | null; birthDate: string | null; firstName: string; lastName: string };
  };

  test("guardians' e-mail and phones and a teacher's e-mail are updated, nothing else", async () => {
    expect((await importFiles(as, FULL)).status).toBe('done');
    const before = await user(db, 'R2001');
    const bystander = await user(db, 'R2003');
    const job = await importFiles(as, [
      delta(
        modify('PersRelEleve', 'R2001', { mail: 'sophie.martin@nouveau.fr', mobile: '07 11 22 33 44' }) +
          modify('PersRelEleve', 'R2002', { homePhone: '01 40 00 00 01', telephoneNumber: '01 40 00 00 02' }),
        'ENT2D_Delta_20260920_PersRelEleve_0001.xml',
      ),
      delta(
        modify('PersEducNat', 'P3003', { mail: 'h.bernard@ac-creteil.fr' }),
        'ENT2D_Delta_20260920_PersEducNat_0001.xml',
      ),
    ]);
    expect(job.status).toBe('done');
    expect(job.report!.counts.guardians).toEqual({ created: 0, updated: 2, detached: 0 });
    expect(job.report!.counts.staff).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(job.report!.counts.students).toEqual(zero);

    expect(await user(db, 'R2001')).toMatchObject({
      email: 'sophie.martin@nouveau.fr',
      phone_mobile: '07 11 22 33 44',
      // Not in the request: kept.
      phone_home: '01 48 20 11 22',
      first_name: 'Sophie',
      last_name: 'MARTIN',
      address: before.address,
      login: before.login,
    });
    expect(await user(db, 'R2002')).toMatchObject({ phone_home: '01 40 00 00 01', phone_work: '01 40 00 00 02' });
    expect((await detail('R2001')).email).toBe('sophie.martin@nouveau.fr');
    expect(await detail('P3003')).toMatchObject({ email: 'h.bernard@ac-creteil.fr', lastName: 'BERNARD' });
    // Memberships and links untouched.
    expect(await profilesOf(db, 'P3003')).toEqual([{ profile: 'teacher', functions: ['ENS'] }]);
    expect(await guardiansOf(db, 'E1001')).toHaveLength(2);
    expect((await user(db, 'R2003')).updated_at).toEqual(bystander.updated_at);
  });

  test("a student's birth date, names and INE alone are updated", async () => {
    const job = await importFiles(as, [
      delta(
        modify('Eleve', 'E1002', {
          ENTPersonDateNaissance: '03/09/2008',
          sn: 'MARTIN-ROUX',
          givenName: 'Noé-Paul',
          ENTEleveINE: '234567890ZZ',
        }),
      ),
    ]);
    expect(job.status).toBe('done');
    expect(job.report!.counts.students).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(await user(db, 'E1002')).toMatchObject({
      birth_date: '2008-09-03',
      last_name: 'MARTIN-ROUX',
      first_name: 'Noé-Paul',
      display_name: 'MARTIN-ROUX Noé-Paul',
      ine: '234567890ZZ',
      login: 'noe.martin',
    });
    expect(await detail('E1002')).toMatchObject({ birthDate: '2008-09-03', lastName: 'MARTIN-ROUX' });
    expect(await enrolmentsOf(db, 'E1002')).toEqual({ classes: ['TG1'], groups: [] });
  });

  test('a modify that carries no attribute, or the values already known, changes nothing', async () => {
    const before = await snapshot(db);
    const users = await db.selectFrom('app_user').select(['id', 'updated_at']).orderBy('id').execute();
    const job = await importFiles(as, [
      delta(modify('PersRelEleve', 'R2001', {}), 'ENT2D_Delta_20260921_PersRelEleve_0001.xml'),
      delta(
        modify('PersEducNat', 'P3003', { mail: 'h.bernard@ac-creteil.fr' }),
        'ENT2D_Delta_20260921_PersEducNat_0001.xml',
      ),
      delta(modify('Eleve', 'E1002', {}), 'ENT2D_Delta_20260921_Eleve_0001.xml'),
    ]);
    expect(job.status).toBe('done');
    for (const c of Object.values(job.report!.counts)) expect(c).toEqual(zero);
    expect(await snapshot(db)).toEqual(before);
    expect(await db.selectFrom('app_user').select(['id', 'updated_at']).orderBy('id').execute()).toEqual(users);
  });
});
