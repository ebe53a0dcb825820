import type { LogbookHome } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { WidgetProps } from '../../app/feature.ts';
import { clock, formatDay } from '../../components/format.ts';
import { EmptyState } from '../../components/states.tsx';

/** « À faire pour demain » (students, guardians per child) and « mes cours du jour » (teachers). */
export default function LogbookWidget({ data }: WidgetProps) {
  const { t, i18n } = useTranslation();
  const dayLabel = (date: string) => formatDay(date, i18n.language);
  const home = data as LogbookHome;
  const list = (items: NonNullable<LogbookHome['student']>['homework']) =>
    items.length === 0 ? (
      <p className="preau-muted">{t('logbook.widget.nothing')}</p>
    ) : (
      <ul>
        {items.map((h) => (
          <li key={h.id}>
            <strong>{h.subject.name}</strong> ({t(`logbook.widget.kind.${h.kind}`)}) —{' '}
            {h.description.replace(/<[^>]+>/g, ' ').trim()}
            {h.done ? ` — ${t('logbook.widget.done')}` : ''}
          </li>
        ))}
      </ul>
    );
  return (
    <div data-testid="logbook-widget">
      {home.student ? (
        <>
          <p className="fr-text--bold fr-mb-1w">{t('logbook.widget.todo', { date: dayLabel(home.student.date) })}</p>
          {list(home.student.homework)}
        </>
      ) : null}
      {home.children?.map((c) => (
        <div key={c.id}>
          <p className="fr-text--bold fr-mb-1w">
            {t('logbook.widget.childTodo', { name: c.displayName, date: dayLabel(c.date) })}
          </p>
          {list(c.homework)}
        </div>
      ))}
      {home.teacher ? (
        <>
          <p className="fr-text--bold fr-mb-1w">{t('logbook.widget.courses', { date: dayLabel(home.teacher.date) })}</p>
          {home.teacher.courses.length === 0 ? (
            <EmptyState>{t('logbook.widget.noCourses')}</EmptyState>
          ) : (
            <ul>
              {home.teacher.courses.map((c) => (
                <li key={`${c.courseId}-${c.start}`}>
                  {clock(c.start)} {c.subject.name} — {c.class?.name ?? c.group?.name}{' '}
                  {c.cancelled ? (
                    t('logbook.widget.cancelled')
                  ) : (
                    <Link to={`/logbook/lesson?course=${c.courseId}&date=${c.date}`}>
                      {c.lessonId ? t('logbook.widget.filled') : t('logbook.widget.toFill')}
                      <span className="fr-sr-only">
                        {' '}
                        — {c.subject.name} {clock(c.start)}
                      </span>
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          )}
          {home.teacher.toFill > 0 ? (
            <p className="fr-text--sm">{t('logbook.widget.late', { count: home.teacher.toFill })}</p>
          ) : null}
        </>
      ) : null}
      <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/logbook">
        {t('logbook.widget.open')}
      </Link>
    </div>
  );
}
