import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { ApiError, problemText } from '../app/api.ts';
import { useOperator } from '../app/operator.ts';

/** Loading state: announced to screen readers, visible after nothing. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="preau-loading" role="status" aria-live="polite">
      <span className="fr-icon-refresh-line fr-mr-1w" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

/**
 * A failed call, in words: the web's own wording of the problem's code in the current language, else the server's
 * French (or English) detail — never a code. The DSFR alert is itself the live region (`role="alert"`): it is never
 * wrapped in another one.
 */
export function ErrorAlert({ error, title, className }: { error: unknown; title?: string; className?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const detail = error instanceof ApiError ? problemText(error) : t('errors.unknown');
  return (
    <Alert
      severity="error"
      title={title ?? t('errors.title')}
      description={detail}
      small={false}
      className={className ?? 'fr-mb-3w'}
    />
  );
}

/** A success or information message announced politely (`role="status"`), one live region, no wrapper. */
export function StatusNotice({
  description,
  severity = 'success',
  className = 'fr-mb-3w',
  onClose,
}: {
  description: NonNullable<React.ReactNode>;
  severity?: 'success' | 'info';
  className?: string;
  onClose?: () => void;
}) {
  return onClose ? (
    <Alert
      role="status"
      severity={severity}
      small
      description={description}
      className={className}
      closable
      onClose={onClose}
    />
  ) : (
    <Alert role="status" severity={severity} small description={description} className={className} />
  );
}

export function EmptyState({ children }: { children: React.ReactNode }) {
  return (
    <div className="preau-empty fr-p-3w fr-mb-3w">
      <p className="fr-mb-0">
        <span className="fr-icon-info-line fr-mr-1w" aria-hidden="true" />
        {children}
      </p>
    </div>
  );
}

let lastFocusedPath: string | null = null;

/**
 * The page's h1; also sets the document title and, after an in-app navigation, takes focus so screen readers
 * announce the new page (RGAA 12.x). Not on the first page load: Tab must first reach the skip links.
 */
export function PageTitle({ children, title }: { children: React.ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const serviceName = useOperator().data?.serviceName ?? t('app.name');
  useEffect(() => {
    document.title = `${title} — ${serviceName}`;
  }, [title, serviceName]);
  useEffect(() => {
    const first = lastFocusedPath === null;
    if (lastFocusedPath === pathname) return;
    lastFocusedPath = pathname;
    if (!first) ref.current?.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <h1 ref={ref} tabIndex={-1} className="preau-page-title">
      {children}
    </h1>
  );
}
