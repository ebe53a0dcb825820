import { Badge } from '@codegouvfr/react-dsfr/Badge';
import type { Holiday, WeekItem } from '@preau/contracts';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { clock, formatDateWith, formatDay } from '../../components/format.ts';
import './timetable.css';

const PALETTE = [
  'blue-cumulus',
  'green-emeraude',
  'purple-glycine',
  'orange-terre-battue',
  'pink-tuile',
  'yellow-moutarde',
  'green-archipel',
  'brown-caramel',
  'blue-ecume',
  'green-bourgeon',
  'pink-macaron',
  'brown-cafe-creme',
];

/** A colour per subject, always the same (the colour is a help: the subject is written too). */
export function subjectColour(code: string): string {
  let h = 0;
  for (const c of code) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `var(--border-plain-${PALETTE[h % PALETTE.length]})`;
}

const addDays = (date: string, n: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

export { clock };

/** A day as headings and sentences write it: "Mardi 1er décembre" (capitalised) or "mardi 1er décembre". */
export function useDayLabel(capitalised = true) {
  const { i18n } = useTranslation();
  return (date: string) => formatDay(date, i18n.language, capitalised);
}

const PHONE = '(max-width: 47.99em)';

/** Whether the screen is a phone's (the week then shows one day at a time). */
export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(PHONE).matches);
  useEffect(() => {
    const m = matchMedia(PHONE);
    const on = () => setNarrow(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

export function todayInParis(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

/** One course occurrence: time, subject, class or group, teachers, room; cancelled and moved said in words. */
export function CourseCard({
  item,
  showTeachers = true,
  children,
}: {
  item: WeekItem;
  showTeachers?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const dayLabel = useDayLabel(false);
  const who = item.group?.name ?? item.class?.name;
  const details = [
    who,
    showTeachers && item.teachers.length ? item.teachers.map((x) => x.displayName).join(', ') : null,
    item.room ? t('timetable.room', { room: item.room }) : null,
  ].filter(Boolean);
  return (
    <article
      className={`preau-course${item.cancelled ? ' preau-course--cancelled' : ''}`}
      style={{ '--preau-subject': subjectColour(item.subject.id) } as React.CSSProperties}
      data-testid="course"
      data-course={item.courseId}
      data-date={item.date}
    >
      <p className="preau-course__time">
        <span className="fr-sr-only">{t('timetable.from')} </span>
        {clock(item.start)}
        <span aria-hidden="true"> – </span>
        <span className="fr-sr-only"> {t('timetable.to')} </span>
        {clock(item.end)}
        {item.slot ? <span className="preau-muted"> · {item.slot}</span> : null}
      </p>
      <h3 className="preau-course__subject">{item.subject.name}</h3>
      {details.length ? <p className="preau-course__meta">{details.join(' · ')}</p> : null}
      {item.cancelled ? (
        <Badge as="span" severity="error" small>
          {t('timetable.cancelled')}
        </Badge>
      ) : null}
      {item.moved ? (
        <Badge as="span" severity="info" small>
          {t('timetable.moved', { date: dayLabel(item.moved.date), time: clock(item.moved.start) })}
        </Badge>
      ) : null}
      {item.weekPattern ? (
        <Badge as="span" small noIcon>
          {t('timetable.weekPattern', { code: item.weekPattern })}
        </Badge>
      ) : null}
      {item.reason ? <p className="preau-course__meta fr-mt-1v">{item.reason}</p> : null}
      {children}
    </article>
  );
}

/**
 * The week as days (Monday to Friday, Saturday when it has courses): columns on a wide screen, one under the
 * other on a phone. Each day is a titled section listing its courses in time order; holidays are said.
 */
export function WeekView({
  from,
  items,
  holidays,
  showTeachers = true,
  renderActions,
}: {
  from: string;
  items: WeekItem[];
  holidays: Holiday[];
  showTeachers?: boolean;
  renderActions?: (item: WeekItem) => ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const dayLabel = useDayLabel();
  const narrow = useNarrow();
  const today = todayInParis();
  const hasSaturday = items.some((i) => i.date === addDays(from, 5));
  const days = Array.from({ length: hasSaturday ? 6 : 5 }, (_, i) => addDays(from, i));
  const first = days.includes(today) ? today : (days.find((d) => items.some((i) => i.date === d)) ?? days[0]!);
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = chosen && days.includes(chosen) ? chosen : first;
  const short = (d: string) => formatDateWith(d, i18n.language, { weekday: 'short', day: 'numeric' });
  const shown = narrow ? [selected] : days;
  return (
    <>
      {narrow ? (
        <fieldset className="preau-daytabs" data-testid="day-tabs">
          <legend className="fr-sr-only">{t('timetable.chooseDay')}</legend>
          {days.map((d) => (
            <button
              key={d}
              type="button"
              aria-pressed={d === selected}
              className={`fr-btn fr-btn--sm ${d === selected ? '' : 'fr-btn--tertiary'}`}
              onClick={() => setChosen(d)}
            >
              <span aria-hidden="true">{short(d)}</span>
              <span className="fr-sr-only">{dayLabel(d)}</span>
            </button>
          ))}
        </fieldset>
      ) : null}
      <div className="preau-week" style={{ '--preau-days': shown.length } as React.CSSProperties} data-testid="week">
        {shown.map((day) => {
          const list = items.filter((i) => i.date === day);
          const holiday = holidays.find((h) => h.from <= day && day <= h.to);
          return (
            <section
              key={day}
              className={`preau-day${day === today ? ' preau-day--today' : ''}`}
              aria-labelledby={`day-${day}`}
              data-day={day}
            >
              <h2 id={`day-${day}`} className="preau-day__title">
                {dayLabel(day)}
                {day === today ? (
                  <Badge as="span" severity="new" small noIcon>
                    {t('timetable.today')}
                  </Badge>
                ) : null}
              </h2>
              {holiday ? <p className="preau-day__empty">{holiday.name}</p> : null}
              {!holiday && list.length === 0 ? <p className="preau-day__empty">{t('timetable.noCourse')}</p> : null}
              {list.length > 0 ? (
                <ol className="preau-day__list">
                  {list.map((item) => (
                    <li key={`${item.courseId}-${item.date}-${item.start}`}>
                      <CourseCard item={item} showTeachers={showTeachers}>
                        {renderActions?.(item)}
                      </CourseCard>
                    </li>
                  ))}
                </ol>
              ) : null}
            </section>
          );
        })}
      </div>
    </>
  );
}
