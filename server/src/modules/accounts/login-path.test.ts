import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcements } from '../../../test/announcements.ts';
import { enrol, guard, makeClass } from '../../../test/directory-fixtures.ts';
import {
  type Agent,
  agent,
  freshDatabase,
  makeEstablishment,
  makeUser,
  sessionCookie,
  urlOf,
} from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { caughtUp } from '../../platform/cache.ts';
import { testConfig } from '../../platform/config.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { App } from '../../platform/module.ts';

/**
 * The 8 a.m. path (docs/PERFORMANCE.md, "The rush's own cost besides argon2"): a login, then the web app's first
 * screen (`GET /api/home`; the login's answer carries what `GET /api/me` says), counted in SQL statements with the
 * establishment's caches warm and the person's own cold, as for each of the 15,000 people of the rush. A new
 * statement on this path fails here — on purpose: fold it into one that is already sent, or change the count with
 * the reason.
 */
const statements: string[] = [];
let setup: Awaited<ReturnType<typeof freshDatabase>>;
let app: App;
let school: Awaited<ReturnType<typeof makeEstablishment>>;
let classId: string;
let appDb: Kysely<Database>;

describe('the 8 a.m. path', () => {
  beforeAll(async () => {
    setup = await freshDatabase();
    const url = urlOf(setup);
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (e) => {
        if (e.level === 'query') statements.push(e.query.sql);
      },
    });
    // As in production: the barrier only after writes.
    app = await buildApp({ config: testConfig(url, { cacheBarrier: 'after-writes' }), db, listenUrl: url });
    await app.ready();
    appDb = db;
    afterAll(async () => {
      await app.close();
      await db.destroy();
    });
    school = await makeEstablishment(setup);
    classId = (await makeClass(setup, school, '2NDE1')).id;
    // Someone of the school came first: the establishment's caches (services, charter, calendar…) are warm.
    const first = await student();
    const a = await logIn(first.login);
    expect((await a.agent.get(`/api/home?establishment=${school.id}`)).statusCode).toBe(200);
  });

  async function student() {
    const s = await makeUser(setup, { establishmentId: school.id, profiles: ['student'] });
    await enrol(setup, school, s.id, { classId });
    // Their account and enrolment announced to the app before they log in (else, on a busy machine, the
    // announcement may drop what the login has just kept, and the counts below read it again).
    await caughtUp(appDb);
    return s;
  }

  async function logIn(login: string, remoteAddress = '10.9.0.1') {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login, password: 'correct horse battery staple' },
      remoteAddress,
    });
    expect(res.statusCode, res.body).toBe(200);
    return { agent: agent(app, sessionCookie(res), res.json().csrfToken) as Agent, body: res.json() };
  }

  /** The statements `send` makes, the usage events (written in the background, batched) aside. */
  async function count(send: () => Promise<unknown>): Promise<string[]> {
    statements.length = 0;
    await send();
    return statements.filter((q) => !/usage_event/.test(q));
  }

  describe('the 8 a.m. path, in SQL statements', () => {
    it('a login: two — the throttle state with the account, then the writes with what the first screen reads of the person', async () => {
      const s = await student();
      let answer: { me: { memberships: { classes: { code: string }[] }[] } } | undefined;
      const sent = await count(async () => {
        answer = (await logIn(s.login)).body;
      });
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/login_throttle/);
      expect(sent[0]).toMatch(/app_user/);
      // The session, the last login time, the audit event; the user's entry, classes and children, acceptances.
      for (const part of [/INSERT INTO session/, /UPDATE app_user/, /INSERT INTO audit_event/, /membership/])
        expect(sent[1]).toMatch(part);
      for (const part of [/enrolment/, /guardianship/, /charter_acceptance/]) expect(sent[1]).toMatch(part);
      // No cache barrier: the login announces nothing (below).
      expect(sent.filter((q) => /pg_notify/.test(q))).toEqual([]);
      expect(answer?.me.memberships[0]?.classes.map((c) => c.code)).toEqual(['2NDE1']);
    });

    it('GET /api/me right after a login: none (what the login read is kept)', async () => {
      const s = await student();
      const { agent: a } = await logIn(s.login);
      const sent = await count(() => a.get('/api/me'));
      expect(sent).toEqual([]);
    });

    it("a student's first GET /api/home right after the login: only their widgets' own first reads", async () => {
      const s = await student();
      const { agent: a } = await logIn(s.login);
      let status = 0;
      const sent = await count(async () => {
        status = (await a.get(`/api/home?establishment=${school.id}`)).statusCode;
      });
      expect(status).toBe(200);
      // Nothing the login has read again: the session, the user, memberships, classes, charter acceptances.
      expect(
        sent.filter((q) =>
          /from "?session"?\b|charter_acceptance|json_build_object\('id', u\.id|^select "e"\."student_id", "e"\."class_id"/i.test(
            q,
          ),
        ),
      ).toEqual([]);
      expect(sent.length).toBeLessThanOrEqual(HOME_STATEMENTS.student);
    });

    it("a guardian's first GET /api/home right after the login: the children and their names come from the login", async () => {
      const child = await student();
      const parent = await makeUser(setup, { establishmentId: school.id, profiles: ['guardian'] });
      await guard(setup, school, parent.id, child.id);
      await caughtUp(appDb);
      const { agent: a } = await logIn(parent.login);
      let status = 0;
      const sent = await count(async () => {
        status = (await a.get(`/api/home?establishment=${school.id}`)).statusCode;
      });
      expect(status).toBe(200);
      expect(
        sent.filter((q) =>
          /from "?session"?\b|charter_acceptance|from "guardianship" where "guardian_id"|^select "e"\."student_id", "e"\."class_id"/i.test(
            q,
          ),
        ),
      ).toEqual([]);
      expect(sent.filter((q) => /select "id", "display_name" from "app_user"/.test(q))).toEqual([]);
      expect(sent.length).toBeLessThanOrEqual(HOME_STATEMENTS.guardian);
    });

    it('what the login kept follows the changes: a child renamed after the login is named anew', async () => {
      const child = await student();
      const parent = await makeUser(setup, { establishmentId: school.id, profiles: ['guardian'] });
      await guard(setup, school, parent.id, child.id);
      const { agent: a, body } = await logIn(parent.login);
      const children = (me: { memberships: { children: { displayName: string }[] }[] }) =>
        me.memberships.flatMap((m) => m.children.map((c) => c.displayName));
      expect(children(body.me)).toEqual(['TESTEUR Camille']);
      await setup.updateTable('app_user').set({ display_name: 'NOUVEAU Nom' }).where('id', '=', child.id).execute();
      await a.post('/api/auth/password-check', { password: 'x' }); // a write's barrier: the change has arrived
      expect(children((await a.get('/api/me')).json())).toEqual(['NOUVEAU Nom']);
    });
  });

  /**
   * The first home page's statements right after a login, each widget's own per-person first read (one class, no
   * data yet): the timeline, the inbox, the grades, the absences, the homework's ticks. Before the fifth session:
   * 7 for a student, 9 for a guardian.
   */
  const HOME_STATEMENTS = { student: 5, guardian: 5 };

  describe('a login announces nothing a cache depends on', () => {
    const announced = announcements(
      () => setup,
      () => true,
    );

    it('not its session, last login time, audit event, nor the failures it clears: so no cache barrier follows it', async () => {
      const s = await student();
      // Failures on record: the successful login clears them too.
      const wrong = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { login: s.login, password: 'pas le bon mot de passe' },
        remoteAddress: '10.9.0.2',
      });
      expect(wrong.statusCode).toBe(401);
      expect(
        await setup.selectFrom('login_throttle').select('key').where('key', 'like', `%${s.login}`).execute(),
      ).not.toEqual([]);
      expect(await announced(() => logIn(s.login, '10.9.0.2'))).toEqual([]);
      expect(
        await setup.selectFrom('login_throttle').select('key').where('key', 'like', `%${s.login}`).execute(),
      ).toEqual([]);
    });
  });
});
