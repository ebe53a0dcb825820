import type { gradesApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';
import { STUDENT_REQUIRED } from '../timetable/index.ts';

/** Wording of the grades' problem codes. */
export const gradesMessages: Messages<(typeof gradesApi.errors)[number]> = {
  STUDENT_REQUIRED,
  GRADE_ABOVE_SCALE: {
    fr: 'La note {value} dépasse le barème de l’évaluation (sur {scale}). Rien n’a été enregistré.',
    en: 'The grade {value} is above the assessment’s scale (out of {scale}). Nothing was saved.',
  },
  GRADE_VALUE_AND_CODE: {
    fr: 'Une note ou un code (absent, dispensé, non rendu), pas les deux. Rien n’a été enregistré.',
    en: 'A grade or a code (absent, exempt, not handed in), not both. Nothing was saved.',
  },
  GRADE_EMPTY: {
    fr: 'Chaque élève de la liste doit avoir une note, un code ou un niveau de compétence. Rien n’a été enregistré.',
    en: 'Each student listed needs a grade, a code or a competency level. Nothing was saved.',
  },
  GRADE_DUPLICATE_STUDENT: {
    fr: 'Un élève figure deux fois dans la liste des notes. Rien n’a été enregistré.',
    en: 'A student is listed twice. Nothing was saved.',
  },
  GRADE_STUDENT_NOT_IN_CLASS: {
    fr: 'Un élève de la liste n’est pas dans cette classe ou ce groupe. Rien n’a été enregistré.',
    en: 'A student listed is not in this class or group. Nothing was saved.',
  },
  GRADE_TARGET: {
    fr: 'Une évaluation concerne soit une classe, soit un groupe (un seul des deux).',
    en: 'An assessment is for a class or for a group (exactly one of them).',
  },
  GRADE_DATE: {
    fr: 'La date doit être comprise dans l’année scolaire ({from} – {to}).',
    en: 'The date must be within the school year ({from} – {to}).',
  },
  GRADE_COMPETENCIES: {
    fr: 'Plus de niveaux que de compétences évaluées. Rien n’a été enregistré.',
    en: 'More levels than competencies assessed. Nothing was saved.',
  },
  GRADE_SUBJECT_NOT_TAUGHT: {
    fr: 'Vous n’enseignez pas cette matière dans cette classe ou ce groupe.',
    en: 'You do not teach this subject in this class or group.',
  },
  REPORT_NOT_PUBLISHED: {
    fr: 'Ce bulletin n’est pas encore publié par l’établissement.',
    en: 'This report has not been published by the school yet.',
  },
  REPORT_SUBJECT_REQUIRED: {
    fr: 'Précisez la matière de l’appréciation (champ « subjectCode »).',
    en: 'Say which subject the comment is about (the "subjectCode" field).',
  },
};
