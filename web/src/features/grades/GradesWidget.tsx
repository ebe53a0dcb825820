import type { GradesHome } from '@preau/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { WidgetProps } from '../../app/feature.ts';
import { EmptyState } from '../../components/states.tsx';
import { num } from './format.ts';

/** The home page's grades: a student's or a guardian's latest grades (past the publication delay). */
export default function GradesWidget({ data }: WidgetProps) {
  const { t, i18n } = useTranslation();
  const home = data as GradesHome;
  return (
    <div data-testid="grades-widget">
      {home.latest.length === 0 ? (
        <EmptyState>{t('grades.widget.empty')}</EmptyState>
      ) : (
        <ul className="preau-timeline">
          {home.latest.map((g) => (
            <li key={`${g.assessmentId}${g.student ?? ''}`} className="preau-timeline__item">
              <p className="fr-mb-0">
                <strong>{g.subject}</strong> — {g.title}
                {g.student ? ` (${g.student})` : ''} :{' '}
                <strong>
                  {g.value !== undefined
                    ? `${num(g.value, i18n.language)} / ${num(g.scale, i18n.language)}`
                    : g.code
                      ? t(`grades.widget.codes.${g.code}`)
                      : '–'}
                </strong>
              </p>
            </li>
          ))}
        </ul>
      )}
      <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/grades">
        {t('grades.widget.seeAll')}
      </Link>
    </div>
  );
}
