import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';

/** The processing register as the person reads it, and the download of their own data. */
export function PrivacyPage() {
  const { t, i18n } = useTranslation();
  const register = useQuery({
    queryKey: ['privacy', 'register', i18n.language],
    queryFn: () => call('GET /api/privacy/register'),
  });
  return (
    <>
      <PageTitle title={t('privacy.title')}>{t('privacy.title')}</PageTitle>
      <p className="fr-text--lead">{t('privacy.intro')}</p>
      <p>
        <a className="fr-btn fr-icon-download-line fr-btn--icon-left" href="/api/privacy/my-data" download>
          {t('privacy.download')}
        </a>
      </p>
      <p className="fr-hint-text">{t('privacy.downloadHint')}</p>
      {register.isPending ? <Loading /> : null}
      <ErrorAlert error={register.error} />
      {register.data?.items.map((item) => (
        <section key={item.module} className="fr-mb-4w" aria-labelledby={`processing-${item.module}`}>
          <h2 id={`processing-${item.module}`} className="fr-h4">
            {item.name}
          </h2>
          <dl className="preau-register">
            <dt>{t('privacy.purpose')}</dt>
            <dd>{item.purpose}</dd>
            <dt>{t('privacy.categories')}</dt>
            <dd>{item.categories.map((c) => c.label).join(' ; ')}</dd>
            <dt>{t('privacy.audience')}</dt>
            <dd>{item.audience}</dd>
            <dt>{t('privacy.retention')}</dt>
            <dd>{item.retention}</dd>
            <dt>{t('privacy.legalBasis')}</dt>
            <dd>{item.legalBasis}</dd>
          </dl>
        </section>
      ))}
      <p>{t('privacy.contact')}</p>
    </>
  );
}
