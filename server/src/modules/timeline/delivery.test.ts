import { defineApi } from '@preau/contracts';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { countRows, freshDatabase, loginAs, makeEstablishment, makeUser } from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { testConfig } from '../../platform/config.ts';
import { registerEndpoints } from '../../platform/http/endpoints.ts';
import { createMailTransport, type MailTransport } from '../../platform/mail.ts';
import { defineModule } from '../../platform/module.ts';
import { modules } from '../index.ts';
import { deliverMail, notify, notifyAll, runDigest, withdraw } from './index.ts';
import { inQuietHours, parisInstant, quietHoursEnd } from './timeline.delivery.ts';

/**
 * Notifications outside the ENT: each person's choice per kind, quiet hours (with a moved clock), the daily
 * digest, the outbox, and real SMTP delivery to an `smtp-server` on 127.0.0.1.
 */
const probeApi = defineApi({
  module: 'probe',
  permissions: [],
  errors: [],
  endpoints: {
    'POST /api/probe/notify': {
      summary: 'post a notification',
      access: { auth: 'session' },
      body: z.strictObject({ establishmentId: z.uuid(), recipients: z.array(z.uuid()), kind: z.string() }),
      response: z.object({ recipients: z.number() }),
      errors: [],
    },
    'POST /api/probe/notify-all': {
      summary: 'post several notifications at once',
      access: { auth: 'session' },
      body: z.strictObject({
        establishmentId: z.uuid(),
        notices: z.array(z.strictObject({ recipients: z.array(z.uuid()), kind: z.string() })),
      }),
      response: z.object({ recipients: z.array(z.number().nullable()) }),
      errors: [],
    },
  },
});
const probe = defineModule({
  name: 'probe',
  prefix: '/api/probe',
  api: probeApi,
  permissions: {},
  notifications: [
    { kind: 'probe.urgent', label: { fr: 'Urgent', en: 'Urgent' }, profiles: ['student'], defaultDelivery: 'email' },
    { kind: 'probe.daily', label: { fr: 'Quotidien', en: 'Daily' }, profiles: ['student'], defaultDelivery: 'digest' },
    { kind: 'probe.quiet', label: { fr: 'Discret', en: 'Quiet' }, profiles: ['teacher'], defaultDelivery: 'app' },
  ],
  plugin: async (app) =>
    registerEndpoints(app, '/api/probe', probeApi, {
      'POST /api/probe/notify': async ({ req, body }) => {
        const r = await req.ctx.db.transaction().execute((trx) =>
          notify(trx, {
            establishmentId: body.establishmentId,
            kind: body.kind,
            recipients: body.recipients,
            text: { fr: `Une chose (${body.kind})` },
            link: '/probe/1',
            actorId: req.ctx.user?.id ?? null,
            source: { type: 'probe', id: '00000000-0000-4000-8000-000000000001' },
          }),
        );
        return { recipients: r?.recipients ?? 0 };
      },
      'POST /api/probe/notify-all': async ({ req, body }) => {
        const r = await req.ctx.db.transaction().execute((trx) =>
          notifyAll(
            trx,
            body.notices.map((n, i) => ({
              establishmentId: body.establishmentId,
              kind: n.kind,
              recipients: n.recipients,
              text: { fr: `Chose n° ${i + 1} (${n.kind})` },
              link: `/probe/${i + 1}`,
              actorId: req.ctx.user?.id ?? null,
              source: { type: 'probe', id: `00000000-0000-4000-8000-00000000010${i}` },
            })),
          ),
        );
        return { recipients: r.map((x) => x?.recipients ?? null) };
      },
    }),
});

const db = await freshDatabase();
const app = await buildApp({ config: testConfig('unused'), db, modules: [...modules, probe] });
await app.ready();
afterAll(() => app.close());

const school = await makeEstablishment(db);
const teacher = await makeUser(db, { establishmentId: school.id, profiles: ['teacher'] });
const asTeacher = await loginAs(app, teacher.login);
const admin = await makeUser(db, { platformAdmin: true });
const asAdmin = await loginAs(app, admin.login);

async function student(email: string | null = `s${Math.random().toString(36).slice(2)}@example.org`) {
  const u = await makeUser(db, { establishmentId: school.id });
  await db.updateTable('app_user').set({ email }).where('id', '=', u.id).execute();
  return { ...u, email, agent: await loginAs(app, u.login) };
}

const post = (kind: string, recipients: string[]) =>
  asTeacher.post('/api/probe/notify', { establishmentId: school.id, recipients, kind });

const mailsOf = (userId: string) =>
  db.selectFrom('mail_outbox').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();

/** Tomorrow at this Paris hour: after every row's `not_before` (the database's now). */
function tomorrowAt(hour: number, minute = 0): Date {
  const d = new Date(Date.now() + 86_400_000);
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(d).split('-').map(Number);
  return new Date(parisInstant(p[0]!, p[1]!, p[2]!, hour).getTime() + minute * 60_000);
}

const received: { to: string; raw: string }[] = [];
let smtp: SMTPServer;
let transport: MailTransport;
beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
      });
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as { port: number }).port;
  transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'Préau <preau@example.org>' })!;
});
afterAll(async () => {
  transport?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const deps = () => ({ db, transport, origin: 'https://ent.example.fr' });
const decoded = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    .replace(/\r\n/g, '\n');

describe('mail at once, through a real SMTP server', () => {
  test('a kind whose default is e-mail: the mail goes out in the daytime, with the absolute link', async () => {
    const s = await student();
    expect((await post('probe.urgent', [s.id])).json()).toEqual({ recipients: 1 });
    const [row] = await mailsOf(s.id);
    expect(row).toMatchObject({ status: 'pending', kind: 'probe.urgent', to_address: s.email, link: '/probe/1' });
    const before = received.length;
    const r = await deliverMail(deps(), { now: tomorrowAt(10) });
    expect(r.sent).toBeGreaterThanOrEqual(1);
    const got = received.slice(before).find((m) => m.to === s.email);
    expect(got).toBeDefined();
    const text = decoded(got!.raw);
    expect(text).toContain('Une chose (probe.urgent)');
    expect(text).toContain('https://ent.example.fr/probe/1');
    expect(text).toMatch(/^From: .*<preau@example\.org>$/m);
    expect((await mailsOf(s.id))[0]).toMatchObject({ status: 'sent' });
  });

  test('no address, or "in the ENT only": no mail at all', async () => {
    const none = await student(null);
    const appOnly = await student();
    expect(
      (await appOnly.agent.put('/api/timeline/preferences', { deliveries: { 'probe.urgent': 'app' } })).statusCode,
    ).toBe(200);
    await post('probe.urgent', [none.id, appOnly.id]);
    expect(await mailsOf(none.id)).toEqual([]);
    expect(await mailsOf(appOnly.id)).toEqual([]);
    // …but both have it in the ENT
    expect((await appOnly.agent.get('/api/timeline')).json().unread).toBe(1);
  });

  test('an SMTP failure is retried later, then given up after five attempts', async () => {
    const s = await student();
    await post('probe.urgent', [s.id]);
    const failing: MailTransport = {
      send: async () => {
        throw new Error('550 mailbox unavailable');
      },
      close: () => {},
    };
    let now = tomorrowAt(11);
    await deliverMail({ db, transport: failing, origin: 'https://x' }, { now });
    let [row] = await mailsOf(s.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: '550 mailbox unavailable' });
    expect(new Date(row!.not_before).getTime()).toBe(now.getTime() + 2 * 60_000);
    for (let i = 0; i < 4; i++) {
      now = new Date(now.getTime() + 3_600_000);
      await deliverMail({ db, transport: failing, origin: 'https://x' }, { now });
    }
    [row] = await mailsOf(s.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 5 });
  });

  test('without an SMTP server the mail is kept, and the outbox shows it to platform administrators only', async () => {
    const s = await student();
    await post('probe.urgent', [s.id]);
    await deliverMail({ db, transport: null, origin: 'http://localhost:3000' }, { now: tomorrowAt(12) });
    expect((await mailsOf(s.id))[0]).toMatchObject({ status: 'kept' });
    const page = (await asAdmin.get('/api/timeline/outbox?limit=100')).json();
    expect(page.transport).toBe('none');
    expect(page.items.some((m: { to: string; status: string }) => m.to === s.email && m.status === 'kept')).toBe(true);
    const denied = await s.agent.get('/api/timeline/outbox');
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toContain('application/problem+json');
  });

  test('a withdrawn source takes its mails not yet sent with it', async () => {
    const s = await student();
    await post('probe.urgent', [s.id]);
    expect(await mailsOf(s.id)).toHaveLength(1);
    await withdraw(db, { type: 'probe', id: '00000000-0000-4000-8000-000000000001' });
    expect(await mailsOf(s.id)).toEqual([]);
  });
});

describe('several notices at once (notifyAll)', () => {
  test('each notice reaches its own recipients, with its own text, link and mails; one left with no one is null', async () => {
    const [a, b, c] = [await student(), await student(), await student()];
    const res = await asTeacher.post('/api/probe/notify-all', {
      establishmentId: school.id,
      notices: [
        { kind: 'probe.urgent', recipients: [a.id, b.id, a.id] },
        { kind: 'probe.urgent', recipients: [teacher.id] },
        { kind: 'probe.daily', recipients: [c.id, b.id] },
      ],
    });
    expect(res.statusCode).toBe(200);
    // The teacher posted: the second notice has no one left to tell; duplicates count once.
    expect(res.json()).toEqual({ recipients: [2, null, 2] });
    const feed = async (s: typeof a) =>
      (await s.agent.get('/api/timeline')).json().items.map((i: { text: string; link: string }) => [i.text, i.link]);
    expect(await feed(a)).toEqual([['Chose n° 1 (probe.urgent)', '/probe/1']]);
    expect((await feed(b)).sort()).toEqual([
      ['Chose n° 1 (probe.urgent)', '/probe/1'],
      ['Chose n° 3 (probe.daily)', '/probe/3'],
    ]);
    expect(await feed(c)).toEqual([['Chose n° 3 (probe.daily)', '/probe/3']]);
    // Mails at once for the urgent kind only (the daily kind waits for the digest), each with its notice's words.
    const mails = async (s: typeof a) =>
      (await mailsOf(s.id)).map((m) => [m.kind, m.subject, m.link, m.source_id, m.to_address]);
    expect(await mails(a)).toEqual([
      [
        'probe.urgent',
        'Préau : Chose n° 1 (probe.urgent)',
        '/probe/1',
        '00000000-0000-4000-8000-000000000100',
        a.email,
      ],
    ]);
    expect(await mails(b)).toEqual([
      [
        'probe.urgent',
        'Préau : Chose n° 1 (probe.urgent)',
        '/probe/1',
        '00000000-0000-4000-8000-000000000100',
        b.email,
      ],
    ]);
    expect(await mails(c)).toEqual([]);
    // The same rows as one notice at a time would write: one notification per notice with recipients.
    expect(
      await db
        .selectFrom('notification')
        .select(['kind', 'link', 'source_id'])
        .where('source_type', '=', 'probe')
        .where('link', 'in', ['/probe/1', '/probe/2', '/probe/3'])
        .orderBy('link')
        .execute(),
    ).toEqual([
      { kind: 'probe.urgent', link: '/probe/1', source_id: '00000000-0000-4000-8000-000000000100' },
      { kind: 'probe.daily', link: '/probe/3', source_id: '00000000-0000-4000-8000-000000000102' },
    ]);
  });

  test('an unknown kind among them: nothing is written', async () => {
    const s = await student();
    const before = await countRows(db, 'notification');
    const res = await asTeacher.post('/api/probe/notify-all', {
      establishmentId: school.id,
      notices: [
        { kind: 'probe.urgent', recipients: [s.id] },
        { kind: 'probe.nope', recipients: [s.id] },
      ],
    });
    expect(res.statusCode).toBe(500);
    expect(await countRows(db, 'notification')).toBe(before);
    expect(await mailsOf(s.id)).toEqual([]);
  });
});

describe('quiet hours (no e-mail between 20 h and 7 h by default), with a moved clock', () => {
  test('the rule itself: Paris hours, across midnight and daylight saving', () => {
    const q = { start: 20, end: 7 };
    expect(inQuietHours(new Date('2027-01-15T18:59:00Z'), q)).toBe(false); // 19:59 in Paris (UTC+1)
    expect(inQuietHours(new Date('2027-01-15T19:00:00Z'), q)).toBe(true); // 20:00
    expect(inQuietHours(new Date('2027-01-16T05:59:00Z'), q)).toBe(true); // 06:59
    expect(inQuietHours(new Date('2027-01-16T06:00:00Z'), q)).toBe(false); // 07:00
    expect(quietHoursEnd(new Date('2027-01-15T21:00:00Z'), q).toISOString()).toBe('2027-01-16T06:00:00.000Z');
    expect(quietHoursEnd(new Date('2027-07-15T02:00:00Z'), q).toISOString()).toBe('2027-07-15T05:00:00.000Z'); // UTC+2
    expect(inQuietHours(new Date('2027-01-15T12:00:00Z'), { start: 12, end: 12 })).toBe(false);
    expect(inQuietHours(new Date('2027-01-15T12:30:00Z'), { start: 13, end: 14 })).toBe(true);
  });

  test('a mail due at 22 h waits until 7 h, then leaves', async () => {
    const s = await student();
    await post('probe.urgent', [s.id]);
    const evening = tomorrowAt(22);
    const r = await deliverMail(deps(), { now: evening });
    expect(r.deferred).toBeGreaterThanOrEqual(1);
    let [row] = await mailsOf(s.id);
    expect(row!.status).toBe('pending');
    const seven = quietHoursEnd(evening, { start: 20, end: 7 });
    expect(new Date(row!.not_before).toISOString()).toBe(seven.toISOString());
    await deliverMail(deps(), { now: new Date(seven.getTime() - 60_000) });
    expect((await mailsOf(s.id))[0]!.status).toBe('pending');
    const before = received.length;
    await deliverMail(deps(), { now: seven });
    [row] = await mailsOf(s.id);
    expect(row!.status).toBe('sent');
    expect(received.slice(before).some((m) => m.to === s.email)).toBe(true);
  });

  test("the person's own hours apply (a teacher's right to disconnect from 18 h)", async () => {
    const s = await student();
    const res = await s.agent.put('/api/timeline/preferences', { quietHours: { start: 18, end: 8 } });
    expect(res.json().quietHours).toEqual({ start: 18, end: 8 });
    await post('probe.urgent', [s.id]);
    await deliverMail(deps(), { now: tomorrowAt(19) });
    expect((await mailsOf(s.id))[0]!.status).toBe('pending');
    await deliverMail(deps(), { now: tomorrowAt(7, 30) });
    expect((await mailsOf(s.id))[0]!.status).toBe('pending');
    await deliverMail(deps(), { now: new Date(tomorrowAt(8).getTime() + 86_400_000) });
    expect((await mailsOf(s.id))[0]!.status).toBe('sent');
  });
});

describe('the daily digest', () => {
  test('lists the unread notifications of digest kinds since the last digest, once', async () => {
    const s = await student();
    const other = await student();
    await post('probe.daily', [s.id, other.id]);
    await post('probe.daily', [s.id]);
    await post('probe.urgent', [s.id]); // e-mailed at once: not in the digest
    // the other person read theirs: nothing to tell them
    await other.agent.post('/api/timeline/read', { all: true });
    expect((await mailsOf(s.id)).filter((m) => m.kind === 'timeline.digest')).toEqual([]);

    const now = new Date(Date.now() + 1000);
    await runDigest(db, now);
    const digest = (await mailsOf(s.id)).filter((m) => m.kind === 'timeline.digest');
    expect(digest).toHaveLength(1);
    expect(digest[0]!.subject).toBe('Préau : 2 nouvelles notifications');
    expect(digest[0]!.body).toContain('- Une chose (probe.daily)');
    expect(digest[0]!.body.match(/probe\.daily/g)).toHaveLength(2);
    expect(digest[0]!.body).not.toContain('probe.urgent');
    expect(digest[0]!.link).toBe('/timeline');
    expect((await mailsOf(other.id)).filter((m) => m.kind === 'timeline.digest')).toEqual([]);

    // the next run has nothing new for them
    await runDigest(db, new Date(now.getTime() + 1000));
    expect((await mailsOf(s.id)).filter((m) => m.kind === 'timeline.digest')).toHaveLength(1);

    // and it leaves in the daytime like any mail
    const before = received.length;
    await deliverMail(deps(), { now: tomorrowAt(17) });
    expect(received.slice(before).some((m) => m.to === s.email && decoded(m.raw).includes('probe.daily'))).toBe(true);
  });

  test('a person who chose the digest for an "e-mail" kind gets it there, not at once', async () => {
    const s = await student();
    await s.agent.put('/api/timeline/preferences', { deliveries: { 'probe.urgent': 'digest' } });
    await post('probe.urgent', [s.id]);
    expect(await mailsOf(s.id)).toEqual([]);
    await runDigest(db, new Date(Date.now() + 1000));
    const [digest] = await mailsOf(s.id);
    expect(digest!.subject).toBe('Préau : 1 nouvelle notification');
  });
});

describe('preferences', () => {
  test('the kinds of the person’s profiles, with the defaults, quiet hours and address', async () => {
    const s = await student('moi@example.org');
    const prefs = (await s.agent.get('/api/timeline/preferences')).json();
    expect(prefs.quietHours).toEqual({ start: 20, end: 7 });
    expect(prefs.email).toBe('moi@example.org');
    const kinds = prefs.kinds.map((k: { kind: string }) => k.kind);
    expect(kinds).toContain('probe.urgent');
    expect(kinds).not.toContain('probe.quiet'); // a teachers' kind
    expect(prefs.kinds.find((k: { kind: string }) => k.kind === 'probe.daily')).toMatchObject({
      delivery: 'digest',
      defaultDelivery: 'digest',
      label: 'Quotidien',
    });
  });

  test('bad input: an unknown kind or an hour out of range is 400 in French, nothing written', async () => {
    const s = await student();
    const before = await countRows(db, 'notification_preference');
    const res = await s.agent.put('/api/timeline/preferences', {
      deliveries: { 'probe.urgent': 'app', 'nope.kind': 'email' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'UNKNOWN_NOTIFICATION_KIND',
      detail: "Ce type de notification n'existe pas.",
    });
    const hours = await s.agent.put('/api/timeline/preferences', { quietHours: { start: 25, end: 7 } });
    expect(hours.statusCode).toBe(400);
    expect(hours.json().code).toBe('VALIDATION');
    const delivery = await s.agent.put('/api/timeline/preferences', { deliveries: { 'probe.urgent': 'pigeon' } });
    expect(delivery.statusCode).toBe(400);
    expect(await countRows(db, 'notification_preference')).toBe(before);
    expect((await s.agent.get('/api/timeline/preferences')).json().quietHours).toEqual({ start: 20, end: 7 });
  });
});
