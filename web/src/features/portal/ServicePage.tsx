import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { NotFoundPage } from '../../components/NotFoundPage.tsx';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { featureOfService } from '../index.ts';
import { usePortalService } from './portal.queries.ts';

/** A service's entry point: "service fermé", "bientôt disponible", or (later) the service itself. */
export function ServicePage() {
  const { t } = useTranslation();
  const { key = '' } = useParams();
  const { membership } = useAuth();
  const service = usePortalService(membership?.establishment.id, key);

  // An unknown key (400) or a service that is not there for this person (404): the address leads nowhere.
  const nowhere = service.error instanceof ApiError && (service.error.status === 404 || service.error.status === 400);
  const closed = service.error instanceof ApiError && service.error.code === 'SERVICE_CLOSED';

  const crumbs = (current: string) => (
    <Breadcrumb
      currentPageLabel={current}
      homeLinkProps={{ to: '/' }}
      segments={[]}
      classes={{ root: 'fr-mt-0 fr-mb-2w' }}
    />
  );

  if (service.isPending) return <Loading />;
  if (nowhere) return <NotFoundPage />;
  if (closed) {
    return (
      <>
        {crumbs(t('service.closedTitle'))}
        <div className="preau-notice-page" data-testid="service-closed">
          <PageTitle title={t('service.closedTitle')}>{t('service.closedTitle')}</PageTitle>
          <p className="fr-text--lead">{t('service.closedLead')}</p>
          <Link className="fr-btn" to="/">
            {t('service.backToPortal')}
          </Link>
        </div>
      </>
    );
  }
  if (service.error) return <ErrorAlert error={service.error} />;
  const s = service.data;
  if (!s) return null;
  // A service whose screens exist opens them (its feature's home page).
  const feature = featureOfService(s.key);
  if (s.available && feature?.home) return <Navigate to={feature.home} replace />;
  if (!s.available) {
    return (
      <>
        {crumbs(s.name)}
        <div className="preau-notice-page" data-testid="service-soon">
          <PageTitle title={s.name}>{s.name}</PageTitle>
          <p>
            <Badge as="span" severity="new" noIcon>
              {t('portal.soon')}
            </Badge>
          </p>
          <p className="fr-text--lead">{s.description}</p>
          <p>{t('service.soonText')}</p>
          <ul className="fr-btns-group fr-btns-group--inline-md">
            {membership ? (
              <li>
                <Link className="fr-btn" to={`/admin/${membership.establishment.id}/services`}>
                  {t('service.prepare')}
                </Link>
              </li>
            ) : null}
            <li>
              <Link className="fr-btn fr-btn--secondary" to="/">
                {t('service.backToPortal')}
              </Link>
            </li>
          </ul>
        </div>
      </>
    );
  }
  return (
    <>
      {crumbs(s.name)}
      <PageTitle title={s.name}>{s.name}</PageTitle>
      <p>{s.description}</p>
    </>
  );
}
