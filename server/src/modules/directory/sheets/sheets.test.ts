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
import {
  type Agent,
  countRows,
  loginAs,
  makeEstablishment,
  makeUser,
  PASSWORD,
  testApp,
} from '../../../../test/helpers.ts';

const { app, db } = await testApp({ publicOrigin: 'https://ent.lycee-jaures.fr' });

type User = Awaited<ReturnType<typeof makeUser>>;

let a: School;
let b: School;
let principalA: Agent;
let principalB: Agent;
let teacherA: Agent;
let admin: Agent;
const p: Record<string, User> = {};

/**
 * The strings pdfkit wrote, in page order: its content streams are deflated, its text hex-encoded, and a text run
 * with kerning is a `[<hex> n <hex>] TJ` array whose pieces are joined back (« L » + « ycée » was one word).
 */
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
    for (const run of content.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]+)>\s*Tj/g)) {
      const pieces = run[1] !== undefined ? [...run[1].matchAll(/<([0-9a-fA-F]+)>/g)].map((h) => h[1]!) : [run[2]!];
      out.push(pieces.map((h) => Buffer.from(h, 'hex').toString('latin1')).join(''));
    }
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

const url = (id: string) => `/api/establishments/${id}/login-sheets`;
const previewUrl = (id: string, query: string) => `/api/establishments/${id}/login-sheets/preview?${query}`;
const oneUrl = (id: string, userId: string) => `/api/establishments/${id}/users/${userId}/login-sheet`;

/** Print, confirming whatever the preview says would be replaced (what the web page does after asking). */
async function print(agent: Agent, id: string, body: Record<string, unknown>) {
  const q = new URLSearchParams({
    profile: String(body.profile),
    ...(body.class ? { class: String(body.class) } : {}),
    ...(body.onlyPending ? { onlyPending: 'true' } : {}),
  });
  const preview = await agent.get(previewUrl(id, q.toString()));
  expect(preview.statusCode, preview.body).toBe(200);
  return agent.post(url(id), { ...body, confirmReplace: preview.json().replacedCodes });
}

const state = async () => ({ hashes: await hashes(), audit: await countRows(db, 'audit_event') });

describe('printing login sheets is a POST; GET and HEAD change nothing', () => {
  test('the old GET download (and HEAD) no longer exists, and regenerates nothing', async () => {
    const before = await state();
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await app.inject({
        method,
        url: `/api/establishments/${a.id}/login-sheets.pdf?profile=student&class=2NDE1`,
        headers: { cookie: principalA.cookie },
      });
      expect(res.statusCode, method).toBe(404);
    }
    expect(await state()).toEqual(before);
  });

  test('the preview counts sheets, new codes and the printed sheets they invalidate, and changes nothing', async () => {
    const before = await state();
    const res = await principalA.get(previewUrl(a.id, 'profile=student&class=2NDE1'));
    expect(res.statusCode, res.body).toBe(200);
    // p1, p2 pending with a working code; p3 active; not the blocked p4 nor the detached p5.
    expect(res.json()).toEqual({ sheets: 3, newCodes: 2, replacedCodes: 2, codesFromPlatform: 0, max: 1000 });
    const head = await app.inject({
      method: 'HEAD',
      url: previewUrl(a.id, 'profile=student&class=2NDE1'),
      headers: { cookie: principalA.cookie },
    });
    expect(head.statusCode).toBe(200);
    expect(await state()).toEqual(before);
  });

  test('rejected requests (401 → 400 → 403 → 404 → 409) change nothing', async () => {
    const before = await state();
    const body = { profile: 'student', class: '2NDE1', confirmReplace: 2 };
    expect((await app.inject({ method: 'POST', url: url(a.id), payload: body })).statusCode).toBe(401);
    for (const bad of [
      {},
      { profile: 'parent' },
      { profile: 'student', layout: 'quarter' },
      { profile: 'student', onlyPending: 'yes' },
      { profile: 'student', format: 'json' },
      { profile: 'student', class: 'X'.repeat(41) },
      { profile: 'student', confirmReplace: -1 },
    ]) {
      const res = await principalA.post(url(a.id), bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().code).toBe('VALIDATION');
    }
    const staffByClass = await principalA.post(url(a.id), { profile: 'staff', class: '2NDE1' });
    expect(staffByClass.statusCode).toBe(400);
    expect(staffByClass.json().code).toBe('CLASS_NOT_APPLICABLE');
    expect((await principalA.post(url('x'), body)).statusCode).toBe(400);
    expect((await teacherA.post(url(a.id), body)).statusCode).toBe(403);
    // A cross-site form cannot send the CSRF header.
    const noCsrf = await app.inject({
      method: 'POST',
      url: url(a.id),
      headers: { cookie: principalA.cookie },
      payload: body,
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('CSRF');
    expect((await principalB.post(url(a.id), body)).statusCode).toBe(404);
    expect((await admin.post(url(randomUUID()), body)).statusCode).toBe(404);
    expect((await principalA.post(url(a.id), { ...body, class: 'NOPE' })).statusCode).toBe(404);
    expect((await principalA.post(url(a.id), { ...body, class: '3E1' })).statusCode).toBe(404); // last year's
    // Codes that still work would be replaced: the caller must confirm how many.
    for (const confirmReplace of [undefined, 0, 1, 3]) {
      const res = await principalA.post(url(a.id), { profile: 'student', class: '2NDE1', confirmReplace });
      expect(res.statusCode, String(confirmReplace)).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        code: 'CONFIRMATION_REQUIRED',
        detail: expect.stringMatching(/Fiches déjà imprimées qui ne fonctionneront plus : 2/),
      });
    }
    expect(await state()).toEqual(before);
  });

  test("a class's students: one page each, new codes for pending accounts only, which activate them", async () => {
    const before = await hashes();
    const auditBefore = await countRows(db, 'audit_event');
    const res = await principalA.post(url(a.id), { profile: 'student', class: '2nde1', confirmReplace: 2 });
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
    const printed = events.find((e) => e.action === 'directory.login_sheets.print')!;
    expect(printed).toMatchObject({ establishment_id: a.id, target_type: 'class' });
    expect(printed.details).toMatchObject({
      profile: 'student',
      class: '2NDE1',
      layout: 'full',
      sheets: 3,
      codes: 2,
      replaced: 2,
    });
    expect((printed.details as { userIds: string[] }).userIds.sort()).toEqual([p.p1!.id, p.p2!.id].sort());

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
    // A long login stays whole on its line (set smaller), in the narrow box of a half page.
    const long = `marie-christine.de-la-fontaine-saint-andre${p.p2!.login.slice(-4)}`;
    await db.updateTable('app_user').set({ login: long }).where('id', '=', p.p2!.id).execute();
    p.p2!.login = long;
    const before = await hashes();
    const res = await print(principalA, a.id, {
      profile: 'student',
      class: '2NDE1',
      layout: 'half',
      onlyPending: true,
    });
    expect(res.statusCode).toBe(200);
    expect(pdfPageCount(res.rawPayload)).toBe(1); // p2 only (p1 activated above)
    expect((await hashes())[p.p2!.id]).not.toBe(before[p.p2!.id]);
    const strings = pdfStrings(res.rawPayload);
    expect(strings).toContain(p.p2!.login);
    expect(strings).not.toContain(p.p3!.login);
  });

  test("the guardians of a class's students, the teachers of a class, all staff", async () => {
    const guardians = await print(principalA, a.id, { profile: 'guardian', class: '2NDE1' });
    expect(guardians.statusCode).toBe(200);
    expect(guardians.headers['content-disposition']).toContain('identifiants-2NDE1-responsables.pdf');
    const gs = pdfStrings(guardians.rawPayload);
    expect(pdfPageCount(guardians.rawPayload)).toBe(2);
    expect(gs).toContain(p.g1!.login);
    expect(gs).toContain(p.g2!.login);
    expect(gs).not.toContain(p.g3!.login); // a guardian of 2NDE2 only
    expect(codeAfter(gs, p.g1!.login)).toBeDefined();
    expect(gs.join('')).toContain(`Responsable de : FEUILLE p1 (2NDE1), FEUILLE q1 (2NDE2)`);

    const teachers = await print(principalA, a.id, { profile: 'teacher', class: '2NDE1' });
    expect(pdfPageCount(teachers.rawPayload)).toBe(1);
    expect(pdfStrings(teachers.rawPayload)).toContain(p.t1!.login);
    const allTeachers = await print(principalA, a.id, { profile: 'teacher', onlyPending: true });
    expect(pdfPageCount(allTeachers.rawPayload)).toBe(1);
    const staff = await print(admin, a.id, { profile: 'staff' });
    expect(staff.statusCode).toBe(200);
    expect(staff.headers['content-disposition']).toContain('identifiants-tous-personnels.pdf');
    expect(pdfStrings(staff.rawPayload)).toContain(p.s1!.login);
  });

  test('a pending person who also belongs elsewhere gets no code from this school; the platform gives it', async () => {
    const shared = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['staff'],
      status: 'pending_activation',
      activationCode: 'OLDCO-DE123',
      firstName: 'Partagé',
      lastName: 'Feuille',
    });
    await db
      .insertInto('membership')
      .values({ establishment_id: b.id, user_id: shared.id, profile: 'staff' })
      .execute();
    const preview = await principalA.get(previewUrl(a.id, 'profile=staff'));
    expect(preview.json()).toMatchObject({ codesFromPlatform: 1 });
    const before = (await hashes())[shared.id];
    const res = await print(principalA, a.id, { profile: 'staff' });
    expect(res.statusCode).toBe(200);
    const strings = pdfStrings(res.rawPayload);
    expect(strings).toContain(shared.login);
    expect(codeAfter(strings, shared.login)).toBeUndefined();
    expect(strings.join('')).toContain('administrateur de la plateforme');
    expect((await hashes())[shared.id]).toBe(before);
    // Nor one by one.
    const one = await principalA.post(oneUrl(a.id, shared.id), { confirmReplace: 1 });
    expect(one.statusCode).toBe(403);
    expect(one.json().code).toBe('PERSON_IN_OTHER_ESTABLISHMENT');
    expect((await hashes())[shared.id]).toBe(before);
    // The platform administrator does.
    const platform = await admin.post(oneUrl(a.id, shared.id), { confirmReplace: 1 });
    expect(platform.statusCode, platform.body).toBe(200);
    expect(codeAfter(pdfStrings(platform.rawPayload), shared.login)).toBeDefined();
  });

  test('an empty selection gives a one-page PDF saying so; more than 1000 sheets is refused', async () => {
    const empty = await principalB.post(url(b.id), { profile: 'staff' });
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
    const before = await state();
    const res = await principalB.post(url(b.id), { profile: 'student' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TOO_MANY_SHEETS', detail: expect.stringContaining('1001') });
    expect(await state()).toEqual(before);
  });
});

describe("reprinting one person's sheet", () => {
  test('a pending person: a new code, confirmed when the current one still works; the detail allows it', async () => {
    const u = await makeUser(db, {
      establishmentId: a.id,
      profiles: ['guardian'],
      status: 'pending_activation',
      activationCode: 'OLDCO-DE123',
      firstName: 'Seule',
      lastName: 'Feuille',
    });
    expect((await principalA.get(`/api/establishments/${a.id}/users/${u.id}`)).json().can.printSheet).toBe(true);
    const before = await state();
    const refused = await principalA.post(oneUrl(a.id, u.id), {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CONFIRMATION_REQUIRED', detail: expect.stringContaining(': 1.') });
    expect((await teacherA.post(oneUrl(a.id, u.id), { confirmReplace: 1 })).statusCode).toBe(403);
    expect((await principalB.post(oneUrl(a.id, u.id), { confirmReplace: 1 })).statusCode).toBe(404);
    expect((await principalA.post(oneUrl(a.id, crypto.randomUUID()), { confirmReplace: 1 })).statusCode).toBe(404);
    expect((await principalA.post(oneUrl(a.id, u.id), { confirmReplace: 2 })).statusCode).toBe(400);
    expect(await state()).toEqual(before);

    const res = await principalA.post(oneUrl(a.id, u.id), { confirmReplace: 1, layout: 'half' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="identifiants-${u.login}.pdf"`);
    const strings = pdfStrings(res.rawPayload);
    expect(strings).toContain(u.login);
    const code = codeAfter(strings, u.login);
    expect(code).toBeDefined();
    const ok = await app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { login: u.login, code, password: 'une phrase de passe bien longue' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const printed = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'directory.login_sheets.print')
      .where('target_id', '=', u.id)
      .execute();
    expect(printed).toHaveLength(1);
    expect(printed[0]!.details).toMatchObject({ single: true, codes: 1, replaced: 1 });

    // Activated now: the sheet says so, no code, nothing to confirm.
    const active = await principalA.post(oneUrl(a.id, u.id), {});
    expect(active.statusCode).toBe(200);
    expect(codeAfter(pdfStrings(active.rawPayload), u.login)).toBeUndefined();
    expect(pdfStrings(active.rawPayload).join('')).toContain('déjà activé');
  });

  test('a blocked or detached person has no sheet: 409, nothing written', async () => {
    const before = await state();
    for (const k of ['p4', 'p5']) {
      const res = await principalA.post(oneUrl(a.id, p[k]!.id), {});
      expect(res.statusCode, k).toBe(409);
      expect(res.json().code).toBe('ACCOUNT_NOT_PRINTABLE');
    }
    expect(await state()).toEqual(before);
  });
});

describe('the address printed on the sheets', () => {
  test('without PUBLIC_ORIGIN (development), the address the request came to — never a made-up localhost', async () => {
    const dev = await testApp();
    const school = await makeEstablishment(dev.db);
    const principal = await makeUser(dev.db, { establishmentId: school.id, profiles: ['principal'] });
    const staff = await makeUser(dev.db, {
      establishmentId: school.id,
      profiles: ['staff'],
      status: 'pending_activation',
    });
    const login = await dev.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: principal.login, password: PASSWORD },
    });
    const res = await dev.app.inject({
      method: 'POST',
      url: url(school.id),
      headers: {
        host: 'ent.college.test:8080',
        cookie: `${login.cookies[0]!.name}=${login.cookies[0]!.value}`,
        'x-csrf-token': login.json().csrfToken,
      },
      payload: { profile: 'staff' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const text = pdfStrings(res.rawPayload).join('');
    expect(text).toContain('http://ent.college.test:8080/activate');
    expect(text).not.toContain('localhost');
    expect(codeAfter(pdfStrings(res.rawPayload), staff.login)).toBeDefined();
  });
});
