import { Select } from '@codegouvfr/react-dsfr/Select';
import { SideMenu } from '@codegouvfr/react-dsfr/SideMenu';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { adminMemberships, useAuth } from '../../app/auth.tsx';
import { usePermissions } from '../directory/directory.api.ts';
import { features } from '../index.ts';

export function AdminLayout() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { me } = useAuth();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const admins = adminMemberships(me);
  const membership = me?.memberships.find((m) => m.establishment.id === id);
  // A platform admin may administer an establishment they are not a member of: ask for its name.
  const est = useQuery({
    queryKey: ['establishment', id],
    queryFn: () => call('GET /api/establishments/:id', { params: { id } }),
    enabled: !membership,
  });
  const name = membership?.establishment.name ?? est.data?.name ?? t('admin.establishment');
  const base = `/admin/${id}`;
  const can = usePermissions(id);
  const link = (key: string, path: string) => ({
    text: t(key),
    linkProps: { to: `${base}/${path}` },
    isActive: pathname.startsWith(`${base}/${path}`),
  });
  const directory = [
    ...(can.runImports ? [link('directory.import.title', 'directory/import')] : []),
    ...(can.readUsers ? [link('directory.quality.title', 'directory/quality')] : []),
    ...(can.readUsers ? [link('directory.duplicates.title', 'directory/duplicates')] : []),
    ...(can.manageUsers ? [link('directory.sheets.title', 'directory/login-sheets')] : []),
    ...(can.manageYears ? [link('directory.years.title', 'directory/school-years')] : []),
  ];
  const items = [
    {
      text: t('admin.services.title'),
      linkProps: { to: `${base}/services` },
      isActive: pathname.startsWith(`${base}/services`),
    },
    {
      text: t('admin.charter.title'),
      linkProps: { to: `${base}/charter` },
      isActive: pathname.startsWith(`${base}/charter`),
    },
    {
      text: t('admin.users.title'),
      linkProps: { to: `${base}/users` },
      isActive: pathname.startsWith(`${base}/users`),
    },
    // Each feature's administration pages (features/index.ts), for holders of their permission.
    ...features
      .flatMap((f) =>
        (f.admin ?? []).filter((a) => me?.user.platformAdmin || membership?.permissions.includes(a.permission)),
      )
      .map((a) => link(a.labelKey, a.path)),
    ...(directory.length
      ? [
          {
            text: t('directory.menu'),
            expandedByDefault: pathname.startsWith(`${base}/directory`),
            isActive: pathname.startsWith(`${base}/directory`),
            items: directory,
          },
        ]
      : []),
  ];
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className="fr-col-12 fr-col-md-3">
        <SideMenu align="left" burgerMenuButtonText={t('admin.menu')} title={name} items={items} />
        {admins.length > 1 ? (
          <Select
            label={t('admin.switch')}
            nativeSelectProps={{
              value: id,
              onChange: (e) => navigate(pathname.replace(base, `/admin/${e.target.value}`)),
            }}
          >
            {admins.map((m) => (
              <option key={m.establishment.id} value={m.establishment.id}>
                {m.establishment.name}
              </option>
            ))}
          </Select>
        ) : null}
      </div>
      <div className="fr-col-12 fr-col-md-9">
        <Outlet />
      </div>
    </div>
  );
}
