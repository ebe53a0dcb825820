import type { PersonalDataDeclaration } from '../../platform/module.ts';
import { accountData } from './personal-data.repository.ts';

/** Accounts: how each person logs in. Passwords are kept only as Argon2id hashes, codes as SHA-256 hashes. */
export const accountsPersonalData: PersonalDataDeclaration = {
  title: { fr: 'Compte et connexion', en: 'Account and login' },
  purpose: {
    fr: "Permettre à chacun de se connecter à l'ENT et de retrouver l'accès à son compte.",
    en: 'Let each person log in to the ENT and recover access to their account.',
  },
  legalBasis: {
    fr: "Mission d'intérêt public (RGPD, art. 6-1-e) ; obligation de sécurité (RGPD, art. 32).",
    en: 'Public-interest mission (GDPR art. 6-1-e); security obligation (GDPR art. 32).',
  },
  categories: [
    {
      key: 'credentials',
      label: { fr: 'Identifiant et mot de passe (haché)', en: 'Login and password (hashed)' },
      fields: ['login', 'passwordHash', 'passwordChangedAt', 'activationCodeHash'],
    },
    { key: 'recovery', label: { fr: 'Adresse électronique', en: 'E-mail address' }, fields: ['email'] },
    {
      key: 'recoveryLinks',
      label: {
        fr: 'Liens « mot de passe oublié » envoyés (empreinte, date, adresse IP ; effacés après un jour)',
        en: 'Forgotten-password links sent (hash, date, IP address; erased after a day)',
      },
      fields: ['tokenHash', 'createdAt', 'expiresAt', 'usedAt', 'address'],
    },
    { key: 'activity', label: { fr: 'Dernière connexion', en: 'Last login' }, fields: ['lastLoginAt'] },
  ],
  audience: {
    fr: "La personne ; les administrateurs de l'établissement voient l'état du compte, jamais le mot de passe.",
    en: 'The person; establishment administrators see the account state, never the password.',
  },
  retention: {
    fr: 'Tant que le compte existe ; supprimé avec lui.',
    en: 'As long as the account exists; deleted with it.',
  },
  exportFor: async (db, userId) => ({ account: (await accountData(db, userId)) ?? null }),
};
