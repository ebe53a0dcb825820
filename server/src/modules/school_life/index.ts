import { schoolLifeApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import { parisDate } from '../timetable/index.ts';
import * as m0400 from './0400_school_life_core.ts';
import * as m0401 from './0401_school_life_threshold_alert.ts';
import * as m0402 from './0402_school_life_cache_invalidation.ts';
import { seedSchoolLifeDemo } from './demo.ts';
import { purgeSchoolLife, retentionStart } from './purge.ts';
import { readableJustifications } from './school_life.access.ts';
import { schoolLifeMessages } from './school_life.messages.ts';
import { schoolLife } from './school_life.repository.ts';
import { schoolLifeRoutes } from './school_life.routes.ts';
import { rollCallRate, schoolLifeHome } from './school_life.service.ts';
import { alertAbsenteeism } from './threshold.ts';

/** What other modules may read of school life (the rollout cockpit, the grades' report): the month's threshold. */
export { absenteeismOf, THRESHOLD } from './school_life.service.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * School life (vie scolaire): roll calls per course occurrence, absence and lateness records with their reasons
 * and states, the guardians' online justifications and the CPE's decisions, the day's board, the absenteeism
 * threshold, incidents and punishments. See docs/ARCHITECTURE.md, "School life".
 */
export const schoolLifeModule = defineModule({
  name: 'school_life',
  service: 'school_life',
  prefix: '/api/school-life',
  api: schoolLifeApi,
  tables: [
    'school_life_reason',
    'school_life_roll_call',
    'school_life_mark',
    'school_life_absence',
    'school_life_justification',
    'school_life_incident',
  ],
  migrations: {
    '0400_school_life_core': m0400,
    '0401_school_life_threshold_alert': m0401,
    '0402_school_life_cache_invalidation': m0402,
  },
  permissions: {
    'school_life.read': ['student', 'guardian', 'teacher', 'staff', 'principal'],
    'school_life.roll_call': ['teacher', 'staff', 'principal'],
    'school_life.justify': ['guardian'],
    'school_life.manage': ['staff', 'principal'],
    'school_life.punish': ['teacher', 'staff', 'principal'],
  },
  messages: schoolLifeMessages,
  notifications: [
    {
      kind: 'school_life.absence.recorded',
      label: { fr: 'Absence ou retard enregistré', en: 'Absence or lateness recorded' },
      profiles: ['guardian'],
      defaultDelivery: 'email',
    },
    {
      kind: 'school_life.justification.answered',
      label: { fr: 'Réponse à une justification d’absence', en: 'Answer to an absence justification' },
      profiles: ['guardian'],
      defaultDelivery: 'app',
    },
    {
      kind: 'school_life.absenteeism.reached',
      label: {
        fr: 'Élèves au seuil d’absentéisme (4 demi-journées non justifiées dans le mois)',
        en: 'Students at the absenteeism threshold (4 unjustified half-days in a month)',
      },
      profiles: ['staff', 'principal'],
      defaultDelivery: 'email',
    },
    {
      kind: 'school_life.incident.recorded',
      label: { fr: 'Incident ou punition', en: 'Incident or punishment' },
      profiles: ['guardian'],
      defaultDelivery: 'email',
    },
  ],
  indicators: [
    {
      key: 'school_life.roll_call_rate',
      label: { fr: 'Appels faits (part des cours passés)', en: 'Roll calls taken (share of past courses)' },
      unit: 'rate',
      compute: (db, establishmentId, p) => rollCallRate(db, establishmentId, p.from, p.to),
    },
    {
      key: 'school_life.justified_online',
      label: {
        fr: 'Absences justifiées en ligne par les responsables',
        en: 'Absences justified online by guardians',
      },
      unit: 'rate',
      compute: async (db, establishmentId, p) => {
        const r = await schoolLife.justifiedOnline(db, establishmentId, p.from, p.to);
        return { value: r.total ? r.online / r.total : 0, numerator: r.online, denominator: r.total };
      },
    },
    {
      key: 'school_life.absences',
      label: { fr: 'Absences et retards enregistrés', en: 'Absences and lateness recorded' },
      unit: 'count',
      compute: async (db, establishmentId, p) => {
        const r = await schoolLife.justifiedOnline(db, establishmentId, p.from, p.to);
        return { value: r.total };
      },
    },
    {
      key: 'school_life.incidents',
      label: { fr: 'Incidents et punitions', en: 'Incidents and punishments' },
      unit: 'count',
      compute: async (db, establishmentId, p) => ({
        value: await schoolLife.incidentCount(db, establishmentId, p.from, p.to),
      }),
    },
  ],
  personalData: {
    purpose: {
      fr: 'Suivre l’assiduité des élèves (appel, absences, retards, justifications) et la discipline (incidents, punitions), informer les responsables le jour même et signaler l’absentéisme (quatre demi-journées non justifiées dans le mois). Données sensibles : accès limité au besoin d’en connaître.',
      en: 'Follow students’ attendance (roll call, absences, lateness, justifications) and discipline (incidents, punishments), tell guardians the same day and report absenteeism (four unjustified half-days in a month). Sensitive data: access limited to need-to-know.',
    },
    legalBasis: {
      fr: 'Obligation légale (RGPD, art. 6-1-c : contrôle de l’assiduité, Code de l’éducation L131-8 et R131-5) et mission d’intérêt public de l’établissement (art. 6-1-e).',
      en: 'Legal obligation (GDPR art. 6-1-c: attendance control, French Code de l’éducation L131-8 and R131-5) and the school’s public-interest mission (art. 6-1-e).',
    },
    categories: [
      {
        key: 'attendance',
        label: {
          fr: 'Absences et retards de l’élève : dates, heures, cours, état, motif, commentaire (données sensibles)',
          en: 'The student’s absences and lateness: dates, times, course, state, reason, comment (sensitive data)',
        },
        fields: ['kind', 'start', 'end', 'state', 'reason', 'comment', 'source'],
      },
      {
        key: 'justifications',
        label: {
          fr: 'Justifications envoyées par les responsables : motif, commentaire, réponse de la vie scolaire',
          en: 'Justifications sent by guardians: reason, comment, the school life’s answer',
        },
        fields: ['reason', 'comment', 'status', 'createdAt'],
      },
      {
        key: 'discipline',
        label: {
          fr: 'Incidents et punitions : nature, date, motif, personne qui l’a donnée (données sensibles)',
          en: 'Incidents and punishments: kind, date, reason, who gave it (sensitive data)',
        },
        fields: ['kind', 'date', 'reason', 'detail', 'givenBy'],
      },
      {
        key: 'roll_calls',
        label: {
          fr: 'Appels faits par l’enseignant : cours, date, heure',
          en: 'Roll calls taken by the teacher: course, date, time',
        },
        fields: ['courseId', 'date', 'takenAt'],
      },
    ],
    audience: {
      fr: 'L’élève lui-même et ses responsables légaux ; ses enseignants ; la vie scolaire (CPE, assistants d’éducation) et la direction de l’établissement. Jamais un autre établissement ni l’administrateur de la plateforme.',
      en: 'The student and their legal guardians; their teachers; the school life office (CPE, assistants) and the direction. Never another establishment nor the platform administrator.',
    },
    retention: {
      fr: 'Durée courte : l’année scolaire en cours, puis un an archivé (absences, justifications, punitions) ; les sanctions suivent les règles du dossier administratif de l’élève.',
      en: 'Short: the current school year, then one year archived (absences, justifications, punishments); sanctions follow the rules of the student’s administrative file.',
    },
    exportFor: async (db, userId) => ({
      absences: (await schoolLife.exportAbsences(db, userId)).map((a) => ({
        establishmentId: a.establishment_id,
        kind: a.kind,
        start: iso(a.starts_at),
        end: iso(a.ends_at),
        state: a.state,
        reason: a.reason_code,
        comment: a.comment,
        source: a.source,
      })),
      justifications: (await schoolLife.exportJustifications(db, userId)).map((j) => ({
        establishmentId: j.establishment_id,
        studentId: j.student_id,
        reason: j.reason_text,
        comment: j.comment,
        status: j.status,
        createdAt: iso(j.created_at),
      })),
      incidents: (await schoolLife.exportIncidents(db, userId)).map((i) => ({
        establishmentId: i.establishment_id,
        studentId: i.student_id,
        kind: i.kind,
        date: i.on_date,
        reason: i.reason,
        detail: i.detail,
        givenBy: i.given_by,
      })),
      rollCalls: (await schoolLife.exportRollCalls(db, userId)).map((r) => ({
        establishmentId: r.establishment_id,
        courseId: r.course_id,
        date: r.on_date,
        takenAt: iso(r.taken_at),
      })),
    }),
  },
  documentHolders: { justification: readableJustifications },
  home: schoolLifeHome,
  demo: seedSchoolLifeDemo,
  jobs: async ({ boss, db, log }) => {
    await boss.createQueue('school_life.purge');
    await boss.work('school_life.purge', async () => {
      const gone = await purgeSchoolLife(db, retentionStart(parisDate()));
      if (gone.absences + gone.rollCalls + gone.incidents > 0) log.info(gone, 'school life: past years purged');
    });
    await boss.schedule('school_life.purge', '25 4 * * *', null, { tz: 'Europe/Paris' });
    // After the day's roll calls and justifications: the vie scolaire reads it the next morning.
    await boss.createQueue('school_life.absenteeism');
    await boss.work('school_life.absenteeism', async () => {
      const told = await alertAbsenteeism(db, parisDate());
      if (told > 0) log.info({ students: told }, 'school life: absenteeism threshold alerts');
    });
    await boss.schedule('school_life.absenteeism', '30 19 * * *', null, { tz: 'Europe/Paris' });
  },
  plugin: schoolLifeRoutes,
});
