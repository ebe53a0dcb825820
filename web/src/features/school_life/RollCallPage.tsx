import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import type { RollCallMark, RollCallSheet } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { dayOf, initials, timeOf } from './format.ts';
import './school-life.css';

type Entry = { mark: RollCallMark | null; minutes: number | null };
const LATE_MINUTES = [5, 10, 15, 20, 30];

/** The roll call of one course occurrence: everyone present until tapped, one button to send. Phone first. */
export function RollCallPage() {
  const { t, i18n } = useTranslation();
  const { course = '', date = '' } = useParams();
  const qc = useQueryClient();
  const sheet = useQuery({
    queryKey: ['school_life', 'sheet', course, date],
    queryFn: () => call('GET /api/school-life/roll-calls/sheet', { query: { course, date } }),
  });
  const [marks, setMarks] = useState<Record<string, Entry>>({});
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (sheet.data) {
      setMarks(Object.fromEntries(sheet.data.students.map((s) => [s.id, { mark: s.mark, minutes: s.minutes }])));
    }
  }, [sheet.data]);

  const save = useMutation({
    mutationFn: () => {
      const list = Object.entries(marks);
      const of = (m: RollCallMark) => list.filter(([, e]) => e.mark === m);
      return call('POST /api/school-life/roll-calls', {
        body: {
          courseId: course,
          date,
          absent: of('absent').map(([id]) => id),
          late: of('late').map(([studentId, e]) => ({ studentId, minutes: e.minutes ?? 5 })),
          leftEarly: of('left_early').map(([studentId, e]) => ({
            studentId,
            ...(e.minutes ? { minutes: e.minutes } : {}),
          })),
          exempt: of('exempt').map(([id]) => id),
        },
      });
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['school_life'] });
    },
  });

  const set = (id: string, mark: RollCallMark | null, minutes: number | null = null) => {
    save.reset();
    setMarks((m) => ({ ...m, [id]: { mark, minutes } }));
  };
  const toggle = (id: string, mark: RollCallMark) => {
    const cur = marks[id]?.mark;
    if (cur === mark) set(id, null);
    else set(id, mark, mark === 'late' ? 5 : null);
  };

  const s = sheet.data;
  const counts = { absent: 0, late: 0, left_early: 0, exempt: 0 } as Record<RollCallMark, number>;
  for (const e of Object.values(marks)) if (e.mark) counts[e.mark] += 1;
  const title = s
    ? t('school_life.rollCall.title', { audience: s.audience, subject: s.subject })
    : t('school_life.rollCall.short');
  return (
    <div className="preau-rc">
      <PageTitle title={title}>{title}</PageTitle>
      {s ? (
        <p className="fr-text--sm fr-mb-2w">
          {t('school_life.rollCall.when', {
            day: dayOf(s.date, i18n.language),
            start: timeOf(s.start),
            end: timeOf(s.end),
          })}
          {s.room ? ` · ${t('school_life.room', { room: s.room })}` : ''}
        </p>
      ) : null}
      {sheet.isPending ? <Loading /> : null}
      <ErrorAlert error={sheet.error} />
      {s?.takenAt && !save.isSuccess ? (
        <p className="fr-badge fr-badge--success fr-badge--sm fr-mb-2w">
          {t('school_life.rollCall.takenAt', { time: timeOf(s.takenAt), by: s.takenBy ?? '' })}
        </p>
      ) : null}
      {s && !s.canEdit ? (
        <Alert className="fr-mb-2w" severity="info" small description={t('school_life.rollCall.closed')} />
      ) : null}
      {s ? <p className="fr-hint-text">{t('school_life.rollCall.hint')}</p> : null}
      {s ? (
        <ul className="preau-rc__list" aria-label={t('school_life.rollCall.students', { count: s.students.length })}>
          {s.students.map((st) => (
            <StudentRow
              key={st.id}
              student={st}
              entry={marks[st.id] ?? { mark: null, minutes: null }}
              disabled={!s.canEdit}
              more={open === st.id}
              onMore={() => setOpen(open === st.id ? null : st.id)}
              onToggle={(m) => toggle(st.id, m)}
              onMinutes={(m) => set(st.id, marks[st.id]?.mark ?? 'late', m)}
            />
          ))}
        </ul>
      ) : null}
      {s ? (
        <div className="preau-rc__bar">
          <p className="preau-rc__summary" aria-live="polite" data-testid="roll-call-summary">
            {counts.absent + counts.late + counts.left_early + counts.exempt === 0
              ? t('school_life.rollCall.allPresent')
              : [
                  counts.absent ? t('school_life.count.absent', { count: counts.absent }) : null,
                  counts.late ? t('school_life.count.late', { count: counts.late }) : null,
                  counts.left_early ? t('school_life.count.left_early', { count: counts.left_early }) : null,
                  counts.exempt ? t('school_life.count.exempt', { count: counts.exempt }) : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
          </p>
          <Button disabled={!s.canEdit || save.isPending} onClick={() => save.mutate()} iconId="fr-icon-check-line">
            {s.takenAt || save.isSuccess ? t('school_life.rollCall.update') : t('school_life.rollCall.submit')}
          </Button>
        </div>
      ) : null}
      <ErrorAlert error={save.error} />
      {save.isSuccess ? (
        <div role="status">
          <Alert
            className="fr-mt-2w"
            severity="success"
            small
            description={t('school_life.rollCall.saved', { time: timeOf(save.data.takenAt) })}
          />
        </div>
      ) : null}
      <p className="fr-mt-3w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to={`/school-life?date=${date}`}>
          {t('school_life.rollCall.back')}
        </Link>
      </p>
    </div>
  );
}

function StudentRow({
  student,
  entry,
  disabled,
  more,
  onMore,
  onToggle,
  onMinutes,
}: {
  student: RollCallSheet['students'][number];
  entry: Entry;
  disabled: boolean;
  more: boolean;
  onMore: () => void;
  onToggle: (m: RollCallMark) => void;
  onMinutes: (m: number) => void;
}) {
  const { t } = useTranslation();
  const name = `${student.lastName.toUpperCase()} ${student.firstName}`;
  const mark = entry.mark;
  const btn = (m: RollCallMark, label: string) => (
    <button
      type="button"
      className={`preau-rc__btn preau-rc__btn--${m}`}
      aria-pressed={mark === m}
      disabled={disabled}
      onClick={() => onToggle(m)}
    >
      {label}
    </button>
  );
  return (
    <li className={`preau-rc__row${mark ? ` preau-rc__row--${mark}` : ''}`} data-testid="roll-call-row">
      <div className="preau-rc__who">
        {student.photoUrl ? (
          <img className="preau-rc__avatar" src={student.photoUrl} alt="" />
        ) : (
          <span className="preau-rc__avatar" aria-hidden="true">
            {initials(student.firstName, student.lastName)}
          </span>
        )}
        <span className="preau-rc__name">
          {name}
          {student.knownAbsence ? (
            <span className="fr-badge fr-badge--sm fr-badge--info fr-ml-1w">{t('school_life.rollCall.known')}</span>
          ) : null}
        </span>
      </div>
      <fieldset className="preau-rc__actions">
        <legend className="fr-sr-only">{name}</legend>
        {btn('absent', t('school_life.mark.absent'))}
        {btn('late', t('school_life.mark.late'))}
        <button
          type="button"
          className="preau-rc__btn preau-rc__btn--more"
          aria-expanded={more || mark === 'left_early' || mark === 'exempt'}
          disabled={disabled}
          onClick={onMore}
        >
          {mark === 'left_early' || mark === 'exempt' ? t(`school_life.mark.${mark}`) : t('school_life.mark.more')}
        </button>
      </fieldset>
      {mark === 'late' ? (
        <fieldset className="preau-rc__minutes">
          <legend className="fr-sr-only">{t('school_life.rollCall.minutesOf', { name })}</legend>
          {LATE_MINUTES.map((m) => (
            <span key={m} className="preau-rc__choice">
              <input
                type="radio"
                className="fr-sr-only"
                id={`late-${student.id}-${m}`}
                name={`late-${student.id}`}
                checked={entry.minutes === m}
                disabled={disabled}
                onChange={() => onMinutes(m)}
              />
              <label className="preau-rc__chip" htmlFor={`late-${student.id}-${m}`}>
                {t('school_life.minutes', { count: m })}
              </label>
            </span>
          ))}
        </fieldset>
      ) : null}
      {more || mark === 'left_early' || mark === 'exempt' ? (
        <div className="preau-rc__minutes">
          {btn('left_early', t('school_life.mark.left_early'))}
          {btn('exempt', t('school_life.mark.exempt'))}
        </div>
      ) : null}
    </li>
  );
}
