import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { WidgetProps } from '../../app/feature.ts';
import { timeOf } from './format.ts';

interface HomeData {
  date: string;
  toJustify?: number;
  missingRollCalls?: number;
  pendingJustifications?: number;
  myCourses?: { courseId: string; start: string; audience: string; subject: string; taken: boolean }[];
}

/** The home page's school life: the family's absences to justify, the CPE's missing roll calls, the teacher's day. */
export default function SchoolLifeWidget({ data }: WidgetProps) {
  const { t } = useTranslation();
  const d = data as HomeData;
  return (
    <div data-testid="school-life-widget">
      {d.toJustify !== undefined ? (
        <p>
          <Link to="/school-life?tab=absences" className="fr-link">
            {d.toJustify
              ? t('school_life.widget.toJustify', { count: d.toJustify })
              : t('school_life.widget.nothingToJustify')}
          </Link>
        </p>
      ) : null}
      {d.missingRollCalls !== undefined ? (
        <>
          <p>
            <Link to="/school-life?tab=board" className="fr-link">
              {t('school_life.widget.missing', { count: d.missingRollCalls })}
            </Link>
          </p>
          <p>
            <Link to="/school-life?tab=justifications" className="fr-link">
              {t('school_life.widget.pending', { count: d.pendingJustifications ?? 0 })}
            </Link>
          </p>
        </>
      ) : null}
      {d.myCourses ? (
        d.myCourses.length === 0 ? (
          <p>{t('school_life.widget.noCourse')}</p>
        ) : (
          <ul>
            {d.myCourses.map((c) => (
              <li key={c.courseId}>
                <Link to={`/school-life/roll-call/${c.courseId}/${d.date}`} className="fr-link">
                  {timeOf(c.start)} · {c.audience} · {c.subject}
                </Link>{' '}
                {c.taken ? t('school_life.widget.taken') : t('school_life.widget.toCall')}
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
