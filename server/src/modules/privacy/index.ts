import { privacyApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import { privacyRoutes } from './privacy.routes.ts';
import { tracesOf } from './privacy.service.ts';

/**
 * Personal data: the processing register and each person's export, both generated from the modules'
 * declarations (`personalData` in defineModule). It declares the platform's own traces.
 */
export const privacyModule = defineModule({
  name: 'privacy',
  prefix: '/api/privacy',
  api: privacyApi,
  permissions: {},
  personalData: {
    title: { fr: "Sécurité et mesure d'usage", en: 'Security and usage measurement' },
    purpose: {
      fr: "Sécuriser l'accès à l'ENT et tracer les actions sensibles ; mesurer l'usage des services pour piloter leur déploiement.",
      en: 'Secure access to the ENT and trace sensitive actions; measure the use of services to steer their rollout.',
    },
    legalBasis: {
      fr: "Mission d'intérêt public (RGPD, art. 6-1-e) ; obligation de sécurité (RGPD, art. 32).",
      en: 'Public-interest mission (GDPR art. 6-1-e); security obligation (GDPR art. 32).',
    },
    categories: [
      {
        key: 'sessions',
        label: { fr: 'Sessions de connexion', en: 'Login sessions' },
        fields: ['createdAt', 'lastSeenAt', 'address', 'userAgent'],
      },
      {
        key: 'audit',
        label: { fr: 'Journal des actions sensibles', en: 'Log of sensitive actions' },
        fields: ['at', 'action', 'target', 'address'],
      },
      {
        key: 'usage',
        label: { fr: "Événements d'usage des services", en: 'Service usage events' },
        fields: ['at', 'service', 'action'],
      },
    ],
    audience: {
      fr: "La personne ; les administrateurs de l'établissement et de la plateforme pour le journal ; les indicateurs d'usage ne sont montrés qu'agrégés.",
      en: 'The person; the establishment and platform administrators for the log; usage indicators are only shown aggregated.',
    },
    retention: {
      fr: 'Sessions : jusqu’à leur expiration (effacées toutes les 30 minutes) ; journal : un an ; événements d’usage : treize mois, puis seuls restent les totaux par jour, sans nom.',
      en: 'Sessions: until they expire (erased every 30 minutes); log: one year; usage events: thirteen months, after which only daily totals remain, without names.',
    },
    exportFor: tracesOf,
  },
  plugin: privacyRoutes,
});
