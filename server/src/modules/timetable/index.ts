import { timetableApi } from '@preau/contracts';
import { relations } from '../../platform/access/relations.repository.ts';
import type { Db } from '../../platform/db/schema.ts';
import { defineModule } from '../../platform/module.ts';
import * as m0300 from './0300_timetable_core.ts';
import * as m0301 from './0301_timetable_cache_invalidation.ts';
import * as m0302 from './0302_timetable_courses_cache.ts';
import { seedTimetableDemo } from './demo.ts';
import { registerTimetableJobs } from './import/import.jobs.ts';
import { timetableMessages } from './timetable.messages.ts';
import { timetable } from './timetable.repository.ts';
import { timetableRoutes } from './timetable.routes.ts';

/*
 * What other modules use of the timetable (the logbook, school life, grades): the course occurrences of a period
 * for classes, groups, teachers or students — batched, with their cancelled or moved state — and the batched
 * facts about courses. See docs/ARCHITECTURE.md, "Timetable".
 */
export {
  addDays,
  closedDays,
  daysBetween,
  eachDay,
  holidaysBetween,
  mondayOf,
  parisDate,
  parisInstant,
  parisIso,
  parisTime,
  weekdayOf,
  type Zone,
} from './calendar.ts';
export { STUDENT_REQUIRED } from './timetable.messages.ts';
export {
  enrolmentsOf,
  type OccurrenceInfo,
  occurrencesByTarget,
  occurrencesFor,
  occursOn,
  zoneOf,
} from './timetable.service.ts';

/** The teachers of each course (co-teaching: several). */
export const courseTeachers = (db: Db, courseIds: Iterable<string>) => relations.teachersOfCourses(db, courseIds);
/** The class or group, subject, establishment and year of each course. */
export const courseAudiences = (db: Db, courseIds: Iterable<string>) => relations.audiencesOfCourses(db, courseIds);
/** Of these courses, those the person teaches. */
export const coursesTaughtBy = (db: Db, teacherId: string, courseIds: Iterable<string>) =>
  relations.coursesTaughtBy(db, teacherId, courseIds);

const ALL = ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'] as const;

/** Paris calendar period of an indicator, for the count queries. */
export const timetableModule = defineModule({
  name: 'timetable',
  service: 'timetable',
  prefix: '/api/timetable',
  api: timetableApi,
  tables: [
    'timetable_setting',
    'timetable_slot',
    'timetable_week_pattern',
    'timetable_course',
    'timetable_course_teacher',
    'timetable_occurrence_change',
    'timetable_feed_token',
    'timetable_teacher_link',
    'timetable_import',
    'timetable_import_file',
  ],
  migrations: {
    '0300_timetable_core': m0300,
    '0301_timetable_cache_invalidation': m0301,
    '0302_timetable_courses_cache': m0302,
  },
  permissions: {
    'timetable.read': ALL,
    'timetable.manage': ['principal', 'local_admin'],
  },
  messages: timetableMessages,
  jobs: ({ boss, db, log }) => registerTimetableJobs(boss, db, log),
  notifications: [
    {
      kind: 'timetable.course.cancelled',
      label: { fr: 'Cours annulé', en: 'Course cancelled' },
      profiles: ['student', 'guardian', 'teacher'],
      defaultDelivery: 'app',
    },
    {
      kind: 'timetable.course.moved',
      label: { fr: 'Cours déplacé', en: 'Course moved' },
      profiles: ['student', 'guardian', 'teacher'],
      defaultDelivery: 'app',
    },
  ],
  indicators: [
    {
      key: 'timetable.courses',
      label: { fr: 'Cours à l’emploi du temps (année en cours)', en: 'Courses in the timetable (current year)' },
      unit: 'count',
      compute: async (db, establishmentId) => ({ value: await timetable.courseCount(db, establishmentId) }),
    },
    {
      key: 'timetable.changes',
      label: { fr: 'Cours annulés ou déplacés', en: 'Courses cancelled or moved' },
      unit: 'count',
      compute: async (db, establishmentId, p) => ({
        value: await timetable.changeCount(db, establishmentId, p.from, p.to),
      }),
    },
    {
      key: 'timetable.week_views',
      label: { fr: 'Consultations de l’emploi du temps', en: 'Timetable views' },
      unit: 'count',
      compute: async (db, establishmentId, p) => ({
        value: await timetable.weekViews(db, establishmentId, p.from, p.to),
      }),
    },
    {
      key: 'timetable.subscriptions',
      label: { fr: 'Abonnements ICS actifs', en: 'Active ICS subscriptions' },
      unit: 'count',
      compute: async (db, establishmentId) => ({ value: await timetable.liveFeedCount(db, establishmentId) }),
    },
  ],
  personalData: {
    purpose: {
      fr: 'Publier l’emploi du temps de chaque classe, groupe, enseignant et salle, et ses changements (cours annulés ou déplacés) ; l’abonnement d’agenda personnel (ICS).',
      en: 'Publish the timetable of each class, group, teacher and room, and its changes (cancelled or moved courses); the personal calendar subscription (ICS).',
    },
    legalBasis: {
      fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; arrêté ENT du 30 novembre 2006.",
      en: "The school's public-interest mission (GDPR art. 6-1-e); French ENT decree of 30 November 2006.",
    },
    categories: [
      {
        key: 'teaching',
        label: {
          fr: 'Cours assurés (enseignants) : matière, jour, horaires, salle',
          en: 'Courses taught (teachers): subject, day, times, room',
        },
        fields: ['subject', 'weekday', 'start', 'end', 'room', 'validFrom', 'validTo'],
      },
      {
        key: 'subscriptions',
        label: {
          fr: 'Abonnements d’agenda (ICS) : création, dernier usage, révocation',
          en: 'Calendar subscriptions (ICS): creation, last use, revocation',
        },
        fields: ['createdAt', 'lastUsedAt', 'revokedAt'],
      },
    ],
    audience: {
      fr: 'L’emploi du temps d’une classe : ses élèves, leurs responsables et les personnels de l’établissement ; celui d’un enseignant : les personnels de l’établissement. L’abonnement : la personne seule.',
      en: "A class's timetable: its students, their guardians and the staff; a teacher's: the staff. The subscription: the person only.",
    },
    retention: {
      fr: 'L’année scolaire, puis archivé avec elle ; l’adresse d’abonnement jusqu’à sa révocation.',
      en: 'The school year, then archived with it; the subscription address until it is revoked.',
    },
    exportFor: async (db, userId) => ({
      coursesTaught: (await timetable.coursesTaughtBy(db, userId)).map((c) => ({
        establishmentId: c.establishment_id,
        subject: c.label,
        weekday: c.weekday,
        start: c.starts_at.slice(0, 5),
        end: c.ends_at.slice(0, 5),
        room: c.room,
        validFrom: c.valid_from,
        validTo: c.valid_to,
      })),
      subscriptions: (await timetable.feedsOf(db, userId)).map((f) => ({
        establishmentId: f.establishment_id,
        createdAt: new Date(f.created_at).toISOString(),
        lastUsedAt: f.last_used_at ? new Date(f.last_used_at).toISOString() : null,
        revokedAt: f.revoked_at ? new Date(f.revoked_at).toISOString() : null,
      })),
    }),
  },
  demo: seedTimetableDemo,
  plugin: timetableRoutes,
});
