import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  archivedYear,
  assign,
  enrol,
  guard,
  headTeacher,
  makeClass,
  type School,
} from '../../../../test/directory-fixtures.ts';
import { type Agent, countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';

const { app, db } = await testApp();

type User = Awaited<ReturnType<typeof makeUser>>;
interface Item {
  kind: string;
  id: string;
  displayName: string;
  login: string | null;
  profile: string | null;
  class: string | null;
  fix: { action: string; path: string; api: string };
}
interface Check {
  code: string;
  count: number;
  people: Item[];
  truncated: boolean;
}
interface Progress {
  activated: number;
  total: number;
  byProfile: { profile: string; activated: number; total: number }[];
  byClass: { classId: string; class: string; profile: string; activated: number; total: number }[];
  pending: { id: string; profile: string; class: string | null; can: { printSheet: boolean } }[];
  pendingCount: number;
  truncated: boolean;
}

let a: School;
let b: School;
let principalA: Agent;
let localAdminA: Agent;
let principalB: Agent;
let teacherA: Agent;
let admin: Agent;
const p: Record<string, User> = {};
const c: Record<string, { id: string }> = {};

beforeAll(async () => {
  a = await makeEstablishment(db);
  b = await makeEstablishment(db);
  principalA = await loginAs(
    app,
    (await makeUser(db, { establishmentId: a.id, profiles: ['principal'], lastName: 'Direction' })).login,
  );
  localAdminA = await loginAs(app, (await makeUser(db, { establishmentId: a.id, profiles: ['local_admin'] })).login);
  principalB = await loginAs(app, (await makeUser(db, { establishmentId: b.id, profiles: ['principal'] })).login);
  admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);

  const person = async (
    key: string,
    profile: 'student' | 'guardian' | 'teacher',
    opts: { status?: 'pending_activation' | 'detached'; birthDate?: string; email?: string; phone?: string } = {},
  ) => {
    p[key] = await makeUser(db, {
      establishmentId: a.id,
      profiles: [profile],
      firstName: key,
      lastName: profile.toUpperCase(),
      status: opts.status,
    });
    await db
      .updateTable('app_user')
      .set({ birth_date: opts.birthDate ?? null, email: opts.email ?? null, phone_mobile: opts.phone ?? null })
      .where('id', '=', p[key].id)
      .execute();
  };
  await person('t1', 'teacher');
  await person('t2', 'teacher', { status: 'pending_activation' });
  await person('t3', 'teacher');
  teacherA = await loginAs(app, p.t1!.login);
  await person('s1', 'student', { birthDate: '2011-03-01' });
  await person('s2', 'student', { birthDate: '2011-04-01' });
  await person('s3', 'student', { status: 'pending_activation', birthDate: '2011-05-01' });
  await person('s4', 'student', { birthDate: '2000-01-01' }); // an adult: needs no guardian
  await person('s5', 'student', { status: 'detached' }); // left: no check lists them
  await person('s6', 'student', { birthDate: '2011-06-01' });
  await person('g1', 'guardian', { email: 'g1@example.fr' });
  await person('g2', 'guardian', { status: 'pending_activation' });
  await person('g3', 'guardian', { phone: '06 12 34 56 78' });
  await person('g4', 'guardian', { status: 'detached' });

  c.c1 = await makeClass(db, a, '2NDE1');
  c.c2 = await makeClass(db, a, '2NDE2');
  c.c3 = await makeClass(db, a, '2NDE3');
  const old = await archivedYear(db, a);
  const oldClass = await makeClass(db, a, '3E9', old.id);
  await makeClass(db, b, 'B-1'); // another school's class: never seen

  await enrol(db, a, p.s1!.id, { classId: c.c1.id });
  await enrol(db, a, p.s2!.id, { classId: c.c2.id });
  await enrol(db, a, p.s4!.id, { classId: c.c1.id });
  await enrol(db, a, p.s6!.id, { classId: c.c2.id });
  await enrol(db, a, p.s3!.id, { classId: oldClass.id }, old.id); // last year only: no class now
  await assign(db, a, p.t1!.id, { classId: c.c1.id });
  await assign(db, a, p.t3!.id, { classId: oldClass.id }, undefined, old.id); // last year only
  await assign(db, a, p.t2!.id, { classId: c.c3.id });
  await headTeacher(db, a, p.t1!.id, c.c1.id);
  await guard(db, a, p.g1!.id, p.s1!.id, 'legal');
  await guard(db, a, p.g2!.id, p.s2!.id, 'in_charge');
  await guard(db, a, p.g4!.id, p.s6!.id, 'legal'); // a detached guardian does not count
  await guard(db, a, p.g2!.id, p.s6!.id, 'in_charge');
});

const url = (id: string) => `/api/establishments/${id}/data-quality`;

/** A member of A allowed to read the directory, not to manage it. */
async function teacherReader() {
  const staff = await makeUser(db, { establishmentId: a.id, profiles: ['staff'] });
  await db
    .insertInto('permission_override')
    .values({ establishment_id: a.id, profile: 'staff', permission: 'users.read', granted: true })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return loginAs(app, staff.login);
}
const byCode = (checks: Check[], code: string) => checks.find((x) => x.code === code)!;
const ids = (check: Check) => check.people.map((i) => i.id).sort();

describe('GET /api/establishments/:id/data-quality', () => {
  test('401 → 400 → 403 → 404, and reading changes nothing', async () => {
    const before = await countRows(db, 'audit_event');
    expect((await app.inject({ method: 'GET', url: url(a.id) })).statusCode).toBe(401);
    const bad = await principalA.get(url('nope'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION');
    expect((await teacherA.get(url(a.id))).statusCode).toBe(403);
    expect((await principalB.get(url(a.id))).statusCode).toBe(404);
    expect((await admin.get(url(randomUUID()))).statusCode).toBe(404);
    expect(await countRows(db, 'audit_event')).toBe(before);
  });

  test('every check, in the contract order, on the current school year only', async () => {
    const res = await principalA.get(url(a.id));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      schoolYear: string;
      anomalies: number;
      checks: Check[];
      progress: { activation: Progress };
    };
    expect(body.schoolYear).toBe('2026-2027');
    // What is wrong in the data only: accounts not activated yet are the rollout's progress, not anomalies.
    expect(body.checks.map((x) => x.code)).toEqual([
      'CLASS_WITHOUT_HEAD_TEACHER',
      'CLASS_WITHOUT_TEACHER',
      'STUDENT_WITHOUT_CLASS',
      'STUDENT_WITHOUT_LEGAL_GUARDIAN',
      'GUARDIAN_WITHOUT_CONTACT',
      'TEACHER_WITHOUT_ASSIGNMENT',
    ]);
    expect(body.anomalies).toBe(body.checks.reduce((n, x) => n + x.count, 0));
    const checks = body.checks;

    const noHead = byCode(checks, 'CLASS_WITHOUT_HEAD_TEACHER');
    expect(noHead).toMatchObject({ count: 2, truncated: false });
    expect(noHead.people).toEqual([
      {
        kind: 'class',
        id: c.c2!.id,
        displayName: 'Classe 2NDE2',
        login: null,
        profile: null,
        class: '2NDE2',
        fix: {
          action: 'ASSIGN_HEAD_TEACHER',
          path: `/admin/${a.id}/users?class=2NDE2&profile=teacher`,
          api: `POST /api/establishments/${a.id}/people/:userId/head-teacher`,
        },
      },
      expect.objectContaining({ id: c.c3!.id, class: '2NDE3' }),
    ]);
    expect(byCode(checks, 'CLASS_WITHOUT_TEACHER').people.map((i) => i.class)).toEqual(['2NDE2']);

    // s3 was in a class last year only; s5 is detached
    const noClass = byCode(checks, 'STUDENT_WITHOUT_CLASS');
    expect(ids(noClass)).toEqual([p.s3!.id]);
    expect(noClass.people[0]).toEqual({
      kind: 'person',
      id: p.s3!.id,
      displayName: p.s3!.display_name,
      login: p.s3!.login,
      profile: 'student',
      class: null,
      fix: {
        action: 'SET_CLASS',
        path: `/admin/${a.id}/users/${p.s3!.id}`,
        api: `PATCH /api/establishments/${a.id}/people/${p.s3!.id}`,
      },
    });

    // s2 has only a person in charge, s6 a detached legal guardian, s3 none; s4 is an adult
    const noGuardian = byCode(checks, 'STUDENT_WITHOUT_LEGAL_GUARDIAN');
    expect(ids(noGuardian)).toEqual([p.s2!.id, p.s3!.id, p.s6!.id].sort());
    expect(noGuardian.people.map((i) => i.class)).toEqual(['2NDE2', '2NDE2', null]);
    expect(noGuardian.people[0]!.fix.action).toBe('ADD_GUARDIAN');

    const noContact = byCode(checks, 'GUARDIAN_WITHOUT_CONTACT');
    expect(noContact.people).toEqual([
      expect.objectContaining({
        id: p.g2!.id,
        profile: 'guardian',
        class: '2NDE2',
        fix: expect.objectContaining({ action: 'ADD_CONTACT' }),
      }),
    ]);

    // t3 taught last year only; t2 teaches 2NDE3
    expect(ids(byCode(checks, 'TEACHER_WITHOUT_ASSIGNMENT'))).toEqual([p.t3!.id]);

    const activation = body.progress.activation;
    expect(activation.pending.map((i) => i.id).sort()).toEqual([p.t2!.id, p.s3!.id, p.g2!.id].sort());
    expect(activation.pendingCount).toBe(3);
    expect(activation.truncated).toBe(false);
    expect(activation.activated).toBe(activation.total - 3);
    expect(activation.pending.find((i) => i.id === p.g2!.id)).toEqual({
      id: p.g2!.id,
      displayName: p.g2!.display_name,
      login: p.g2!.login,
      profile: 'guardian',
      class: '2NDE2',
      can: { printSheet: true },
    });
    expect(activation.byProfile).toEqual([
      { profile: 'student', activated: 4, total: 5 },
      { profile: 'guardian', activated: 2, total: 3 },
      { profile: 'teacher', activated: 2, total: 3 },
      { profile: 'principal', activated: 1, total: 1 },
      { profile: 'local_admin', activated: 1, total: 1 },
    ]);
    expect(activation.byClass).toEqual([
      { classId: c.c1!.id, class: '2NDE1', profile: 'student', activated: 2, total: 2 },
      { classId: c.c1!.id, class: '2NDE1', profile: 'guardian', activated: 1, total: 1 },
      { classId: c.c2!.id, class: '2NDE2', profile: 'student', activated: 2, total: 2 },
      { classId: c.c2!.id, class: '2NDE2', profile: 'guardian', activated: 0, total: 1 },
    ]);
  });

  test('a local admin and a platform admin see it too; another school sees only its own', async () => {
    expect((await localAdminA.get(url(a.id))).statusCode).toBe(200);
    expect((await admin.get(url(a.id))).statusCode).toBe(200);
    const other = (await principalB.get(url(b.id))).json() as {
      checks: Check[];
      progress: { activation: Progress };
    };
    expect(byCode(other.checks, 'CLASS_WITHOUT_HEAD_TEACHER').people.map((i) => i.class)).toEqual(['B-1']);
    expect(other.progress.activation.pendingCount).toBe(0);
    // A reader without users.manage gets no reprint action.
    const reader = (await teacherReader()).get(url(a.id));
    const seen = (await reader).json() as { progress: { activation: Progress } };
    expect(seen.progress.activation.pending.every((x) => !x.can.printSheet)).toBe(true);
  });

  test('lists are capped at 200 with the full count; a school without a current year still answers', async () => {
    const big = await makeEstablishment(db);
    const bigPrincipal = await loginAs(
      app,
      (await makeUser(db, { establishmentId: big.id, profiles: ['principal'] })).login,
    );
    await sql`
      WITH u AS (
        INSERT INTO app_user (login, first_name, last_name, display_name)
        SELECT 'cap.' || i || '.' || ${big.id}::text, 'Élève', 'N' || i, 'N' || lpad(i::text, 3, '0') || ' Élève'
        FROM generate_series(1, 250) i
        RETURNING id
      )
      INSERT INTO membership (establishment_id, user_id, profile) SELECT ${big.id}, id, 'student' FROM u
    `.execute(db);
    const res = await bigPrincipal.get(url(big.id));
    const check = byCode(res.json().checks, 'STUDENT_WITHOUT_CLASS');
    expect(check.count).toBe(250);
    expect(check.people).toHaveLength(200);
    expect(check.truncated).toBe(true);
    expect(check.people[0]!.displayName).toBe('N001 Élève');

    await db.updateTable('school_year').set({ status: 'archived' }).where('establishment_id', '=', big.id).execute();
    const none = await bigPrincipal.get(url(big.id));
    expect(none.statusCode).toBe(200);
    expect(none.json().schoolYear).toBeNull();
    expect(byCode(none.json().checks, 'STUDENT_WITHOUT_CLASS').count).toBe(250);
  });
});
