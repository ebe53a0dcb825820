/**
 * Issue 9: a CSV import must not duplicate people who already exist. Rows are matched by the strongest evidence
 * available — the file's identifier, the INE, then names and birth date within the establishment, then names and
 * a guardian — each row's outcome is in the report (created, updated, ambiguous…), and a likely match is never
 * created silently: it waits for the administrator's choice. A row without a surname is refused.
 */
import type { ImportJob } from '@preau/contracts';
import { describe, expect, test } from 'vitest';
import { countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';
import { importFiles, upload, zero } from '../../../../test/imports.ts';

const { app, db } = await testApp();

async function school() {
  const est = await makeEstablishment(db);
  const admin = await makeUser(db, { establishmentId: est.id, profiles: ['local_admin'] });
  const classes = new Map<string, string>();
  for (const code of ['2NDE1', '2NDE2'])
    classes.set(
      code,
      (
        await db
          .insertInto('class')
          .values({ establishment_id: est.id, school_year_id: est.schoolYearId, code, label: code })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
  return { est, classes, as: await loginAs(app, admin.login) };
}

type School = Awaited<ReturnType<typeof school>>;

/** A student already in the directory (imported long ago from the AAF, or typed in by hand). */
async function student(
  s: School,
  p: { last: string; first: string; birth?: string; ine?: string; key?: string; klass?: string },
) {
  const u = await makeUser(db, {
    establishmentId: s.est.id,
    profiles: ['student'],
    lastName: p.last,
    firstName: p.first,
    status: 'pending_activation',
  });
  await db
    .updateTable('app_user')
    .set({ birth_date: p.birth ?? null, ine: p.ine ?? null, external_id: p.key ?? null })
    .where('id', '=', u.id)
    .execute();
  if (p.klass)
    await db
      .insertInto('enrolment')
      .values({
        establishment_id: s.est.id,
        school_year_id: s.est.schoolYearId,
        student_id: u.id,
        class_id: s.classes.get(p.klass)!,
      })
      .execute();
  return u;
}

async function classOf(s: School, userId: string) {
  const rows = await db
    .selectFrom('enrolment as e')
    .innerJoin('class as c', 'c.id', 'e.class_id')
    .select('c.code')
    .where('e.student_id', '=', userId)
    .execute();
  return rows.map((r) => r.code).sort();
}

async function studentsNamed(s: School, last: string) {
  return db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.login', 'u.first_name'])
    .where('m.establishment_id', '=', s.est.id)
    .where('m.profile', '=', 'student')
    .where('u.last_name', '=', last)
    .execute();
}

const csv = (lines: string[]) => ({
  name: 'eleves.csv',
  content: `Nom;Prénom;Date de naissance;INE;Classe;Nom R1;Prénom R1\n${lines.join('\n')}\n`,
});
const rowOf = (job: ImportJob, line: number) => job.report!.rows!.find((r) => r.line === line)!;

describe('a CSV row for a person already in the directory', () => {
  test('same names and birth date, another class: the same account moves class, no second account', async () => {
    const s = await school();
    const nour = await student(s, { last: 'ANDRE', first: 'Nour', birth: '2010-05-04', key: 'E9001', klass: '2NDE1' });
    const dry = await importFiles(s.as, [csv(['ANDRÉ;Nour;04/05/2010;;2NDE2;;'])], { dryRun: 'true' });
    expect(dry.report!.counts.students).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(rowOf(dry, 2)).toMatchObject({
      kind: 'student',
      outcome: 'updated',
      match: { by: 'nameBirth', userId: nour.id },
    });
    expect(await classOf(s, nour.id)).toEqual(['2NDE1']);

    const job = await importFiles(s.as, [csv(['ANDRÉ;Nour;04/05/2010;;2NDE2;;'])]);
    expect(job.report!.counts.students).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(await studentsNamed(s, 'ANDRE')).toHaveLength(0); // the name is updated to the file's spelling
    const named = await studentsNamed(s, 'ANDRÉ');
    expect(named.map((n) => n.id)).toEqual([nour.id]);
    expect(await classOf(s, nour.id)).toEqual(['2NDE2']);
    // The same file again: recognised, nothing to change.
    const again = await importFiles(s.as, [csv(['ANDRÉ;Nour;04/05/2010;;2NDE2;;'])]);
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
    expect(rowOf(again, 2).outcome).toBe('unchanged');
  });

  test('the INE wins over a different spelling of the names', async () => {
    const s = await school();
    const lea = await student(s, { last: 'DUPONT', first: 'Léa', ine: '123456789AB', klass: '2NDE1' });
    const users = await countRows(db, 'app_user');
    const job = await importFiles(s.as, [csv(['DUPONT-MARTIN;Léa Marie;01/01/2010;123456789ab;2NDE1;;'])]);
    expect(job.report!.counts.students).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(rowOf(job, 2)).toMatchObject({ outcome: 'updated', match: { by: 'ine', userId: lea.id } });
    expect(await countRows(db, 'app_user')).toBe(users);
  });

  test('names and a guardian when the file has no birth date', async () => {
    const s = await school();
    const sam = await student(s, { last: 'PETIT', first: 'Sam', birth: '2010-01-01', klass: '2NDE1' });
    await student(s, { last: 'PETIT', first: 'Sam', birth: '2011-06-06', klass: '2NDE2' });
    const mum = await makeUser(db, {
      establishmentId: s.est.id,
      profiles: ['guardian'],
      lastName: 'PETIT',
      firstName: 'Anne',
    });
    await db
      .insertInto('guardianship')
      .values({ establishment_id: s.est.id, guardian_id: mum.id, student_id: sam.id, level: 'legal' })
      .execute();
    const job = await importFiles(s.as, [csv(['PETIT;Sam;;;2NDE2;PETIT;Anne'])]);
    expect(rowOf(job, 2)).toMatchObject({ outcome: 'updated', match: { by: 'nameGuardian', userId: sam.id } });
    expect(await classOf(s, sam.id)).toEqual(['2NDE2']);
    expect(job.report!.counts.students.created).toBe(0);
  });

  test('the same names with another birth date is another person: created', async () => {
    const s = await school();
    await student(s, { last: 'ROUX', first: 'Tom', birth: '2010-02-02', klass: '2NDE1' });
    const job = await importFiles(s.as, [csv(['ROUX;Tom;03/03/2011;;2NDE2;;'])]);
    expect(job.report!.counts.students).toEqual({ created: 1, updated: 0, detached: 0 });
    expect(rowOf(job, 2).outcome).toBe('created');
    expect(await studentsNamed(s, 'ROUX')).toHaveLength(2);
  });
});

describe('a likely match that cannot be told apart waits for the administrator', () => {
  test('ambiguous: nothing created nor changed; then skip / this person / create new', async () => {
    const s = await school();
    const a = await student(s, { last: 'MOREAU', first: 'Inès', birth: '2010-04-04', klass: '2NDE1' });
    const b = await student(s, { last: 'MOREAU', first: 'Inès', birth: '2011-09-09', klass: '2NDE1' });
    await student(s, { last: 'DUVAL', first: 'Jade', klass: '2NDE1' });
    const users = await countRows(db, 'app_user');
    const file = csv(['MOREAU;Inès;;;2NDE2;;', 'LEROY;Hugo;01/01/2010;;2NDE2;;', 'DUVAL;Jade;05/05/2010;;2NDE2;;']);
    const job = await importFiles(s.as, [file]);
    expect(job.status).toBe('done');
    const row = rowOf(job, 2);
    expect(row).toMatchObject({ kind: 'student', outcome: 'ambiguous', name: 'MOREAU Inès' });
    expect(row.candidates!.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(row.candidates!.find((c) => c.id === a.id)).toMatchObject({ birthDate: '2010-04-04', classes: ['2NDE1'] });
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({ code: 'AMBIGUOUS_MATCH', line: 2, params: expect.objectContaining({ candidates: 2 }) }),
    );
    // Same names, no birth date known on one side: likely the same person, so not created either.
    expect(rowOf(job, 4)).toMatchObject({
      outcome: 'ambiguous',
      candidates: [expect.objectContaining({ birthDate: null })],
    });
    expect(rowOf(job, 3).outcome).toBe('created');
    expect(job.report!.rows!.map((r) => r.outcome)).toEqual(['ambiguous', 'ambiguous', 'created']);
    expect(await countRows(db, 'app_user')).toBe(users + 1);
    expect(await classOf(s, a.id)).toEqual(['2NDE1']);
    expect(await classOf(s, b.id)).toEqual(['2NDE1']);

    // Skip: nothing; create new: a second DUVAL Jade.
    const jade = rowOf(job, 4).key;
    const next = await importFiles(s.as, [file], { resolutions: JSON.stringify({ [row.key]: 'skip', [jade]: 'new' }) });
    expect(rowOf(next, 2).outcome).toBe('skipped');
    expect(rowOf(next, 4).outcome).toBe('created');
    expect(await studentsNamed(s, 'MOREAU')).toHaveLength(2);
    expect(await studentsNamed(s, 'DUVAL')).toHaveLength(2);
    // This person: b moves class, and is recognised by the row's key from now on.
    const chosen = await importFiles(s.as, [file], { resolutions: JSON.stringify({ [row.key]: b.id }) });
    expect(rowOf(chosen, 2)).toMatchObject({ outcome: 'updated', match: { by: 'choice', userId: b.id } });
    expect(await classOf(s, b.id)).toEqual(['2NDE2']);
    const again = await importFiles(s.as, [file]);
    expect(rowOf(again, 2)).toMatchObject({ outcome: 'unchanged' });
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
    expect(await studentsNamed(s, 'MOREAU')).toHaveLength(2);
  });

  test('a choice that is not one of the candidates is refused for that row, nothing else changes', async () => {
    const s = await school();
    await student(s, { last: 'FAURE', first: 'Léo', birth: '2010-04-04', klass: '2NDE1' });
    await student(s, { last: 'FAURE', first: 'Léo', birth: '2011-09-09', klass: '2NDE1' });
    const stranger = await makeUser(db, { establishmentId: (await makeEstablishment(db)).id, profiles: ['student'] });
    const file = csv(['FAURE;Léo;;;2NDE2;;']);
    const first = await importFiles(s.as, [file]);
    const key = rowOf(first, 2).key;
    const users = await countRows(db, 'app_user');
    const job = await importFiles(s.as, [file], { resolutions: JSON.stringify({ [key]: stranger.id }) });
    expect(rowOf(job, 2).outcome).toBe('ambiguous');
    expect(job.report!.anomalies).toContainEqual(expect.objectContaining({ code: 'AMBIGUOUS_MATCH', line: 2 }));
    expect(await countRows(db, 'app_user')).toBe(users);
    expect(await db.selectFrom('membership').select('id').where('user_id', '=', stranger.id).execute()).toHaveLength(1);
  });

  test('resolutions that are not a map of choices are refused before anything is stored', async () => {
    const s = await school();
    const before = await countRows(db, 'import_job');
    for (const resolutions of ['{', '[]', JSON.stringify({ k: 'maybe' })]) {
      const res = await upload(s.as, [csv(['MOREAU;Inès;;;2NDE2;;'])], { resolutions });
      expect(res.statusCode, resolutions).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'IMPORT_RESOLUTIONS_INVALID',
        detail: expect.stringContaining('choix'),
      });
    }
    expect(await countRows(db, 'import_job')).toBe(before);
    expect(await countRows(db, 'import_file_chunk')).toBe(0);
  });
});

describe('rows that cannot be imported', () => {
  test('a row without a surname is refused with an anomaly; no « sans-nom » account', async () => {
    const s = await school();
    const users = await countRows(db, 'app_user');
    const job = await importFiles(s.as, [csv([';Paul;01/01/2010;;2NDE1;;', 'BLANC;Eva;02/02/2010;;2NDE1;;Marc'])]);
    expect(job.status).toBe('done');
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({
        code: 'MISSING_VALUE',
        line: 2,
        params: expect.objectContaining({ variant: 'noLastName' }),
      }),
    );
    // R1 without a surname either: the guardian is left out, the student imported.
    expect(job.report!.anomalies).toContainEqual(
      expect.objectContaining({
        code: 'MISSING_VALUE',
        line: 3,
        params: expect.objectContaining({ variant: 'guardianNoLastName' }),
      }),
    );
    expect(rowOf(job, 2).outcome).toBe('refused');
    expect(job.report!.counts.students).toEqual({ created: 1, updated: 0, detached: 0 });
    expect(job.report!.counts.guardians).toEqual(zero);
    expect(await countRows(db, 'app_user')).toBe(users + 1);
    expect(await db.selectFrom('app_user').select('id').where('login', 'like', 'sans-nom%').execute()).toEqual([]);
  });
});
