import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  assign,
  enrol,
  guard,
  headTeacher,
  makeClass,
  makeGroup,
  type School,
  subject,
} from '../../../../test/directory-fixtures.ts';
import {
  type Agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  PASSWORD,
  testApp,
} from '../../../../test/helpers.ts';

const { app, db } = await testApp();

type User = Awaited<ReturnType<typeof makeUser>>;
type Profile = 'student' | 'guardian' | 'teacher' | 'staff';

let a: School;
let b: School;
let principal: User;
let principalA: Agent;
let principalB: Agent;
let teacherA: Agent;
let admin: Agent;

async function person(
  school: School,
  profile: Profile,
  firstName: string,
  lastName: string,
  set: { birth_date?: string; email?: string; phone_mobile?: string; external_id?: string } = {},
  status: 'active' | 'pending_activation' | 'detached' = 'active',
) {
  const u = await makeUser(db, { establishmentId: school.id, profiles: [profile], firstName, lastName, status });
  if (Object.keys(set).length > 0) await db.updateTable('app_user').set(set).where('id', '=', u.id).execute();
  return u;
}

/** Every row a merge may touch, whole, as the database holds it (sessions and `updated_at` aside). */
async function world(userIds: string[]) {
  const by = <T>(rows: T[]) => rows.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  return {
    users: await db
      .selectFrom('app_user')
      .select([
        'id',
        'login',
        'status',
        'email',
        'birth_date',
        'phone_mobile',
        'external_id',
        'merged_into',
        'detached_at',
      ])
      .where('id', 'in', userIds)
      .orderBy('id')
      .execute(),
    membership: by(await db.selectFrom('membership').selectAll().where('user_id', 'in', userIds).execute()),
    enrolment: by(await db.selectFrom('enrolment').selectAll().where('student_id', 'in', userIds).execute()),
    guardianship: by(
      await db
        .selectFrom('guardianship')
        .selectAll()
        .where((eb) => eb.or([eb('guardian_id', 'in', userIds), eb('student_id', 'in', userIds)]))
        .execute(),
    ),
    teaching: by(await db.selectFrom('teaching_assignment').selectAll().where('teacher_id', 'in', userIds).execute()),
    head: by(await db.selectFrom('head_teacher').selectAll().where('teacher_id', 'in', userIds).execute()),
    charter: by(await db.selectFrom('charter_acceptance').selectAll().where('user_id', 'in', userIds).execute()),
  };
}

beforeAll(async () => {
  a = await makeEstablishment(db);
  b = await makeEstablishment(db);
  principal = await makeUser(db, { establishmentId: a.id, profiles: ['principal'] });
  principalA = await loginAs(app, principal.login);
  principalB = await loginAs(app, (await makeUser(db, { establishmentId: b.id, profiles: ['principal'] })).login);
  teacherA = await loginAs(app, (await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] })).login);
  admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
});

const list = (id: string) => `/api/establishments/${id}/duplicates`;
const mergeUrl = (id: string) => `/api/establishments/${id}/duplicates/merge`;
const undoUrl = (id: string, mergeId: string) => `/api/establishments/${id}/duplicates/merges/${mergeId}/undo`;

describe('GET /api/establishments/:id/duplicates', () => {
  test('finds likely duplicates with reasons and score, never across schools nor within a family', async () => {
    const school = await makeEstablishment(db);
    const lead = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    const hugo = await person(school, 'student', 'Hugo', 'Martin', {
      birth_date: '2011-01-01',
      external_id: `AAF-${randomUUID()}`,
    });
    const hugo2 = await person(school, 'student', 'HUGO', 'MARTÍN', { birth_date: '2011-01-01' }, 'pending_activation');
    await person(b, 'student', 'Hugo', 'Martin', { birth_date: '2011-01-01' }); // another school
    const kid = await person(school, 'student', 'Zoé', 'Dupont', { birth_date: '2012-05-05' });
    const marie = await person(school, 'guardian', 'Marie', 'Dupont');
    const marie2 = await person(school, 'guardian', 'Marie', 'DUPONT', {}, 'pending_activation');
    await guard(db, school, marie.id, kid.id);
    await guard(db, school, marie2.id, kid.id);
    const jean = await person(school, 'teacher', 'Jean', 'Prof', { email: 'jean@example.fr' });
    const jean2 = await person(school, 'teacher', 'Jean-Pierre', 'Professeur', { email: ' JEAN@example.fr ' });
    // a couple sharing an e-mail, twins-like siblings born apart, a father and son with the same names
    await person(school, 'guardian', 'Paul', 'Durand', { email: 'famille@example.fr', phone_mobile: '0612345678' });
    await person(school, 'guardian', 'Anne', 'Durand', { email: 'famille@example.fr', phone_mobile: '06 12 34 56 78' });
    await person(school, 'student', 'Léo', 'Petit', { birth_date: '2010-01-01' });
    await person(school, 'student', 'Leo', 'Petit', { birth_date: '2012-01-01' });
    const father = await person(school, 'guardian', 'Marc', 'Blanc');
    const son = await person(school, 'student', 'Marc', 'Blanc', { birth_date: '2011-07-07' });
    await guard(db, school, father.id, son.id);
    // a placeholder e-mail many people share says nothing
    for (const last of ['Aa', 'Bb', 'Cc', 'Dd', 'Ee', 'Ff', 'Gg']) {
      await person(school, 'guardian', 'Jean', last, { email: 'ne-pas-repondre@ac-exemple.fr' });
    }
    await person(school, 'student', 'Gone', 'Twice', { birth_date: '2011-01-01' }, 'detached');
    await person(school, 'student', 'Gone', 'Twice', { birth_date: '2011-01-01' });

    const res = await lead.get(list(school.id));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const pairOf = (x: string, y: string) =>
      body.pairs.find((p: { people: { id: string }[] }) => {
        const ids = p.people.map((q) => q.id);
        return ids.includes(x) && ids.includes(y);
      });
    expect(body.total).toBe(3);
    expect(body.truncated).toBe(false);
    expect(body.pairs.map((p: { score: number }) => p.score)).toEqual([0.95, 0.95, 0.8]);

    const students = pairOf(hugo.id, hugo2.id);
    expect(students).toMatchObject({ score: 0.95, reasons: ['SAME_NAME_AND_BIRTH_DATE'], suggestedKeepId: hugo.id });
    const h = students.people.find((q: { id: string }) => q.id === hugo.id);
    expect(h).toMatchObject({
      login: hugo.login,
      profiles: ['student'],
      birthDate: '2011-01-01',
      fromFeed: true,
      status: 'active',
    });

    const guardians = pairOf(marie.id, marie2.id);
    expect(guardians.reasons.sort()).toEqual(['SAME_NAME', 'SAME_NAME_AND_CHILDREN']);
    expect(guardians.score).toBe(0.95);
    expect(guardians.suggestedKeepId).toBe(marie.id);

    expect(pairOf(jean.id, jean2.id)).toMatchObject({ reasons: ['SAME_EMAIL'], score: 0.8 });
  });

  test('401 → 400 → 403 → 404', async () => {
    expect((await app.inject({ method: 'GET', url: list(a.id) })).statusCode).toBe(401);
    expect((await principalA.get(list('x'))).statusCode).toBe(400);
    expect((await teacherA.get(list(a.id))).statusCode).toBe(403);
    expect((await principalB.get(list(a.id))).statusCode).toBe(404);
    expect((await admin.get(list(randomUUID()))).statusCode).toBe(404);
    expect((await admin.get(list(a.id))).statusCode).toBe(200);
  });
});

describe('plausible pairs only (issue 9)', () => {
  test('a student is never paired with an adult of the same name; merging them is refused and changes nothing', async () => {
    const school = await makeEstablishment(db);
    const lead = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    // A 15-year-old student and an unrelated guardian with the same names (no birth date for the guardian).
    const student = await person(school, 'student', 'Manon', 'Roux', { birth_date: '2011-04-02' });
    const guardian = await person(school, 'guardian', 'Manon', 'Roux', { email: 'manon.roux@example.fr' });
    const teacher = await person(school, 'teacher', 'Manon', 'Roux');
    const res = await lead.get(list(school.id));
    const pairs = res.json().pairs as { kind: string; people: { id: string }[]; reasons: string[] }[];
    // The two adults (guardian, teacher) may be one person; the student is in no pair.
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.kind).toBe('adult');
    expect(pairs[0]!.people.map((q) => q.id).sort()).toEqual([guardian.id, teacher.id].sort());
    expect(pairs[0]!.reasons).toEqual(['SAME_NAME']);

    const ids = [student.id, guardian.id, teacher.id];
    const before = { world: await world(ids), audit: await countRows(db, 'audit_event') };
    for (const body of [
      { keepId: guardian.id, mergeId: student.id },
      { keepId: student.id, mergeId: guardian.id },
    ]) {
      const refused = await lead.post(mergeUrl(school.id), body);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({
        code: 'MERGE_DIFFERENT_KINDS',
        detail: expect.stringContaining('Un élève et un adulte'),
      });
    }
    expect({ world: await world(ids), audit: await countRows(db, 'audit_event') }).toEqual(before);
  });

  test('the likeliest pairs come first: by score, then by the number of reasons that agree', async () => {
    const school = await makeEstablishment(db);
    const lead = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    // weak: same name, one birth date unknown (0.5)
    const w1 = await person(school, 'guardian', 'Alice', 'Faible');
    const w2 = await person(school, 'guardian', 'Alice', 'Faible');
    // strong: same name, same birth date (0.95)
    const s1 = await person(school, 'student', 'Bob', 'Fort', { birth_date: '2011-02-02' });
    const s2 = await person(school, 'student', 'Bob', 'Fort', { birth_date: '2011-02-02' });
    // strongest: same name and birth date, and the same e-mail (0.99)
    const x1 = await person(school, 'student', 'Chloé', 'Sûr', { birth_date: '2011-03-03', email: 'c@example.fr' });
    const x2 = await person(school, 'student', 'Chloe', 'Sur', { birth_date: '2011-03-03', email: 'c@example.fr' });
    const pairs = (await lead.get(list(school.id))).json().pairs as { score: number; people: { id: string }[] }[];
    expect(pairs.map((q) => q.people.map((r) => r.id).sort())).toEqual([
      [x1.id, x2.id].sort(),
      [s1.id, s2.id].sort(),
      [w1.id, w2.id].sort(),
    ]);
    expect(pairs.map((q) => q.score)).toEqual([0.99, 0.95, 0.5]);
  });

  test('a pair dismissed as "not the same person" disappears for good, audited; the undo brings it back', async () => {
    const school = await makeEstablishment(db);
    const leadUser = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
    const lead = await loginAs(app, leadUser.login);
    const x = await person(school, 'guardian', 'Nora', 'Homonyme');
    const y = await person(school, 'guardian', 'Nora', 'Homonyme');
    const ids = async () => lead.get(list(school.id));
    const url = `/api/establishments/${school.id}/duplicates/dismissals`;

    // Refused requests change nothing.
    const before = await countRows(db, 'duplicate_dismissal');
    expect((await app.inject({ method: 'POST', url, payload: { aId: x.id, bId: y.id } })).statusCode).toBe(401);
    expect((await lead.post(url, { aId: x.id })).statusCode).toBe(400);
    expect((await lead.post(url, { aId: x.id, bId: x.id })).json().code).toBe('MERGE_SAME_PERSON');
    const foreign = await person(b, 'guardian', 'Nora', 'Homonyme');
    expect((await lead.post(url, { aId: x.id, bId: foreign.id })).statusCode).toBe(404);
    expect((await teacherA.post(url, { aId: x.id, bId: y.id })).statusCode).toBe(403);
    expect((await principalB.post(url, { aId: x.id, bId: y.id })).statusCode).toBe(404);
    expect(await countRows(db, 'duplicate_dismissal')).toBe(before);

    const res = await lead.post(url, { aId: y.id, bId: x.id });
    expect(res.statusCode, res.body).toBe(201);
    const dismissalId = res.json().id as string;
    expect((await ids()).json().pairs).toEqual([]);
    const again = await lead.post(url, { aId: x.id, bId: y.id });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'PAIR_ALREADY_DISMISSED',
      detail: expect.stringContaining('pas la même personne'),
    });
    const event = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'directory.duplicates.dismiss')
      .where('target_id', '=', dismissalId)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ establishment_id: school.id, actor_id: leadUser.id });

    // Another establishment's view is its own; the list shows the dismissal with its undo.
    const listed = (await lead.get(url)).json().items;
    expect(listed).toMatchObject([{ id: dismissalId, undoneAt: null, can: { undo: true } }]);
    expect((await principalB.post(`${url}/${dismissalId}/undo`)).statusCode).toBe(404);

    const undo = await lead.post(`${url}/${dismissalId}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect((await ids()).json().pairs).toHaveLength(1);
    const twice = await lead.post(`${url}/${dismissalId}/undo`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('DISMISSAL_ALREADY_UNDONE');
    expect(
      await db.selectFrom('audit_event').select('action').where('target_id', '=', dismissalId).orderBy('at').execute(),
    ).toEqual([{ action: 'directory.duplicates.dismiss' }, { action: 'directory.duplicates.dismiss.undo' }]);
  });

  test('a pair with a person who also belongs elsewhere is shown, but only the platform may merge it', async () => {
    const school = await makeEstablishment(db);
    const lead = await loginAs(
      app,
      (await makeUser(db, { establishmentId: school.id, profiles: ['principal'] })).login,
    );
    const x = await person(school, 'teacher', 'Ali', 'Partout', { email: 'ali@example.fr' });
    await person(school, 'teacher', 'Ali', 'Partout', { email: 'ali@example.fr' });
    await db.insertInto('membership').values({ establishment_id: b.id, user_id: x.id, profile: 'teacher' }).execute();
    const [pair] = (await lead.get(list(school.id))).json().pairs;
    expect(pair).toMatchObject({ can: { merge: false, dismiss: true }, suggestedKeepId: x.id });
    expect(pair.people.find((q: { id: string }) => q.id === x.id).otherEstablishments).toBe(true);
    const [asPlatform] = (await admin.get(list(school.id))).json().pairs;
    expect(asPlatform.can.merge).toBe(true);
  });
});

describe('POST /api/establishments/:id/duplicates/merge', () => {
  test('rejected requests (401 → 400 → 403 → 404 → 409) change nothing', async () => {
    const keep = await person(a, 'student', 'Inès', 'Ladder', { birth_date: '2011-01-01' });
    const dup = await person(a, 'student', 'Ines', 'Ladder', { birth_date: '2011-01-01' });
    const twoSchools = await person(a, 'guardian', 'Nadia', 'Deux');
    await db
      .insertInto('membership')
      .values({ establishment_id: b.id, user_id: twoSchools.id, profile: 'guardian' })
      .execute();
    const gone = await person(a, 'student', 'Gone', 'Away', {}, 'detached');
    const father = await person(a, 'guardian', 'Marc', 'Blanc');
    const son = await person(a, 'student', 'Marc', 'Blanc');
    await guard(db, a, father.id, son.id);
    const pa = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], platformAdmin: true });
    const outsider = await person(b, 'student', 'Inès', 'Ladder', { birth_date: '2011-01-01' });
    const ids = [keep, dup, twoSchools, gone, father, son, pa, outsider, principal].map((u) => u.id);
    const before = {
      world: await world(ids),
      audit: await countRows(db, 'audit_event'),
      merges: await countRows(db, 'user_merge'),
    };
    const body = { keepId: keep.id, mergeId: dup.id };

    expect((await app.inject({ method: 'POST', url: mergeUrl(a.id), payload: body })).statusCode).toBe(401);
    for (const payload of [{}, { keepId: keep.id }, { ...body, extra: 1 }, { keepId: 'x', mergeId: dup.id }]) {
      expect((await principalA.post(mergeUrl(a.id), payload)).statusCode, JSON.stringify(payload)).toBe(400);
    }
    const same = await principalA.post(mergeUrl(a.id), { keepId: keep.id, mergeId: keep.id });
    expect(same.json()).toMatchObject({ status: 400, code: 'MERGE_SAME_PERSON' });
    const self = await principalA.post(mergeUrl(a.id), { keepId: keep.id, mergeId: principal.id });
    expect(self.json()).toMatchObject({ status: 400, code: 'MERGE_SELF' });
    expect((await teacherA.post(mergeUrl(a.id), body)).statusCode).toBe(403);
    expect((await principalA.post(mergeUrl(a.id), { keepId: keep.id, mergeId: pa.id })).statusCode).toBe(403);
    expect((await principalB.post(mergeUrl(a.id), body)).statusCode).toBe(404);
    expect((await principalA.post(mergeUrl(a.id), { keepId: keep.id, mergeId: outsider.id })).statusCode).toBe(404);
    expect((await principalA.post(mergeUrl(a.id), { keepId: randomUUID(), mergeId: dup.id })).statusCode).toBe(404);
    for (const [payload, code] of [
      [{ keepId: keep.id, mergeId: twoSchools.id }, 'MERGE_OTHER_ESTABLISHMENTS'],
      [{ keepId: keep.id, mergeId: gone.id }, 'MERGE_NOT_LIVE'],
      [{ keepId: gone.id, mergeId: keep.id }, 'MERGE_NOT_LIVE'],
      [{ keepId: father.id, mergeId: son.id }, 'MERGE_RELATED'],
    ] as const) {
      const res = await principalA.post(mergeUrl(a.id), payload);
      expect(res.statusCode, code).toBe(409);
      expect(res.json().code).toBe(code);
    }
    expect({
      world: await world(ids),
      audit: await countRows(db, 'audit_event'),
      merges: await countRows(db, 'user_merge'),
    }).toEqual(before);
  });

  test('201: everything of the duplicate moves to the kept account; undo restores exactly what moved', async () => {
    const c1 = await makeClass(db, a, 'M-2NDE1');
    const c2 = await makeClass(db, a, 'M-2NDE2');
    const grp = await makeGroup(db, a, 'M-LV2');
    await subject(db, '030201', 'Anglais LV1');
    const charter = await db
      .insertInto('charter')
      .values({ establishment_id: a.id, version: 1, title: 'Charte', body: 'Texte de la charte.' })
      .returning('id')
      .executeTakeFirstOrThrow();

    // a student twice: the feed's account (activated) and one created by hand, with the feed key on the latter
    const keep = await person(a, 'student', 'Hugo', 'Martin', { birth_date: '2011-01-01' });
    const feedKey = `AAF-${randomUUID()}`;
    const dup = await person(a, 'student', 'Hugo', 'Martin', {
      birth_date: '2011-01-01',
      email: 'hugo@example.fr',
      external_id: feedKey,
    });
    await db
      .updateTable('membership')
      .set({ functions: ['DELEGUE'] })
      .where('user_id', '=', dup.id)
      .execute();
    const mother = await person(a, 'guardian', 'Anne', 'Martin');
    const father = await person(a, 'guardian', 'Paul', 'Martin');
    await enrol(db, a, keep.id, { classId: c1.id });
    await enrol(db, a, dup.id, { classId: c1.id }); // same class: dropped
    await enrol(db, a, dup.id, { groupId: grp.id }); // moves
    await guard(db, a, mother.id, keep.id, 'in_charge');
    await guard(db, a, mother.id, dup.id, 'legal'); // same guardian: dropped, the kept link becomes legal
    await guard(db, a, father.id, dup.id, 'legal'); // moves
    await db
      .insertInto('charter_acceptance')
      .values({ user_id: dup.id, charter_id: charter.id, establishment_id: a.id })
      .execute();
    const dupSession = await loginAs(app, dup.login);

    // the same teacher twice: assignments and head-teacher rows move, the common one is dropped
    const t1 = await person(a, 'teacher', 'Jean', 'Prof');
    const t2 = await person(a, 'teacher', 'Jean', 'Prof');
    await db
      .updateTable('membership')
      .set({ functions: ['DOC'] })
      .where('user_id', '=', t1.id)
      .execute();
    await db
      .updateTable('membership')
      .set({ functions: ['CPE'] })
      .where('user_id', '=', t2.id)
      .execute();
    await assign(db, a, t1.id, { classId: c1.id }, '030201');
    await assign(db, a, t2.id, { classId: c1.id }, '030201');
    await assign(db, a, t2.id, { classId: c2.id }, '030201');
    await headTeacher(db, a, t2.id, c2.id);

    const ids = [keep, dup, mother, father, t1, t2].map((u) => u.id);
    const before = await world(ids);
    const auditBefore = await countRows(db, 'audit_event');

    const res = await principalA.post(mergeUrl(a.id), { keepId: keep.id, mergeId: dup.id });
    expect(res.statusCode, res.body).toBe(201);
    const merged = res.json();
    expect(merged).toMatchObject({
      keptId: keep.id,
      mergedId: dup.id,
      moved: { 'enrolment.student_id': 1, 'guardianship.student_id': 1, 'charter_acceptance.user_id': 1 },
      dropped: { 'membership.user_id': 1, 'enrolment.student_id': 1, 'guardianship.student_id': 1 },
      sessionsEnded: 1,
    });
    const days = (new Date(merged.undoUntil).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);

    const after = await world(ids);
    const u = (id: string) => after.users.find((x) => x.id === id)!;
    expect(u(dup.id)).toMatchObject({ status: 'detached', merged_into: keep.id, external_id: null });
    expect(u(dup.id).detached_at).not.toBeNull();
    // the kept account takes what it lacked, the feed's key included (the next import finds it)
    expect(u(keep.id)).toMatchObject({ status: 'active', email: 'hugo@example.fr', external_id: feedKey });
    expect(after.membership.filter((m) => m.user_id === keep.id)).toEqual([
      expect.objectContaining({ establishment_id: a.id, profile: 'student', functions: ['DELEGUE'] }),
    ]);
    expect(after.membership.filter((m) => m.user_id === dup.id)).toEqual([]);
    expect(
      after.enrolment
        .filter((e) => e.student_id === keep.id)
        .map((e) => e.class_id ?? e.group_id)
        .sort(),
    ).toEqual([c1.id, grp.id].sort());
    expect(
      after.guardianship
        .filter((g) => g.student_id === keep.id)
        .map((g) => [g.guardian_id, g.level])
        .sort(),
    ).toEqual(
      [
        [mother.id, 'legal'],
        [father.id, 'legal'],
      ].sort(),
    );
    expect(after.charter.map((c) => c.user_id)).toEqual([keep.id]);
    expect((await dupSession.get('/api/me')).statusCode).toBe(401);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: dup.login, password: PASSWORD },
    });
    expect(login.statusCode).toBe(403);

    const [event] = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'directory.merge')
      .where('target_id', '=', dup.id)
      .execute();
    expect(event).toMatchObject({ establishment_id: a.id, actor_id: principal.id });
    expect(event!.details).toMatchObject({
      mergeId: merged.id,
      keptId: keep.id,
      reasons: ['SAME_NAME_AND_BIRTH_DATE'],
    });
    const movedIds = (event!.details as { moved: Record<string, string[]> }).moved;
    expect(movedIds['enrolment.student_id']).toEqual([before.enrolment.find((e) => e.group_id === grp.id)!.id]);
    expect(await countRows(db, 'audit_event')).toBe(auditBefore + 2); // the merge, and the refused login

    // the pair is no longer listed
    const pairs = (await principalA.get(list(a.id))).json().pairs as { people: { id: string }[] }[];
    expect(pairs.some((p) => p.people.some((q) => q.id === dup.id))).toBe(false);

    const teachers = await principalA.post(mergeUrl(a.id), { keepId: t1.id, mergeId: t2.id });
    expect(teachers.json()).toMatchObject({
      moved: { 'teaching_assignment.teacher_id': 1, 'head_teacher.teacher_id': 1 },
      dropped: { 'membership.user_id': 1, 'teaching_assignment.teacher_id': 1 },
    });
    const t1Membership = await db
      .selectFrom('membership')
      .select('functions')
      .where('user_id', '=', t1.id)
      .executeTakeFirstOrThrow();
    expect(t1Membership.functions).toEqual(['CPE', 'DOC']);

    // the list of merges, with what can be undone
    const merges = (await principalA.get(`/api/establishments/${a.id}/duplicates/merges`)).json().items;
    expect(merges.map((m: { id: string }) => m.id)).toEqual([teachers.json().id, merged.id]);
    expect(merges[1]).toMatchObject({
      kept: { id: keep.id, login: keep.login },
      merged: { id: dup.id },
      reasons: ['SAME_NAME_AND_BIRTH_DATE'],
      mergedBy: principal.id,
      undoneAt: null,
      can: { undo: true },
    });

    // undo both: every row is back exactly as it was (sessions aside)
    const undoTeachers = await principalA.post(undoUrl(a.id, teachers.json().id));
    expect(undoTeachers.statusCode, undoTeachers.body).toBe(200);
    const undone = await principalA.post(undoUrl(a.id, merged.id));
    expect(undone.statusCode, undone.body).toBe(200);
    expect(undone.json()).toMatchObject({
      id: merged.id,
      restored: {
        'membership.user_id': 1,
        'enrolment.student_id': 2,
        'guardianship.student_id': 2,
        'charter_acceptance.user_id': 1,
      },
      missing: {},
    });
    expect(await world(ids)).toEqual(before);
    const [undoEvent] = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'directory.merge.undo')
      .where('target_id', '=', dup.id)
      .execute();
    expect(undoEvent!.details).toMatchObject({ mergeId: merged.id });
    expect((await loginAs(app, dup.login)).cookie).toBeTruthy();

    const again = await principalA.post(undoUrl(a.id, merged.id));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('MERGE_ALREADY_UNDONE');
    const listed = (await principalA.get(`/api/establishments/${a.id}/duplicates/merges`)).json().items;
    expect(listed.find((m: { id: string }) => m.id === merged.id)).toMatchObject({ can: { undo: false } });
    expect(listed.find((m: { id: string }) => m.id === merged.id).undoneAt).not.toBeNull();
  });
});

describe('POST /api/establishments/:id/duplicates/merges/:mergeId/undo', () => {
  test('401 → 400 → 403 → 404 → 409 (delay over, later merge first) change nothing', async () => {
    const x = await person(a, 'staff', 'Ève', 'Chain');
    const y = await person(a, 'staff', 'Eve', 'Chain');
    const z = await person(a, 'staff', 'EVE', 'CHAIN');
    const first = (await principalA.post(mergeUrl(a.id), { keepId: y.id, mergeId: x.id })).json();
    const second = (await principalA.post(mergeUrl(a.id), { keepId: z.id, mergeId: y.id })).json();
    const ids = [x.id, y.id, z.id];
    const before = { world: await world(ids), audit: await countRows(db, 'audit_event') };

    expect((await app.inject({ method: 'POST', url: undoUrl(a.id, first.id) })).statusCode).toBe(401);
    expect((await principalA.post(undoUrl(a.id, 'x'))).statusCode).toBe(400);
    expect((await principalA.post(undoUrl(a.id, first.id), { extra: 1 })).statusCode).toBe(400);
    expect((await teacherA.post(undoUrl(a.id, first.id))).statusCode).toBe(403);
    expect((await principalB.post(undoUrl(a.id, first.id))).statusCode).toBe(404);
    expect((await principalB.post(undoUrl(b.id, first.id))).statusCode).toBe(404);
    expect((await principalA.post(undoUrl(a.id, randomUUID()))).statusCode).toBe(404);
    // y was merged into z since: undo that one first
    const changed = await principalA.post(undoUrl(a.id, first.id));
    expect(changed.statusCode).toBe(409);
    expect(changed.json().code).toBe('MERGE_STATE_CHANGED');
    await db
      .updateTable('user_merge')
      .set({ undo_until: new Date(Date.now() - 1000) })
      .where('id', '=', second.id)
      .execute();
    const late = await principalA.post(undoUrl(a.id, second.id));
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('MERGE_UNDO_EXPIRED');
    expect({ world: await world(ids), audit: await countRows(db, 'audit_event') }).toEqual(before);

    await db
      .updateTable('user_merge')
      .set({ undo_until: new Date(Date.now() + 86_400_000) })
      .where('id', '=', second.id)
      .execute();
    expect((await principalA.post(undoUrl(a.id, second.id))).statusCode).toBe(200);
    expect((await admin.post(undoUrl(a.id, first.id))).statusCode).toBe(200);
    const users = await db.selectFrom('app_user').select(['status', 'merged_into']).where('id', 'in', ids).execute();
    expect(users).toEqual([0, 1, 2].map(() => ({ status: 'active', merged_into: null })));
  });
});
