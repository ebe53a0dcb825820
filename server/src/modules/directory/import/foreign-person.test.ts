/**
 * Issue 8, defect 1: an establishment's administrator cannot pull a person of another establishment into theirs
 * through an import that re-uses that person's join key. The record is refused with `FOREIGN_PERSON` and nothing
 * about the person changes; only the académie's imports (platform administrator) move people between schools.
 */
import type { ImportJob } from '@preau/contracts';
import { describe, expect, test } from 'vitest';
import { loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';
import { fixtureDir, importFiles, type UploadFile } from '../../../../test/imports.ts';

/** Each scenario on a database of its own: the fixtures use fixed keys and a fixed UAI. */
const worlds = [await testApp(), await testApp(), await testApp(), await testApp()];
let { app, db } = worlds[0]!;
const use = (i: number) => {
  ({ app, db } = worlds[i]!);
};
const FULL = fixtureDir('aaf/full');

/** An establishment whose UAI is the fixtures' structure (0930122C). */
async function fixtureSchool() {
  const academy = await db
    .insertInto('academy')
    .values({ code: `AC${Math.random().toString(36).slice(2, 8)}`, name: 'Académie' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return db
    .insertInto('establishment')
    .values({
      academy_id: academy.id,
      uai: '0930122C',
      type: 'LYCEE',
      name: 'Lycée Paul Éluard',
      city: 'Saint-Denis',
      slug: `lycee-paul-eluard-${Math.random().toString(36).slice(2, 8)}`,
      settings: '{}',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A person of another establishment, known by a join key, with a password (an account worth taking over). */
async function foreigner(establishmentId: string, key: string, profile: 'student' | 'guardian' | 'teacher') {
  const u = await makeUser(db, { establishmentId, profiles: [profile], firstName: 'Autre', lastName: 'École' });
  await db
    .updateTable('app_user')
    .set({ external_id: key, email: `${key}@ailleurs.fr` })
    .where('id', '=', u.id)
    .execute();
  return u;
}

/** Everything about these people: their account and every row that names them. */
async function footprint(ids: string[]) {
  const users = await db.selectFrom('app_user').selectAll().where('id', 'in', ids).orderBy('id').execute();
  const memberships = await db
    .selectFrom('membership')
    .select(['user_id', 'establishment_id', 'profile', 'functions'])
    .where('user_id', 'in', ids)
    .orderBy('user_id')
    .orderBy('profile')
    .execute();
  const enrolments = await db.selectFrom('enrolment').select('id').where('student_id', 'in', ids).execute();
  const links = await db
    .selectFrom('guardianship')
    .select('id')
    .where((eb) => eb.or([eb('guardian_id', 'in', ids), eb('student_id', 'in', ids)]))
    .execute();
  const assignments = await db.selectFrom('teaching_assignment').select('id').where('teacher_id', 'in', ids).execute();
  const heads = await db.selectFrom('head_teacher').select('id').where('teacher_id', 'in', ids).execute();
  return { users, memberships, enrolments, links, assignments, heads };
}

const foreignKeys = (job: ImportJob) =>
  [...new Set(job.report!.anomalies.filter((a) => a.code === 'FOREIGN_PERSON').map((a) => a.key))].sort();

function delta(requests: string, name: string): UploadFile {
  return {
    name,
    content: `<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n${requests}\n</ficAlimMENESR>\n`,
  };
}

describe("AAF: a local admin's upload re-using the keys of another establishment's people", () => {
  test('the records are refused with FOREIGN_PERSON and nothing about those people changes', async () => {
    use(0);
    const mine = await fixtureSchool();
    const other = await makeEstablishment(db);
    const student = await foreigner(other.id, 'E1001', 'student');
    const guardian = await foreigner(other.id, 'R2001', 'guardian');
    const teacher = await foreigner(other.id, 'P3003', 'teacher');
    const ids = [student.id, guardian.id, teacher.id];
    const before = await footprint(ids);
    const admin = await makeUser(db, { establishmentId: mine.id, profiles: ['local_admin'] });
    const as = await loginAs(app, admin.login);

    const job = await importFiles(as, FULL);
    expect(job.status).toBe('done');
    expect(foreignKeys(job)).toEqual(['E1001', 'P3003', 'R2001']);
    const refused = job.report!.anomalies.find((a) => a.code === 'FOREIGN_PERSON' && a.key === 'E1001')!;
    expect(refused).toMatchObject({ file: 'ENT2D_Complet_20260901_Eleve_0001.xml', record: 1 });
    expect(refused.params).toMatchObject({ key: 'E1001', variant: 'elsewhere' });
    // Nothing about them changed: no membership, class, link or assignment here, their accounts as they were.
    expect(await footprint(ids)).toEqual(before);
    // The others are imported as usual (E1002 shares E1001's guardians: R2002 is linked, R2001 is not).
    expect(job.report!.counts.students.created).toBe(5);
    expect(job.report!.counts.staff.created).toBe(6);
    const noe = await db
      .selectFrom('app_user')
      .select('id')
      .where('external_id', '=', 'E1002')
      .executeTakeFirstOrThrow();
    const guardiansOfNoe = await db
      .selectFrom('guardianship as g')
      .innerJoin('app_user as p', 'p.id', 'g.guardian_id')
      .select('p.external_id')
      .where('g.student_id', '=', noe.id)
      .execute();
    expect(guardiansOfNoe.map((g) => g.external_id)).not.toContain('R2001');
    // Absent from a full export, the foreigners are not detached either (they are not members here).
    const again = await importFiles(as, FULL);
    expect(again.status).toBe('done');
    expect(await footprint(ids)).toEqual(before);

    // A delta that deletes or modifies one of them changes nothing.
    const touch = await importFiles(as, [
      delta(
        `<deleteRequest>
           <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
           <identifier><id>E1001</id></identifier>
         </deleteRequest>
         <modifyRequest>
           <operationalAttributes><attr name="categoriePersonne"><value>PersRelEleve</value></attr></operationalAttributes>
           <identifier><id>R2001</id></identifier>
           <attributes><attr name="mail"><value>pirate@example.fr</value></attr></attributes>
         </modifyRequest>`,
        'ENT2D_Delta_20260920_Eleve_0001.xml',
      ),
    ]);
    expect(touch.status).toBe('done');
    expect(foreignKeys(touch)).toEqual(['E1001', 'R2001']);
    expect(await footprint(ids)).toEqual(before);

    // A dry run says the same.
    const dry = await importFiles(as, FULL, { dryRun: 'true' });
    expect(foreignKeys(dry)).toEqual(['E1001', 'P3003', 'R2001']);
    expect(await footprint(ids)).toEqual(before);
  });

  test('a platform administrator (the académie) may move a person between establishments', async () => {
    const { app: app2, db: db2 } = worlds[1]!;
    const academy = await db2
      .insertInto('academy')
      .values({ code: 'CRETEIL', name: 'Créteil' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const other = await db2
      .insertInto('establishment')
      .values({ academy_id: academy.id, uai: '0930999W', type: 'LYCEE', name: 'Autre', slug: 'autre', settings: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const student = await makeUser(db2, { establishmentId: other.id, profiles: ['student'] });
    await db2.updateTable('app_user').set({ external_id: 'E1001' }).where('id', '=', student.id).execute();
    const admin = await makeUser(db2, { platformAdmin: true });
    const job = await importFiles(await loginAs(app2, admin.login), FULL);
    expect(job.status).toBe('done');
    expect(foreignKeys(job)).toEqual([]);
    const memberships = await db2
      .selectFrom('membership')
      .innerJoin('establishment as e', 'e.id', 'membership.establishment_id')
      .select('e.uai')
      .where('user_id', '=', student.id)
      .orderBy('e.uai')
      .execute();
    expect(memberships.map((m) => m.uai)).toEqual(['0930122C', '0930999W']);
  });

  test('a person already of this establishment and of another is updated here only, their account left alone', async () => {
    use(2);
    const mine = await fixtureSchool();
    const other = await makeEstablishment(db);
    const teacher = await foreigner(other.id, 'P3003', 'teacher');
    await db
      .insertInto('membership')
      .values({ establishment_id: mine.id, user_id: teacher.id, profile: 'teacher' })
      .execute();
    const admin = await makeUser(db, { establishmentId: mine.id, profiles: ['local_admin'] });
    const job = await importFiles(await loginAs(app, admin.login), FULL);
    expect(job.status).toBe('done');
    expect(foreignKeys(job)).toEqual([]);
    const after = await db.selectFrom('app_user').selectAll().where('id', '=', teacher.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ first_name: 'Autre', last_name: 'École', email: 'P3003@ailleurs.fr' });
    const assignments = await db
      .selectFrom('teaching_assignment')
      .select('establishment_id')
      .where('teacher_id', '=', teacher.id)
      .execute();
    expect(assignments.length).toBeGreaterThan(0);
    expect(new Set(assignments.map((a) => a.establishment_id))).toEqual(new Set([mine.id]));
  });
});

describe("CSV: a local admin's file naming a person who now belongs to another establishment", () => {
  test('the row is refused with FOREIGN_PERSON and the person is unchanged', async () => {
    use(3);
    const mine = await makeEstablishment(db);
    const other = await makeEstablishment(db);
    // Created by this school's spreadsheet once, since moved by the académie to another establishment.
    const moved = await makeUser(db, { establishmentId: other.id, profiles: ['student'], lastName: 'DUPONT' });
    await db
      .updateTable('app_user')
      .set({ external_id: `csv:${mine.uai}:student:id:4242` })
      .where('id', '=', moved.id)
      .execute();
    const before = await footprint([moved.id]);
    const admin = await makeUser(db, { establishmentId: mine.id, profiles: ['local_admin'] });
    const as = await loginAs(app, admin.login);
    const job = await importFiles(as, [
      {
        name: 'eleves.csv',
        content:
          'Identifiant;Nom;Prénom;Date de naissance;Classe\n4242;DUPONT;Camille;01/02/2010;3A\n4243;MARTIN;Léa;02/03/2010;3A\n',
      },
    ]);
    expect(job.status).toBe('done');
    expect(foreignKeys(job)).toEqual([`csv:${mine.uai}:student:id:4242`]);
    expect(job.report!.anomalies.find((a) => a.code === 'FOREIGN_PERSON')).toMatchObject({
      file: 'eleves.csv',
      line: 2,
    });
    expect(job.report!.counts.students).toEqual({ created: 1, updated: 0, detached: 0 });
    expect(await footprint([moved.id])).toEqual(before);
  });
});
