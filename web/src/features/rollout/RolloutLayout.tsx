import './rollout.css';
import { SideMenu } from '@codegouvfr/react-dsfr/SideMenu';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation } from 'react-router';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.tsx';
import { useRolloutMe } from './rollout.api.ts';

/** The cockpit's pages side by side: the steering group sees them all, the others the support pages. */
export function RolloutLayout() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const { membership } = useAuth();
  const me = useRolloutMe();
  if (!membership) return <EmptyState>{t('rollout.noMembership')}</EmptyState>;
  const link = (key: string, path: string) => {
    const to = path ? `/rollout/${path}` : '/rollout';
    return {
      text: t(`rollout.menu.${key}`),
      linkProps: { to },
      isActive: path ? pathname.startsWith(to) : pathname === to,
    };
  };
  const steering = me.data?.steering ?? false;
  const items = [
    link(steering ? 'overview' : 'myRollout', ''),
    ...(steering
      ? [link('plan', 'plan'), link('indicators', 'indicators'), link('stock', 'stock'), link('team', 'team')]
      : []),
    link('needs', 'needs'),
    link('support', 'support'),
    link('skills', 'skills'),
    link('pulse', 'pulse'),
  ];
  return (
    <div className="fr-grid-row fr-grid-row--gutters">
      <div className="fr-col-12 fr-col-md-3">
        <SideMenu
          align="left"
          burgerMenuButtonText={t('rollout.menu.title')}
          title={membership.establishment.name}
          items={items}
        />
      </div>
      <div className="fr-col-12 fr-col-md-9">
        {me.isPending ? <Loading /> : null}
        <ErrorAlert error={me.error} />
        {me.data ? <Outlet /> : null}
      </div>
    </div>
  );
}
