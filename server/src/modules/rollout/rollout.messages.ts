import type { rolloutApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** Wording of the rollout cockpit's problem codes. */
export const rolloutMessages: Messages<(typeof rolloutApi.errors)[number]> = {
  NOT_STEERING: {
    fr: "Réservé à la direction et au comité de pilotage du déploiement de l'établissement.",
    en: "Reserved to the direction and the establishment's rollout steering group.",
  },
  UNKNOWN_INDICATOR: {
    fr: "Cet indicateur n'existe pas : choisissez-en un dans la liste des indicateurs du plan.",
    en: 'This indicator does not exist: pick one from the list of the plan’s indicators.',
  },
  TARGET_OUT_OF_RANGE: {
    fr: 'Pour un taux, la cible est une part entre 0 et 1 (0,8 pour 80 %).',
    en: 'For a rate, the target is a share between 0 and 1 (0.8 for 80%).',
  },
  NOT_STAFF_MEMBER: {
    fr: "Cette personne ne fait pas partie des personnels de l'établissement.",
    en: "This person is not on the establishment's staff.",
  },
  NOT_TEACHER_OF_SUBJECT: {
    fr: "Le représentant d'une discipline doit l'enseigner cette année dans l'établissement.",
    en: 'The representative of a discipline must teach it this year in the establishment.',
  },
  DUPLICATE_SUBJECT: {
    fr: 'Une discipline a un seul représentant dans la cellule TICE.',
    en: 'A discipline has a single representative in the TICE cell.',
  },
  INVALID_PERIOD: {
    fr: 'La période est invalide : la fin doit suivre le début.',
    en: 'The period is invalid: the end must follow the start.',
  },
  PERIOD_TOO_LONG: {
    fr: 'La période couvre au plus {max} jours.',
    en: 'The period covers at most {max} days.',
  },
  SLOT_IN_PAST: {
    fr: 'Ce créneau est déjà passé.',
    en: 'This slot is already past.',
  },
  SLOT_TOO_LONG: {
    fr: 'Un créneau dure au plus {max} heures.',
    en: 'A slot lasts at most {max} hours.',
  },
  SLOT_OVERLAP: {
    fr: 'Ce créneau chevauche un autre créneau de la même personne ressource.',
    en: 'This slot overlaps another slot of the same resource person.',
  },
  SLOT_TAKEN: {
    fr: "Ce créneau vient d'être réservé par quelqu'un d'autre : choisissez-en un autre.",
    en: 'This slot has just been booked by someone else: choose another.',
  },
  OWN_SLOT: {
    fr: 'Vous ne pouvez pas réserver votre propre créneau.',
    en: 'You cannot book your own slot.',
  },
  ROOM_REQUIRED: {
    fr: 'Indiquez la salle du rendez-vous sur place.',
    en: 'Give the room of the on-site appointment.',
  },
  TRAINING_FULL: {
    fr: 'Cette formation est complète.',
    en: 'This training session is full.',
  },
  TRAINING_PAST: {
    fr: 'Cette formation a déjà commencé.',
    en: 'This training session has already started.',
  },
  NOT_REGISTERED: {
    fr: "Cette personne n'est pas inscrite (ou le créneau n'est pas réservé).",
    en: 'This person is not registered (or the slot is not booked).',
  },
  PULSE_ALREADY_ANSWERED: {
    fr: 'Vous avez déjà donné votre avis sur ce service ce mois-ci.',
    en: 'You have already given your opinion on this service this month.',
  },
  ALREADY_RESOURCE_PERSON: {
    fr: 'Cette personne est déjà personne ressource pour ce service ou cette discipline.',
    en: 'This person is already a resource person for this service or discipline.',
  },
  RESOURCE_PERSON_SCOPE: {
    fr: 'Une personne ressource l’est pour un service, une discipline, ou les deux.',
    en: 'A resource person is one for a service, a discipline, or both.',
  },
  UNKNOWN_AXIS: {
    fr: "Cet axe n'est pas un axe du projet de l'établissement ou de l'académie.",
    en: "This axis is not an axis of the establishment's or the académie's project.",
  },
  STEP_IN_USE: {
    fr: 'Une formation est rattachée à cette étape : détachez-la ou annulez-la d’abord.',
    en: 'A training session is linked to this step: unlink or cancel it first.',
  },
};
