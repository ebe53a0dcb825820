/**
 * messaging: the busiest page of the messaging service (an inbox page) at steady load against the real Préau
 * server, as a ratio to the PK select baseline measured right after; and the fan-out of one message to a whole
 * establishment (every student and parent: one message row, its recipients in one insert), timed end to end
 * through HTTP.
 *
 * Mailboxes are filled set-based: in each establishment, 40 messages per class to its students and their parents
 * (a school year's worth of class messages), so an inbox page reads a realistic mailbox.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cookieName, createSession } from '../../../server/src/platform/auth/sessions.ts';
import { loadConfig } from '../../../server/src/platform/config.ts';
import { CHILDREN, spawnNode, stop, waitForOutput } from '../lib/processes.ts';
import type { Entry } from '../lib/results.ts';
import { round, summary } from '../lib/stats.ts';
import { academyDatabase, type Ctx, cpuTotal, meteredLoad, startPreau } from './context.ts';

const PER_CLASS = 40;

export async function messaging(ctx: Ctx): Promise<Pick<Entry, 'figures' | 'ratios' | 'notes'>> {
  const { url: dbUrl, db } = await academyDatabase(ctx);
  const config = loadConfig({});
  const cookie = cookieName(config);

  // Mailboxes: PER_CLASS messages per class, from one of its teachers, to its students and their parents.
  const t = performance.now();
  await sql`DELETE FROM message WHERE subject LIKE 'bench:%'`.execute(db);
  const seeded = await sql<{ messages: number; recipients: number }>`
    WITH cls AS (
      SELECT c.id AS class_id, c.establishment_id,
             (SELECT ta.teacher_id FROM teaching_assignment ta WHERE ta.class_id = c.id LIMIT 1) AS teacher_id
      FROM class c JOIN school_year y ON y.id = c.school_year_id AND y.status = 'current'
    ), msg AS (
      INSERT INTO message (establishment_id, thread_id, sender_id, subject, body_html, body_text, status, recipient_count, sent_at)
      SELECT cls.establishment_id, gen_random_uuid(), cls.teacher_id, 'bench: message ' || n || ' de la classe',
             '<p>Bonjour, voici les informations de la semaine ' || n || ' pour la classe.</p>',
             'Bonjour, voici les informations de la semaine ' || n || ' pour la classe.', 'sent', 0,
             now() - make_interval(hours => n * 30)
      FROM cls, generate_series(1, ${PER_CLASS}) AS n
      WHERE cls.teacher_id IS NOT NULL
      RETURNING id, establishment_id, sender_id, sent_at, substring(subject from 'message (\\d+) ')::int AS n
    ), msgcls AS (
      SELECT msg.*, (SELECT ta.class_id FROM teaching_assignment ta WHERE ta.teacher_id = msg.sender_id
                     AND ta.establishment_id = msg.establishment_id AND ta.class_id IS NOT NULL LIMIT 1) AS class_id
      FROM msg
    ), rcp AS (
      INSERT INTO message_recipient (message_id, user_id, establishment_id, sent_at, read_at)
      SELECT DISTINCT ON (m.id, u.user_id) m.id, u.user_id, m.establishment_id, m.sent_at,
             CASE WHEN m.n > 3 THEN m.sent_at + interval '1 hour' END
      FROM msgcls m
      JOIN LATERAL (
        SELECT e.student_id AS user_id FROM enrolment e WHERE e.class_id = m.class_id
        UNION SELECT g.guardian_id FROM enrolment e JOIN guardianship g ON g.student_id = e.student_id WHERE e.class_id = m.class_id
      ) u ON true
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM msg)::int AS messages, (SELECT count(*) FROM rcp)::int AS recipients`.execute(db);
  await sql`UPDATE message SET thread_id = id WHERE subject LIKE 'bench:%'`.execute(db);
  await sql`ANALYZE message; ANALYZE message_recipient`.execute(db);
  const seedSeconds = (performance.now() - t) / 1000;
  const { messages, recipients } = seeded.rows[0]!;
  ctx.say(`  mailboxes: ${messages} messages, ${recipients} recipient rows in ${seedSeconds.toFixed(1)} s`);

  // Readers: 400 students and parents with mail, each reading the first page of their inbox.
  const readers = await sql<{ user_id: string; establishment_id: string }>`
    SELECT DISTINCT ON (r.user_id) r.user_id, r.establishment_id FROM message_recipient r
    ORDER BY r.user_id, r.establishment_id LIMIT 4000`.execute(db);
  const sample = readers.rows.filter((_, i) => i % 10 === 0).slice(0, 400);
  const sessions = await Promise.all(
    sample.map(async (r) => {
      const s = await createSession(db, config, {
        userId: r.user_id,
        rememberMe: false,
        address: '127.0.0.1',
        userAgent: 'preau-bench-messaging',
      });
      return { ...r, cookie: `${cookie}=${s.token}` };
    }),
  );
  const principals = await sql<{ user_id: string; establishment_id: string }>`
    SELECT m.user_id, m.establishment_id FROM membership m WHERE m.profile = 'principal' ORDER BY m.establishment_id LIMIT 3`.execute(
    db,
  );

  const server = await startPreau(ctx, dbUrl, 'messaging');
  let inbox: Awaited<ReturnType<typeof meteredLoad>>;
  const fanOut: { ms: number; recipients: number }[] = [];
  try {
    const first = sessions[0]!;
    const probe = await fetch(`${server.url}/api/messaging/inbox?establishment=${first.establishment_id}`, {
      headers: { cookie: first.cookie },
    });
    if (probe.status !== 200) throw new Error(`inbox answered ${probe.status}: ${await probe.text()}`);
    inbox = await meteredLoad(
      ctx,
      server.pid,
      server.url,
      sessions.map((s) => ({
        path: `/api/messaging/inbox?establishment=${s.establishment_id}`,
        headers: { cookie: s.cookie },
      })),
    );
    ctx.say(`  inbox page: ${Math.round(inbox.requestsPerSecond)} req/s, p99 ${inbox.latency.p99} ms`);

    // Fan-out: a principal writes to every student and every parent of their establishment, five times.
    for (const p of principals.rows) {
      const s = await createSession(db, config, {
        userId: p.user_id,
        rememberMe: false,
        address: '127.0.0.1',
        userAgent: 'preau-bench-messaging',
      });
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/api/messaging/messages`, {
          method: 'POST',
          headers: { cookie: `${cookie}=${s.token}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
          body: JSON.stringify({
            establishmentId: p.establishment_id,
            to: ['all.students', 'all.guardians'],
            subject: `bench: annonce ${i}`,
            body: '<p>Journée portes ouvertes samedi.</p>',
          }),
        });
        const ms = performance.now() - t0;
        if (res.status !== 201) throw new Error(`fan-out answered ${res.status}: ${await res.text()}`);
        fanOut.push({ ms, recipients: ((await res.json()) as { recipientCount: number }).recipientCount });
      }
    }
    const f = summary(fanOut.map((x) => x.ms));
    ctx.say(`  fan-out to ~${fanOut[0]?.recipients} recipients: median ${round(f.p50)} ms, max ${round(f.max)} ms`);
  } finally {
    await server.stop();
  }

  ctx.say('  measuring the PK select baseline right after…');
  const ids = (await db.selectFrom('app_user').select('id').orderBy('login').limit(1000).execute()).map((r) => r.id);
  const baseline = spawnNode(join(CHILDREN, 'baseline-server.ts'), [dbUrl]);
  let pk: Awaited<ReturnType<typeof meteredLoad>>;
  try {
    const port = (await waitForOutput(baseline, /LISTENING (\d+)/, 30_000))[1];
    pk = await meteredLoad(
      ctx,
      baseline.child.pid!,
      `http://127.0.0.1:${port}`,
      ids.map((id) => ({ path: `/pk/${id}` })),
    );
  } finally {
    await stop(baseline);
  }
  ctx.say(`  PK select: ${Math.round(pk.requestsPerSecond)} req/s`);
  const f = summary(fanOut.map((x) => x.ms));
  return {
    figures: {
      mailboxes: { messages, recipientRows: recipients, perClass: PER_CLASS, seedSeconds: round(seedSeconds) },
      inboxPage: {
        rps: Math.round(inbox.requestsPerSecond),
        p50Ms: inbox.latency.p50,
        p90Ms: inbox.latency.p90,
        p99Ms: inbox.latency.p99,
        errors: inbox.errors + inbox.non2xx + inbox.timeouts,
        cpuMsPerRequest: inbox.cpuMs,
        cpuBoundRps: Math.round((cpus().length * 1000) / cpuTotal(inbox.cpuMs)),
      },
      fanOut: {
        sends: fanOut.length,
        recipientsPerMessage: fanOut[0]?.recipients ?? 0,
        p50Ms: round(f.p50),
        maxMs: round(f.max),
      },
      baselinePointSelectRps: Math.round(pk.requestsPerSecond),
      connections: ctx.options.connections,
      durationSeconds: ctx.options.duration,
    },
    ratios: {
      vsBaselinePointSelect: { inboxPage: round(inbox.requestsPerSecond / pk.requestsPerSecond, 3) },
      cpuVsBaselinePointSelect: { inboxPage: round(cpuTotal(inbox.cpuMs) / cpuTotal(pk.cpuMs), 1) },
    },
    notes: [
      `the inbox page (25 messages, the unread count) rotates over ${sessions.length} students and parents, each with a mailbox of their classes' messages (${PER_CLASS} per class)`,
      'fan-out: POST /api/messaging/messages by a principal to all.students + all.guardians, timed through HTTP (rules, caps, one message row, one recipients insert, the timeline notice and its mails), 5 times in 3 establishments',
      'the PK select these figures are divided by is measured right after, on the same database',
    ],
  };
}
