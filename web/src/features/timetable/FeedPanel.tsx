import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { FeedLink } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorAlert } from '../../components/states.tsx';

/**
 * The personal ICS subscription: an address to paste in a calendar application, shown once when created (only
 * its fingerprint is kept), renewable (the old one stops) and revocable.
 */
export function FeedPanel({ establishment }: { establishment: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [fresh, setFresh] = useState<FeedLink | null>(null);
  const [copied, setCopied] = useState(false);
  const feed = useQuery({
    queryKey: ['timetable', 'feed', establishment],
    queryFn: () => call('GET /api/timetable/feed', { query: { establishment } }),
  });
  const create = useMutation({
    mutationFn: () => call('POST /api/timetable/feed', { body: { establishment } }),
    onSuccess: async (link) => {
      setFresh(link);
      setCopied(false);
      await qc.invalidateQueries({ queryKey: ['timetable', 'feed', establishment] });
    },
  });
  const revoke = useMutation({
    mutationFn: () => call('DELETE /api/timetable/feed', { query: { establishment } }),
    onSuccess: async () => {
      setFresh(null);
      await qc.invalidateQueries({ queryKey: ['timetable', 'feed', establishment] });
    },
  });
  const active = feed.data?.active ?? false;
  return (
    <section aria-labelledby="feed-title" className="preau-card fr-p-3w fr-mb-4w" data-testid="feed-panel">
      <h2 id="feed-title" className="fr-h5">
        {t('timetable.feed.title')}
      </h2>
      <p>{t('timetable.feed.intro')}</p>
      {fresh?.url ? (
        <div className="preau-feed-url">
          <Input
            label={t('timetable.feed.url')}
            hintText={t('timetable.feed.urlHint')}
            nativeInputProps={{ value: fresh.url, readOnly: true, onFocus: (e) => e.currentTarget.select() }}
          />
          <Button
            priority="secondary"
            size="small"
            iconId="fr-icon-clipboard-line"
            onClick={() => void navigator.clipboard?.writeText(fresh.url!).then(() => setCopied(true))}
          >
            {copied ? t('timetable.feed.copied') : t('timetable.feed.copy')}
          </Button>
        </div>
      ) : active ? (
        <p>
          {t('timetable.feed.active', { date: formatDateTime(feed.data?.createdAt, i18n.language) })}
          {feed.data?.lastUsedAt
            ? ` ${t('timetable.feed.lastUsed', { date: formatDateTime(feed.data.lastUsedAt, i18n.language) })}`
            : ''}
        </p>
      ) : null}
      <ErrorAlert error={feed.error ?? create.error ?? revoke.error} />
      <div className="preau-actions fr-mt-2w">
        <Button size="small" onClick={() => create.mutate()} disabled={create.isPending}>
          {active ? t('timetable.feed.renew') : t('timetable.feed.create')}
        </Button>
        {active ? (
          <Button priority="secondary" size="small" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
            {t('timetable.feed.revoke')}
          </Button>
        ) : null}
      </div>
    </section>
  );
}
