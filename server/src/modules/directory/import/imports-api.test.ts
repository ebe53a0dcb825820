import { describe, expect, test } from 'vitest';
import { countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';
import { fixture, fixtureDir, importFiles, multipart, upload, waitForImport } from '../../../../test/imports.ts';

const { app, db } = await testApp();
const FULL = fixtureDir('aaf/full');

/** An establishment whose UAI is the fixtures' structure (0930122C), not yet linked to its AAF key. */
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

async function nothingStored() {
  expect(await countRows(db, 'import_file_chunk')).toBe(0);
}

describe('who may import what', () => {
  test('anonymous 401, profiles without the permission 403, before anything is read or stored', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/api/imports', payload: multipart(FULL).body });
    expect(anonymous.statusCode).toBe(401);
    const est = await makeEstablishment(db);
    for (const profile of ['teacher', 'principal', 'student'] as const) {
      const u = await makeUser(db, { establishmentId: est.id, profiles: [profile] });
      const as = await loginAs(app, u.login);
      const res = await upload(as, FULL);
      expect(res.statusCode, profile).toBe(403);
    }
    expect(await countRows(db, 'import_job')).toBe(0);
  });

  test("a local admin importing another establishment's structure: 404, nothing changed", async () => {
    const theirs = await fixtureSchool();
    const mine = await makeEstablishment(db);
    const admin = await makeUser(db, { establishmentId: mine.id, profiles: ['local_admin'] });
    const as = await loginAs(app, admin.login);
    const before = await countRows(db, 'app_user');
    const res = await upload(as, FULL);
    expect(res.statusCode).toBe(404);
    expect(await countRows(db, 'app_user')).toBe(before);
    expect(await db.selectFrom('import_job').select('id').where('requested_by', '=', admin.id).execute()).toEqual([]);
    await nothingStored();
    // Naming it explicitly does not help.
    const named = await upload(as, FULL, { establishment: theirs.id });
    expect(named.statusCode).toBe(404);
    // A teacher there (no import right) gets 403 rather than 404.
    await db
      .insertInto('membership')
      .values({ establishment_id: theirs.id, user_id: admin.id, profile: 'teacher' })
      .execute();
    const asMember = await loginAs(app, admin.login);
    expect((await upload(asMember, FULL)).statusCode).toBe(403);
    await db.deleteFrom('establishment').where('id', '=', theirs.id).execute();
  });

  test('a local admin cannot create establishments: a structure nobody knows is 403', async () => {
    const mine = await makeEstablishment(db);
    const admin = await makeUser(db, { establishmentId: mine.id, profiles: ['local_admin'] });
    const as = await loginAs(app, admin.login);
    const res = await upload(as, FULL);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('IMPORT_STRUCTURE_NOT_ALLOWED');
    await nothingStored();
  });

  test('the local admin of the structure imports it; the job is theirs and their establishment’s, 404 to others', async () => {
    const school = await fixtureSchool();
    const admin = await makeUser(db, { establishmentId: school.id, profiles: ['local_admin'] });
    const as = await loginAs(app, admin.login);
    const res = await upload(as, FULL);
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    const job = await waitForImport(as, id);
    expect(job).toMatchObject({ status: 'done', progress: 1, phase: 'done', establishmentId: school.id });
    expect(job.report!.counts.establishments).toEqual({ created: 0, updated: 1, detached: 0 });
    expect(job.report!.counts.students.created).toBe(6);
    const est = await db.selectFrom('establishment').selectAll().where('id', '=', school.id).executeTakeFirstOrThrow();
    expect(est).toMatchObject({ external_id: '30122', name: 'LYCEE PAUL ÉLUARD' });

    // Another admin of the same establishment sees it; a foreign admin gets 404, also in the list.
    const colleague = await makeUser(db, { establishmentId: school.id, profiles: ['local_admin'] });
    const asColleague = await loginAs(app, colleague.login);
    expect((await asColleague.get(`/api/imports/${id}`)).statusCode).toBe(200);
    const list = await asColleague.get(`/api/imports?establishment=${school.id}`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ total: 1, page: 1, items: [{ id, status: 'done', kind: 'aaf' }] });
    expect(list.json().items[0].counts.students.created).toBe(6);
    expect(list.json().items[0].anomalies).toBeGreaterThan(0);

    const other = await makeEstablishment(db);
    const stranger = await makeUser(db, { establishmentId: other.id, profiles: ['local_admin'] });
    const asStranger = await loginAs(app, stranger.login);
    expect((await asStranger.get(`/api/imports/${id}`)).statusCode).toBe(404);
    expect((await asStranger.get(`/api/imports/${crypto.randomUUID()}`)).statusCode).toBe(404);
    expect((await asStranger.get(`/api/imports?establishment=${school.id}`)).statusCode).toBe(404);
    const own = await asStranger.get('/api/imports');
    expect(own.json()).toMatchObject({ total: 0, items: [] });

    // A later AAF set of that structure, now known by its key, is still theirs.
    const delta = await importFiles(as, [fixture('aaf/delta/ENT2D_Delta_20260915_Eleve_0001.xml')]);
    expect(delta.status).toBe('done');
    expect(delta.establishmentId).toBe(school.id);
    await db.deleteFrom('establishment').where('id', '=', school.id).execute();
  });
});

describe('what an upload must be', () => {
  test('multipart with files, checked by content; refused uploads store nothing', async () => {
    const est = await makeEstablishment(db);
    const admin = await makeUser(db, { establishmentId: est.id, profiles: ['local_admin'] });
    const as = await loginAs(app, admin.login);
    const json = await as.post('/api/imports', { files: [] });
    expect(json.statusCode).toBe(415);
    const none = await upload(as, [], { dryRun: 'true' });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('IMPORT_NO_FILES');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const binary = await upload(as, [{ name: 'eleves.csv', content: png }]);
    expect(binary.statusCode).toBe(415);
    expect(binary.json().code).toBe('IMPORT_FILE_TYPE');
    const mixed = await upload(as, [FULL[0]!, fixture('csv/eleves-r1-r2.csv')]);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().code).toBe('IMPORT_MIXED_KINDS');
    const badField = await upload(as, [fixture('csv/eleves-r1-r2.csv')], { dryRun: 'maybe' });
    expect(badField.statusCode).toBe(400);
    expect(badField.json().errors[0].path).toBe('body.dryRun');
    expect(await db.selectFrom('import_job').select('id').where('requested_by', '=', admin.id).execute()).toEqual([]);
    await nothingStored();
  });

  test('a CSV named .txt is a CSV; XML is recognised whatever its name', async () => {
    const admin = await makeUser(db, { platformAdmin: true });
    const as = await loginAs(app, admin.login);
    const renamed = FULL.map((f, i) => ({ name: `upload-${i}.dat`, content: f.content }));
    const job = await importFiles(as, renamed, { dryRun: 'true' });
    expect(job.kind).toBe('aaf');
    expect(job.status).toBe('done');
    // Without the `_Complet_` name the files are not known to be a full export: nobody would be detached.
    expect(job.report!.counts.students.detached).toBe(0);
    const preview = await upload(
      as,
      [{ name: 'eleves.txt', content: 'Nom;Prénom;Classe\nDURAND;Paul;3A\n' }],
      {},
      '/api/imports/csv/preview',
    );
    expect(preview.statusCode).toBe(200);
    expect(preview.json().files[0].profile).toBe('student');
    const xmlPreview = await upload(as, [FULL[0]!], {}, '/api/imports/csv/preview');
    expect(xmlPreview.statusCode).toBe(415);
  });
});
