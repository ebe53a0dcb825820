import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Tile } from '@codegouvfr/react-dsfr/Tile';
import { type ReactNode, Suspense, use } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { adminMemberships, useAuth } from '../../app/auth.tsx';
import type { FeatureDefinition } from '../../app/feature.ts';
import { featureStrings } from '../../app/i18n.ts';
import { EstablishmentSwitcher } from '../../components/EstablishmentSwitcher.tsx';
import { listOfNames, membershipRoles } from '../../components/people.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { featureOfService, features } from '../index.ts';
import { useHome } from './portal.queries.ts';

/** A widget that reads its pages' strings waits for them (the others use their `widget` strings, always there). */
function WidgetStrings({ feature, children }: { feature: FeatureDefinition; children: ReactNode }) {
  if (feature.widget?.pageStrings) use(featureStrings(feature.name, ...(feature.stringsOf ?? [])));
  return children;
}

export function PortalPage() {
  const { t, i18n } = useTranslation();
  const { me, membership } = useAuth();
  const home = useHome(membership?.establishment.id);
  const portal = { ...home, data: home.data?.portal };
  const widgets = features
    .filter((f) => f.widget && home.data?.widgets[f.name] != null)
    .sort((a, b) => Number(!!b.widget?.wide) - Number(!!a.widget?.wide));

  if (!me) return null;
  if (!membership) {
    return (
      <>
        <PageTitle title={t('portal.title')}>{t('portal.hello', { name: me.user.firstName })}</PageTitle>
        <EmptyState>{me.user.platformAdmin ? t('portal.noMembershipAdmin') : t('portal.noMembership')}</EmptyState>
        {me.user.platformAdmin ? (
          <Link className="fr-btn" to="/platform/establishments">
            {t('platform.title')}
          </Link>
        ) : null}
      </>
    );
  }

  const profiles = membershipRoles(t, membership, me.user.gender).join(', ');
  const isAdmin = adminMemberships(me).some((m) => m.establishment.id === membership.establishment.id);
  return (
    <>
      <div className="preau-portal-head">
        <div>
          <p className="fr-text--lead fr-mb-1w">{membership.establishment.name}</p>
          <PageTitle title={t('portal.title')}>{t('portal.hello', { name: me.user.firstName })}</PageTitle>
          <p className="preau-muted">
            {me.user.displayName} — {profiles}
            {membership.classes.length > 0 ? ` — ${membership.classes.map((c) => c.label).join(', ')}` : ''}
            {membership.children.length > 0
              ? ` — ${t('portal.children', {
                  count: membership.children.length,
                  names: listOfNames(
                    membership.children.map((c) => c.displayName),
                    i18n.language,
                  ),
                })}`
              : ''}
          </p>
        </div>
        <EstablishmentSwitcher />
      </div>

      <section aria-labelledby="services-title" className="fr-mb-5w">
        <h2 id="services-title" className="fr-h3">
          {t('portal.services')}
        </h2>
        {portal.isPending ? <Loading /> : null}
        <ErrorAlert error={portal.error} />
        {portal.data && portal.data.services.length === 0 ? (
          <div data-testid="no-services">
            <EmptyState>{t('portal.noServices')}</EmptyState>
          </div>
        ) : null}
        {portal.data && portal.data.services.length > 0 ? (
          <ul className="fr-grid-row fr-grid-row--gutters preau-tiles" data-testid="service-tiles">
            {portal.data.services.map((s) => (
              <li key={s.key} className="fr-col-12 fr-col-sm-6 fr-col-lg-4" data-service={s.key}>
                <Tile
                  title={s.name}
                  titleAs="h3"
                  desc={s.description}
                  linkProps={{
                    to: (s.available ? featureOfService(s.key)?.home : undefined) ?? `/services/${s.key}`,
                  }}
                  enlargeLinkOrButton
                  start={
                    s.status === 'recommended' || !s.available ? (
                      <ul className="fr-badges-group">
                        {s.status === 'recommended' ? (
                          <li>
                            <Badge as="span" severity="info" small noIcon>
                              {t('services.status.recommended')}
                            </Badge>
                          </li>
                        ) : null}
                        {!s.available ? (
                          <li>
                            <Badge as="span" small noIcon>
                              {t('portal.soon')}
                            </Badge>
                          </li>
                        ) : null}
                      </ul>
                    ) : undefined
                  }
                />
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <section aria-labelledby="widgets-title" className="fr-mb-5w">
        <h2 id="widgets-title" className="fr-h3">
          {t('portal.widgets')}
        </h2>
        {home.data && widgets.length === 0 ? <EmptyState>{t('portal.widgetsEmpty')}</EmptyState> : null}
        <div className="fr-grid-row fr-grid-row--gutters">
          {widgets.map((f) => {
            const Widget = f.widget!.component;
            return (
              <section
                key={f.name}
                className={f.widget!.wide ? 'fr-col-12' : 'fr-col-12 fr-col-lg-6'}
                aria-labelledby={`widget-${f.name}`}
                data-widget={f.name}
              >
                <div className="preau-widget fr-p-3w">
                  <h3 id={`widget-${f.name}`} className="fr-h5">
                    {t(f.widget!.titleKey)}
                  </h3>
                  <Suspense fallback={<Loading />}>
                    <WidgetStrings feature={f}>
                      <Widget data={home.data?.widgets[f.name]} establishmentId={membership.establishment.id} />
                    </WidgetStrings>
                  </Suspense>
                </div>
              </section>
            );
          })}
        </div>
      </section>

      {isAdmin ? (
        <p>
          <Link
            className="fr-link fr-icon-settings-5-line fr-link--icon-left"
            to={`/admin/${membership.establishment.id}/services`}
          >
            {t('portal.goAdmin')}
          </Link>
        </p>
      ) : null}
    </>
  );
}
