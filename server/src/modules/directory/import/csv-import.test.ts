import type { Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';
import { fixture, importFiles, upload, zero } from '../../../../test/imports.ts';
import type { Database } from '../../../platform/db/schema.ts';

const { app, db } = await testApp();

async function school() {
  const est = await makeEstablishment(db);
  const admin = await makeUser(db, { establishmentId: est.id, profiles: ['local_admin'] });
  return { est, as: await loginAs(app, admin.login) };
}

async function people(db: Kysely<Database>, establishmentId: string, profile: string) {
  return db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .selectAll('u')
    .select('m.functions')
    .where('m.establishment_id', '=', establishmentId)
    .where('m.profile', '=', profile)
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .execute();
}

async function childrenOf(guardianId: string) {
  return db
    .selectFrom('guardianship as g')
    .innerJoin('app_user as s', 's.id', 'g.student_id')
    .select(['s.first_name', 'g.level'])
    .where('g.guardian_id', '=', guardianId)
    .orderBy('s.first_name')
    .execute();
}

describe('CSV files of one establishment', () => {
  test('students with R1/R2 guardian columns, then a guardians file with one row per guardian × child', async () => {
    const { est, as } = await school();
    const job = await importFiles(as, [fixture('csv/eleves-r1-r2.csv')]);
    expect(job.status).toBe('done');
    expect(job.kind).toBe('csv');
    expect(job.establishmentId).toBe(est.id);
    expect(job.report!.counts.students).toEqual({ created: 3, updated: 0, detached: 0 });
    expect(job.report!.counts.guardians).toEqual({ created: 5, updated: 0, detached: 0 });
    expect(job.report!.counts.classes).toEqual({ created: 3, updated: 0, detached: 0 });
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({ code: 'UNMAPPED_COLUMN', file: 'eleves-r1-r2.csv' }),
    );
    const students = await people(db, est.id, 'student');
    expect(students.map((s) => `${s.last_name} ${s.first_name} ${s.birth_date}`)).toEqual([
      'GARCIA Lucas 2009-11-23',
      'MARTIN Éloïse 2010-03-14',
      "N'DIAYE Aïssatou 2010-02-12",
    ]);
    const guardians = await people(db, est.id, 'guardian');
    expect(guardians.map((g) => `${g.last_name} ${g.first_name}`)).toEqual([
      'GARCIA Carmen',
      'GARCIA Miguel',
      'MARTIN Jérôme',
      'MARTIN Sophie',
      "N'DIAYE Fatou",
    ]);
    const sophie = guardians.find((g) => g.first_name === 'Sophie')!;
    expect(sophie).toMatchObject({ email: 'sophie.martin@example.fr', phone_mobile: '06 12 34 56 78' });
    expect(await childrenOf(sophie.id)).toEqual([{ first_name: 'Éloïse', level: 'legal' }]);
    expect(sophie.external_id).toMatch(new RegExp(`^csv:${est.uai}:guardian:`));

    // The guardians' file (Latin-1, commas): the same parents, known again; their children found by name.
    const second = await importFiles(as, [fixture('csv/responsables-latin1.csv')]);
    expect(second.status).toBe('done');
    expect(second.report!.counts.guardians).toEqual({ created: 0, updated: 3, detached: 0 });
    // The file states the relation (mother, father): the links of two students gain it.
    expect(second.report!.counts.students).toEqual({ created: 0, updated: 2, detached: 0 });
    const after = await people(db, est.id, 'guardian');
    expect(after).toHaveLength(5);
    const sophieAfter = after.find((g) => g.first_name === 'Sophie')!;
    expect(sophieAfter).toMatchObject({
      id: sophie.id,
      phone_home: '01 48 20 11 22',
      title: 'Mme',
      address: { lines: ['12 rue de la République, Bât. B'], postalCode: '93200', city: 'SAINT-DENIS', country: null },
    });
    // Noé is in no students' file: reported, not invented.
    expect(second.report!.anomalies).toContainEqual(
      expect.objectContaining({ code: 'UNKNOWN_PERSON', file: 'responsables-latin1.csv' }),
    );
    const fatou = after.find((g) => g.first_name === 'Fatou')!;
    expect(await childrenOf(fatou.id)).toEqual([{ first_name: 'Aïssatou', level: 'legal' }]);

    // Both files again: nothing changes.
    const again = await importFiles(as, [fixture('csv/eleves-r1-r2.csv')]);
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
    const again2 = await importFiles(as, [fixture('csv/responsables-latin1.csv')]);
    for (const c of Object.values(again2.report!.counts)) expect(c).toEqual(zero);
  });

  test('a SIECLE export with a BOM, the mapping step, consents kept', async () => {
    const { est, as } = await school();
    const preview = await upload(as, [fixture('csv/eleves-siecle-bom.csv')], {}, '/api/imports/csv/preview');
    expect(preview.statusCode, preview.body).toBe(200);
    const file = preview.json().files[0];
    expect(file).toMatchObject({
      file: 'eleves-siecle-bom.csv',
      encoding: 'utf-8',
      separator: ';',
      profile: 'student',
    });
    expect(file.unknownColumns).toEqual(['Code Club']);
    expect(file.columns).toContainEqual({ header: 'Classe', field: 'class', samples: ['2NDE1', '2NDE2', '1G1'] });
    expect(preview.json().fields).toContain('r1.email');

    const mapping = JSON.stringify({ 'eleves-siecle-bom.csv': { columns: { 'Code Club': 'ignored' } } });
    const job = await importFiles(as, [fixture('csv/eleves-siecle-bom.csv')], { mapping });
    expect(job.status).toBe('done');
    expect(job.report!.counts.students.created).toBe(4);
    expect(job.report!.counts.groups.created).toBe(2);
    expect(job.report!.anomalies.map((a) => a.code)).not.toContain('UNMAPPED_COLUMN');
    expect(job.report!.anomalies).toContainEqual(expect.objectContaining({ code: 'MALFORMED_DATE', record: 3 }));
    const students = await people(db, est.id, 'student');
    const lucas = students.find((s) => s.first_name === 'Lucas')!;
    expect(lucas.last_name).toBe('GARCIA-LÓPEZ'); // the usage name
    const eloise = students.find((s) => s.first_name === 'Éloïse')!;
    expect(eloise).toMatchObject({ ine: '123456789AB', consents: { photo: 'Oui' } });
  });

  test('teachers and staff: functions to profiles, subjects by label, head teachers', async () => {
    const { est, as } = await school();
    await db
      .insertInto('subject')
      .values({ code: '061300', label: 'Mathématiques' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const job = await importFiles(as, [fixture('csv/enseignants-tab.csv')]);
    expect(job.status).toBe('done');
    expect(job.report!.counts.staff).toEqual({ created: 3, updated: 0, detached: 0 });
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({
        code: 'UNKNOWN_SUBJECT',
        message: expect.stringContaining('LETTRES MODERNES'),
        params: { variant: 'label', label: 'LETTRES MODERNES' },
      }),
    );
    const teachers = await people(db, est.id, 'teacher');
    expect(teachers.map((t) => t.last_name)).toEqual(['BERNARD', 'DUBOIS']);
    expect(teachers[0]!.functions).toEqual(['ENS']);
    const staff = await people(db, est.id, 'staff');
    expect(staff.map((s) => [s.last_name, s.functions])).toEqual([['PETIT', ['DOC']]]);
    const bernard = teachers[0]!;
    const assignments = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('class as c', 'c.id', 'ta.class_id')
      .select(['c.code', 'ta.subject_code'])
      .where('ta.teacher_id', '=', bernard.id)
      .orderBy('c.code')
      .execute();
    expect(assignments).toEqual([
      { code: '2NDE1', subject_code: '061300' },
      { code: 'TG1', subject_code: '061300' },
    ]);
    const heads = await db
      .selectFrom('head_teacher as h')
      .innerJoin('class as c', 'c.id', 'h.class_id')
      .select('c.code')
      .where('h.teacher_id', '=', bernard.id)
      .execute();
    expect(heads).toEqual([{ code: '2NDE1' }]);
    const again = await importFiles(as, [fixture('csv/enseignants-tab.csv')]);
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
  });

  test('a mixed file with a profile column, and a dry run', async () => {
    const { est, as } = await school();
    const csv =
      'Profil;Nom;Prénom;Date de naissance;Classe;Courriel;Discipline;Fonction\n' +
      'Élève;DURAND;Paul;01/02/2011;3A;;;\n' +
      'Enseignant;ROUX;Anne;;3A;anne.roux@ac.fr;061300;ENS\n' +
      'Personnel;SIMON;Luc;;;luc.simon@ac.fr;;CPE\n';
    const file = { name: 'annuaire.csv', content: csv };
    const preview = await importFiles(as, [file], { dryRun: 'true' });
    expect(preview.status).toBe('done');
    expect(preview.report!.counts.students.created).toBe(1);
    expect(preview.report!.counts.staff.created).toBe(2);
    expect(await people(db, est.id, 'student')).toEqual([]);
    const job = await importFiles(as, [file]);
    expect(job.report!.counts).toEqual(preview.report!.counts);
    expect((await people(db, est.id, 'staff')).map((s) => s.functions)).toEqual([['EDU']]);
  });

  test('a file whose rows cannot be told apart fails and changes nothing', async () => {
    const { est, as } = await school();
    const job = await importFiles(as, [{ name: 'liste.csv', content: 'Nom;Prénom\nDURAND;Paul\n' }]);
    expect(job.status).toBe('failed');
    expect(job.report!.anomalies[0]).toMatchObject({ code: 'CSV_PROFILE_UNKNOWN', file: 'liste.csv' });
    expect(await people(db, est.id, 'student')).toEqual([]);
    // The mapping step says what they are.
    const mapping = JSON.stringify({ 'liste.csv': { profile: 'student' } });
    const ok = await importFiles(as, [{ name: 'liste.csv', content: 'Nom;Prénom\nDURAND;Paul\n' }], { mapping });
    expect(ok.status).toBe('done');
    expect(ok.report!.counts.students.created).toBe(1);
  });

  test('mapping and establishment are checked before anything is stored', async () => {
    const { as } = await school();
    const other = await makeEstablishment(db);
    const bad = await upload(as, [fixture('csv/eleves-r1-r2.csv')], {
      mapping: JSON.stringify({ 'eleves-r1-r2.csv': { columns: { Observations: 'nickname' } } }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('IMPORT_MAPPING_INVALID');
    const notJson = await upload(as, [fixture('csv/eleves-r1-r2.csv')], { mapping: '{' });
    expect(notJson.statusCode).toBe(400);
    const foreign = await upload(as, [fixture('csv/eleves-r1-r2.csv')], { establishment: other.id });
    expect(foreign.statusCode).toBe(404);
    const stored = await db.selectFrom('import_job').select('id').where('establishment_id', '=', other.id).execute();
    expect(stored).toEqual([]);

    const admin = await makeUser(db, { platformAdmin: true });
    const platform = await loginAs(app, admin.login);
    const unsaid = await upload(platform, [fixture('csv/eleves-r1-r2.csv')]);
    expect(unsaid.statusCode).toBe(400);
    expect(unsaid.json().code).toBe('IMPORT_ESTABLISHMENT_REQUIRED');
    const said = await importFiles(platform, [fixture('csv/eleves-r1-r2.csv')], { establishment: other.id });
    expect(said.status).toBe('done');
    expect(said.establishmentId).toBe(other.id);
  });
});
