import { Select } from '@codegouvfr/react-dsfr/Select';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../app/auth.tsx';

/** For people in several establishments: which one the portal and the administration show. */
export function EstablishmentSwitcher() {
  const { t } = useTranslation();
  const { me, membership, setEstablishmentId } = useAuth();
  if (!me || me.memberships.length < 2 || !membership) return null;
  return (
    <Select
      className="preau-switcher"
      label={t('portal.switchEstablishment')}
      nativeSelectProps={{
        name: 'establishment',
        value: membership.establishment.id,
        onChange: (e) => setEstablishmentId(e.target.value),
      }}
    >
      {me.memberships.map((m) => (
        <option key={m.establishment.id} value={m.establishment.id}>
          {m.establishment.name} ({m.establishment.uai})
        </option>
      ))}
    </Select>
  );
}
