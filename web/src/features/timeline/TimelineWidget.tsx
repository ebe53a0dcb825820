import type { TimelinePage } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { WidgetProps } from '../../app/feature.ts';
import { EmptyState } from '../../components/states.tsx';
import { TimelineList } from './TimelineList.tsx';

/** The home page's news feed: the latest notices of the establishment shown. */
export default function TimelineWidget({ data }: WidgetProps) {
  const { t } = useTranslation();
  const page = data as TimelinePage;
  return (
    <div data-testid="timeline-widget">
      {page.unread > 0 ? (
        <p className="fr-badge fr-badge--info fr-mb-1w">{t('timeline.widget.unread', { count: page.unread })}</p>
      ) : null}
      {page.items.length === 0 ? (
        <EmptyState>{t('timeline.widget.empty')}</EmptyState>
      ) : (
        <TimelineList items={page.items} />
      )}
      <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/timeline">
        {t('timeline.widget.seeAll')}
      </Link>
    </div>
  );
}
