import { Button } from '@codegouvfr/react-dsfr/Button';
import type { TimelineItem } from '@preau/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { TimelineList } from './TimelineList.tsx';

/** The whole feed of the establishment shown, 20 at a time. */
export function TimelinePage() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id;
  const qc = useQueryClient();
  const feed = useInfiniteQuery({
    queryKey: ['timeline', establishment],
    queryFn: ({ pageParam }) => call('GET /api/timeline', { query: { establishment, before: pageParam, limit: 20 } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
  });
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['timeline'] });
    await qc.invalidateQueries({ queryKey: ['home'] });
  };
  const markAll = useMutation({
    mutationFn: () => call('POST /api/timeline/read', { body: { all: true, establishment } }),
    onSuccess: refresh,
  });
  const open = (item: TimelineItem) => {
    if (!item.read) void call('POST /api/timeline/read', { body: { ids: [item.id] } }).then(refresh);
  };
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = feed.data?.pages[0]?.unread ?? 0;

  return (
    <>
      <PageTitle title={t('timeline.title')}>{t('timeline.title')}</PageTitle>
      <p>
        <Link className="fr-link fr-icon-settings-5-line fr-link--icon-left" to="/timeline/preferences">
          {t('timeline.preferencesLink')}
        </Link>
      </p>
      {feed.isPending ? <Loading /> : null}
      <ErrorAlert error={feed.error ?? markAll.error} />
      {unread > 0 ? (
        <p>
          {t('timeline.unread', { count: unread })}{' '}
          <Button priority="tertiary" size="small" onClick={() => markAll.mutate()} disabled={markAll.isPending}>
            {t('timeline.markAllRead')}
          </Button>
        </p>
      ) : null}
      {feed.data && items.length === 0 ? <EmptyState>{t('timeline.empty')}</EmptyState> : null}
      {items.length > 0 ? <TimelineList items={items} onOpen={open} /> : null}
      {feed.hasNextPage ? (
        <Button priority="secondary" onClick={() => void feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>
          {t('timeline.more')}
        </Button>
      ) : null}
    </>
  );
}
