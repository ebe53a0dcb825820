import { trustedDb } from '../../platform/access/authorize.ts';
import type { Db } from '../../platform/db/schema.ts';
import type { PersonalDataDeclaration } from '../../platform/module.ts';
import { activity } from './activity.repository.ts';
import { pulse, skills, support, trainings } from './people.repository.ts';
import { personal } from './rollout.repository.ts';

/** Everything the cockpit holds about one person (their export): never the pulse answers, which name nobody. */
async function rolloutOf(database: Db, userId: string) {
  const db = trustedDb(database as never, 'the export of the person’s own data');
  const [selfAssessment, steering, steps, needs, resourcePerson, bookings, registrations, pulses, days] =
    await Promise.all([
      skills.ofPerson(db, userId),
      personal.steeringRoles(db, userId),
      personal.stepsOwned(db, userId),
      personal.needsPosted(db, userId),
      support.resourceRolesOf(db, userId),
      support.bookingsOf(db, userId),
      trainings.ofPerson(db, userId),
      pulse.markersOf(db, userId),
      activity.userDaysOf(db, userId),
    ]);
  return {
    selfAssessment,
    steeringGroup: steering,
    stepsOwned: steps,
    needsPosted: needs,
    resourcePerson,
    bookings,
    trainingRegistrations: registrations,
    pulseMonthsAnswered: pulses,
    daysOfUse: days,
  };
}

export const rolloutPersonalData: PersonalDataDeclaration = {
  purpose: {
    fr: "Conduire le déploiement de l'ENT : plan et responsables des étapes, comité de pilotage, besoins exprimés, accompagnement (personnes ressources, rendez-vous, formations), autopositionnement numérique et avis anonymes.",
    en: 'Lead the ENT rollout: plan and step owners, steering group, needs expressed, support (resource persons, appointments, training), digital self-assessment and anonymous opinions.',
  },
  legalBasis: {
    fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; arrêté ENT du 30 novembre 2006.",
    en: "The school's public-interest mission (GDPR art. 6-1-e); French ENT decree of 30 November 2006.",
  },
  categories: [
    {
      key: 'plan',
      label: { fr: 'Étapes confiées, rôle au comité de pilotage', en: 'Steps owned, role in the steering group' },
      fields: ['title', 'dueDate', 'state', 'role', 'subject'],
    },
    {
      key: 'needs',
      label: { fr: 'Besoins exprimés et réponses', en: 'Needs posted and answers' },
      fields: ['title', 'body', 'subject', 'service', 'status', 'answer'],
    },
    {
      key: 'self_assessment',
      label: { fr: 'Autopositionnement numérique (privé)', en: 'Digital self-assessment (private)' },
      fields: ['domain', 'level', 'assessedAt'],
    },
    {
      key: 'support',
      label: { fr: 'Personne ressource, rendez-vous, formations', en: 'Resource person, appointments, training' },
      fields: ['slot', 'topic', 'training', 'registeredAt', 'present'],
    },
    {
      key: 'usage_rollup',
      label: { fr: "Jours d'utilisation de chaque service", en: 'Days of use of each service' },
      fields: ['service', 'day', 'events'],
    },
  ],
  audience: {
    fr: "La direction et le comité de pilotage (plan, besoins, rendez-vous, présences) ; l'autopositionnement reste privé : la direction n'en voit que des moyennes par discipline, jamais pour moins de 5 personnes ; les avis sont anonymes ; les indicateurs d'usage ne sont montrés qu'agrégés, sauf les pionniers (les plus actifs par discipline) au comité de pilotage.",
    en: 'The direction and the steering group (plan, needs, appointments, attendance); the self-assessment stays private: the direction only sees averages per discipline, never for fewer than 5 people; opinions are anonymous; usage indicators are only shown aggregated, except the pioneers (the most active per discipline) to the steering group.',
  },
  retention: {
    fr: "Le temps du déploiement, supprimé avec le compte ; jours d'utilisation : treize mois, comme les événements d'usage dont ils sont tirés.",
    en: 'For the time of the rollout, deleted with the account; days of use: thirteen months, like the usage events they come from.',
  },
  exportFor: rolloutOf,
};
