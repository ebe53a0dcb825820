import { beforeAll, describe, expect, test } from 'vitest';
import { countRows, flushUsage, loginAs, makeUser, testApp } from '../../../test/helpers.ts';
import { type RolloutWorld, rolloutWorld, usage } from '../../../test/rollout.ts';
import { cachesOf } from '../../platform/cache.ts';
import { uaiCheckLetter } from '../../platform/logins.ts';

/**
 * The principal's first screen: a checklist computed from the data (never ticked by hand) that moves as the
 * work is done in the administration; the rates per profile and class; the académie's help contact; the home
 * widget of the direction. Then the académie view, and the person's export.
 */
const { app, db } = await testApp();
let w: RolloutWorld;

beforeAll(async () => {
  w = await rolloutWorld(db, app);
});

type Item = {
  key: string;
  state: string;
  count: number | null;
  total: number | null;
  date: string | null;
  left: { code: string; label?: string; profile?: string; count?: number }[];
  link: string;
};
const overview = async () => (await w.as.principal.get(`/api/rollout/overview?establishment=${w.school.id}`)).json();
const item = async (key: string): Promise<Item> => (await overview()).checklist.find((i: Item) => i.key === key);

describe('the rollout checklist, computed from the data', () => {
  test('at first: nothing imported, nothing checked, no sheet, no charter, no dates, families not told', async () => {
    const o = await overview();
    expect(o.checklist.map((i: Item) => [i.key, i.state])).toEqual([
      ['directory', 'todo'],
      ['data_quality', 'todo'],
      ['login_sheets', 'todo'],
      ['charter', 'todo'],
      ['services', 'todo'],
      ['families', 'todo'],
    ]);
    const directory = o.checklist[0];
    expect(directory).toMatchObject({ link: `/admin/${w.school.id}/directory/import`, date: null });
    expect(directory.left).toEqual([{ code: 'NO_IMPORT_MEMBERS', count: 16 }]);
    const quality = o.checklist[1];
    // errors: one student (the fifth) has no legal guardian; warnings: no head teacher (2 classes), guardians
    // without any contact (4)
    expect(quality).toMatchObject({ count: 1, total: 7 });
    expect(quality.left).toEqual([
      { code: 'NOT_CHECKED' },
      { code: 'CLASS_WITHOUT_HEAD_TEACHER', count: 2 },
      { code: 'STUDENT_WITHOUT_LEGAL_GUARDIAN', count: 1 },
      { code: 'GUARDIAN_WITHOUT_CONTACT', count: 4 },
    ]);
    const sheets = o.checklist[2];
    expect(sheets).toMatchObject({ count: 0, total: 6, link: `/admin/${w.school.id}/directory/login-sheets` });
    expect(sheets.left).toEqual([
      { code: 'CLASS_PROFILE', label: '2NDE1', profile: 'student', count: 1 },
      { code: 'CLASS_PROFILE', label: '2NDE1', profile: 'guardian', count: 2 },
      { code: 'CLASS_PROFILE', label: '2NDE2', profile: 'student', count: 1 },
      { code: 'CLASS_PROFILE', label: '2NDE2', profile: 'guardian', count: 1 },
      { code: 'PROFILE', profile: 'teacher', count: 1 },
      { code: 'PROFILE', profile: 'staff', count: 0 },
    ]);
    expect(o.checklist[3].left).toEqual([{ code: 'NO_CHARTER' }]);
    expect(o.checklist[4]).toMatchObject({ count: 0, total: 12 });
    expect(o.checklist[4].left[0]).toEqual({ code: 'SERVICE_WITHOUT_DATE', label: 'Cahier de textes' });
    expect(o.checklist[5].left).toEqual([{ code: 'NO_ANNOUNCEMENT' }, { code: 'GUARDIANS_NOT_ACTIVATED', count: 3 }]);
    // The rates, classes with the families lagging behind first, and no help contact yet.
    expect(o.activation.find((a: { profile: string }) => a.profile === 'guardian')).toEqual({
      profile: 'guardian',
      activated: 1,
      total: 4,
    });
    expect(o.classes.map((c: { class: string }) => c.class)).toEqual(['2NDE2', '2NDE1']);
    expect(o.help).toBeNull();
    expect(o.lastImport).toBeNull();
  });

  test('the work done in the administration moves the items: quality looked at, sheets printed, charter, dates', async () => {
    expect((await w.as.localAdmin.get(`/api/establishments/${w.school.id}/data-quality`)).statusCode).toBe(200);
    await flushUsage(app);
    const quality = await item('data_quality');
    expect(quality.state).toBe('partial');
    expect(quality.left.map((l) => l.code)).not.toContain('NOT_CHECKED');

    const print = await w.as.localAdmin.post(`/api/establishments/${w.school.id}/login-sheets`, {
      profile: 'guardian',
      class: '2NDE1',
    });
    expect(print.statusCode, print.body).toBe(200);
    const sheets = await item('login_sheets');
    expect(sheets).toMatchObject({ state: 'partial', count: 1, total: 6 });
    expect(sheets.left.some((l) => l.label === '2NDE1' && l.profile === 'guardian')).toBe(false);
    expect(Date.now() - Date.parse(sheets.date!)).toBeLessThan(60_000);

    const published = await w.as.principal.post(`/api/establishments/${w.school.id}/charter`, {
      title: 'Charte du lycée',
      body: "Règles d'usage de l'ENT du lycée.",
    });
    expect(published.statusCode, published.body).toBe(201);
    // The principal accepts it, like everyone must before using the services.
    await w.as.principal.post('/api/me/charter/accept', { charterId: published.json().current.id });
    expect(await item('charter')).toMatchObject({ state: 'done', count: 1, left: [] });

    await w.as.principal.patch(`/api/establishments/${w.school.id}/services/logbook`, { opensOn: '2026-09-07' });
    await w.as.principal.patch(`/api/establishments/${w.school.id}/services/grades`, { status: 'closed' });
    const services = await item('services');
    expect(services).toMatchObject({ state: 'partial', count: 2, total: 12 });
    expect(services.left.map((l) => l.label)).not.toContain('Cahier de textes');
  });

  test('families told: the direction informs every guardian (audited), the item then counts who activated', async () => {
    const before = await countRows(db, 'rollout_announcement');
    const bad = await w.as.principal.post('/api/rollout/announcements', {
      establishmentId: w.school.id,
      text: 'Court',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION');
    const teacher = await w.as.teacher.post('/api/rollout/announcements', {
      establishmentId: w.school.id,
      text: 'Votre espace numérique ouvre lundi.',
    });
    expect(teacher.statusCode).toBe(403);
    expect(await countRows(db, 'rollout_announcement')).toBe(before);

    const res = await w.as.principal.post('/api/rollout/announcements', {
      establishmentId: w.school.id,
      text: "L'espace numérique de travail du lycée est ouvert : activez votre compte avec la fiche remise à votre enfant.",
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().recipients).toBe(4);
    const families = await item('families');
    expect(families).toMatchObject({ state: 'partial', count: 1, total: 4 });
    expect(families.left).toEqual([{ code: 'GUARDIANS_NOT_ACTIVATED', count: 3 }]);
    // The guardian (who accepts the new charter first) reads it on the timeline.
    const charter = await db
      .selectFrom('charter')
      .select('id')
      .where('establishment_id', '=', w.school.id)
      .executeTakeFirstOrThrow();
    await w.as.guardian.post('/api/me/charter/accept', { charterId: charter.id });
    const feed = (await w.as.guardian.get(`/api/timeline?establishment=${w.school.id}`)).json();
    expect(feed.items[0]).toMatchObject({ kind: 'rollout.families.info', actor: { id: w.principal.id } });
    const audit = await db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'rollout.families.announce')
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ recipients: 4 });
  });

  test('the home page: the direction gets the first screen as a widget, teachers none, students not the service', async () => {
    for (const [a] of [[w.as.teacher], [w.as.cpe], [w.as.localAdmin]] as const) {
      const charter = await db
        .selectFrom('charter')
        .select('id')
        .where('establishment_id', '=', w.school.id)
        .executeTakeFirstOrThrow();
      await a.post('/api/me/charter/accept', { charterId: charter.id });
    }
    const principal = (await w.as.principal.get(`/api/home?establishment=${w.school.id}`)).json();
    expect(principal.widgets.rollout.checklist).toHaveLength(6);
    expect(principal.widgets.rollout.activation).toHaveLength(6);
    const teacher = (await w.as.teacher.get(`/api/home?establishment=${w.school.id}`)).json();
    expect(teacher.portal.services.map((s: { key: string }) => s.key)).toContain('rollout');
    expect(teacher.widgets.rollout).toBeNull();
  });
});

describe('the académie', () => {
  test('its help contact, set by a platform admin, shows on the principal’s first screen', async () => {
    const admin = await makeUser(db, { platformAdmin: true });
    const asAdmin = await loginAs(app, admin.login);
    const bad = await asAdmin.put(`/api/rollout/academies/${w.school.academy_id}/contact`, {
      name: 'Assistance',
      email: 'pas une adresse',
    });
    expect(bad.statusCode).toBe(400);
    expect(await countRows(db, 'rollout_academy_contact')).toBe(0);
    const res = await asAdmin.put(`/api/rollout/academies/${w.school.academy_id}/contact`, {
      name: 'Plateforme d’assistance ENT',
      email: 'assistance-ent@ac-creteil.fr',
      phone: '01 57 02 60 00',
      url: 'https://assistance.ac-creteil.fr',
      hours: 'Du lundi au vendredi, 8 h – 18 h',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await overview()).help).toEqual({
      academy: 'Académie de test',
      name: 'Plateforme d’assistance ENT',
      email: 'assistance-ent@ac-creteil.fr',
      phone: '01 57 02 60 00',
      url: 'https://assistance.ac-creteil.fr',
      hours: 'Du lundi au vendredi, 8 h – 18 h',
    });
    expect(
      (await asAdmin.put(`/api/rollout/academies/${crypto.randomUUID()}/contact`, { name: 'X y' })).statusCode,
    ).toBe(404);
    expect(
      (await w.as.principal.put(`/api/rollout/academies/${w.school.academy_id}/contact`, { name: 'X y' })).statusCode,
    ).toBe(403);
  });

  test('the académie view: every establishment ranked, with its rates and plan progress; platform admins only', async () => {
    // A second establishment of the same académie, livelier: its two members both used a service.
    const second = await db
      .insertInto('establishment')
      .values({
        academy_id: w.school.academy_id,
        uai: `0990002${uaiCheckLetter('0990002')}`,
        type: 'COLLEGE',
        name: 'Collège Voisin',
        city: 'Ici',
        slug: `voisin-${Date.now()}`,
        settings: '{}',
      })
      .returning(['id', 'academy_id'])
      .executeTakeFirstOrThrow();
    const [a, b] = [
      await makeUser(db, { establishmentId: second.id, profiles: ['teacher'] }),
      await makeUser(db, { establishmentId: second.id, profiles: ['guardian'] }),
    ];
    await usage(db, second.id, [
      { userId: a.id, profile: 'teacher', service: 'logbook', daysAgo: 2 },
      { userId: b.id, profile: 'guardian', service: 'portal', daysAgo: 1 },
    ]);
    // The school: one teacher active; a step done, one late.
    await usage(db, w.school.id, [{ userId: w.teachers[0].id, profile: 'teacher', service: 'logbook', daysAgo: 1 }]);
    for (const [title, dueDate, state] of [
      ['Présentation', '2026-09-15', 'done'],
      ['Formation', '2026-10-01', 'todo'],
    ] as const) {
      await db
        .insertInto('rollout_step')
        .values({
          establishment_id: w.school.id,
          service_key: 'logbook',
          title,
          owner_id: w.principal.id,
          due_date: dueDate,
          state,
        })
        .execute();
    }
    const admin = await makeUser(db, { platformAdmin: true });
    const asAdmin = await loginAs(app, admin.login);
    // Everyone who did something in the school these last days counts as active (the requests of this file too).
    await flushUsage(app);
    const actives = await db
      .selectFrom('usage_event')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('n'))
      .where('establishment_id', '=', w.school.id)
      .executeTakeFirstOrThrow();
    const res = await asAdmin.get('/api/rollout/academy');
    expect(res.statusCode, res.body).toBe(200);
    const academy = res.json().academies.find((x: { id: string }) => x.id === w.school.academy_id);
    expect(academy.contact).toMatchObject({ name: 'Plateforme d’assistance ENT' });
    expect(academy.establishments.map((e: { name: string; rank: number }) => [e.name, e.rank])).toEqual([
      ['Collège Voisin', 1],
      [w.school.name, 2],
    ]);
    const school = academy.establishments[1];
    // 16 members, 10 activated (principal, local admin, CPE, 3 teachers, 3 students, 1 guardian)
    expect(school.activation).toBeCloseTo(10 / 16);
    expect(school.guardians).toBe(0.25);
    expect(school.teachers).toBe(0.75);
    expect(Number(actives.n)).toBeGreaterThanOrEqual(2);
    expect(school.active).toBeCloseTo(Number(actives.n) / 16);
    expect(school.plan).toEqual({ steps: 2, done: 1, late: 1, objectives: 0, reached: 0 });
    expect(academy.establishments[0]).toMatchObject({ activation: 1, active: 1 });
    for (const who of [w.as.principal, w.as.teacher, w.as.other]) {
      expect((await who.get('/api/rollout/academy')).statusCode).toBe(403);
    }
  });
});

describe('personal data', () => {
  test('the export holds the person’s own rollout rows — their self-assessment, needs, steps — never a pulse answer', async () => {
    await w.as.teacher.put('/api/rollout/skills/me', {
      establishmentId: w.school.id,
      levels: { information: 4, communication: 3, creation: 2, protection: 5, environment: 1 },
    });
    await w.as.teacher.post('/api/rollout/needs', { establishmentId: w.school.id, title: 'Un besoin personnel' });
    await w.as.teacher.post('/api/rollout/pulse', {
      establishmentId: w.school.id,
      service: 'rollout',
      score: 2,
      comment: 'Un avis qui doit rester anonyme',
    });
    const data = (await w.as.teacher.get('/api/privacy/my-data')).json().modules.rollout;
    expect(data.selfAssessment).toHaveLength(5);
    expect(data.selfAssessment.find((s: { domain: string }) => s.domain === 'protection').level).toBe(5);
    expect(data.needsPosted[0]).toMatchObject({ title: 'Un besoin personnel' });
    expect(data.stepsOwned).toEqual([]);
    expect(data.pulseMonthsAnswered).toHaveLength(1);
    expect(JSON.stringify(data)).not.toContain('Un avis qui doit rester anonyme');
    expect(data.daysOfUse.length).toBeGreaterThan(0);
    const register = (await w.as.teacher.get('/api/privacy/register')).json();
    expect(register.items.find((i: { module: string }) => i.module === 'rollout').name).toBe('Pilotage du déploiement');
  });
});

describe('kept in memory per establishment (topic `rollout`), told of every change whoever writes it', () => {
  test('an activation, an acceptance of the charter, a contact, a print: written straight into the database', async () => {
    const guardians = (o: { activation: { profile: string; activated: number }[] }) =>
      o.activation.find((a) => a.profile === 'guardian')!.activated;
    const accepted = (o: { charter: { profile: string; accepted: number }[] }) =>
      o.charter.find((a) => a.profile === 'guardian')!.accepted;
    const noContact = (o: { checklist: Item[] }) =>
      o.checklist[1]!.left.find((l) => l.code === 'GUARDIAN_WITHOUT_CONTACT')?.count ?? 0;
    const before = await overview();
    const hits = () => cachesOf(db)?.stats()['rollout-figures']?.hits ?? 0;
    const kept = hits();
    expect(await overview()).toEqual(before); // read again: from memory, the same
    expect(hits()).toBeGreaterThan(kept);

    // As an import, another instance or psql would: no request of this instance writes it.
    const pending = await db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email'])
      .where('m.establishment_id', '=', w.school.id)
      .where('m.profile', '=', 'guardian')
      .where('u.password_hash', 'is', null)
      .orderBy('u.id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('app_user')
      .set({ password_hash: 'x', status: 'active' })
      .where('id', '=', pending.id)
      .execute();
    const activated = await overview();
    expect(guardians(activated)).toBe(guardians(before) + 1);

    const charter = await db
      .selectFrom('charter')
      .select('id')
      .where('establishment_id', '=', w.school.id)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('charter_acceptance')
      .values({ user_id: pending.id, charter_id: charter.id, establishment_id: w.school.id })
      .execute();
    expect(accepted(await overview())).toBe(accepted(before) + 1);

    const silent = await db
      .selectFrom('membership as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select('u.id')
      .where('m.establishment_id', '=', w.school.id)
      .where('m.profile', '=', 'guardian')
      .where('u.email', 'is', null)
      .where('u.phone_mobile', 'is', null)
      .orderBy('u.id')
      .executeTakeFirstOrThrow();
    await db.updateTable('app_user').set({ phone_mobile: '06 12 34 56 78' }).where('id', '=', silent.id).execute();
    expect(noContact(await overview())).toBe(noContact(before) - 1);

    const sheets = (await overview()).checklist[2]!.count;
    await db
      .insertInto('audit_event')
      .values({
        actor_id: w.principal.id,
        establishment_id: w.school.id,
        action: 'directory.login_sheets.print',
        target_type: 'establishment',
        target_id: w.school.id,
        details: JSON.stringify({ profile: 'teacher' }),
      })
      .execute();
    expect((await overview()).checklist[2]!.count).toBe(sheets + 1);
  });
});
