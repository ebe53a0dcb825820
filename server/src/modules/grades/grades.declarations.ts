import { trustedDb } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';
import type {
  IndicatorDefinition,
  IndicatorPeriod,
  NotificationKind,
  PersonalDataDeclaration,
} from '../../platform/module.ts';
import { addDays, parisInstant } from '../timetable/index.ts';
import { grades } from './grades.repository.ts';

export const gradesNotifications: NotificationKind[] = [
  {
    kind: 'grades.assessment.published',
    label: { fr: 'Nouvelles notes publiées', en: 'New grades published' },
    profiles: ['student', 'guardian'],
    defaultDelivery: 'app',
  },
  {
    kind: 'grades.report.published',
    label: { fr: 'Bulletin disponible', en: 'Report available' },
    profiles: ['student', 'guardian'],
    defaultDelivery: 'email',
  },
];

const span = (p: IndicatorPeriod) => [parisInstant(p.from, '00:00'), parisInstant(addDays(p.to, 1), '00:00')] as const;
const db = (d: Db) => trustedDb(d, 'indicator of the rollout cockpit');

export const gradesIndicators: IndicatorDefinition[] = [
  {
    key: 'grades.assessments',
    label: { fr: 'Évaluations saisies', en: 'Assessments entered' },
    unit: 'count',
    compute: async (d, establishmentId, p) => ({
      value: (await grades.countAssessments(db(d), establishmentId, ...span(p))).assessments,
    }),
  },
  {
    key: 'grades.grades_per_teacher',
    label: {
      fr: 'Notes saisies par enseignant (parmi ceux qui saisissent)',
      en: 'Grades entered per teacher (of those entering)',
    },
    unit: 'count',
    compute: async (d, establishmentId, p) => {
      const [{ teachers }, n] = await Promise.all([
        grades.countAssessments(db(d), establishmentId, ...span(p)),
        grades.countGrades(db(d), establishmentId, ...span(p)),
      ]);
      return { value: teachers ? Math.round((n / teachers) * 10) / 10 : 0, numerator: n, denominator: teachers };
    },
  },
  {
    key: 'grades.teachers_entering',
    label: {
      fr: 'Part des enseignants ayant saisi au moins une évaluation',
      en: 'Share of teachers who entered at least one assessment',
    },
    unit: 'rate',
    compute: async (d, establishmentId, p) => {
      const [{ teachers }, all] = await Promise.all([
        grades.countAssessments(db(d), establishmentId, ...span(p)),
        grades.teacherCount(db(d), establishmentId),
      ]);
      return { value: all ? teachers / all : 0, numerator: teachers, denominator: all };
    },
  },
  {
    key: 'grades.family_views',
    label: { fr: 'Consultations des notes par les élèves et les parents', en: 'Grade views by students and guardians' },
    unit: 'count',
    compute: async (d, establishmentId, p) => ({
      value: await grades.usageCount(db(d), establishmentId, 'grades.view', ['student', 'guardian'], p.from, p.to),
    }),
  },
  {
    key: 'grades.reports_published',
    label: { fr: 'Bulletins de classe publiés', en: 'Class reports published' },
    unit: 'count',
    compute: async (d, establishmentId, p) => ({
      value: await grades.countReports(db(d), establishmentId, ...span(p)),
    }),
  },
];

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export const gradesPersonalData: PersonalDataDeclaration = {
  purpose: {
    fr: 'Évaluer les élèves et en informer les élèves et leurs responsables : notes, compétences, moyennes, bulletins périodiques.',
    en: 'Assess students and inform them and their guardians: grades, competencies, averages, periodic reports.',
  },
  legalBasis: {
    fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; code de l'éducation (évaluation des élèves) ; arrêté ENT du 30 novembre 2006.",
    en: "The school's public-interest mission (GDPR art. 6-1-e); French education code (assessment of students); ENT decree of 30 November 2006.",
  },
  categories: [
    {
      key: 'grades',
      label: {
        fr: 'Notes et codes (absent, dispensé, non rendu), niveaux de compétences, moyennes',
        en: 'Grades and codes (absent, exempt, not handed in), competency levels, averages',
      },
      fields: ['subject', 'title', 'date', 'value', 'code', 'scale', 'coefficient', 'competencies'],
    },
    {
      key: 'reports',
      label: {
        fr: 'Appréciations des enseignants, du professeur principal et de la direction ; publication des bulletins',
        en: 'Comments of the teachers, the head teacher and the direction; publication of reports',
      },
      fields: ['period', 'kind', 'subject', 'text', 'author', 'publishedAt'],
    },
    {
      key: 'entry',
      label: { fr: 'Évaluations saisies (enseignants)', en: 'Assessments entered (teachers)' },
      fields: ['subject', 'title', 'date', 'createdAt'],
    },
  ],
  audience: {
    fr: 'L’élève et ses responsables qui suivent sa scolarité (après le délai de publication) ; ses enseignants, la vie scolaire et la direction de l’établissement. Jamais un autre établissement.',
    en: 'The student and the guardians who follow their schooling (after the publication delay); their teachers, the school-life staff and the direction. Never another establishment.',
  },
  retention: {
    fr: 'L’année scolaire et l’année suivante dans l’ENT, puis effacées (les bulletins sont remis aux familles et conservés par l’établissement dans son logiciel de scolarité).',
    en: 'The school year and the next one in the ENT, then erased (reports are given to families and kept by the school in its student information system).',
  },
  exportFor: async (d, userId) => {
    const t = trustedDb(d, 'the person’s own data export');
    const [mine, entered, comments] = await Promise.all([
      grades.gradesOfPerson(t, userId),
      grades.assessmentsByPerson(t, userId),
      grades.commentsAbout(t, userId),
    ]);
    return {
      grades: mine.map((g) => ({
        establishmentId: g.establishment_id,
        subject: g.label,
        title: g.title,
        date: g.on_date,
        value: g.value === null ? null : Number(g.value),
        code: g.code,
        scale: Number(g.scale),
        coefficient: Number(g.coefficient),
      })),
      assessmentsEntered: entered.map((a) => ({
        establishmentId: a.establishment_id,
        subject: a.label,
        title: a.title,
        date: a.on_date,
        createdAt: iso(a.created_at),
      })),
      reportComments: comments.map((c) => ({
        establishmentId: c.establishment_id,
        period: c.period,
        kind: c.kind,
        subject: c.subject_code || null,
        text: c.text,
        about: c.student_id === userId ? 'me' : 'a student',
        writtenByMe: c.author_id === userId,
        updatedAt: iso(c.updated_at),
      })),
    };
  },
};
