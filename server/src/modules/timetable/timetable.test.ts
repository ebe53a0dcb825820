import type { WeekResponse } from '@preau/contracts';
import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { assign, enrol, guard, makeClass, makeGroup, subject } from '../../../test/directory-fixtures.ts';
import { type Agent, countRows, loginAs, makeEstablishment, makeUser, testApp } from '../../../test/helpers.ts';
import { makeCourse } from '../../../test/timetable-fixtures.ts';
import { cachesOf } from '../../platform/cache.ts';
import { addDays, closedDays, parisDate, weekdayOf } from './calendar.ts';
import { alternatingWeeks } from './timetable.service.ts';

/** The timetable through HTTP: the direction's courses and changes, every persona's week, the ICS subscription. */
const { app, db } = await testApp();

type School = Awaited<ReturnType<typeof makeEstablishment>>;
let school: School;
let principal: Agent;
let teacher: Agent;
let student: Agent;
let parent: Agent;
const ids = {} as Record<
  'class' | 'class2' | 'group' | 'teacher' | 'teacher2' | 'student' | 'student2' | 'parent' | 'maths' | 'spanish',
  string
>;

beforeAll(async () => {
  school = await makeEstablishment(db);
  await subject(db, '061300', 'Mathématiques');
  await subject(db, '030201', 'Anglais LV1');
  const c1 = await makeClass(db, school, '2NDE1');
  const c2 = await makeClass(db, school, '2NDE2');
  const g = await makeGroup(db, school, 'ESP2-A');
  ids.class = c1.id;
  ids.class2 = c2.id;
  ids.group = g.id;
  const t = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['teacher'],
    firstName: 'Paul',
    lastName: 'Professeur',
  });
  const t2 = await makeUser(db, {
    establishmentId: school.id,
    profiles: ['teacher'],
    firstName: 'Ana',
    lastName: 'Garcia',
  });
  ids.teacher = t.id;
  ids.teacher2 = t2.id;
  await assign(db, school, t.id, { classId: c1.id }, '061300');
  const p = await makeUser(db, { establishmentId: school.id, profiles: ['principal'] });
  const s = await makeUser(db, { establishmentId: school.id, profiles: ['student'], firstName: 'Emma' });
  const s2 = await makeUser(db, { establishmentId: school.id, profiles: ['student'], firstName: 'Hugo' });
  ids.student = s.id;
  ids.student2 = s2.id;
  await enrol(db, school, s.id, { classId: c1.id });
  await enrol(db, school, s.id, { groupId: g.id });
  await enrol(db, school, s2.id, { classId: c2.id });
  const par = await makeUser(db, { establishmentId: school.id, profiles: ['guardian'] });
  ids.parent = par.id;
  await guard(db, school, par.id, s.id);
  principal = await loginAs(app, p.login);
  teacher = await loginAs(app, t.login);
  student = await loginAs(app, s.login);
  parent = await loginAs(app, par.login);
});

const week = (as: Agent, date: string, extra = '') =>
  as.get(`/api/timetable/week?establishment=${school.id}&date=${date}${extra}`);

async function addCourse(body: Record<string, unknown>) {
  const res = await principal.post('/api/timetable/courses', {
    establishment: school.id,
    subjectCode: '061300',
    teacherIds: [ids.teacher],
    weekday: 1,
    start: '08:00',
    end: '08:55',
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

describe('courses, by the direction', () => {
  test('a course of a class, then of a group with two teachers; audited', async () => {
    ids.maths = await addCourse({ classId: ids.class, room: 'B204' });
    ids.spanish = await addCourse({
      groupId: ids.group,
      subjectCode: '030201',
      teacherIds: [ids.teacher, ids.teacher2],
      weekday: 3,
      start: '10:05',
      end: '11:00',
    });
    const list = (await principal.get(`/api/timetable/courses?establishment=${school.id}&class=${ids.class}`)).json();
    expect(list.items.map((c: { subject: { name: string } }) => c.subject.name)).toEqual(['Mathématiques']);
    const audit = await db.selectFrom('audit_event').select('action').where('target_id', '=', ids.spanish).execute();
    expect(audit.map((a) => a.action)).toEqual(['timetable.course.create']);
  });

  test('bad courses are refused in French and nothing is written', async () => {
    const before = await countRows(db, 'timetable_course');
    const bad = async (body: Record<string, unknown>, code: string, status = 400) => {
      const res = await principal.post('/api/timetable/courses', {
        establishment: school.id,
        subjectCode: '061300',
        teacherIds: [ids.teacher],
        weekday: 1,
        start: '08:00',
        end: '08:55',
        ...body,
      });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
      return res.json().detail as string;
    };
    expect(await bad({ classId: ids.class, groupId: ids.group }, 'COURSE_TARGET')).toBe(
      'Un cours concerne soit une classe, soit un groupe (un seul des deux).',
    );
    expect(await bad({ classId: ids.class, start: '10:00', end: '09:00' }, 'COURSE_TIMES')).toBe(
      'L’heure de fin doit suivre l’heure de début.',
    );
    expect(await bad({ classId: ids.class, validFrom: '2026-08-01' }, 'COURSE_DATES')).toBe(
      'Les dates doivent être comprises dans l’année scolaire (2026-09-01 – 2027-07-04).',
    );
    expect(await bad({ classId: ids.class, teacherIds: [ids.student] }, 'TEACHER_UNKNOWN')).toContain('enseignants');
    expect(await bad({ classId: ids.class, subjectCode: '999999' }, 'SUBJECT_UNKNOWN')).toBe(
      'Matière inconnue : 999999.',
    );
    const foreign = await makeClass(db, await makeEstablishment(db), '2NDE1');
    await bad({ classId: foreign.id }, 'NOT_FOUND', 404);
    expect(await countRows(db, 'timetable_course')).toBe(before);
  });

  test('a teacher cannot change the timetable (403), another establishment cannot see a course (404)', async () => {
    expect((await teacher.patch(`/api/timetable/courses/${ids.maths}`, { room: 'X' })).statusCode).toBe(403);
    const other = await makeEstablishment(db);
    const p = await makeUser(db, { establishmentId: other.id, profiles: ['principal'] });
    const them = await loginAs(app, p.login);
    expect((await them.patch(`/api/timetable/courses/${ids.maths}`, { room: 'X' })).statusCode).toBe(404);
    expect((await them.delete(`/api/timetable/courses/${ids.maths}`)).statusCode).toBe(404);
    const row = await db
      .selectFrom('timetable_course')
      .select('room')
      .where('id', '=', ids.maths)
      .executeTakeFirstOrThrow();
    expect(row.room).toBe('B204');
  });
});

describe('weeks', () => {
  test("the student's week: their class's and group's courses, with times in Paris", async () => {
    const res = await week(student, '2026-12-02');
    expect(res.statusCode).toBe(200);
    const body = res.json() as WeekResponse;
    expect(body.from).toBe('2026-11-30');
    expect(body.of.kind).toBe('me');
    expect(body.items.map((i) => [i.start, i.subject.name, i.class?.name ?? i.group?.name])).toEqual([
      ['2026-11-30T08:00:00+01:00', 'Mathématiques', '2NDE1'],
      ['2026-12-02T10:05:00+01:00', 'Anglais LV1', 'ESP2-A'],
    ]);
    expect(body.items[0]).toMatchObject({
      id: ids.maths,
      end: '2026-11-30T08:55:00+01:00',
      teachers: [{ id: ids.teacher, displayName: 'PROFESSEUR Paul' }],
      room: 'B204',
      cancelled: false,
      slot: 'M1',
    });
    // Summer time is kept too (a course in September is at +02:00).
    const sept = (await week(student, '2026-09-14')).json() as WeekResponse;
    expect(sept.items[0]!.start).toBe('2026-09-14T08:00:00+02:00');
  });

  test("the teacher's week, a guardian's child's week, a class's week", async () => {
    const mine = (await week(teacher, '2026-12-02')).json() as WeekResponse;
    expect(mine.items.map((i) => i.subject.name)).toEqual(['Mathématiques', 'Anglais LV1']);
    // One child: the guardian's week is the child's without saying it; with a second child, they must say which.
    const child = (await week(parent, '2026-12-02')).json() as WeekResponse;
    expect(child.of).toMatchObject({ kind: 'student', id: ids.student });
    expect(child.items).toHaveLength(2);
    const explicit = await week(parent, '2026-12-02', `&student=${ids.student}`);
    expect(explicit.json().items).toHaveLength(2);
    await guard(db, school, ids.parent, ids.student2);
    const which = await week(parent, '2026-12-02');
    expect(which.statusCode).toBe(400);
    expect(which.json()).toMatchObject({
      code: 'STUDENT_REQUIRED',
      detail: 'Précisez de quel enfant il s’agit (paramètre « student »).',
    });
    const klass = (await week(principal, '2026-12-02', `&class=${ids.class}`)).json() as WeekResponse;
    expect(klass.of).toMatchObject({ kind: 'class', name: '2NDE1' });
    expect(klass.items).toHaveLength(1);
    const room = (await week(teacher, '2026-12-02', '&room=B204')).json() as WeekResponse;
    expect(room.items.map((i) => i.id)).toEqual([ids.maths]);
  });

  test('who sees what: a student neither another class nor a teacher; a guardian not another child', async () => {
    expect((await week(student, '2026-12-02', `&class=${ids.class2}`)).statusCode).toBe(403);
    expect((await week(student, '2026-12-02', `&class=${ids.class}`)).statusCode).toBe(200);
    expect((await week(student, '2026-12-02', `&teacher=${ids.teacher}`)).statusCode).toBe(403);
    expect((await week(student, '2026-12-02', '&room=B204')).statusCode).toBe(403);
    expect((await week(student, '2026-12-02', `&student=${ids.student2}`)).statusCode).toBe(403);
    const stranger = await makeUser(db, { establishmentId: school.id, profiles: ['student'] });
    expect((await week(parent, '2026-12-02', `&student=${stranger.id}`)).statusCode).toBe(403);
    const other = await makeEstablishment(db);
    const foreign = await makeClass(db, other, '2NDE1');
    expect((await week(principal, '2026-12-02', `&class=${foreign.id}`)).statusCode).toBe(404);
  });

  test('holidays of the zone: none in the Toussaint week; the zone can be changed (audited)', async () => {
    const toussaint = (await week(student, '2026-10-19')).json() as WeekResponse;
    expect(toussaint.items).toEqual([]);
    expect(toussaint.holidays).toEqual([{ name: 'Vacances de la Toussaint', from: '2026-10-18', to: '2026-11-01' }]);
    // Winter: zone C is off from 7 to 21 February, zone A from 14 to 28.
    expect(((await week(student, '2027-02-08')).json() as WeekResponse).items).toEqual([]);
    const set = await principal.put('/api/timetable/settings', { establishment: school.id, zone: 'A' });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ zone: 'A', zoneChosen: true });
    expect(((await week(student, '2027-02-08')).json() as WeekResponse).items).toHaveLength(2);
    expect(((await week(student, '2027-02-15')).json() as WeekResponse).items).toEqual([]);
    await principal.put('/api/timetable/settings', { establishment: school.id, zone: 'C' });
    const audit = await db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'timetable.settings.update')
      .where('establishment_id', '=', school.id)
      .execute();
    expect(audit).toHaveLength(2);
  });

  test('the week follows changes written anywhere (kept in memory, announced by the database): slots, week patterns, enrolments', async () => {
    const before = (await week(student, '2026-12-02')).json() as WeekResponse;
    expect(before.items.map((i) => i.slot)).toEqual(['M1', 'M3']);
    expect(before.weekPatterns).toEqual([]);
    // Straight into the database, as an import, psql or another instance would.
    const year = await db
      .selectFrom('school_year')
      .select('id')
      .where('establishment_id', '=', school.id)
      .where('status', '=', 'current')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('timetable_slot')
      .values({ establishment_id: school.id, code: 'H1', starts_at: '08:00', ends_at: '08:55' })
      .execute();
    await db
      .insertInto('timetable_week_pattern')
      .values({
        establishment_id: school.id,
        school_year_id: year.id,
        code: 'Q',
        label: 'Semaine Q',
        weeks: sql`ARRAY['2026-11-30']::date[]` as unknown as string[],
      })
      .execute();
    await db.deleteFrom('enrolment').where('student_id', '=', ids.student).where('group_id', '=', ids.group).execute();
    const after = (await week(student, '2026-12-02')).json() as WeekResponse;
    expect(after.items.map((i) => [i.subject.name, i.slot])).toEqual([['Mathématiques', 'H1']]);
    expect(after.weekPatterns).toEqual(['Q']);
    await db.deleteFrom('timetable_slot').where('establishment_id', '=', school.id).execute();
    await db
      .deleteFrom('timetable_week_pattern')
      .where('school_year_id', '=', year.id)
      .where('code', '=', 'Q')
      .execute();
    await enrol(db, school, ids.student, { groupId: ids.group });
    const again = (await week(student, '2026-12-02')).json() as WeekResponse;
    expect(again.items.map((i) => i.slot)).toEqual(['M1', 'M3']);
    expect(again.weekPatterns).toEqual([]);
  });

  test('alternating weeks skip the weeks without any class', () => {
    const w = alternatingWeeks('2026-09-01', '2027-07-03', 'C');
    expect(w.A[0]).toBe('2026-08-31');
    expect(w.B[0]).toBe('2026-09-07');
    expect([...w.A, ...w.B]).not.toContain('2026-10-19');
    expect([...w.A, ...w.B]).not.toContain('2026-12-21');
    expect(w.A.length + w.B.length).toBe(36);
  });
});

describe('one occurrence, cancelled or moved', () => {
  test('cancelled: shown "cancelled" to the student, their guardian is told; restored: withdrawn', async () => {
    const res = await principal.put(`/api/timetable/courses/${ids.maths}/occurrences/2026-11-30`, {
      cancelled: true,
      reason: 'Professeur absent',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().notified).toBe(3); // Emma, her guardian, the teacher
    const w = (await week(student, '2026-11-30')).json() as WeekResponse;
    expect(w.items[0]).toMatchObject({ id: ids.maths, cancelled: true, reason: 'Professeur absent' });
    const feed = (await parent.get(`/api/timeline?establishment=${school.id}`)).json();
    expect(feed.items[0]).toMatchObject({
      kind: 'timetable.course.cancelled',
      text: 'Cours annulé : Mathématiques, lundi 30 novembre à 8 h 00 (Professeur absent).',
      link: '/timetable?date=2026-11-30',
    });
    expect((await principal.delete(`/api/timetable/courses/${ids.maths}/occurrences/2026-11-30`)).statusCode).toBe(204);
    expect(((await week(student, '2026-11-30')).json() as WeekResponse).items[0]!.cancelled).toBe(false);
    expect((await parent.get(`/api/timeline?establishment=${school.id}`)).json().items).toEqual([]);
  });

  test('moved to another day: gone from its date, shown at the new one with where it was', async () => {
    const res = await principal.put(`/api/timetable/courses/${ids.maths}/occurrences/2026-12-07`, {
      moveTo: { date: '2026-12-09', start: '08:00', end: '08:55', room: 'CDI' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const w = (await week(student, '2026-12-07')).json() as WeekResponse;
    const maths = w.items.filter((i) => i.id === ids.maths);
    expect(maths).toHaveLength(1);
    expect(maths[0]).toMatchObject({
      date: '2026-12-09',
      start: '2026-12-09T08:00:00+01:00',
      room: 'CDI',
      moved: { date: '2026-12-07', start: '2026-12-07T08:00:00+01:00' },
    });
  });

  test('no such occurrence (a Tuesday for a Monday course, a holiday): 404, nothing written', async () => {
    const before = await countRows(db, 'timetable_occurrence_change');
    for (const date of ['2026-12-01', '2026-10-19']) {
      const res = await principal.put(`/api/timetable/courses/${ids.maths}/occurrences/${date}`, { cancelled: true });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('OCCURRENCE_NOT_FOUND');
    }
    expect(await countRows(db, 'timetable_occurrence_change')).toBe(before);
  });
});

describe('the ICS subscription', () => {
  test('a link per person, read-only, revocable; the calendar lists the occurrences', async () => {
    expect((await student.get(`/api/timetable/feed?establishment=${school.id}`)).json()).toMatchObject({
      active: false,
      url: null,
    });
    const created = await student.post('/api/timetable/feed', { establishment: school.id });
    expect(created.statusCode).toBe(201);
    const url = new URL(created.json().url as string);
    expect(url.pathname).toMatch(/^\/api\/timetable\/ics\/[A-Za-z0-9_-]{43}\.ics$/);
    const ics = await app.inject({ method: 'GET', url: url.pathname });
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(ics.body).toContain('BEGIN:VCALENDAR');
    expect(ics.body).toContain('SUMMARY:Mathématiques (2NDE1)');
    expect(ics.body).toContain('LOCATION:B204');
    // Read-only: the address accepts nothing but GET.
    expect((await app.inject({ method: 'POST', url: url.pathname })).statusCode).toBe(404);
    // A new address revokes the old one; revoking leaves none.
    const renewed = await student.post('/api/timetable/feed', { establishment: school.id });
    expect((await app.inject({ method: 'GET', url: url.pathname })).statusCode).toBe(404);
    expect((await student.delete(`/api/timetable/feed?establishment=${school.id}`)).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: new URL(renewed.json().url).pathname })).statusCode).toBe(404);
    // The token itself is never stored.
    const token = url.pathname.split('/').pop()!.replace('.ics', '');
    const stored = await db.selectFrom('timetable_feed_token').select('token_hash').execute();
    expect(stored.every((r) => !r.token_hash.toString('utf8').includes(token))).toBe(true);
  });

  test('a cancelled course is in the calendar, marked CANCELLED', async () => {
    // A course on a school day of the coming fortnight (the feed covers a week back to eight weeks ahead).
    const closed = closedDays('C');
    let day = addDays(parisDate(), 1);
    while (closed(day) || weekdayOf(day) > 5) day = addDays(day, 1);
    const course = await makeCourse(db, school, {
      classId: ids.class,
      teacherIds: [ids.teacher],
      subjectCode: '030201',
      weekday: weekdayOf(day),
      start: '16:30',
      end: '17:25',
      validFrom: addDays(day, -30),
      validTo: addDays(day, 30),
    });
    const cancel = await principal.put(`/api/timetable/courses/${course}/occurrences/${day}`, { cancelled: true });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const created = await teacher.post('/api/timetable/feed', { establishment: school.id });
    const ics = await app.inject({ method: 'GET', url: new URL(created.json().url).pathname });
    expect(ics.body).toContain('SUMMARY:Cours annulé — Anglais LV1 (2NDE1)');
    expect(ics.body).toContain('STATUS:CANCELLED');
  });
});

describe('the courses, from memory (migration 0302)', () => {
  const hits = () => cachesOf(db)!.stats()['timetable-courses']?.hits ?? 0;
  const maths = async () =>
    ((await week(student, '2026-12-14')).json() as WeekResponse).items.find((i) => i.id === ids.maths)!;

  test('a week is read from memory, and every change another instance writes is seen on the next read', async () => {
    await maths();
    const before = hits();
    expect((await maths()).room).toBe('B204');
    expect(hits()).toBeGreaterThan(before);

    // Straight into the database, as another instance would: each announces `ttc:<establishment>`.
    await db.updateTable('timetable_course').set({ room: 'C101' }).where('id', '=', ids.maths).execute();
    expect((await maths()).room).toBe('C101');
    await db.updateTable('app_user').set({ display_name: 'PROFESSEUR Paulin' }).where('id', '=', ids.teacher).execute();
    expect((await maths()).teachers).toEqual([{ id: ids.teacher, displayName: 'PROFESSEUR Paulin' }]);
    await db.updateTable('subject').set({ label: 'Mathématiques (spécialité)' }).where('code', '=', '061300').execute();
    expect((await maths()).subject.name).toBe('Mathématiques (spécialité)');
    await db.updateTable('class').set({ code: '2NDE-1' }).where('id', '=', ids.class).execute();
    expect((await maths()).class?.name).toBe('2NDE-1');
    await db
      .insertInto('timetable_occurrence_change')
      .values({ establishment_id: school.id, course_id: ids.maths, on_date: '2026-12-14', cancelled: true })
      .execute();
    expect((await maths()).cancelled).toBe(true);
    await db.deleteFrom('timetable_course_teacher').where('course_id', '=', ids.maths).execute();
    expect((await maths()).teachers).toEqual([]);
    // Through the API, the direction's edit is seen at once.
    const put = await principal.delete(`/api/timetable/courses/${ids.maths}/occurrences/2026-12-14`);
    expect(put.statusCode).toBe(204);
    expect((await maths()).cancelled).toBe(false);
  });
});
