import type { Db } from '../../platform/db/schema.ts';
import type { PersonalDataDeclaration } from '../../platform/module.ts';
import { personalData } from './personal-data.repository.ts';

async function exportFor(db: Db, userId: string) {
  const [identity, memberships, enrolments, guardianships, teaching] = await Promise.all([
    personalData.identity(db, userId),
    personalData.memberships(db, userId),
    personalData.enrolments(db, userId),
    personalData.guardianships(db, userId),
    personalData.teaching(db, userId),
  ]);
  // A membership blocked by its establishment says since when; the others say nothing more.
  const withBlocks = memberships.map(({ blockedSince, ...m }) => (blockedSince ? { ...m, blockedSince } : m));
  return { identity, memberships: withBlocks, enrolments, guardianships, teaching };
}

/** The directory: who is who in each establishment, from the académie's feed (AAF) or the school's files. */
export const directoryPersonalData: PersonalDataDeclaration = {
  title: { fr: 'Annuaire', en: 'Directory' },
  purpose: {
    fr: "Tenir l'annuaire de l'établissement : identifier chacun, savoir qui enseigne à qui et qui est responsable de quel élève, pour ouvrir les comptes et régler l'accès aux services.",
    en: "Keep the establishment's directory: identify each person, know who teaches whom and who is responsible for which student, to open accounts and set access to services.",
  },
  legalBasis: {
    fr: "Mission d'intérêt public (RGPD, art. 6-1-e) ; arrêté du 30 novembre 2006 relatif aux ENT ; données issues de l'annuaire académique (AAF).",
    en: 'Public-interest mission (GDPR art. 6-1-e); French ENT decree of 30 November 2006; data from the academic directory (AAF).',
  },
  categories: [
    {
      key: 'identity',
      label: { fr: 'Identité', en: 'Identity' },
      fields: ['lastName', 'firstName', 'title', 'birthDate', 'ine', 'login'],
    },
    {
      key: 'contact',
      label: { fr: 'Coordonnées', en: 'Contact details' },
      fields: ['email', 'phones', 'address'],
    },
    {
      key: 'schooling',
      label: { fr: 'Scolarité et fonctions', en: 'Schooling and positions' },
      fields: ['profiles', 'functions', 'classes', 'groups', 'teaching', 'guardianships', 'blockedSince'],
    },
    {
      key: 'consents',
      label: { fr: 'Consentements (droit à l’image…)', en: 'Consents (image rights…)' },
      fields: ['consents'],
    },
  ],
  audience: {
    fr: "La personne ; les administrateurs de l'établissement ; les membres de l'établissement voient le nom et la fonction de ceux à qui ils peuvent écrire.",
    en: 'The person; the establishment administrators; members see the name and position of those they may write to.',
  },
  retention: {
    fr: "Tant que la personne est membre d'un établissement. Un compte détaché de l'annuaire (départ, fusion de doublons) n'a plus d'accès ; ses données restent jusqu'à sa suppression par l'académie.",
    en: 'As long as the person is a member of an establishment. An account detached from the directory (leaving, merged duplicate) has no access; its data stays until the academy deletes it.',
  },
  exportFor,
};
