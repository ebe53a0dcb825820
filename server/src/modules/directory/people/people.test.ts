import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  archivedYear,
  assign,
  enrol,
  guard,
  makeClass,
  makeGroup,
  type School,
  subject,
} from '../../../../test/directory-fixtures.ts';
import {
  type Agent,
  agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  sessionCookie,
  testApp,
} from '../../../../test/helpers.ts';

const { app, db } = await testApp();

type User = Awaited<ReturnType<typeof makeUser>>;

let a: School;
let b: School;
let principal: User;
let principalA: Agent;
let principalB: Agent;
let teacherA: Agent;
let admin: Agent;
let teacher: User;
let student: User;
let outsider: User;
let c1: { id: string };
let c2: { id: string };
let cOld: { id: string };
let cB: { id: string };
let g1: { id: string };

/** Everything a rejected request must leave as it was. */
const snapshot = async () => ({
  audit: await countRows(db, 'audit_event'),
  memberships: await countRows(db, 'membership'),
  enrolments: await countRows(db, 'enrolment'),
  guardianships: await db.selectFrom('guardianship').selectAll().orderBy('id').execute(),
  assignments: await countRows(db, 'teaching_assignment'),
  headTeachers: await countRows(db, 'head_teacher'),
  users: await db
    .selectFrom('app_user')
    .select(['id', 'login', 'first_name', 'last_name', 'display_name', 'email', 'birth_date', 'status'])
    .orderBy('id')
    .execute(),
});

const auditOf = (action: string, targetId: string) =>
  db
    .selectFrom('audit_event')
    .selectAll()
    .where('action', '=', action)
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();

beforeAll(async () => {
  a = await makeEstablishment(db, { name: 'Lycée Jean Jaurès' });
  b = await makeEstablishment(db);
  principal = await makeUser(db, { establishmentId: a.id, profiles: ['principal'] });
  principalA = await loginAs(app, principal.login);
  principalB = await loginAs(app, (await makeUser(db, { establishmentId: b.id, profiles: ['principal'] })).login);
  teacher = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], firstName: 'Jean', lastName: 'Prof' });
  teacherA = await loginAs(app, teacher.login);
  admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
  student = await makeUser(db, { establishmentId: a.id, profiles: ['student'], firstName: 'Hugo', lastName: 'Martin' });
  outsider = await makeUser(db, { establishmentId: b.id, profiles: ['guardian'] });
  c1 = await makeClass(db, a, '2NDE1');
  c2 = await makeClass(db, a, '2NDE2');
  cOld = await makeClass(db, a, '3E1', (await archivedYear(db, a)).id);
  cB = await makeClass(db, b, 'B1');
  g1 = await makeGroup(db, a, 'LV2-ESP');
  await subject(db, '061300', 'Mathématiques');
  await subject(db, '030201', 'Anglais LV1');
  await enrol(db, a, student.id, { classId: c1.id });
});

const people = (id: string) => `/api/establishments/${id}/people`;
const person = (id: string, userId: string) => `${people(id)}/${userId}`;

describe('POST /api/establishments/:id/people', () => {
  const valid = () => ({
    profile: 'student',
    firstName: 'Léa',
    lastName: "N'Diaye",
    birthDate: '2011-02-03',
    classId: c1.id,
  });

  test('rejected requests (401 → 400 → 403 → 404) change nothing', async () => {
    const before = await snapshot();
    expect((await app.inject({ method: 'POST', url: people(a.id), payload: valid() })).statusCode).toBe(401);
    for (const payload of [
      {},
      { ...valid(), birthDate: undefined },
      { ...valid(), birthDate: '2011-02-30' },
      { ...valid(), extra: 1 },
      { ...valid(), profile: 'platform_admin' },
      { ...valid(), email: 'not an e-mail' },
      { ...valid(), firstName: '  ' },
      { ...valid(), classId: 'x' },
      { profile: 'guardian', firstName: 'A', lastName: 'B', classId: c1.id },
      { profile: 'teacher', firstName: 'A', lastName: 'B', phoneMobile: 'call me' },
    ]) {
      const res = await principalA.post(people(a.id), payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    expect((await principalA.post(people('x'), valid())).statusCode).toBe(400);
    expect((await teacherA.post(people(a.id), valid())).statusCode).toBe(403);
    // principal and local admin accounts are created by a platform admin
    const lead = { profile: 'local_admin', firstName: 'Ada', lastName: 'Admin' };
    expect((await principalA.post(people(a.id), lead)).statusCode).toBe(403);
    expect((await principalB.post(people(a.id), valid())).statusCode).toBe(404);
    expect((await admin.post(people(randomUUID()), valid())).statusCode).toBe(404);
    // a class of another school, or of last year
    expect((await principalA.post(people(a.id), { ...valid(), classId: cB.id })).statusCode).toBe(404);
    expect((await principalA.post(people(a.id), { ...valid(), classId: cOld.id })).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('201: a student in their class, a free login, a code that activates the account; audited without it', async () => {
    const res = await principalA.post(people(a.id), valid());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { person: created, activationCode } = res.json();
    expect(created).toMatchObject({
      login: 'lea.n-diaye',
      displayName: "N'DIAYE Léa",
      firstName: 'Léa',
      lastName: "N'Diaye",
      birthDate: '2011-02-03',
      status: 'pending_activation',
      profiles: ['student'],
      class: { id: c1.id, code: '2NDE1' },
      fromFeed: false,
    });
    expect(activationCode.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);

    const twin = await principalA.post(people(a.id), { ...valid(), birthDate: '2012-01-01' });
    expect(twin.json().person.login).toBe('lea.n-diaye2');

    const [event] = await auditOf('directory.person.create', created.id);
    expect(event).toMatchObject({ establishment_id: a.id, actor_id: principal.id });
    expect(event!.details).toMatchObject({ profile: 'student', classId: c1.id, login: 'lea.n-diaye' });
    expect(JSON.stringify(event)).not.toContain(activationCode.code);
    expect(JSON.stringify(event)).not.toContain(activationCode.code.replace('-', ''));

    const activated = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: created.login, code: activationCode.code, password: 'une phrase de passe bien longue' },
    });
    expect(activated.statusCode, activated.body).toBe(200);
    const session = agent(app, sessionCookie(activated), activated.json().csrfToken);
    expect((await session.get('/api/me')).json().user.status).toBe('active');
  });

  test('staff with functions, guardians with phones; a platform admin may create a local admin', async () => {
    const staff = await principalA.post(people(a.id), {
      profile: 'staff',
      firstName: 'Claire',
      lastName: 'Vie-Scolaire',
      functions: ['CPE', 'CPE', 'EDU'],
      email: 'claire@example.fr',
    });
    expect(staff.statusCode, staff.body).toBe(201);
    expect(staff.json().person).toMatchObject({ profiles: ['staff'], functions: ['CPE', 'EDU'], class: null });

    const parent = await principalA.post(people(a.id), {
      profile: 'guardian',
      firstName: 'Awa',
      lastName: 'Diallo',
      phoneMobile: '+33 6 12 34 56 78',
    });
    expect(parent.json().person).toMatchObject({ phoneMobile: '+33 6 12 34 56 78', email: null, birthDate: null });

    const lead = await admin.post(people(a.id), { profile: 'local_admin', firstName: 'Ada', lastName: 'Admin' });
    expect(lead.statusCode).toBe(201);
    expect(lead.json().person.profiles).toEqual(['local_admin']);
  });
});

describe('GET and PATCH /api/establishments/:id/people/:userId', () => {
  test('GET: 401 → 400 → 403 → 404 → 200', async () => {
    expect((await app.inject({ method: 'GET', url: person(a.id, student.id) })).statusCode).toBe(401);
    expect((await principalA.get(person(a.id, 'x'))).statusCode).toBe(400);
    expect((await teacherA.get(person(a.id, student.id))).statusCode).toBe(403);
    expect((await principalB.get(person(a.id, student.id))).statusCode).toBe(404);
    expect((await principalA.get(person(a.id, outsider.id))).statusCode).toBe(404);
    const res = await principalA.get(person(a.id, student.id));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: student.id, class: { id: c1.id, code: '2NDE1', label: 'Classe 2NDE1' } });
  });

  test('rejected requests (401 → 400 → 403 → 404 → 409) change nothing', async () => {
    const detached = await makeUser(db, { establishmentId: a.id, profiles: ['student'], status: 'detached' });
    const platformAdmin = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], platformAdmin: true });
    const before = await snapshot();
    const url = person(a.id, student.id);
    expect((await app.inject({ method: 'PATCH', url, payload: { email: 'a@b.fr' } })).statusCode).toBe(401);
    for (const payload of [
      {},
      { email: 'nope' },
      { login: 'x' },
      { classId: 'x' },
      { firstName: '' },
      { functions: 'CPE' },
    ]) {
      const res = await principalA.patch(url, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const notStudent = await principalA.patch(person(a.id, teacher.id), { classId: c1.id });
    expect(notStudent.statusCode).toBe(400);
    expect(notStudent.json().code).toBe('NOT_A_STUDENT');
    const noFunctions = await principalA.patch(url, { functions: ['CPE'] });
    expect(noFunctions.json().code).toBe('FUNCTIONS_NOT_APPLICABLE');
    expect((await teacherA.patch(url, { email: 'a@b.fr' })).statusCode).toBe(403);
    expect((await principalA.patch(person(a.id, platformAdmin.id), { email: 'a@b.fr' })).statusCode).toBe(403);
    expect((await principalB.patch(url, { email: 'a@b.fr' })).statusCode).toBe(404);
    expect((await principalA.patch(person(a.id, outsider.id), { email: 'a@b.fr' })).statusCode).toBe(404);
    expect((await principalA.patch(url, { classId: cB.id })).statusCode).toBe(404);
    expect((await principalA.patch(url, { classId: cOld.id })).statusCode).toBe(404);
    const gone = await principalA.patch(person(a.id, detached.id), { email: 'a@b.fr' });
    expect(gone.statusCode).toBe(409);
    expect(gone.json().code).toBe('PERSON_DETACHED');
    expect(await snapshot()).toEqual(before);
  });

  test('200: identity, contact and class corrected, the display name follows; audited with before and after', async () => {
    const pupil = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['student'],
      firstName: 'Zoe',
      lastName: 'Dupond',
    });
    await enrol(db, a, pupil.id, { classId: c1.id });
    await enrol(
      db,
      a,
      pupil.id,
      { classId: cOld.id },
      (await db.selectFrom('class').select('school_year_id').where('id', '=', cOld.id).executeTakeFirstOrThrow())
        .school_year_id,
    );
    const url = person(a.id, pupil.id);
    const res = await principalA.patch(url, {
      firstName: 'Zoé',
      lastName: 'Dupont',
      email: 'zoe@example.fr',
      phoneHome: '01 23 45 67 89',
      birthDate: '2010-10-10',
      classId: c2.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      login: pupil.login, // a login never changes
      displayName: 'DUPONT Zoé',
      email: 'zoe@example.fr',
      phoneHome: '01 23 45 67 89',
      birthDate: '2010-10-10',
      class: { id: c2.id },
    });
    // last year's enrolment is history: untouched
    const classes = await db.selectFrom('enrolment').select('class_id').where('student_id', '=', pupil.id).execute();
    expect(classes.map((e) => e.class_id).sort()).toEqual([c2.id, cOld.id].sort());
    const [event] = await auditOf('directory.person.update', pupil.id);
    expect(event!.details).toEqual({
      changes: {
        firstName: { from: 'Zoe', to: 'Zoé' },
        lastName: { from: 'Dupond', to: 'Dupont' },
        email: { from: null, to: 'zoe@example.fr' },
        phoneHome: { from: null, to: '01 23 45 67 89' },
        birthDate: { from: null, to: '2010-10-10' },
        classId: { from: [c1.id], to: c2.id },
      },
    });

    // the same values again: nothing written, nothing audited
    const again = await principalA.patch(url, { email: 'zoe@example.fr', classId: c2.id });
    expect(again.statusCode).toBe(200);
    expect(await auditOf('directory.person.update', pupil.id)).toHaveLength(1);

    // null clears: out of any class, no e-mail
    const cleared = await principalA.patch(url, { classId: null, email: null });
    expect(cleared.json()).toMatchObject({ class: null, email: null });
    expect(await auditOf('directory.person.update', pupil.id)).toHaveLength(2);
  });

  test("a staff member's functions", async () => {
    const cpe = await makeUser(db, { establishmentId: a.id, profiles: ['staff'] });
    const res = await principalA.patch(person(a.id, cpe.id), { functions: ['DOC', 'CPE'] });
    expect(res.json().functions).toEqual(['CPE', 'DOC']);
  });
});

describe('guardian links', () => {
  const links = (userId: string) => `${person(a.id, userId)}/guardians`;

  test('rejected requests (401 → 400 → 403 → 404) change nothing', async () => {
    const parent = await makeUser(db, { establishmentId: a.id, profiles: ['guardian'] });
    const before = await snapshot();
    const body = { guardianId: parent.id, level: 'legal' };
    expect((await app.inject({ method: 'POST', url: links(student.id), payload: body })).statusCode).toBe(401);
    for (const payload of [{}, { guardianId: parent.id }, { ...body, level: 'uncle' }, { ...body, extra: true }]) {
      expect((await principalA.post(links(student.id), payload)).statusCode, JSON.stringify(payload)).toBe(400);
    }
    const self = await principalA.post(links(student.id), { ...body, guardianId: student.id });
    expect(self.json().code).toBe('GUARDIAN_OF_SELF');
    const notStudent = await principalA.post(links(teacher.id), body);
    expect(notStudent.json().code).toBe('NOT_A_STUDENT');
    expect((await teacherA.post(links(student.id), body)).statusCode).toBe(403);
    expect((await principalB.post(links(student.id), body)).statusCode).toBe(404);
    expect((await principalA.post(links(student.id), { ...body, guardianId: outsider.id })).statusCode).toBe(404);
    expect((await principalA.post(links(randomUUID()), body)).statusCode).toBe(404);
    expect((await principalA.delete(`${links(student.id)}/${parent.id}`)).statusCode).toBe(404);
    expect((await teacherA.delete(`${links(student.id)}/${parent.id}`)).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  test('link (201), change the level (200), unlink (204); a teacher who is a parent gets the guardian profile', async () => {
    const pupil = await makeUser(db, { establishmentId: a.id, profiles: ['student'] });
    const mother = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'], lastName: 'Mère' });
    const created = await principalA.post(links(pupil.id), { guardianId: mother.id, level: 'legal', relation: 'MERE' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      guardians: [{ id: mother.id, displayName: mother.display_name, level: 'legal', relation: 'MERE' }],
    });
    const profiles = await db.selectFrom('membership').select('profile').where('user_id', '=', mother.id).execute();
    expect(profiles.map((m) => m.profile).sort()).toEqual(['guardian', 'teacher']);
    const [event] = await auditOf('directory.guardian.link', pupil.id);
    expect(event!.details).toEqual({
      guardianId: mother.id,
      level: 'legal',
      relation: 'MERE',
      addedProfile: 'guardian',
    });

    const same = await principalA.post(links(pupil.id), { guardianId: mother.id, level: 'legal' });
    expect(same.statusCode).toBe(200);
    const changed = await principalA.post(links(pupil.id), { guardianId: mother.id, level: 'in_charge' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().guardians[0]).toMatchObject({ level: 'in_charge', relation: 'MERE' });
    expect(await auditOf('directory.guardian.update', pupil.id)).toHaveLength(1);

    const gone = await principalA.delete(`${links(pupil.id)}/${mother.id}`);
    expect(gone.statusCode).toBe(204);
    expect(await db.selectFrom('guardianship').select('id').where('student_id', '=', pupil.id).execute()).toEqual([]);
    const [unlink] = await auditOf('directory.guardian.unlink', pupil.id);
    expect(unlink!.details).toMatchObject({ guardianId: mother.id, level: 'in_charge' });
    expect((await principalA.delete(`${links(pupil.id)}/${mother.id}`)).statusCode).toBe(404);
  });

  test("another school's link is not seen", async () => {
    const kid = await makeUser(db, { establishmentId: b.id, profiles: ['student'] });
    await guard(db, b, outsider.id, kid.id);
    expect((await principalA.delete(`${person(b.id, kid.id)}/guardians/${outsider.id}`)).statusCode).toBe(404);
    expect(await db.selectFrom('guardianship').select('id').where('student_id', '=', kid.id).execute()).toHaveLength(1);
  });
});

describe('teaching assignments and head teachers', () => {
  const assignments = (userId: string) => `${person(a.id, userId)}/assignments`;
  const head = (userId: string) => `${person(a.id, userId)}/head-teacher`;

  test('rejected requests (401 → 400 → 403 → 404 → 409) change nothing', async () => {
    const prof = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    const existing = await assign(db, a, prof.id, { classId: c1.id }, '061300');
    const before = await snapshot();
    const body = { classId: c1.id, subjectCode: '030201' };
    expect((await app.inject({ method: 'POST', url: assignments(prof.id), payload: body })).statusCode).toBe(401);
    for (const payload of [
      {},
      { classId: c1.id },
      { ...body, groupId: g1.id },
      { ...body, subjectCode: 'maths' },
      { ...body, extra: 1 },
    ]) {
      expect((await principalA.post(assignments(prof.id), payload)).statusCode, JSON.stringify(payload)).toBe(400);
    }
    const unknownSubject = await principalA.post(assignments(prof.id), { ...body, subjectCode: '999999' });
    expect(unknownSubject.json()).toMatchObject({ status: 400, code: 'UNKNOWN_SUBJECT' });
    expect((await principalA.post(assignments(student.id), body)).json().code).toBe('NOT_A_TEACHER');
    expect((await principalA.post(head(student.id), { classId: c1.id })).json().code).toBe('NOT_A_TEACHER');
    expect((await teacherA.post(assignments(prof.id), body)).statusCode).toBe(403);
    expect((await principalB.post(assignments(prof.id), body)).statusCode).toBe(404);
    expect((await principalA.post(assignments(prof.id), { ...body, classId: cB.id })).statusCode).toBe(404);
    expect((await principalA.post(assignments(prof.id), { ...body, classId: cOld.id })).statusCode).toBe(404);
    expect((await principalA.post(head(prof.id), { classId: cOld.id })).statusCode).toBe(404);
    const twice = await principalA.post(assignments(prof.id), { classId: c1.id, subjectCode: '061300' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('ALREADY_ASSIGNED');
    // somebody else's assignment, through this teacher's URL
    expect((await principalA.delete(`${assignments(teacher.id)}/${existing.id}`)).statusCode).toBe(404);
    expect((await principalB.delete(`${assignments(prof.id)}/${existing.id}`)).statusCode).toBe(404);
    expect((await principalA.delete(`${head(prof.id)}/${c1.id}`)).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('add to a class and a group, list, remove; head teacher of a class', async () => {
    const prof = await makeUser(db, { establishmentId: a.id, profiles: ['teacher'] });
    const inClass = await principalA.post(assignments(prof.id), { classId: c2.id, subjectCode: '061300' });
    expect(inClass.statusCode, inClass.body).toBe(201);
    expect(inClass.json()).toMatchObject({
      class: { id: c2.id, code: '2NDE2' },
      group: null,
      subject: { code: '061300', label: 'Mathématiques' },
    });
    const inGroup = await principalA.post(assignments(prof.id), { groupId: g1.id, subjectCode: '030201' });
    expect(inGroup.json()).toMatchObject({ class: null, group: { id: g1.id, code: 'LV2-ESP' } });
    const list = await principalA.get(assignments(prof.id));
    expect(list.json().items.map((x: { id: string }) => x.id)).toEqual([inClass.json().id, inGroup.json().id]);
    expect((await principalA.get(assignments(outsider.id))).statusCode).toBe(404);

    expect((await principalA.delete(`${assignments(prof.id)}/${inGroup.json().id}`)).statusCode).toBe(204);
    expect((await principalA.get(assignments(prof.id))).json().items).toHaveLength(1);
    expect((await auditOf('directory.assignment.add', prof.id)).map((e) => e.details)).toEqual([
      { assignmentId: inClass.json().id, classId: c2.id, subjectCode: '061300' },
      { assignmentId: inGroup.json().id, groupId: g1.id, subjectCode: '030201' },
    ]);
    expect(await auditOf('directory.assignment.remove', prof.id)).toHaveLength(1);

    const made = await principalA.post(head(prof.id), { classId: c2.id });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toEqual({ class: { id: c2.id, code: '2NDE2', label: 'Classe 2NDE2' } });
    expect((await principalA.post(head(prof.id), { classId: c2.id })).json().code).toBe('ALREADY_HEAD_TEACHER');
    const classes = (await principalA.get(`/api/establishments/${a.id}/classes`)).json();
    expect(classes.items.find((c: { id: string }) => c.id === c2.id).headTeachers).toEqual([
      { id: prof.id, displayName: prof.display_name },
    ]);
    expect((await principalA.delete(`${head(prof.id)}/${c2.id}`)).statusCode).toBe(204);
    expect(await auditOf('directory.head_teacher.remove', prof.id)).toHaveLength(1);
  });
});

describe('lookups', () => {
  test('classes and groups of the current year; subjects', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/establishments/${a.id}/classes` })).statusCode).toBe(401);
    expect((await teacherA.get(`/api/establishments/${a.id}/classes`)).statusCode).toBe(403);
    expect((await principalB.get(`/api/establishments/${a.id}/groups`)).statusCode).toBe(404);
    const classes = (await principalA.get(`/api/establishments/${a.id}/classes`)).json();
    expect(classes.schoolYear).toBe('2026-2027');
    expect(classes.items.map((c: { code: string }) => c.code)).toEqual(['2NDE1', '2NDE2']);
    expect(classes.items[0]).toMatchObject({ id: c1.id, label: 'Classe 2NDE1', mefCode: null });
    expect(classes.items[0].students).toBeGreaterThanOrEqual(1);
    const groups = (await principalA.get(`/api/establishments/${a.id}/groups`)).json();
    expect(groups.items).toEqual([
      { id: g1.id, code: 'LV2-ESP', label: 'Groupe LV2-ESP', kind: 'teaching', students: 0 },
    ]);
    const subjects = (await teacherA.get('/api/subjects')).json();
    expect(subjects.items).toEqual([
      { code: '030201', label: 'Anglais LV1' },
      { code: '061300', label: 'Mathématiques' },
    ]);
    expect((await app.inject({ method: 'GET', url: '/api/subjects' })).statusCode).toBe(401);
  });
});
