import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';

/**
 * The local outbox (platform administrators): every mail Préau sent or keeps. Without SMTP_URL nothing leaves the
 * server, and this page is where a demo or a developer reads the mails (a recovery link, a digest).
 */
export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const admin = !!me?.user.platformAdmin;
  const page = useInfiniteQuery({
    queryKey: ['timeline', 'outbox'],
    queryFn: ({ pageParam }) => call('GET /api/timeline/outbox', { query: { before: pageParam, limit: 20 } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
    enabled: admin,
  });
  if (!admin) {
    return (
      <>
        <PageTitle title={t('timeline.outbox.title')}>{t('timeline.outbox.title')}</PageTitle>
        <ErrorAlert error={new Error('forbidden')} title={t('timeline.outbox.forbidden')} />
      </>
    );
  }
  const items = page.data?.pages.flatMap((p) => p.items) ?? [];
  const transport = page.data?.pages[0]?.transport;
  return (
    <>
      <PageTitle title={t('timeline.outbox.title')}>{t('timeline.outbox.title')}</PageTitle>
      {transport ? (
        <div className="fr-mb-3w">
          <Alert
            severity="info"
            small
            description={transport === 'smtp' ? t('timeline.outbox.smtp') : t('timeline.outbox.none')}
          />
        </div>
      ) : null}
      {page.isPending ? <Loading /> : null}
      <ErrorAlert error={page.error} />
      {page.data && items.length === 0 ? <EmptyState>{t('timeline.outbox.empty')}</EmptyState> : null}
      <ul className="preau-outbox" data-testid="outbox">
        {items.map((m) => (
          <li key={m.id} className="fr-card fr-p-2w fr-mb-2w">
            <h2 className="fr-h6 fr-mb-1w">{m.subject}</h2>
            <p className="fr-text--sm fr-mb-1w">
              {t('timeline.outbox.to', { to: m.to })} — {formatDateTime(m.createdAt, i18n.language)} —{' '}
              <span className="fr-badge fr-badge--sm">{t(`timeline.outbox.status.${m.status}`)}</span>
            </p>
            <pre className="preau-outbox__body">
              {m.body}
              {m.link ? `\n\n${window.location.origin}${m.link}` : ''}
            </pre>
          </li>
        ))}
      </ul>
      {page.hasNextPage ? (
        <Button priority="secondary" onClick={() => void page.fetchNextPage()} disabled={page.isFetchingNextPage}>
          {t('timeline.more')}
        </Button>
      ) : null}
    </>
  );
}
