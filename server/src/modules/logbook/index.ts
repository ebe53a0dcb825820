import { logbookApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import * as m0350 from './0350_logbook_core.ts';
import * as m0351 from './0351_logbook_cache_invalidation.ts';
import { seedLogbookDemo } from './demo.ts';
import { announceDue, logbookHome } from './home.service.ts';
import { readableHolders } from './logbook.access.ts';
import { logbookMessages } from './logbook.messages.ts';
import { logbook } from './logbook.repository.ts';
import { logbookRoutes } from './logbook.routes.ts';
import { computeFillRate } from './report.service.ts';

export const logbookModule = defineModule({
  name: 'logbook',
  service: 'logbook',
  prefix: '/api/logbook',
  api: logbookApi,
  tables: [
    'logbook_visa',
    'logbook_lesson',
    'logbook_homework',
    'logbook_homework_done',
    'logbook_amendment',
    'logbook_inspector',
    'logbook_progression',
    'logbook_progression_step',
  ],
  migrations: { '0350_logbook_core': m0350, '0351_logbook_cache_invalidation': m0351 },
  permissions: {
    'logbook.read': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'logbook.write': ['teacher'],
    'logbook.sign': ['principal'],
  },
  messages: logbookMessages,
  jobs: async ({ boss, db, log }) => {
    await boss.createQueue('logbook.publish');
    await boss.work('logbook.publish', async () => {
      const n = await announceDue(db);
      if (n > 0) log.info({ homework: n }, 'homework published later announced');
    });
    await boss.schedule('logbook.publish', '* * * * *', null, { tz: 'Europe/Paris' });
  },
  notifications: [
    {
      kind: 'logbook.homework.new',
      label: { fr: 'Nouveau travail à faire', en: 'New homework' },
      profiles: ['student', 'guardian'],
      defaultDelivery: 'app',
    },
    {
      kind: 'logbook.visa.signed',
      label: { fr: 'Cahier de textes visé', en: 'Logbook signed' },
      profiles: ['teacher'],
      defaultDelivery: 'app',
    },
    {
      kind: 'logbook.inspection.granted',
      label: { fr: 'Accès d’inspection à un cahier de textes', en: 'Inspection access to a logbook' },
      profiles: ['teacher', 'staff', 'principal', 'local_admin'],
      defaultDelivery: 'email',
    },
  ],
  indicators: [
    {
      key: 'logbook.fill_rate',
      label: {
        fr: 'Taux de remplissage du cahier de textes (séances écrites / cours passés)',
        en: 'Logbook fill rate (lessons written / past courses)',
      },
      unit: 'rate',
      compute: async (db, establishmentId, p) => {
        const r = await computeFillRate(db, establishmentId, p.from, p.to);
        return { value: r.rate, numerator: r.written, denominator: r.courses };
      },
    },
    {
      key: 'logbook.homework_set',
      label: { fr: 'Travaux donnés', en: 'Homework set' },
      unit: 'count',
      compute: async (db, establishmentId, p) => ({
        value: await logbook.homeworkSetCount(db, establishmentId, p.from, p.to),
      }),
    },
    {
      key: 'logbook.visas',
      label: { fr: 'Visas de cahiers de textes', en: 'Logbook visas' },
      unit: 'count',
      compute: async (db, establishmentId, p) => ({
        value: await logbook.visaCount(db, establishmentId, p.from, p.to),
      }),
    },
  ],
  personalData: {
    purpose: {
      fr: 'Tenir le cahier de textes de chaque classe (contenu des séances, travail à faire), obligatoire dans chaque établissement ; permettre aux élèves de noter le travail fait ; viser les cahiers.',
      en: 'Keep each class’s logbook (lessons, homework), mandatory in every school; let students tick homework done; sign the logbooks.',
    },
    legalBasis: {
      fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; circulaire du 3 mai 2010 sur le cahier de textes numérique ; arrêté ENT du 30 novembre 2006.",
      en: "The school's public-interest mission (GDPR art. 6-1-e); French circular of 3 May 2010 on the digital logbook; ENT decree of 30 November 2006.",
    },
    categories: [
      {
        key: 'lessons',
        label: {
          fr: 'Séances écrites (enseignants) : date, titre, contenu',
          en: 'Lessons written (teachers): date, title, content',
        },
        fields: ['date', 'subject', 'title', 'content', 'createdAt', 'updatedAt'],
      },
      {
        key: 'homework',
        label: { fr: 'Travail donné (enseignants)', en: 'Homework set (teachers)' },
        fields: ['assignedOn', 'dueDate', 'subject', 'kind'],
      },
      {
        key: 'ticks',
        label: { fr: 'Travail coché « fait » (élèves)', en: 'Homework ticked « done » (students)' },
        fields: ['dueDate', 'subject', 'doneAt'],
      },
      {
        key: 'visas',
        label: { fr: 'Visas signés (direction, inspection)', en: 'Visas signed (direction, inspection)' },
        fields: ['signedAt', 'through', 'comment'],
      },
    ],
    audience: {
      fr: 'Le cahier d’une classe : ses élèves, leurs responsables, les enseignants de la classe, la vie scolaire et la direction ; les inspecteurs désignés, pour les enseignants nommés. La case « fait » : l’élève et ses responsables seulement.',
      en: "A class's logbook: its students, their guardians, the class's teachers, school-life staff and the direction; named inspectors, for the named teachers. The « done » tick: the student and their guardians only.",
    },
    retention: {
      fr: 'L’année scolaire, puis archivé en lecture seule (et imprimable) comme les établissements doivent le conserver.',
      en: 'The school year, then archived read-only (and printable) as schools must keep it.',
    },
    exportFor: async (db, userId) => ({
      lessonsWritten: (await logbook.lessonsWrittenBy(db, userId)).map((l) => ({
        establishmentId: l.establishment_id,
        date: l.date,
        subject: l.label,
        title: l.title,
        createdAt: new Date(l.created_at).toISOString(),
        updatedAt: new Date(l.updated_at).toISOString(),
      })),
      homeworkSet: (await logbook.homeworkSetBy(db, userId)).map((h) => ({
        establishmentId: h.establishment_id,
        assignedOn: h.assigned_on,
        dueDate: h.due_date,
        subject: h.label,
        kind: h.kind,
      })),
      ticks: (await logbook.ticksOf(db, userId)).map((t) => ({
        dueDate: t.due_date,
        subject: t.label,
        doneAt: new Date(t.done_at).toISOString(),
      })),
      visasSigned: (await logbook.visasSignedBy(db, userId)).map((v) => ({
        establishmentId: v.establishment_id,
        role: v.role,
        through: v.through,
        comment: v.comment,
        signedAt: new Date(v.signed_at).toISOString(),
      })),
    }),
  },
  // Who reads a lesson's or homework's attachments: the lesson's audience (its class or group's students, their
  // guardians, the teachers who read it, the direction and the staff; unpublished: its teachers only).
  documentHolders: {
    lesson: async (db, userId, ids) => readableHolders(db, userId, await logbook.lessonAudiences(db, ids)),
    homework: async (db, userId, ids) => readableHolders(db, userId, await logbook.homeworkAudiences(db, ids)),
  },
  home: logbookHome,
  demo: seedLogbookDemo,
  plugin: logbookRoutes,
});
