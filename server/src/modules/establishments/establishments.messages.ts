import type { establishmentsApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** Wording of the module's problem codes (the contract lists them; a missing one does not compile). */
export const establishmentsMessages: Messages<(typeof establishmentsApi.errors)[number]> = {
  UAI_CHECK_LETTER: {
    fr: 'La lettre de contrôle du code UAI ne correspond pas.',
    en: 'The UAI check letter does not match.',
  },
  UAI_TAKEN: { fr: 'Un établissement a déjà ce code UAI.', en: 'An establishment already has this UAI.' },
  SLUG_TAKEN: { fr: 'Cette adresse publique est déjà prise.', en: 'This public address is already taken.' },
  UNKNOWN_ACADEMY: { fr: 'Académie inconnue.', en: 'Unknown academy.' },
  UNKNOWN_PERMISSION: {
    fr: 'Droit inconnu, ou qui ne se règle pas par établissement.',
    en: 'Unknown permission, or one that is not set per establishment.',
  },
  DUPLICATE_OVERRIDE: {
    fr: 'Ce droit est réglé deux fois pour le même profil.',
    en: 'This permission is set twice for the same profile.',
  },
  PERMISSIONS_LOCKOUT: {
    fr: 'La direction doit garder la gestion des droits, sinon plus personne ne pourrait les modifier.',
    en: 'The principal profile must keep managing permissions, or nobody could change them any more.',
  },
};
