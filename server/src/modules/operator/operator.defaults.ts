import type { OperatorIdentityBody } from '@preau/contracts';
import type { Lang } from '../../platform/i18n.ts';

/**
 * The identity shown until the platform administrator gives the real one: it says plainly that this is a
 * demonstration instance, run by nobody, with fictitious people — never "to be completed at installation".
 * Worded in the reader's language (once configured, the operator's own words are shown as written).
 */
export function defaultIdentity(lang: Lang): OperatorIdentityBody {
  const fr = lang === 'fr';
  return {
    kind: 'other',
    name: fr ? 'Instance de démonstration de Préau' : 'Préau demonstration instance',
    serviceName: 'Préau',
    tagline: fr ? 'Espace numérique de travail — démonstration' : 'Digital workspace — demonstration',
    brandTop: 'République\nFrançaise',
    logo: null,
    publisher: {
      name: fr ? 'Instance de démonstration (aucun exploitant)' : 'Demonstration instance (no operator)',
      address: fr
        ? "Cette instance sert à découvrir Préau : ses établissements et ses personnes sont fictifs, et aucune collectivité ni académie ne l'exploite. L'exploitant d'une instance réelle renseigne ici son identité."
        : 'This instance is for discovering Préau: its schools and people are fictitious, and no local authority or académie runs it. The operator of a real instance gives its identity here.',
      email: '',
      phone: '',
      director: '',
    },
    host: {
      name: fr ? 'La machine où cette démonstration a été lancée' : 'The machine this demonstration was started on',
      address: '',
      phone: '',
    },
    legalNotice: fr
      ? "N'y saisissez aucune donnée réelle : les comptes de démonstration sont publics et la base peut être remise à zéro à tout moment."
      : 'Do not enter any real data: the demonstration accounts are public and the database may be reset at any time.',
    dpo: {
      name: fr
        ? 'Aucun : instance de démonstration sans donnée réelle'
        : 'None: a demonstration instance without real data',
      email: '',
      address: '',
    },
    accessibility: {
      status: 'none',
      auditDate: null,
      auditBy: '',
      statement: fr
        ? "Préau n'a pas encore fait l'objet d'un audit RGAA 4.1. Chaque page est vérifiée automatiquement (axe-core) et au clavier lors des tests, mais un audit complet reste à conduire.\n\nLes services marqués « bientôt disponible » ne sont pas encore livrés."
        : 'Préau has not been audited against RGAA 4.1 yet. Every page is checked automatically (axe-core) and with the keyboard in the tests, but a full audit remains to be done.\n\nThe services marked "coming soon" are not delivered yet.',
      contact: '',
    },
    footerLinks: [],
  };
}
