import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TimetableImport, WeekResponse } from '@preau/contracts';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, test } from 'vitest';
import { enrol, guard, makeClass, makeGroup, subject } from '../../../../test/directory-fixtures.ts';
import { type Agent, countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';
import { FIXTURES, multipart, type UploadFile } from '../../../../test/imports.ts';

/**
 * The STS-Web import on our own fixtures (server/test/fixtures/sts, ISO-8859-15): alternating weeks, co-teaching,
 * teachers and classes missing from the directory, an ambiguous teacher, a course after the day's hours, an
 * unknown week pattern, overlapping courses; a broken file, a file of another establishment, the CSV fallback.
 */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
let principal: Agent;
let student: Agent;
let studentId: string;
const teachers: Record<string, string> = {};

/** The fixture with the school's UAI in place of the placeholder. */
function sts(file: string, uai = school.uai): UploadFile {
  const text = iconv
    .decode(readFileSync(join(FIXTURES, 'sts', file)), 'iso-8859-15')
    .replaceAll('UAI_PLACEHOLDER', uai);
  return { name: file, content: iconv.encode(text, 'iso-8859-15'), type: 'text/xml' };
}

async function upload(as: Agent, files: UploadFile[], fields: Record<string, string>) {
  const { body, contentType } = multipart(files, fields);
  return as.post('/api/timetable/imports', body, { 'content-type': contentType });
}

async function finished(as: Agent, id: string): Promise<TimetableImport> {
  for (let i = 0; i < 200; i++) {
    const job = (await as.get(`/api/timetable/imports/${id}`)).json() as TimetableImport;
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

const courses = () => countRows(db, 'timetable_course');

beforeAll(async () => {
  school = await makeEstablishment(db);
  for (const [code, label] of [
    ['061300', 'Mathématiques'],
    ['030201', 'Anglais LV1'],
    ['062900', 'Sciences de la vie et de la Terre'],
    ['063800', 'Physique-chimie'],
    ['030602', 'Espagnol LV2'],
    ['040900', 'Enseignement moral et civique'],
    ['020100', 'Français'],
  ] as const)
    await subject(db, code, label);
  const c1 = await makeClass(db, school, '2NDE1');
  await makeClass(db, school, '2NDE2');
  await makeGroup(db, school, 'ESP2-A');
  const mk = async (first: string, last: string, birth: string | null) => {
    const u = await makeUser(db, {
      establishmentId: school.id,
      profiles: ['teacher'],
      firstName: first,
      lastName: last,
    });
    if (birth) await db.updateTable('app_user').set({ birth_date: birth }).where('id', '=', u.id).execute();
    return u.id;
  };
  teachers.paul = await mk('Paul', 'Professeur', '1979-05-02');
  teachers.eleonore = await mk('Éléonore', 'Cœur', null);
  // Two accounts named Jean Martin, neither with the birth date of the file: ambiguous.
  teachers.martin1 = await mk('Jean', 'Martin', null);
  teachers.martin2 = await mk('Jean', 'Martin', null);
  const p = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
  principal = await loginAs(app, p.login);
  const s = await makeUser(db, { establishmentId: school.id, profiles: ['student'] });
  studentId = s.id;
  await enrol(db, school, s.id, { classId: c1.id });
  student = await loginAs(app, s.login);
  const parent = await makeUser(db, { establishmentId: school.id, profiles: ['guardian'] });
  await guard(db, school, parent.id, s.id);
});

describe('the STS-Web import', () => {
  test('imports the courses it can place and reports the others in French', async () => {
    const res = await upload(principal, [sts('sts_emp.xml'), sts('emp_sts.xml')], { establishment: school.id });
    expect(res.statusCode).toBe(202);
    const job = await finished(principal, res.json().id);
    expect(job.status).toBe('done');
    const codes = job.report.anomalies.map((a) => a.code).sort();
    expect(codes).toEqual(
      expect.arrayContaining([
        'AMBIGUOUS_TEACHER',
        'OVERLAPPING_COURSES',
        'START_OUTSIDE_DAY',
        'UNKNOWN_CLASS',
        'UNKNOWN_TEACHER',
        'UNKNOWN_WEEK_PATTERN',
      ]),
    );
    const said = (code: string) => job.report.anomalies.find((a) => a.code === code)!.message;
    expect(said('UNKNOWN_CLASS')).toBe('Classe « 2NDE9 » absente de l’annuaire de l’année en cours : 1 cours ignoré.');
    expect(said('UNKNOWN_TEACHER')).toContain('Enseignant NOUVELLE Inès (STS n° 10004) absent de l’annuaire');
    expect(said('AMBIGUOUS_TEACHER')).toContain('Plusieurs comptes de l’annuaire s’appellent MARTIN Jean');
    expect(said('START_OUTSIDE_DAY')).toContain('Cours hors des horaires du mercredi (8 h 00 – 12 h 00)');
    expect(said('OVERLAPPING_COURSES')).toContain('la classe 2NDE1 le lundi');
    // 2NDE1: 3 maths, English, SVT (A), physics (B) = 6; 2NDE2: EMC (co-taught), maths = 2; ESP2-A: 1.
    expect(job.report.counts).toMatchObject({
      created: 9,
      updated: 0,
      removed: 0,
      skipped: 3,
      classesMatched: 2,
      groupsMatched: 1,
    });
    expect(await courses()).toBe(9);

    // ISO-8859-15: Cœur (œ is not in ISO-8859-1) matched by name; co-teaching kept both teachers.
    const emc = await db
      .selectFrom('timetable_course_teacher as t')
      .innerJoin('timetable_course as c', 'c.id', 't.course_id')
      .select('t.teacher_id')
      .where('c.subject_code', '=', '040900')
      .execute();
    expect(emc.map((r) => r.teacher_id).sort()).toEqual([teachers.paul, teachers.eleonore].sort());
    // The matched STS ids are remembered for the next import.
    const links = await db
      .selectFrom('timetable_teacher_link')
      .select(['sts_id', 'user_id'])
      .orderBy('sts_id')
      .execute();
    expect(links).toEqual([
      { sts_id: '10001', user_id: teachers.paul },
      { sts_id: '10002', user_id: teachers.eleonore },
    ]);
  });

  test('weeks A and B: the student has SVT on A weeks and physics on B weeks, Tuesday 14:25', async () => {
    const week = async (date: string) =>
      ((await student.get(`/api/timetable/week?establishment=${school.id}&date=${date}`)).json() as WeekResponse).items
        .filter((i) => i.start.includes('T14:25'))
        .map((i) => `${i.subject.name} ${i.weekPattern}`);
    expect(await week('2026-09-07')).toEqual(['Physique-chimie B']);
    expect(await week('2026-09-14')).toEqual(['Sciences de la vie et de la Terre A']);
    // Toussaint (zone C): no course at all, the holiday is said.
    const holiday = (await student.get(`/api/timetable/week?establishment=${school.id}&date=2026-10-21`)).json();
    expect(holiday.items).toEqual([]);
    expect(holiday.holidays[0].name).toBe('Vacances de la Toussaint');
    expect(studentId).toBeTruthy();
  });

  test('the same files again change nothing, and keep the course ids', async () => {
    const before = (await db.selectFrom('timetable_course').select('id').orderBy('id').execute()).map((r) => r.id);
    const res = await upload(principal, [sts('sts_emp.xml'), sts('emp_sts.xml')], { establishment: school.id });
    const job = await finished(principal, res.json().id);
    expect(job.report.counts).toMatchObject({ created: 0, updated: 0, removed: 0 });
    const after = (await db.selectFrom('timetable_course').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(after).toEqual(before);
  });

  test('a file that is not well-formed is refused with its reason and line: nothing is stored', async () => {
    const jobs = await countRows(db, 'timetable_import');
    const before = await courses();
    const res = await upload(principal, [sts('sts_emp.xml'), sts('emp_sts_broken.xml')], { establishment: school.id });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('TIMETABLE_IMPORT_INVALID');
    expect(res.json().detail).toMatch(
      /^Le fichier « emp_sts_broken\.xml » ne peut pas être lu : .+ \(ligne \d+\)\. Rien n’a été importé\.$/,
    );
    expect(await countRows(db, 'timetable_import')).toBe(jobs);
    expect(await countRows(db, 'timetable_import_file')).toBe(0);
    expect(await courses()).toBe(before);
  });

  test('not an exchange file, a binary file, no file, no establishment: clear refusals, nothing stored', async () => {
    const jobs = await countRows(db, 'timetable_import');
    const other = await upload(principal, [{ name: 'eleves.xml', content: '<?xml version="1.0"?><ficAlimMENESR/>' }], {
      establishment: school.id,
    });
    expect(other.statusCode).toBe(400);
    expect(other.json().detail).toContain(
      'ce n’est pas un fichier d’échange STS-Web (élément racine « ficAlimMENESR »',
    );
    const pdf = await upload(principal, [{ name: 'edt.pdf', content: Buffer.from('%PDF-1.4\n\u0000\u0001binary') }], {
      establishment: school.id,
    });
    expect(pdf.statusCode).toBe(415);
    expect(pdf.json().code).toBe('TIMETABLE_IMPORT_FILE_TYPE');
    const none = await upload(principal, [], { establishment: school.id });
    expect(none.json().code).toBe('TIMETABLE_IMPORT_NO_FILES');
    const noEst = await upload(principal, [sts('emp_sts.xml')], {});
    expect(noEst.statusCode).toBe(400);
    expect(noEst.json().code).toBe('TIMETABLE_IMPORT_ESTABLISHMENT');
    const alone = await upload(principal, [sts('sts_emp.xml')], { establishment: school.id });
    expect(alone.json().detail).toContain('il manque emp_sts.xml');
    expect(await countRows(db, 'timetable_import')).toBe(jobs);
  });

  test('files of another establishment: the job fails and says so, nothing changes', async () => {
    const before = await courses();
    const res = await upload(principal, [sts('sts_emp.xml', '0999999Z'), sts('emp_sts.xml', '0999999Z')], {
      establishment: school.id,
    });
    const job = await finished(principal, res.json().id);
    expect(job.status).toBe('failed');
    expect(job.report.anomalies).toEqual([
      { code: 'UAI_MISMATCH', message: expect.stringContaining('Ces fichiers concernent l’établissement 0999999Z') },
    ]);
    expect(await courses()).toBe(before);
  });

  test('another establishment’s principal cannot import here, nor read this import (404)', async () => {
    const other = await makeEstablishment(db);
    const p = await makeUser(db, { establishmentId: other.id, profiles: ['principal'] });
    const them = await loginAs(app, p.login);
    const res = await upload(them, [sts('sts_emp.xml'), sts('emp_sts.xml')], { establishment: school.id });
    expect(res.statusCode).toBe(404);
    const mine = (await principal.get(`/api/timetable/imports?establishment=${school.id}`)).json().items[0];
    expect((await them.get(`/api/timetable/imports/${mine.id}`)).statusCode).toBe(404);
  });
});

describe('the CSV fallback', () => {
  test('one line per course; a bad line is reported and skipped', async () => {
    const school2 = await makeEstablishment(db);
    await makeClass(db, school2, '2NDE1');
    await makeClass(db, school2, '2NDE2');
    await makeGroup(db, school2, 'ESP2-A');
    for (const [f, l] of [
      ['Paul', 'Professeur'],
      ['Éléonore', 'Cœur'],
      ['Jean', 'Martin'],
    ] as const)
      await makeUser(db, { establishmentId: school2.id, profiles: ['teacher'], firstName: f, lastName: l });
    const p = await makeUser(db, { establishmentId: school2.id, profiles: ['local_admin'] });
    const admin = await loginAs(app, p.login);
    const file = { name: 'emploi-du-temps.csv', content: readFileSync(join(FIXTURES, 'sts', 'emploi-du-temps.csv')) };
    const res = await upload(admin, [file], { establishment: school2.id });
    expect(res.statusCode).toBe(202);
    const job = await finished(admin, res.json().id);
    expect(job.status).toBe('done');
    expect(job.report.counts).toMatchObject({ created: 4, teachersMatched: 3, weekPatterns: 2 });
    expect(job.report.anomalies).toEqual([
      {
        code: 'MALFORMED_LINE',
        message: 'Ligne 6 : jour « dimanche » illisible (1 à 6, ou lundi à samedi) : ligne ignorée.',
        file: 'emploi-du-temps.csv',
        line: 6,
      },
    ]);
    // Weeks A and B were created from the school year for the A/B lines.
    const settings = (await admin.get(`/api/timetable/settings?establishment=${school2.id}`)).json();
    expect(settings.weekPatterns.map((p: { code: string }) => p.code)).toEqual(['A', 'B']);
  });

  test('a CSV without the needed columns is refused at once', async () => {
    const jobs = await countRows(db, 'timetable_import');
    const res = await upload(principal, [{ name: 'edt.csv', content: 'nom;prenom\nDupont;Marie\n' }], {
      establishment: school.id,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain(
      'colonnes manquantes dans l’en-tête (ligne 1) : classe, matiere, jour, debut, fin',
    );
    expect(await countRows(db, 'timetable_import')).toBe(jobs);
  });
});
