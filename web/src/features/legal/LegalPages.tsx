import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/states.tsx';

export function LegalNoticePage() {
  const { t } = useTranslation();
  return (
    <div className="preau-prose">
      <PageTitle title={t('legal.title')}>{t('legal.title')}</PageTitle>
      <h2 className="fr-h4">{t('legal.publisherTitle')}</h2>
      <p>{t('legal.publisher')}</p>
      <h2 className="fr-h4">{t('legal.hostTitle')}</h2>
      <p>{t('legal.host')}</p>
      <h2 className="fr-h4">{t('legal.dataTitle')}</h2>
      <p>{t('legal.data')}</p>
      <h2 className="fr-h4">{t('legal.licenceTitle')}</h2>
      <p>{t('legal.licence')}</p>
    </div>
  );
}

export function AccessibilityPage() {
  const { t } = useTranslation();
  return (
    <div className="preau-prose">
      <PageTitle title={t('a11y.title')}>{t('a11y.title')}</PageTitle>
      <p>{t('a11y.intro')}</p>
      <h2 className="fr-h4">{t('a11y.statusTitle')}</h2>
      <p>
        <strong>{t('a11y.status')}</strong>
      </p>
      <p>{t('a11y.statusText')}</p>
      <h2 className="fr-h4">{t('a11y.knownTitle')}</h2>
      <ul>
        <li>{t('a11y.known1')}</li>
        <li>{t('a11y.known2')}</li>
      </ul>
      <h2 className="fr-h4">{t('a11y.contactTitle')}</h2>
      <p>{t('a11y.contact')}</p>
      <h2 className="fr-h4">{t('a11y.remedyTitle')}</h2>
      <p>{t('a11y.remedy')}</p>
    </div>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="preau-notice-page">
      <PageTitle title={t('notFound.title')}>{t('notFound.title')}</PageTitle>
      <p className="fr-text--lead">{t('notFound.text')}</p>
      <a className="fr-btn" href="/">
        {t('service.backToPortal')}
      </a>
    </div>
  );
}
