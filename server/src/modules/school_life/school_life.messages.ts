import type { schoolLifeApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** Wording of school life's problem codes. */
export const schoolLifeMessages: Messages<(typeof schoolLifeApi.errors)[number]> = {
  STUDENT_NOT_IN_COURSE: {
    fr: 'Un ou plusieurs élèves de l’appel ne font pas partie de ce cours : rien n’a été enregistré.',
    en: 'One or more students of the roll call are not in this course: nothing was recorded.',
  },
  NOT_AN_OCCURRENCE: {
    fr: 'Ce cours n’a pas lieu le {date} (jour sans ce cours, vacances ou cours annulé).',
    en: 'This course does not take place on {date} (no such course that day, holidays or cancelled).',
  },
  ROLL_CALL_CLOSED: {
    fr: 'Un appel fait ne peut plus être modifié par l’enseignant après la journée du cours : adressez-vous à la vie scolaire.',
    en: 'A roll call taken can no longer be changed by the teacher after the day of the course: ask the school life office.',
  },
  ROLL_CALL_TWICE: {
    fr: 'Un élève ne peut figurer qu’une fois dans l’appel (absent, en retard, parti avant la fin ou dispensé).',
    en: 'A student can appear only once in the roll call (absent, late, left early or exempt).',
  },
  NOT_A_GUARDIAN: {
    fr: 'Seul un responsable de cet élève peut justifier son absence.',
    en: 'Only a guardian of this student can justify the absence.',
  },
  ALREADY_JUSTIFIED: {
    fr: 'Cette absence est déjà justifiée.',
    en: 'This absence is already justified.',
  },
  JUSTIFICATION_PENDING: {
    fr: 'Une justification de cette absence attend déjà la réponse de la vie scolaire.',
    en: 'A justification of this absence is already waiting for the school life office.',
  },
  NO_PENDING_JUSTIFICATION: {
    fr: 'Aucune justification de cette absence n’attend de réponse.',
    en: 'No justification of this absence is waiting for an answer.',
  },
  REASON_UNKNOWN: {
    fr: 'Motif inconnu : {reason}. Choisissez un motif de la liste de l’établissement.',
    en: "Unknown reason: {reason}. Choose a reason from the establishment's list.",
  },
  ABSENCE_PERIOD: {
    fr: 'Indiquez une période valable : un jour ou des dates (début avant fin, deux mois au plus), ou un début et une fin.',
    en: 'Give a valid period: a day or dates (start before end, two months at most), or a start and an end.',
  },
  SANCTION_DIRECTION_ONLY: {
    fr: 'Les sanctions relèvent du chef d’établissement : un enseignant ou la vie scolaire peut donner une punition (retenue, exclusion de cours).',
    en: 'Sanctions are the head of the establishment’s: a teacher or the school life office can give a punishment (detention, exclusion from a lesson).',
  },
  DOCUMENT_NOT_ATTACHABLE: {
    fr: 'Un des documents joints n’existe pas ou ne vous est pas accessible.',
    en: 'One of the attached documents does not exist or is not yours to attach.',
  },
};
