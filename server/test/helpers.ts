import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { buildApp, usageRecorders } from '../src/app.ts';
import { hashActivationCode } from '../src/modules/accounts/index.ts';
import { displayNameOf } from '../src/modules/directory/index.ts';
import { type Config, testConfig } from '../src/platform/config.ts';
import { createDatabase } from '../src/platform/db/database.ts';
import { databaseUrl } from '../src/platform/db/embedded.ts';
import type { Database } from '../src/platform/db/schema.ts';
import { uaiCheckLetter } from '../src/platform/logins.ts';
import type { App } from '../src/platform/module.ts';
import { hashPassword } from '../src/platform/passwords.ts';

export const PASSWORD = 'correct horse battery staple';

const urls = new WeakMap<Kysely<Database>, string>();

/** The connection URL of a database made by freshDatabase(). */
export function urlOf(db: Kysely<Database>): string {
  const url = urls.get(db);
  if (!url) throw new Error('not a freshDatabase() handle');
  return url;
}

/** A database of its own for this test file, cloned from the migrated template (fast, isolated). */
export async function freshDatabase(): Promise<Kysely<Database>> {
  const server = inject('pgServerUrl');
  const template = inject('templateDb');
  const name = `preau_t_${template.split('_').pop()}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const db = createDatabase(databaseUrl(server, name), 5);
  urls.set(db, databaseUrl(server, name));
  afterAll(async () => {
    await db.destroy();
    const a = new pg.Client({ connectionString: server });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  return db;
}

/** The app as the server runs it (in-memory caches and their LISTEN connection included), on this file's database. */
export async function testApp(overrides: Partial<Config> = {}) {
  const db = await freshDatabase();
  const app = await buildApp({ config: testConfig('unused', overrides), db, listenUrl: urlOf(db) });
  await app.ready();
  afterAll(() => app.close());
  return { app, db };
}

let passwordHash: Promise<string> | null = null;
const testHash = () => {
  passwordHash ??= hashPassword(PASSWORD);
  return passwordHash;
};

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function makeAcademy(db: Kysely<Database>) {
  return db
    .insertInto('academy')
    .values({ code: `AC${unique()}`, name: 'Académie de test' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/* UAIs of a test file follow each other from a random start: random draws collide (birthday) once a file makes
 * a thousand establishments, as the authorization matrix does. */
let nextUai = Math.floor(Math.random() * 4_000_000) + 1_000_000;

export async function makeEstablishment(db: Kysely<Database>, opts: { name?: string; type?: string } = {}) {
  const academy = await makeAcademy(db);
  const digits = String(nextUai++);
  const est = await db
    .insertInto('establishment')
    .values({
      academy_id: academy.id,
      uai: `${digits}${uaiCheckLetter(digits)}`,
      type: opts.type ?? 'LYCEE',
      name: opts.name ?? `Lycée ${unique()}`,
      city: 'Montreuil',
      slug: `lycee-${unique()}`,
      settings: '{}',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const year = await db
    .insertInto('school_year')
    .values({
      establishment_id: est.id,
      label: '2026-2027',
      starts_on: '2026-09-01',
      ends_on: '2027-07-04',
      status: 'current',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...est, schoolYearId: year.id };
}

export type Profile = 'student' | 'guardian' | 'teacher' | 'staff' | 'principal' | 'local_admin';

export async function makeUser(
  db: Kysely<Database>,
  opts: {
    establishmentId?: string;
    profiles?: Profile[];
    status?: 'pending_activation' | 'active' | 'blocked' | 'detached';
    platformAdmin?: boolean;
    firstName?: string;
    lastName?: string;
    activationCode?: string;
    acceptCharters?: boolean;
  } = {},
) {
  const status = opts.status ?? 'active';
  const login = `user.${unique()}`;
  const user = await db
    .insertInto('app_user')
    .values({
      login,
      first_name: opts.firstName ?? 'Camille',
      last_name: opts.lastName ?? 'Testeur',
      display_name: displayNameOf(opts.firstName ?? 'Camille', opts.lastName ?? 'Testeur'),
      status,
      is_platform_admin: opts.platformAdmin ?? false,
      password_hash: status === 'pending_activation' ? null : await testHash(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (opts.activationCode) {
    await db
      .updateTable('app_user')
      .set({
        activation_code_hash: hashActivationCode(user.id, opts.activationCode),
        activation_expires_at: new Date(Date.now() + 86_400_000),
      })
      .where('id', '=', user.id)
      .execute();
  }
  if (opts.establishmentId) {
    for (const profile of opts.profiles ?? ['student']) {
      await db
        .insertInto('membership')
        .values({ establishment_id: opts.establishmentId, user_id: user.id, profile })
        .execute();
    }
  }
  return user;
}

/** A logged-in client: cookie and CSRF token sent automatically. */
export interface Agent {
  csrfToken: string;
  cookie: string;
  get: (url: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  post: (url: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  patch: (url: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  put: (url: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  delete: (url: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
}

export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name.endsWith('preau_session'));
  if (!c) throw new Error(`no session cookie (status ${res.statusCode}: ${res.body})`);
  return `${c.name}=${c.value}`;
}

export function agent(app: App, cookie: string, csrfToken: string): Agent {
  const send =
    (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE') =>
    (url: string, body?: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method,
        url,
        headers: { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }), ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
  return {
    csrfToken,
    cookie,
    get: (url, headers) => send('GET')(url, undefined, headers),
    post: send('POST'),
    patch: send('PATCH'),
    put: send('PUT'),
    delete: (url, headers) => send('DELETE')(url, undefined, headers),
  };
}

export async function loginAs(app: App, login: string, password = PASSWORD): Promise<Agent> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password } });
  if (res.statusCode !== 200) throw new Error(`login ${login} failed: ${res.statusCode} ${res.body}`);
  return agent(app, sessionCookie(res), res.json().csrfToken);
}

export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Write the app's buffered usage events now (they are otherwise written within a second, or on close). */
export async function flushUsage(app: App): Promise<void> {
  await usageRecorders.get(app)?.flush();
}
