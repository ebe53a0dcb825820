import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageTitle } from './states.tsx';

/** An address that leads nowhere: an unknown page, a service that does not exist (or not for this person). */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="preau-notice-page" data-testid="not-found">
      <PageTitle title={t('notFound.title')}>{t('notFound.title')}</PageTitle>
      <p className="fr-text--lead">{t('notFound.text')}</p>
      <Link className="fr-btn" to="/">
        {t('service.backToPortal')}
      </Link>
    </div>
  );
}
