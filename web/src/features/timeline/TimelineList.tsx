import type { TimelineItem } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../../components/format.ts';

/** Notifications as a list: unread ones marked (in words, not only by colour), each opening where it happened. */
export function TimelineList({ items, onOpen }: { items: TimelineItem[]; onOpen?: (item: TimelineItem) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="preau-timeline" data-testid="timeline-items">
      {items.map((item) => (
        <li
          key={item.id}
          className={item.read ? 'preau-timeline__item' : 'preau-timeline__item preau-timeline__item--unread'}
        >
          <p className="fr-mb-0">
            {!item.read ? <span className="fr-sr-only">{t('timeline.widget.unreadBadge')} : </span> : null}
            {item.link ? (
              <Link to={item.link} onClick={() => onOpen?.(item)}>
                {item.text}
              </Link>
            ) : (
              item.text
            )}
          </p>
          <p className="fr-text--xs fr-mb-0 preau-muted">
            {formatDateTime(item.createdAt, i18n.language)}
            {item.actor ? ` — ${t('timeline.widget.by', { name: item.actor.displayName })}` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
}
