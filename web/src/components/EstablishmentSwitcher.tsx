import { Select } from '@codegouvfr/react-dsfr/Select';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../app/auth.tsx';
import { membershipChoiceLabel } from './people.ts';

/**
 * For people in several establishments: which one the portal and the administration show. A parent picks a child
 * ("Emma — Lycée Jean Jaurès"), anyone else an establishment and their role there; never a UAI code.
 */
export function EstablishmentSwitcher() {
  const { t, i18n } = useTranslation();
  const { me, membership, setEstablishmentId } = useAuth();
  if (!me || me.memberships.length < 2 || !membership) return null;
  const byChild = me.memberships.every((m) => m.children.length > 0 && m.profiles.every((p) => p === 'guardian'));
  return (
    <Select
      className="preau-switcher"
      label={byChild ? t('portal.switchChild') : t('portal.switchEstablishment')}
      nativeSelectProps={{
        name: 'establishment',
        value: membership.establishment.id,
        onChange: (e) => setEstablishmentId(e.target.value),
      }}
    >
      {me.memberships.map((m) => (
        <option key={m.establishment.id} value={m.establishment.id}>
          {membershipChoiceLabel(t, m, i18n.language, me.user.gender)}
        </option>
      ))}
    </Select>
  );
}
