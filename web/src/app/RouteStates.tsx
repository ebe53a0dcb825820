import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { Loading, PageTitle } from '../components/states.tsx';

/** Shown in <main> while a lazily loaded page's code is fetched (first load on that page, or in-app navigation). */
export function RoutePending() {
  return <Loading />;
}

/**
 * A page's code that cannot be fetched: the network dropped, or a new version was deployed and the old chunk is
 * gone. Browsers word it differently; Vite's preload of a chunk's dependencies says "Unable to preload".
 */
export function isChunkLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'ChunkLoadError' ||
    /dynamically imported module|importing a module script failed|unable to preload|module script/i.test(error.message)
  );
}

/**
 * Error boundary of the routed pages: the header and footer stay, <main> says what happened and offers a reload
 * (a lazy import that failed stays failed until the document is reloaded).
 */
export function RouteError() {
  const error = useRouteError();
  const { t } = useTranslation();
  const chunk = isChunkLoadError(error);
  const title = chunk ? t('routeError.chunkTitle') : t('errors.title');
  const detail = chunk
    ? t('routeError.chunkText')
    : isRouteErrorResponse(error)
      ? t('errors.unknown')
      : t('routeError.text');
  return (
    <div className="preau-notice-page">
      <PageTitle title={title}>{title}</PageTitle>
      <Alert severity="error" small description={detail} className="fr-mb-3w" />
      <Button iconId="fr-icon-refresh-line" onClick={() => window.location.reload()}>
        {t('routeError.reload')}
      </Button>
    </div>
  );
}
