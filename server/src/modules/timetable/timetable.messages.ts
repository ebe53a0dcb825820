import type { timetableApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** A guardian of several children says which one (shared with the logbook: the same wording, one object). */
export const STUDENT_REQUIRED = {
  fr: 'Précisez de quel enfant il s’agit (paramètre « student »).',
  en: 'Say which child (the "student" parameter).',
};

/** Wording of the timetable's problem codes. */
export const timetableMessages: Messages<(typeof timetableApi.errors)[number]> = {
  STUDENT_REQUIRED,
  COURSE_TARGET: {
    fr: 'Un cours concerne soit une classe, soit un groupe (un seul des deux).',
    en: 'A course is for a class or for a group (exactly one of them).',
  },
  COURSE_TIMES: {
    fr: 'L’heure de fin doit suivre l’heure de début.',
    en: 'The end time must come after the start time.',
  },
  COURSE_DATES: {
    fr: 'Les dates doivent être comprises dans l’année scolaire ({from} – {to}).',
    en: 'The dates must be within the school year ({from} – {to}).',
  },
  SUBJECT_UNKNOWN: { fr: 'Matière inconnue : {code}.', en: 'Unknown subject: {code}.' },
  TEACHER_UNKNOWN: {
    fr: 'Les enseignants d’un cours doivent être des enseignants de l’établissement.',
    en: "A course's teachers must be teachers of the establishment.",
  },
  WEEK_PATTERN_UNKNOWN: { fr: 'Alternance de semaines inconnue.', en: 'Unknown week pattern.' },
  OCCURRENCE_NOT_FOUND: {
    fr: 'Ce cours n’a pas lieu le {date}.',
    en: 'This course does not take place on {date}.',
  },
  TIMETABLE_ARCHIVED: {
    fr: 'Cette année scolaire est archivée : son emploi du temps ne se modifie plus.',
    en: 'This school year is archived: its timetable can no longer change.',
  },
  TIMETABLE_IMPORT_NO_FILES: {
    fr: 'Aucun fichier à importer : joignez sts_emp.xml et emp_sts.xml, ou un fichier CSV.',
    en: 'No file to import: attach sts_emp.xml and emp_sts.xml, or a CSV file.',
  },
  TIMETABLE_IMPORT_FILE_TYPE: {
    fr: 'Le fichier « {file} » n’est ni un fichier XML d’échange STS-Web ni un fichier CSV.',
    en: 'The file "{file}" is neither an STS-Web exchange XML file nor a CSV file.',
  },
  TIMETABLE_IMPORT_INVALID: {
    fr: 'Le fichier « {file} » ne peut pas être lu : {reason}. Rien n’a été importé.',
    en: 'The file "{file}" cannot be read: {reason}. Nothing was imported.',
  },
  TIMETABLE_IMPORT_ESTABLISHMENT: {
    fr: 'Précisez l’établissement (champ « establishment ») avant d’importer.',
    en: 'Say which establishment (the "establishment" field) before importing.',
  },
};
