import type { EstablishmentProfile, Membership } from '@preau/contracts';
import type { TFunction } from 'i18next';
import { type Gender, genderContext, type StaffRole, staffRoles } from './format.ts';

const HEADS: StaffRole[] = ['head', 'deputy_head'];
/** The most telling first: "Direction, Administratrice locale", "Enseignante, Responsable légale". */
const ORDER: EstablishmentProfile[] = ['principal', 'local_admin', 'staff', 'teacher', 'guardian', 'student'];
const NOT_STAFF_ROLES: StaffRole[] = ['teaching', 'direction', ...HEADS];

/**
 * What a person is in one establishment, as people say it: the directory's position when it is known ("CPE",
 * "Cheffe d'établissement adjointe", "Professeure documentaliste"), else the profile ("Enseignante",
 * "Administratrice locale"), in agreement with the person's gender when the directory knows it.
 */
export function membershipRoles(
  t: TFunction,
  m: { profiles: readonly EstablishmentProfile[]; functions: readonly string[] },
  gender?: Gender | null,
): string[] {
  const g = genderContext(gender ?? undefined);
  const roles = staffRoles(m.functions);
  const role = (r: StaffRole) => t(r === 'cpe' ? 'roles.cpe' : `roles.${r}`, g);
  const profile = (p: EstablishmentProfile) => t(`profiles.${p}`, g);
  const labels: string[] = [];
  const ordered = [...m.profiles].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  for (const p of ordered) {
    if (p === 'principal') {
      const head = roles.find((r) => HEADS.includes(r));
      labels.push(head ? role(head) : profile(p));
    } else if (p === 'staff') {
      const own = roles.filter((r) => !NOT_STAFF_ROLES.includes(r));
      labels.push(...(own.length > 0 ? own.map(role) : [profile(p)]));
    } else if (p === 'teacher' && roles.includes('librarian') && !m.profiles.includes('staff')) {
      labels.push(role('librarian'));
    } else {
      labels.push(profile(p));
    }
  }
  return [...new Set(labels)];
}

/** "Emma", "Emma et Hugo" / "Emma and Hugo". */
export function listOfNames(names: readonly string[], lang: string): string {
  return new Intl.ListFormat(lang.startsWith('en') ? 'en-GB' : 'fr-FR', { type: 'conjunction' }).format(names);
}

/**
 * How a person picks among their establishments: a parent by child ("Emma — Lycée Jean Jaurès"), anyone else by
 * establishment and role ("Collège Louise Michel — Enseignant"). Never by UAI code.
 */
export function membershipChoiceLabel(
  t: TFunction,
  m: Pick<Membership, 'establishment' | 'profiles' | 'functions' | 'children'>,
  lang: string,
  gender?: Gender | null,
): string {
  const onlyGuardian = m.profiles.every((p) => p === 'guardian');
  if (m.children.length > 0 && onlyGuardian) {
    return t('portal.choiceChild', {
      children: listOfNames(
        m.children.map((c) => c.firstName),
        lang,
      ),
      establishment: m.establishment.name,
    });
  }
  return t('portal.choiceEstablishment', {
    establishment: m.establishment.name,
    roles: membershipRoles(t, m, gender).join(', '),
  });
}

/** A person's functions as the directory gives them, worded ("CPE", "Vie scolaire"); an unknown one as given. */
export function functionLabels(t: TFunction, functions: readonly string[]): string[] {
  return functions.map((f) => {
    const [role] = staffRoles([f]);
    return role ? t(`roles.${role}`) : f;
  });
}
