import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  archivedYear,
  assign,
  enrol,
  guard,
  makeClass,
  pdfPageCount,
  type School,
} from '../../../../test/directory-fixtures.ts';
import { type Agent, countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../../test/helpers.ts';

const { app, db } = await testApp({ publicOrigin: 'https://ent.lycee-jaures.fr' });

type User = Awaited<ReturnType<typeof makeUser>>;

let a: School;
let b: School;
let principalA: Agent;
let principalB: Agent;
let teacherA: Agent;
let admin: Agent;
const p: Record<string, User> = {};

/** The strings pdfkit wrote, in page order: its content streams are deflated, its text hex-encoded. */
function pdfStrings(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const h of content.matchAll(/<([0-9a-fA-F]+)>/g)) out.push(Buffer.from(h[1]!, 'hex').toString('latin1'));
  }
  return out;
}

/** The activation code printed after a login on the sheets. */
const codeAfter = (strings: string[], login: string) => {
  const i = strings.indexOf(login);
  return strings.slice(i + 1, i + 4).find((s) => /^[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(s));
};

const hashes = async () =>
  Object.fromEntries(
    (await db.selectFrom('app_user').select(['id', 'activation_code_hash', 'activation_expires_at']).execute()).map(
      (u) => [u.id, `${u.activation_code_hash}|${u.activation_expires_at?.toISOString()}`],
    ),
  );

beforeAll(async () => {
  a = await makeEstablishment(db, { name: 'Lycée Jean Jaurès' });
  b = await makeEstablishment(db);
  principalA = await loginAs(app, (await makeUser(db, { establishmentId: a.id, profiles: ['principal'] })).login);
  principalB = await loginAs(app, (await makeUser(db, { establishmentId: b.id, profiles: ['principal'] })).login);
  admin = await loginAs(app, (await makeUser(db, { platformAdmin: true })).login);
  const make = async (
    key: string,
    profile: 'student' | 'guardian' | 'teacher' | 'staff',
    status: 'pending_activation' | 'active' | 'blocked' | 'detached',
  ) => {
    p[key] = await makeUser(db, {
      establishmentId: a.id,
      profiles: [profile],
      status,
      firstName: key,
      lastName: 'Feuille',
      activationCode: status === 'pending_activation' ? 'OLDCO-DE123' : undefined,
    });
  };
  await make('p1', 'student', 'pending_activation');
  await make('p2', 'student', 'pending_activation');
  await make('p3', 'student', 'active');
  await make('p4', 'student', 'blocked');
  await make('p5', 'student', 'detached');
  await make('q1', 'student', 'pending_activation');
  await make('g1', 'guardian', 'pending_activation');
  await make('g2', 'guardian', 'active');
  await make('g3', 'guardian', 'pending_activation');
  await make('t1', 'teacher', 'pending_activation');
  await make('t2', 'teacher', 'active');
  await make('s1', 'staff', 'pending_activation');
  teacherA = await loginAs(app, p.t2!.login);
  const c1 = await makeClass(db, a, '2NDE1');
  const c2 = await makeClass(db, a, '2NDE2');
  const old = await makeClass(db, a, '3E1', (await archivedYear(db, a)).id);
  for (const k of ['p1', 'p2', 'p3', 'p4', 'p5']) await enrol(db, a, p[k]!.id, { classId: c1.id });
  await enrol(db, a, p.q1!.id, { classId: c2.id });
  await enrol(db, a, p.q1!.id, { classId: old.id }, old.school_year_id);
  await guard(db, a, p.g1!.id, p.p1!.id);
  await guard(db, a, p.g1!.id, p.q1!.id);
  await guard(db, a, p.g2!.id, p.p3!.id, 'in_charge');
  await guard(db, a, p.g3!.id, p.q1!.id);
  await assign(db, a, p.t1!.id, { classId: c1.id });
});

const url = (id: string, query: string) => `/api/establishments/${id}/login-sheets.pdf?${query}`;

describe('GET /api/establishments/:id/login-sheets.pdf', () => {
  test('rejected requests (401 → 400 → 403 → 404) change nothing', async () => {
    const before = { hashes: await hashes(), audit: await countRows(db, 'audit_event') };
    expect((await app.inject({ method: 'GET', url: url(a.id, 'profile=student') })).statusCode).toBe(401);
    for (const q of [
      '',
      'profile=parent',
      'profile=student&layout=quarter',
      'profile=student&onlyPending=yes',
      'profile=student&format=json',
      `profile=student&class=${'X'.repeat(41)}`,
    ]) {
      const res = await principalA.get(url(a.id, q));
      expect(res.statusCode, q).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    const staffByClass = await principalA.get(url(a.id, 'profile=staff&class=2NDE1'));
    expect(staffByClass.statusCode).toBe(400);
    expect(staffByClass.json().code).toBe('CLASS_NOT_APPLICABLE');
    expect((await principalA.get(url('x', 'profile=student'))).statusCode).toBe(400);
    expect((await teacherA.get(url(a.id, 'profile=student'))).statusCode).toBe(403);
    // a link on another site must not regenerate a class's codes in an admin's browser
    const crossSite = await principalA.get(url(a.id, 'profile=student&class=2NDE1'), {
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json().code).toBe('CSRF');
    expect((await principalB.get(url(a.id, 'profile=student'))).statusCode).toBe(404);
    expect((await admin.get(url(randomUUID(), 'profile=student'))).statusCode).toBe(404);
    expect((await principalA.get(url(a.id, 'profile=student&class=NOPE'))).statusCode).toBe(404);
    expect((await principalA.get(url(a.id, 'profile=student&class=3E1'))).statusCode).toBe(404); // last year's
    expect({ hashes: await hashes(), audit: await countRows(db, 'audit_event') }).toEqual(before);
  });

  test("a class's students: one page each, new codes for pending accounts only, which activate them", async () => {
    const before = await hashes();
    const auditBefore = await countRows(db, 'audit_event');
    const res = await principalA.get(url(a.id, 'profile=student&class=2nde1'), { 'sec-fetch-site': 'same-origin' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="identifiants-2NDE1-eleves.pdf"');
    expect(res.headers['cache-control']).toBe('no-store');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toContain('%%EOF');
    expect(pdfPageCount(pdf)).toBe(3); // p1, p2 (pending), p3 (active); not the blocked or the detached

    const after = await hashes();
    for (const k of ['p1', 'p2']) expect(after[p[k]!.id], k).not.toBe(before[p[k]!.id]);
    for (const k of ['p3', 'p4', 'p5', 'q1', 'g1']) expect(after[p[k]!.id], k).toBe(before[p[k]!.id]);

    const events = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>', String(auditBefore))
      .where('action', 'like', 'directory.%')
      .orderBy('id')
      .execute();
    expect(
      events
        .filter((e) => e.action === 'directory.user.activation_code')
        .map((e) => e.target_id)
        .sort(),
    ).toEqual([p.p1!.id, p.p2!.id].sort());
    const print = events.find((e) => e.action === 'directory.login_sheets.print')!;
    expect(print).toMatchObject({ establishment_id: a.id, target_type: 'class' });
    expect(print.details).toMatchObject({ profile: 'student', class: '2NDE1', layout: 'full', sheets: 3, codes: 2 });
    expect((print.details as { userIds: string[] }).userIds.sort()).toEqual([p.p1!.id, p.p2!.id].sort());

    // what is printed is what works: the sheet's code activates the account, the old one no longer does
    const strings = pdfStrings(pdf);
    expect(strings.join('')).toContain('https://ent.lycee-jaures.fr/activate');
    expect(strings).toContain(p.p3!.login);
    const code = codeAfter(strings, p.p1!.login);
    expect(code).toBeDefined();
    expect(codeAfter(strings, p.p3!.login)).toBeUndefined();
    for (const e of events) expect(JSON.stringify(e)).not.toContain(code!);
    const password = 'une phrase de passe bien longue';
    const old = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: p.p2!.login, code: 'OLDCO-DE123', password },
    });
    expect(old.statusCode).toBe(400);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: p.p1!.login, code, password },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  test('half pages, only pending accounts: two sheets a page, codes regenerated again', async () => {
    const before = await hashes();
    const res = await principalA.get(url(a.id, 'profile=student&class=2NDE1&layout=half&onlyPending=true'));
    expect(res.statusCode).toBe(200);
    expect(pdfPageCount(res.rawPayload)).toBe(1); // p2 only (p1 activated above)
    expect((await hashes())[p.p2!.id]).not.toBe(before[p.p2!.id]);
    const strings = pdfStrings(res.rawPayload);
    expect(strings).toContain(p.p2!.login);
    expect(strings).not.toContain(p.p3!.login);
  });

  test("the guardians of a class's students, the teachers of a class, all staff", async () => {
    const guardians = await principalA.get(url(a.id, 'profile=guardian&class=2NDE1'));
    expect(guardians.statusCode).toBe(200);
    expect(guardians.headers['content-disposition']).toContain('identifiants-2NDE1-responsables.pdf');
    const gs = pdfStrings(guardians.rawPayload);
    expect(pdfPageCount(guardians.rawPayload)).toBe(2);
    expect(gs).toContain(p.g1!.login);
    expect(gs).toContain(p.g2!.login);
    expect(gs).not.toContain(p.g3!.login); // a guardian of 2NDE2 only
    expect(codeAfter(gs, p.g1!.login)).toBeDefined();
    expect(gs.join('')).toContain(`Responsable de : FEUILLE p1 (2NDE1), FEUILLE q1 (2NDE2)`);

    const teachers = await principalA.get(url(a.id, 'profile=teacher&class=2NDE1'));
    expect(pdfPageCount(teachers.rawPayload)).toBe(1);
    expect(pdfStrings(teachers.rawPayload)).toContain(p.t1!.login);
    const allTeachers = await principalA.get(url(a.id, 'profile=teacher&onlyPending=true'));
    expect(pdfPageCount(allTeachers.rawPayload)).toBe(1);
    const staff = await admin.get(url(a.id, 'profile=staff'));
    expect(staff.statusCode).toBe(200);
    expect(staff.headers['content-disposition']).toContain('identifiants-tous-personnels.pdf');
    expect(pdfStrings(staff.rawPayload)).toContain(p.s1!.login);
  });

  test('an empty selection gives a one-page PDF saying so; more than 1000 sheets is refused', async () => {
    const empty = await principalB.get(url(b.id, 'profile=staff'));
    expect(empty.statusCode).toBe(200);
    expect(pdfPageCount(empty.rawPayload)).toBe(1);

    await sql`
      WITH u AS (
        INSERT INTO app_user (login, first_name, last_name, display_name)
        SELECT 'many.' || i || '.' || ${b.id}::text, 'Élève', 'N' || i, 'N' || i || ' Élève'
        FROM generate_series(1, 1001) i
        RETURNING id
      )
      INSERT INTO membership (establishment_id, user_id, profile) SELECT ${b.id}, id, 'student' FROM u
    `.execute(db);
    const before = { hashes: await hashes(), audit: await countRows(db, 'audit_event') };
    const res = await principalB.get(url(b.id, 'profile=student'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TOO_MANY_SHEETS', detail: expect.stringContaining('1001') });
    expect({ hashes: await hashes(), audit: await countRows(db, 'audit_event') }).toEqual(before);
  });
});
