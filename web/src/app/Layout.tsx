import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate, useNavigation } from 'react-router';
import { features } from '../features/index.ts';
import { useLiveUnread } from '../features/timeline/live.ts';
import { adminMemberships, useAuth } from './auth.tsx';
import { brandLines, showsMarianne, useOperator } from './operator.ts';
import { RoutePending } from './RouteStates.tsx';

export function Layout() {
  const { t, i18n } = useTranslation();
  const { me, logout, membership } = useAuth();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  // Only lazy routes make a navigation wait (there are no loaders): their chunk is being fetched.
  const pending = useNavigation().state === 'loading';
  const otherLang = i18n.language.startsWith('en') ? 'fr' : 'en';
  const operator = useOperator().data;

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
                isActive:
                  pathname.startsWith('/platform') &&
                  !pathname.startsWith('/platform/outbox') &&
                  !features.some((f) => f.platform?.some((x) => pathname.startsWith(x.path))),
                menuLinks: [
                  {
                    text: t('platform.title'),
                    linkProps: { to: '/platform/establishments' },
                    isActive: pathname.startsWith('/platform/establishments'),
                  },
                  {
                    text: t('operator.title'),
                    linkProps: { to: '/platform/operator' },
                    isActive: pathname.startsWith('/platform/operator'),
                  },
                ],
              },
              {
                text: t('nav.outbox'),
                linkProps: { to: '/platform/outbox' },
                isActive: pathname.startsWith('/platform/outbox'),
              },
              // Each feature's platform pages (features/index.ts).
              ...features.flatMap((f) =>
                (f.platform ?? []).map((x) => ({
                  text: t(x.labelKey),
                  linkProps: { to: x.path },
                  isActive: pathname.startsWith(x.path),
                })),
              ),
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

  /*
   * Who runs this ENT: the Marianne block only for a State service (DSFR rule); a Région, a Département or an
   * académie shows its own logo and name instead, and the footer drops the State's links.
   */
  const state = showsMarianne(operator);
  const brandTop =
    state && operator ? (
      brandLines(operator).map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the lines of a fixed block
        <span key={i}>
          {i > 0 ? <br /> : null}
          {line}
        </span>
      ))
    ) : (
      <span />
    );
  const serviceTitle = operator?.serviceName ?? t('app.name');
  const homeTitle = t('app.homeTitleOf', { name: serviceTitle });
  const operatorLogo = operator?.logo
    ? { orientation: 'horizontal' as const, imgUrl: operator.logo.dataUrl, alt: operator.logo.alt }
    : undefined;
  const accessibility =
    operator?.accessibility.status === 'full'
      ? ('fully compliant' as const)
      : operator?.accessibility.status === 'partial'
        ? ('partially compliant' as const)
        : ('non compliant' as const);

  return (
    <>
      <SkipLinks
        links={[
          { anchor: '#main', label: t('nav.skipToContent') },
          { anchor: '#footer', label: t('nav.skipToFooter') },
        ]}
      />
      <Header
        brandTop={brandTop}
        classes={state ? {} : { logo: 'preau-no-marianne' }}
        homeLinkProps={{ to: '/', title: homeTitle }}
        serviceTitle={serviceTitle}
        serviceTagline={operator ? operator.tagline : t('app.tagline')}
        operatorLogo={operatorLogo}
        quickAccessItems={quickAccessItems}
        navigation={navigation.length > 0 ? navigation : undefined}
      />
      <main id="main" tabIndex={-1} className="fr-container fr-py-4w preau-main" aria-busy={pending}>
        {pending ? <RoutePending /> : <Outlet />}
      </main>
      <Footer
        id="footer"
        accessibility={accessibility}
        accessibilityLinkProps={{ to: '/accessibility' }}
        termsLinkProps={{ to: '/legal-notice' }}
        contentDescription={
          !operator
            ? t('footer.description')
            : operator.configured
              ? t('footer.operatedBy', { name: operator.name })
              : t('footer.demo')
        }
        brandTop={brandTop}
        classes={state ? {} : { logo: 'preau-no-marianne' }}
        operatorLogo={operatorLogo}
        homeLinkProps={{ to: '/', title: homeTitle }}
        domains={state ? undefined : []}
        bottomItems={[
          { text: t('footer.personalData'), linkProps: { to: '/legal-notice#donnees-personnelles' } },
          ...(operator?.footerLinks ?? []).map((l) =>
            l.url.startsWith('/')
              ? { text: l.label, linkProps: { to: l.url } }
              : { text: l.label, linkProps: { href: l.url, target: '_blank', rel: 'noopener' } },
          ),
        ]}
      />
    </>
  );
}
