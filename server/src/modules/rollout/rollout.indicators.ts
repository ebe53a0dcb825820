import type { Db } from '../../platform/db/schema.ts';
import type { IndicatorDefinition } from '../../platform/module.ts';
import { charterFacts } from '../charter/index.ts';
import { directoryFacts, type RosterRow } from '../directory/index.ts';
import { activity } from './activity.repository.ts';
import { trusted } from './indicators.service.ts';
import { trainings } from './people.repository.ts';
import { parisEndOf, parisMidnight } from './rollout.dates.ts';

const share = (numerator: number, denominator: number) => ({
  value: denominator === 0 ? 0 : numerator / denominator,
  numerator,
  denominator,
});

/** Distinct accounts of a profile (or all), and those activated by the end of `day`. */
function activated(roster: RosterRow[], profile: string | null, day: string) {
  const end = parisEndOf(day);
  // Today's members are the denominator (see activationOf): the share of them activated by the end of `day`.
  const rows = roster.filter((r) => !profile || r.profile === profile);
  const all = new Set(rows.map((r) => r.user_id));
  const yes = new Set(
    rows.filter((r) => r.activated && r.activated_at && new Date(r.activated_at) < end).map((r) => r.user_id),
  );
  return share(yes.size, all.size);
}

const activationRate = (key: string, profile: string | null, fr: string, en: string): IndicatorDefinition => ({
  key,
  label: { fr, en },
  unit: 'rate',
  compute: async (db, establishmentId, { to }) =>
    activated(await directoryFacts.roster(db, establishmentId), profile, to),
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
      const [roster, accepted] = await Promise.all([
        directoryFacts.roster(db, establishmentId),
        charterFacts.acceptedAt(db, establishmentId),
      ]);
      const end = parisEndOf(to);
      const people = new Set(roster.map((r) => r.user_id));
      const yes = [...people].filter((id) => {
        const at = accepted.get(id);
        return at !== undefined && at < end;
      });
      return share(yes.length, people.size);
    },
  },
  {
    key: 'rollout.active_rate',
    label: { fr: "Personnes actives dans l'ENT sur 30 jours", en: 'People active in the ENT over 30 days' },
    unit: 'rate',
    compute: async (db, establishmentId, { to }) => {
      const [roster, users] = await Promise.all([
        directoryFacts.roster(db, establishmentId),
        activity.monthUsers(trusted(db), establishmentId, '*', '*', to),
      ]);
      return share(users, new Set(roster.map((r) => r.user_id)).size);
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
