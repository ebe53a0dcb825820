import type { Db } from '../../platform/db/schema.ts';
import type { IndicatorDefinition } from '../../platform/module.ts';
import type { AdoptionFigures } from '../directory/index.ts';
import { activity } from './activity.repository.ts';
import { adoptionFigures, countBefore, trusted } from './indicators.service.ts';
import { trainings } from './people.repository.ts';
import { parisEndOf, parisMidnight } from './rollout.dates.ts';

const share = (numerator: number, denominator: number) => ({
  value: denominator === 0 ? 0 : numerator / denominator,
  numerator,
  denominator,
});

/** Distinct accounts of a profile (or all), and those activated by the end of `day`. */
function activated(figures: AdoptionFigures, profile: string | null, day: string) {
  // Today's members are the denominator (see activationOf): the share of them activated by the end of `day`.
  const f = profile ? figures.byProfile.get(profile) : figures.people;
  return share(f ? countBefore(f.activatedTimes, parisEndOf(day)) : 0, f?.total ?? 0);
}

const activationRate = (key: string, profile: string | null, fr: string, en: string): IndicatorDefinition => ({
  key,
  label: { fr, en },
  unit: 'rate',
  compute: async (db, establishmentId, { to }) => activated(await adoptionFigures(db, establishmentId), profile, to),
});

/**
 * The cockpit's own indicators, offered like any module's: computed from the directory, the charter, the usage
 * roll-up and the training records — never guessed. A period's value is the state at its last day.
 */
export const rolloutIndicators: IndicatorDefinition[] = [
  activationRate(
    'rollout.activation_rate',
    null,
    'Comptes activés (tous profils)',
    'Activated accounts (all profiles)',
  ),
  activationRate(
    'rollout.guardian_activation_rate',
    'guardian',
    'Comptes activés des responsables',
    'Activated guardian accounts',
  ),
  activationRate(
    'rollout.teacher_activation_rate',
    'teacher',
    'Comptes activés des enseignants',
    'Activated teacher accounts',
  ),
  {
    key: 'rollout.charter_rate',
    label: { fr: 'Charte acceptée (tous profils)', en: 'Charter accepted (all profiles)' },
    unit: 'rate',
    compute: async (db, establishmentId, { to }) => {
      const { people } = await adoptionFigures(db, establishmentId);
      return share(countBefore(people.acceptedTimes, parisEndOf(to)), people.total);
    },
  },
  {
    key: 'rollout.active_rate',
    label: { fr: "Personnes actives dans l'ENT sur 30 jours", en: 'People active in the ENT over 30 days' },
    unit: 'rate',
    compute: async (db, establishmentId, { to }) => {
      const [figures, users] = await Promise.all([
        adoptionFigures(db, establishmentId),
        activity.monthUsers(trusted(db), establishmentId, '*', '*', to),
      ]);
      return share(users, figures.people.total);
    },
  },
  {
    key: 'rollout.training_attendance',
    label: { fr: 'Présences en formation', en: 'Training attendances' },
    unit: 'count',
    compute: async (db: Db, establishmentId, { from, to }) => {
      const r = await trainings.attendedBetween(trusted(db), establishmentId, parisMidnight(from), parisEndOf(to));
      return { value: r.present, numerator: r.present, denominator: r.registered };
    },
  },
];

/** Profiles whose share of active users in a service an objective can aim at. */
export const SERVICE_ACTIVE_PROFILES = ['teacher', 'student', 'guardian', 'staff'] as const;
export const SERVICE_ACTIVE_PREFIX = 'rollout.service_active.';

export const serviceActiveLabel = {
  fr: {
    teacher: 'Part des enseignants actifs dans le service (30 jours)',
    student: 'Part des élèves actifs dans le service (30 jours)',
    guardian: 'Part des responsables actifs dans le service (30 jours)',
    staff: 'Part des personnels actifs dans le service (30 jours)',
  },
  en: {
    teacher: 'Share of teachers active in the service (30 days)',
    student: 'Share of students active in the service (30 days)',
    guardian: 'Share of guardians active in the service (30 days)',
    staff: 'Share of staff active in the service (30 days)',
  },
} as const;
