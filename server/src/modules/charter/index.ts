import { charterApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import { charters } from './charter.repository.ts';
import { charterRoutes } from './charter.routes.ts';

export { acceptancesAtLogin, charterFacts, hasAcceptedCharter, pendingCharters } from './charter.service.ts';

export const charterModule = defineModule({
  name: 'charter',
  prefix: '/api',
  api: charterApi,
  tables: ['charter', 'charter_acceptance'],
  permissions: { 'charter.manage': ['principal', 'local_admin'] },
  personalData: {
    title: { fr: "Charte d'usage", en: 'Charter' },
    purpose: {
      fr: "Garder la trace de l'acceptation de la charte d'usage, préalable à l'utilisation des services.",
      en: 'Keep the record of the charter acceptance, required before using the services.',
    },
    legalBasis: {
      fr: "Mission d'intérêt public (RGPD, art. 6-1-e) ; charte d'usage de l'établissement.",
      en: "Public-interest mission (GDPR art. 6-1-e); the establishment's charter.",
    },
    categories: [
      {
        key: 'acceptance',
        label: { fr: 'Acceptation de la charte', en: 'Charter acceptance' },
        fields: ['charter', 'version', 'acceptedAt'],
      },
    ],
    audience: {
      fr: "La personne ; la direction voit les taux d'acceptation par profil, sans les noms.",
      en: 'The person; the direction sees acceptance rates per profile, without names.',
    },
    retention: { fr: 'Tant que le compte existe.', en: 'As long as the account exists.' },
    exportFor: async (db, userId) => ({ acceptances: await charters.acceptancesOf(db, userId) }),
  },
  plugin: charterRoutes,
});
