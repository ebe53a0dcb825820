/**
 * Issue 9: staff positions. The labels of `ENTPersonFonctions` ("CONSEILLER PRINCIPAL D'EDUCATION", "CHEF
 * D'ETABLISSEMENT ADJOINT") are kept on the membership; an export that changes only a label updates it (and the
 * report counts the person as updated); the directory shows them, and other modules read them through
 * `positionsOf` (messaging will name the CPE to parents).
 */
import { describe, expect, test } from 'vitest';
import { loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';
import { fixtureDir, importFiles, zero } from '../../../../test/imports.ts';
import { positionsOf } from '../index.ts';

const { app, db } = await testApp();
const admin = await makeUser(db, { platformAdmin: true });
const as = await loginAs(app, admin.login);

const delta = (id: string, fonction: string) => ({
  name: 'ENT2D_Delta_20260920_PersEducNat_0001.xml',
  content: `<?xml version="1.0" encoding="UTF-8"?>
<ficAlimMENESR>
  <modifyRequest>
    <operationalAttributes><attr name="categoriePersonne"><value>PersEducNat</value></attr></operationalAttributes>
    <identifier><id>${id}</id></identifier>
    <attributes><attr name="ENTPersonFonctions"><value>${fonction}</value></attr></attributes>
  </modifyRequest>
</ficAlimMENESR>
`,
});

async function idOf(key: string) {
  return (await db.selectFrom('app_user').select('id').where('external_id', '=', key).executeTakeFirstOrThrow()).id;
}

describe('staff positions from the AAF', () => {
  let est = '';
  test('kept on the membership, shown in the directory, read by positionsOf', async () => {
    const job = await importFiles(as, fixtureDir('aaf/full'));
    expect(job.status).toBe('done');
    est = job.establishmentId!;
    const [cpe, head, teacher, doc] = await Promise.all(['P3002', 'P3001', 'P3003', 'P3005'].map(idOf));
    const positions = await positionsOf(db, est, [cpe!, head!, teacher!, doc!]);
    expect(positions.get(cpe!)).toEqual({ position: "CONSEILLER PRINCIPAL D'EDUCATION", functions: ['EDU'] });
    expect(positions.get(head!)).toEqual({ position: 'PROVISEUR', functions: ['DIR'] });
    expect(positions.get(teacher!)!.position).toBe('MATHEMATIQUES');

    const detail = await as.get(`/api/establishments/${est}/users/${cpe}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().position).toBe("CONSEILLER PRINCIPAL D'EDUCATION");
    const list = await as.get(`/api/establishments/${est}/users?profile=staff`);
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ id: cpe, position: "CONSEILLER PRINCIPAL D'EDUCATION" }),
    );
    const student = await as.get(`/api/establishments/${est}/users/${await idOf('E1001')}`);
    expect(student.json().position).toBeUndefined();
  });

  test('an export that changes only a label updates it, counted as updated; the same again changes nothing', async () => {
    const head = await idOf('P3001');
    const job = await importFiles(as, [delta('P3001', "30122$DIR$DIRECTION$ADJ$CHEF D'ETABLISSEMENT ADJOINT")]);
    expect(job.status).toBe('done');
    expect(job.report!.counts.staff).toEqual({ created: 0, updated: 1, detached: 0 });
    expect((await positionsOf(db, est, [head])).get(head)).toEqual({
      position: "CHEF D'ETABLISSEMENT ADJOINT",
      functions: ['DIR'],
    });
    const again = await importFiles(as, [delta('P3001', "30122$DIR$DIRECTION$ADJ$CHEF D'ETABLISSEMENT ADJOINT")]);
    for (const c of Object.values(again.report!.counts)) expect(c).toEqual(zero);
  });

  test('positionsOf answers only for the establishment asked, and nothing for other ids', async () => {
    const head = await idOf('P3001');
    const other = await makeEstablishment(db);
    expect((await positionsOf(db, other.id, [head])).size).toBe(0);
    expect((await positionsOf(db, est, [crypto.randomUUID()])).size).toBe(0);
    expect((await positionsOf(db, est, [])).size).toBe(0);
  });
});

describe('staff positions from a CSV file', () => {
  test('the function column is the position, changed by the next file', async () => {
    const school = await makeEstablishment(db);
    const local = await makeUser(db, { establishmentId: school.id, profiles: ['local_admin'] });
    const asLocal = await loginAs(app, local.login);
    const file = (fn: string) => ({
      name: 'personnels.csv',
      content: `Nom;Prénom;Courriel;Fonction\nSIMON;Luc;luc.simon@ac.fr;${fn}\n`,
    });
    expect((await importFiles(asLocal, [file('CPE')])).status).toBe('done');
    const luc = (
      await db.selectFrom('app_user').select('id').where('email', '=', 'luc.simon@ac.fr').executeTakeFirstOrThrow()
    ).id;
    expect((await positionsOf(db, school.id, [luc])).get(luc)!.position).toBe('CPE');
    const job = await importFiles(asLocal, [file("Conseiller principal d'éducation")]);
    expect(job.report!.counts.staff).toEqual({ created: 0, updated: 1, detached: 0 });
    // School life, not the direction, for all the "principal" in the words.
    expect((await positionsOf(db, school.id, [luc])).get(luc)).toEqual({
      position: "Conseiller principal d'éducation",
      functions: ['EDU'],
    });
  });
});
