import type { MailboxPage } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { WidgetProps } from '../../app/feature.ts';
import { EmptyState } from '../../components/states.tsx';

/** The home page's messaging: unread count and the latest messages. */
export default function MessagingWidget({ data }: WidgetProps) {
  const { t } = useTranslation();
  const page = data as MailboxPage;
  return (
    <div data-testid="messaging-widget">
      {page.unread > 0 ? (
        <p className="fr-badge fr-badge--info fr-mb-1w">{t('messaging.widget.unread', { count: page.unread })}</p>
      ) : null}
      {page.items.length === 0 ? (
        <EmptyState>{t('messaging.widget.empty')}</EmptyState>
      ) : (
        <ul className="preau-timeline">
          {page.items.map((m) => (
            <li key={m.id} className="preau-timeline__item">
              <p className="fr-mb-0">
                {m.unread ? <span className="fr-sr-only">{t('messaging.widget.unreadBadge')} : </span> : null}
                <Link to={`/messaging/messages/${m.id}`}>{m.subject}</Link>
              </p>
              <p className="fr-text--xs fr-mb-0 preau-muted">{m.from.displayName}</p>
            </li>
          ))}
        </ul>
      )}
      <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/messaging">
        {t('messaging.widget.seeAll')}
      </Link>
    </div>
  );
}
