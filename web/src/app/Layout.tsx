import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate, useNavigation } from 'react-router';
import { useLiveUnread } from '../features/timeline/live.ts';
import { adminMemberships, useAuth } from './auth.tsx';
import { RoutePending } from './RouteStates.tsx';

export function Layout() {
  const { t, i18n } = useTranslation();
  const { me, logout, membership } = useAuth();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  // Only lazy routes make a navigation wait (there are no loaders): their chunk is being fetched.
  const pending = useNavigation().state === 'loading';
  const otherLang = i18n.language.startsWith('en') ? 'fr' : 'en';

  const live = useLiveUnread(!!me);
  const admins = adminMemberships(me);
  const adminTarget = admins.find((m) => m.establishment.id === membership?.establishment.id) ?? admins[0];

  const navigation = me
    ? [
        { text: t('nav.home'), linkProps: { to: '/' }, isActive: pathname === '/' || pathname.startsWith('/services') },
        ...(adminTarget
          ? [
              {
                text: t('nav.admin'),
                linkProps: { to: `/admin/${adminTarget.establishment.id}/services` },
                isActive: pathname.startsWith('/admin'),
              },
            ]
          : []),
        ...(me.user.platformAdmin
          ? [
              {
                text: t('nav.platform'),
                linkProps: { to: '/platform/establishments' },
                isActive: pathname.startsWith('/platform') && !pathname.startsWith('/platform/outbox'),
              },
              {
                text: t('nav.outbox'),
                linkProps: { to: '/platform/outbox' },
                isActive: pathname.startsWith('/platform/outbox'),
              },
            ]
          : []),
        { text: t('nav.account'), linkProps: { to: '/account' }, isActive: pathname.startsWith('/account') },
      ]
    : [];

  const langItem = {
    iconId: 'fr-icon-translate-2' as const,
    buttonProps: {
      lang: otherLang,
      onClick: () => void i18n.changeLanguage(otherLang),
      'aria-label': t('nav.switchLanguageLabel'),
    },
    text: t('nav.switchLanguage'),
  };

  const quickAccessItems = me
    ? [
        {
          iconId: 'fr-icon-notification-3-line' as const,
          linkProps: { to: '/timeline', 'data-testid': 'live-unread' } as { to: string },
          text: live && live.unread > 0 ? t('nav.notificationsUnread', { count: live.unread }) : t('nav.notifications'),
        },
        {
          iconId: 'fr-icon-account-circle-line' as const,
          linkProps: { to: '/account' },
          text: me.user.displayName,
        },
        langItem,
        {
          iconId: 'fr-icon-logout-box-r-line' as const,
          buttonProps: {
            onClick: async () => {
              await logout();
              navigate('/login');
            },
          },
          text: t('nav.logout'),
        },
      ]
    : [langItem];

  return (
    <>
      <SkipLinks
        links={[
          { anchor: '#main', label: t('nav.skipToContent') },
          { anchor: '#footer', label: t('nav.skipToFooter') },
        ]}
      />
      <Header
        brandTop={
          <>
            {t('app.brandTop1')}
            <br />
            {t('app.brandTop2')}
          </>
        }
        homeLinkProps={{ to: '/', title: t('app.homeTitle') }}
        serviceTitle={t('app.name')}
        serviceTagline={t('app.tagline')}
        quickAccessItems={quickAccessItems}
        navigation={navigation.length > 0 ? navigation : undefined}
      />
      <main id="main" tabIndex={-1} className="fr-container fr-py-4w preau-main" aria-busy={pending}>
        {pending ? <RoutePending /> : <Outlet />}
      </main>
      <Footer
        id="footer"
        accessibility="non compliant"
        accessibilityLinkProps={{ to: '/accessibility' }}
        termsLinkProps={{ to: '/legal-notice' }}
        contentDescription={t('footer.description')}
        brandTop={
          <>
            {t('app.brandTop1')}
            <br />
            {t('app.brandTop2')}
          </>
        }
        homeLinkProps={{ to: '/', title: t('app.homeTitle') }}
      />
    </>
  );
}
