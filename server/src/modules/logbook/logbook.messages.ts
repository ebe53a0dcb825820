import type { logbookApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';
import { STUDENT_REQUIRED } from '../timetable/index.ts';

/** Wording of the logbook's problem codes. */
export const logbookMessages: Messages<(typeof logbookApi.errors)[number]> = {
  STUDENT_REQUIRED,
  LESSON_EXISTS: {
    fr: 'La séance du {date} est déjà remplie : modifiez-la plutôt.',
    en: 'The lesson of {date} is already written: edit it instead.',
  },
  LESSON_DATE: {
    fr: 'Ce cours n’a pas lieu le {date} (hors de ses dates ou de l’année scolaire).',
    en: 'This course does not run on {date} (outside its dates or the school year).',
  },
  LESSON_SIGNED: {
    fr: 'Cette séance a été visée : elle ne peut plus être supprimée (une modification est gardée comme rectificatif).',
    en: 'This lesson was signed: it can no longer be deleted (a change is kept as an amendment).',
  },
  CONTENT_UNSAFE: {
    fr: 'Le texte contient du code ({what}) : retirez-le, seul le texte mis en forme est accepté.',
    en: 'The text contains code ({what}): remove it, only formatted text is accepted.',
  },
  HOMEWORK_DUE_BEFORE_LESSON: {
    fr: 'Le travail ne peut pas être à rendre ({due}) avant la séance où il est donné ({date}).',
    en: 'Homework cannot be due ({due}) before the lesson it is set in ({date}).',
  },
  HOMEWORK_TARGET: {
    fr: 'Ce groupe n’est pas un groupe de la classe de ce cours, ni un groupe que vous enseignez.',
    en: 'This group is neither a group of the course’s class nor a group you teach.',
  },
  LOGBOOK_ARCHIVED: {
    fr: 'Le cahier de textes de cette année scolaire est archivé : il ne se modifie plus.',
    en: 'The logbook of this school year is archived: it can no longer change.',
  },
  HOMEWORK_NOT_YOURS: {
    fr: 'Seul l’élève concerné peut cocher « fait ».',
    en: 'Only the student concerned can tick « done ».',
  },
  PERIOD_TOO_LONG: {
    fr: 'La période couvre au plus {max} jours.',
    en: 'The period covers at most {max} days.',
  },
  INSPECTOR_UNKNOWN: {
    fr: 'Aucun compte actif n’a l’identifiant « {login} ».',
    en: 'No active account has the login "{login}".',
  },
  VISA_TARGET: {
    fr: 'Précisez un enseignant ou une classe de l’établissement (un seul des deux).',
    en: 'Name a teacher or a class of the establishment (exactly one).',
  },
  ATTACHMENT_NOT_ALLOWED: {
    fr: "Vous ne pouvez pas joindre un document que vous n'avez pas le droit de lire.",
    en: 'You cannot attach a document you may not read.',
  },
};
