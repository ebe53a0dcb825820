import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { Entry, HomeworkItem } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { AttachmentList } from '../documents/AttachmentPicker.tsx';
import { clock, subjectColour, todayInParis, useDayLabel } from '../timetable/WeekView.tsx';
import './logbook.css';

const shift = (date: string, days: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const mondayOf = (date: string) => {
  const d = new Date(`${date}T12:00:00Z`);
  return shift(date, -((d.getUTCDay() + 6) % 7));
};

type View = 'todo' | 'lessons' | 'mine' | 'class' | 'fill' | 'inspectors';

/**
 * The logbook (cahier de textes), by what the reader is: a student's (a guardian's child's) homework and lesson
 * history; a teacher's courses of the week to fill, and a class's logbook; the direction's logbooks to read,
 * sign and print, the fill rate and the inspectors.
 */
export function LogbookPage() {
  const { t } = useTranslation();
  const { membership, me } = useAuth();
  const [params, setParams] = useSearchParams();
  const profiles = membership?.profiles ?? [];
  const family = profiles.includes('student') || profiles.includes('guardian');
  const teacher = profiles.includes('teacher');
  const direction =
    profiles.includes('principal') ||
    profiles.includes('staff') ||
    profiles.includes('local_admin') ||
    !!me?.user.platformAdmin;
  const signs = membership?.permissions.includes('logbook.sign') ?? false;
  const views: View[] = [
    ...(family ? (['todo', 'lessons'] as const) : []),
    ...(teacher ? (['mine'] as const) : []),
    ...(teacher || direction ? (['class'] as const) : []),
    ...(signs ? (['fill', 'inspectors'] as const) : []),
  ];
  const view = (views.find((v) => v === params.get('view')) ?? views[0] ?? 'todo') as View;
  const establishment = membership?.establishment.id ?? '';
  const title = t('logbook.title');
  const go = (v: View) => {
    const p = new URLSearchParams(params);
    p.set('view', v);
    setParams(p);
  };
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {views.length > 1 ? (
        <nav className="preau-tabs-nav" aria-label={t('logbook.views')}>
          {views.map((v) => (
            <Button
              key={v}
              size="small"
              priority={v === view ? 'primary' : 'secondary'}
              onClick={() => go(v)}
              aria-current={v === view ? 'page' : undefined}
            >
              {t(`logbook.view.${v}`)}
            </Button>
          ))}
        </nav>
      ) : null}
      {!establishment ? <EmptyState>{t('logbook.noEstablishment')}</EmptyState> : null}
      {establishment && view === 'todo' ? <HomeworkView establishment={establishment} /> : null}
      {establishment && view === 'lessons' ? <HistoryView establishment={establishment} /> : null}
      {establishment && view === 'mine' ? <MyCoursesView establishment={establishment} /> : null}
      {establishment && view === 'class' ? <ClassView establishment={establishment} signs={signs} /> : null}
      {establishment && view === 'fill' ? <FillRateView establishment={establishment} /> : null}
      {establishment && view === 'inspectors' ? <InspectorsView establishment={establishment} /> : null}
    </>
  );
}

/** A guardian's children (from /api/me), and the one chosen (`?student=`). */
function useChild() {
  const { membership } = useAuth();
  const [params, setParams] = useSearchParams();
  const children = membership?.children ?? [];
  const asked = params.get('student');
  const student = membership?.profiles.includes('student')
    ? undefined
    : (children.find((c) => c.id === asked) ?? children[0])?.id;
  const picker =
    children.length > 1 && !membership?.profiles.includes('student') ? (
      <ChildPicker
        list={children}
        value={student ?? ''}
        onChange={(id) => {
          const p = new URLSearchParams(params);
          p.set('student', id);
          setParams(p);
        }}
      />
    ) : null;
  return { student, picker, readOnly: !membership?.profiles.includes('student') };
}

function ChildPicker({
  list,
  value,
  onChange,
}: {
  list: { id: string; displayName: string }[];
  value: string;
  onChange: (id: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="preau-week-picker">
      <Select label={t('logbook.child')} nativeSelectProps={{ value, onChange: (e) => onChange(e.target.value) }}>
        {list.map((c) => (
          <option key={c.id} value={c.id}>
            {c.displayName}
          </option>
        ))}
      </Select>
    </div>
  );
}

const KIND_SEVERITY: Record<string, 'info' | 'warning' | 'new' | 'success'> = {
  exercise: 'info',
  lesson: 'success',
  assessment: 'warning',
  project: 'new',
};

export function HomeworkCard({
  item,
  tick,
  readOnly,
}: {
  item: HomeworkItem;
  tick?: (done: boolean) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  return (
    <li className={item.done ? 'preau-homework--done' : undefined} data-testid="homework" data-homework={item.id}>
      <p className="fr-mb-1v">
        <strong>{item.subject.name}</strong>{' '}
        <Badge as="span" small severity={KIND_SEVERITY[item.kind]}>
          {t(`logbook.kind.${item.kind}`)}
        </Badge>
        {item.estimatedMinutes ? (
          <span className="preau-muted"> · {t('logbook.minutes', { count: item.estimatedMinutes })}</span>
        ) : null}
        {item.group ? <span className="preau-muted"> · {item.group.name}</span> : null}
      </p>
      {/* Sanitised by the server (a fixed set of formatting tags). */}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised HTML from the server */}
      <div className="preau-homework__desc" dangerouslySetInnerHTML={{ __html: item.description }} />
      <AttachmentList items={item.attachments} />
      {item.teacher ? (
        <p className="fr-text--xs preau-muted fr-mb-0">{t('logbook.setBy', { name: item.teacher.displayName })}</p>
      ) : null}
      {item.done !== null && !readOnly && tick ? (
        <Checkbox
          small
          className="fr-mt-1w fr-mb-0"
          options={[
            {
              label: t('logbook.done'),
              nativeInputProps: { checked: item.done, onChange: (e) => tick(e.target.checked) },
            },
          ]}
        />
      ) : item.done !== null ? (
        <p className="fr-text--sm fr-mt-1w fr-mb-0">{item.done ? t('logbook.doneYes') : t('logbook.doneNo')}</p>
      ) : null}
    </li>
  );
}

/** « À faire »: the homework due in the next two weeks, by day, with the student's private tick. */
function HomeworkView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const dayLabel = useDayLabel(false);
  const { student, picker, readOnly } = useChild();
  const [params] = useSearchParams();
  const from = params.get('date') && params.get('date')! < todayInParis() ? params.get('date')! : todayInParis();
  const to = shift(from, 14);
  const query = { establishment, from, to, ...(student ? { student } : {}) };
  const list = useQuery({
    queryKey: ['logbook', 'homework', query],
    queryFn: () => call('GET /api/logbook/homework', { query }),
  });
  const tick = useMutation({
    mutationFn: ({ id, done }: { id: string; done: boolean }) =>
      call('PUT /api/logbook/homework/:id/done', { params: { id }, body: { done } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['logbook'] }),
  });
  const days = [...new Set(list.data?.items.map((i) => i.dueDate) ?? [])];
  return (
    <section aria-labelledby="todo-title">
      <h2 id="todo-title" className="fr-h4">
        {t('logbook.todoTitle')}
      </h2>
      {picker}
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error ?? tick.error} />
      {list.data && days.length === 0 ? <EmptyState>{t('logbook.noHomework')}</EmptyState> : null}
      {days.map((d) => (
        <section key={d} aria-labelledby={`due-${d}`}>
          <h3 id={`due-${d}`} className="preau-homework-day">
            {t('logbook.dueOn', { date: dayLabel(d) })}
          </h3>
          <ul className="preau-homework">
            {list
              .data!.items.filter((i) => i.dueDate === d)
              .map((i) => (
                <HomeworkCard
                  key={i.id}
                  item={i}
                  readOnly={readOnly}
                  tick={(done) => tick.mutate({ id: i.id, done })}
                />
              ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

export function EntryCard({ entry, children }: { entry: Entry; children?: React.ReactNode }) {
  const { t } = useTranslation();
  const dayLabel = useDayLabel();
  const inSentence = useDayLabel(false);
  const who = entry.group?.name ?? entry.class?.name;
  return (
    <article
      className="preau-entry"
      style={{ '--preau-subject': subjectColour(entry.subject.id) } as React.CSSProperties}
      data-testid="entry"
    >
      <p className="preau-entry__head">
        <span className="preau-entry__when">
          {dayLabel(entry.date)}
          {entry.start ? ` · ${clock(entry.start)}` : ''}
        </span>
        <strong>{entry.subject.name}</strong>
        {who ? <span>{who}</span> : null}
        {entry.teachers.length ? (
          <span className="preau-muted">{entry.teachers.map((x) => x.displayName).join(', ')}</span>
        ) : null}
        {entry.cancelled ? (
          <Badge as="span" small severity="error">
            {t('timetable.cancelled')}
          </Badge>
        ) : null}
        {entry.lesson?.signed ? (
          <Badge as="span" small severity="success">
            {t('logbook.signed')}
          </Badge>
        ) : null}
        {entry.lesson?.amended ? (
          <Badge as="span" small severity="warning">
            {t('logbook.amended')}
          </Badge>
        ) : null}
        {entry.lesson?.publishAt ? (
          <Badge as="span" small severity="new">
            {t('logbook.scheduled')}
          </Badge>
        ) : null}
      </p>
      {entry.lesson ? (
        <>
          <h3 className="preau-entry__title">{entry.lesson.title}</h3>
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised HTML from the server */}
          <div className="preau-entry__content" dangerouslySetInnerHTML={{ __html: entry.lesson.content }} />
          {entry.lesson.links.length ? (
            <ul>
              {entry.lesson.links.map((l) => (
                <li key={l.url}>
                  <a
                    href={l.url}
                    target="_blank"
                    rel="noopener noreferrer"
                    title={`${l.label ?? l.url} — ${t('logbook.newWindow')}`}
                  >
                    {l.label ?? l.url}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
          <AttachmentList items={entry.lesson.attachments} />
          {entry.homework.length ? (
            <>
              <p className="fr-mb-1v fr-mt-1w">
                <strong>{t('logbook.homeworkSet')}</strong>
              </p>
              <ul>
                {entry.homework.map((h) => (
                  <li key={h.id}>
                    {t('logbook.forDate', { date: inSentence(h.dueDate) })} ({t(`logbook.kind.${h.kind}`)}) —{' '}
                    {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised HTML from the server */}
                    <span dangerouslySetInnerHTML={{ __html: h.description.replace(/<\/?p>/g, ' ') }} />
                    <AttachmentList items={h.attachments} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : (
        <p className="preau-muted fr-mb-0">
          {entry.cancelled ? t('logbook.noLessonCancelled') : t('logbook.noLesson')}
        </p>
      )}
      {children}
    </article>
  );
}

function WeekNav({ from, onChange }: { from: string; onChange: (from: string) => void }) {
  const { t } = useTranslation();
  const dayLabel = useDayLabel(false);
  return (
    <nav className="preau-week-nav" aria-label={t('timetable.weekNav')}>
      <p className="preau-week-nav__label" aria-live="polite">
        {t('timetable.weekOf', { from: dayLabel(from), to: dayLabel(shift(from, 4)) })}
      </p>
      <Button
        priority="secondary"
        size="small"
        iconId="fr-icon-arrow-left-s-line"
        onClick={() => onChange(shift(from, -7))}
      >
        {t('timetable.previous')}
      </Button>
      <Button priority="tertiary" size="small" onClick={() => onChange(mondayOf(todayInParis()))}>
        {t('timetable.thisWeek')}
      </Button>
      <Button
        priority="secondary"
        size="small"
        iconId="fr-icon-arrow-right-s-line"
        iconPosition="right"
        onClick={() => onChange(shift(from, 7))}
      >
        {t('timetable.next')}
      </Button>
    </nav>
  );
}

function useWeekParam() {
  const [params, setParams] = useSearchParams();
  const from = mondayOf(params.get('date') ?? todayInParis());
  const set = (d: string) => {
    const p = new URLSearchParams(params);
    p.set('date', d);
    setParams(p);
  };
  return [from, set] as const;
}

/** A student's (child's) lessons, by subject: the lesson history. */
function HistoryView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const { student, picker } = useChild();
  const [from, setFrom] = useWeekParam();
  const [subject, setSubject] = useState('');
  const query = {
    establishment,
    from: subject ? shift(from, -84) : from,
    to: shift(from, 6),
    ...(student ? { student } : {}),
    ...(subject ? { subject } : {}),
  };
  const list = useQuery({
    queryKey: ['logbook', 'entries', query],
    queryFn: () => call('GET /api/logbook/entries', { query }),
  });
  const subjects = useQuery({
    queryKey: ['logbook', 'subjects', establishment, student],
    queryFn: () =>
      call('GET /api/logbook/entries', {
        query: { establishment, from: shift(from, -28), to: shift(from, 13), ...(student ? { student } : {}) },
      }),
  });
  const known = [...new Map((subjects.data?.items ?? []).map((e) => [e.subject.id, e.subject.name])).entries()].sort(
    (a, b) => a[1].localeCompare(b[1]),
  );
  const items = (list.data?.items ?? []).filter((e) => e.lesson || !subject);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title" className="fr-h4">
        {t('logbook.historyTitle')}
      </h2>
      {picker}
      <div className="preau-week-picker">
        <Select
          label={t('logbook.subject')}
          nativeSelectProps={{ value: subject, onChange: (e) => setSubject(e.target.value) }}
        >
          <option value="">{t('logbook.allSubjects')}</option>
          {known.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </Select>
      </div>
      {subject ? null : <WeekNav from={from} onChange={setFrom} />}
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data && items.length === 0 ? <EmptyState>{t('logbook.noEntries')}</EmptyState> : null}
      <ol className="preau-entries">
        {(subject ? [...items].reverse() : items).map((e) => (
          <li key={`${e.courseId}-${e.date}-${e.lesson?.id ?? ''}`}>
            <EntryCard entry={e} />
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The teacher's courses of the week, each with its lesson to fill or edit. */
function MyCoursesView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const [from, setFrom] = useWeekParam();
  const query = { establishment, from, to: shift(from, 6) };
  const list = useQuery({
    queryKey: ['logbook', 'entries', 'mine', query],
    queryFn: () => call('GET /api/logbook/entries', { query }),
  });
  return (
    <section aria-labelledby="mine-title">
      <h2 id="mine-title" className="fr-h4">
        {t('logbook.mineTitle')}
      </h2>
      <p>
        <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/logbook/progressions">
          {t('logbook.progressions.link')}
        </Link>
      </p>
      <WeekNav from={from} onChange={setFrom} />
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error} />
      {list.data && list.data.items.length === 0 ? <EmptyState>{t('logbook.noCourses')}</EmptyState> : null}
      <ol className="preau-entries">
        {list.data?.items.map((e) => (
          <li key={`${e.courseId}-${e.date}-${e.lesson?.id ?? ''}`}>
            <EntryCard entry={e}>
              {e.can.write && e.courseId ? (
                <p className="fr-mt-1w fr-mb-0">
                  <Link
                    className="fr-btn fr-btn--sm fr-btn--secondary"
                    to={`/logbook/lesson?course=${e.courseId}&date=${e.date}`}
                  >
                    {e.lesson ? t('logbook.edit') : t('logbook.fillLesson')}
                    <span className="fr-sr-only">
                      {' '}
                      — {e.subject.name}, {e.date}
                    </span>
                  </Link>
                </p>
              ) : null}
            </EntryCard>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A class's (group's, teacher's) logbook: to read, sign (the direction) and print. */
function ClassView({ establishment, signs }: { establishment: string; signs: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [from, setFrom] = useWeekParam();
  const options = useQuery({
    queryKey: ['timetable', 'options', establishment],
    queryFn: () => call('GET /api/timetable/options', { query: { establishment } }),
  });
  const o = options.data;
  const target = params.get('target') ?? (o?.classes[0] ? `class:${o.classes[0].id}` : '');
  const [kind, id] = target.split(':') as ['class' | 'group' | 'teacher', string];
  const to = shift(from, 6);
  const query = { establishment, from, to, ...(id ? { [kind]: id } : {}) };
  const list = useQuery({
    queryKey: ['logbook', 'entries', 'target', query],
    queryFn: () => call('GET /api/logbook/entries', { query }),
    enabled: !!id,
  });
  const [through, setThrough] = useState(todayInParis());
  const [comment, setComment] = useState('');
  const sign = useMutation({
    mutationFn: () =>
      call('POST /api/logbook/visas', {
        body: {
          establishment,
          through,
          ...(comment ? { comment } : {}),
          ...(kind === 'teacher' ? { teacherId: id } : { classId: id }),
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['logbook'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    sign.mutate();
  };
  const printUrl = `/api/logbook/print?establishment=${establishment}&${kind}=${id}&from=${shift(from, -84)}&to=${to}`;
  return (
    <section aria-labelledby="class-title">
      <h2 id="class-title" className="fr-h4">
        {t('logbook.classTitle')}
      </h2>
      <div className="preau-week-picker">
        <Select
          label={t('logbook.whose')}
          nativeSelectProps={{
            value: target,
            onChange: (e) => {
              const p = new URLSearchParams(params);
              p.set('target', e.target.value);
              setParams(p);
            },
          }}
        >
          {o?.classes.map((c) => (
            <option key={c.id} value={`class:${c.id}`}>
              {t('timetable.classWeek', { name: c.name })}
            </option>
          ))}
          {o?.groups.map((g) => (
            <option key={g.id} value={`group:${g.id}`}>
              {t('timetable.groupWeek', { name: g.name })}
            </option>
          ))}
          {signs
            ? o?.teachers.map((x) => (
                <option key={x.id} value={`teacher:${x.id}`}>
                  {t('timetable.teacherWeek', { name: x.displayName })}
                </option>
              ))
            : null}
        </Select>
      </div>
      <WeekNav from={from} onChange={setFrom} />
      {id ? (
        <p>
          <a className="fr-link fr-icon-download-line fr-link--icon-left" href={printUrl} download>
            {t('logbook.print')}
          </a>
        </p>
      ) : null}
      {list.isPending && id ? <Loading /> : null}
      <ErrorAlert error={options.error ?? list.error} />
      {list.data?.archived ? <p className="fr-badge fr-badge--info">{t('logbook.archived')}</p> : null}
      {list.data && list.data.items.length === 0 ? <EmptyState>{t('logbook.noEntries')}</EmptyState> : null}
      <ol className="preau-entries">
        {list.data?.items.map((e) => (
          <li key={`${e.courseId}-${e.date}-${e.lesson?.id ?? ''}`}>
            <EntryCard entry={e} />
          </li>
        ))}
      </ol>
      {list.data && list.data.visas.length ? (
        <>
          <h3 className="fr-h6">{t('logbook.visas')}</h3>
          <ul>
            {list.data.visas.map((v) => (
              <li key={v.id}>
                {t('logbook.visaLine', { name: v.signer?.displayName ?? '—', through: v.through })}
                {v.comment ? ` — « ${v.comment} »` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {signs && id && kind !== 'group' ? (
        <form className="preau-card fr-p-3w fr-mt-3w" onSubmit={submit} data-testid="visa-form">
          <h3 className="fr-h6">{t('logbook.signTitle')}</h3>
          <Input
            label={t('logbook.signThrough')}
            nativeInputProps={{
              type: 'date',
              value: through,
              onChange: (e) => setThrough(e.target.value),
              required: true,
            }}
          />
          <Input
            label={t('logbook.signComment')}
            textArea
            nativeTextAreaProps={{ value: comment, onChange: (e) => setComment(e.target.value), maxLength: 2000 }}
          />
          <ErrorAlert error={sign.error} />
          {sign.data ? <p role="status">{t('logbook.signedCount', { count: sign.data.lessons })}</p> : null}
          <Button type="submit" disabled={sign.isPending}>
            {t('logbook.sign')}
          </Button>
        </form>
      ) : null}
    </section>
  );
}

function FillRateView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const [by, setBy] = useState<'teacher' | 'subject' | 'class'>('teacher');
  const to = todayInParis();
  const from = shift(to, -27);
  const query = { establishment, from, to, by };
  const rate = useQuery({
    queryKey: ['logbook', 'fill', query],
    queryFn: () => call('GET /api/logbook/fill-rate', { query }),
  });
  const pct = (r: number) => `${Math.round(r * 100)} %`;
  return (
    <section aria-labelledby="fill-title">
      <h2 id="fill-title" className="fr-h4">
        {t('logbook.fill.title')}
      </h2>
      <p>{t('logbook.fill.intro')}</p>
      <div className="preau-week-picker">
        <Select
          label={t('logbook.fill.by')}
          nativeSelectProps={{ value: by, onChange: (e) => setBy(e.target.value as typeof by) }}
        >
          <option value="teacher">{t('logbook.fill.byTeacher')}</option>
          <option value="subject">{t('logbook.fill.bySubject')}</option>
          <option value="class">{t('logbook.fill.byClass')}</option>
        </Select>
      </div>
      {rate.isPending ? <Loading /> : null}
      <ErrorAlert error={rate.error} />
      {rate.data ? (
        <>
          <p className="fr-text--lead">
            {t('logbook.fill.overall', {
              rate: pct(rate.data.rate),
              written: rate.data.written,
              courses: rate.data.courses,
            })}{' '}
            {t('logbook.fill.homework', { count: rate.data.homework })}
          </p>
          <div className="fr-table">
            <div className="fr-table__wrapper">
              <div className="fr-table__container">
                <div className="fr-table__content">
                  <table>
                    <caption>{t('logbook.fill.caption')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t(`logbook.fill.col.${by}`)}</th>
                        <th scope="col">{t('logbook.fill.courses')}</th>
                        <th scope="col">{t('logbook.fill.written')}</th>
                        <th scope="col">{t('logbook.fill.rate')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rate.data.rows.map((r) => (
                        <tr key={r.id}>
                          <td>{r.name}</td>
                          <td>{r.courses}</td>
                          <td>{r.written}</td>
                          <td>{pct(r.rate)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}

function InspectorsView({ establishment }: { establishment: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['logbook', 'inspectors', establishment],
    queryFn: () => call('GET /api/logbook/inspectors', { query: { establishment } }),
  });
  const options = useQuery({
    queryKey: ['timetable', 'options', establishment],
    queryFn: () => call('GET /api/timetable/options', { query: { establishment } }),
  });
  const [login, setLogin] = useState('');
  const [teacher, setTeacher] = useState('');
  const name = useMutation({
    mutationFn: () => call('POST /api/logbook/inspectors', { body: { establishment, login, teacherIds: [teacher] } }),
    onSuccess: async () => {
      setLogin('');
      await qc.invalidateQueries({ queryKey: ['logbook', 'inspectors'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => call('DELETE /api/logbook/inspectors/:id', { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['logbook', 'inspectors'] }),
  });
  return (
    <section aria-labelledby="inspectors-title">
      <h2 id="inspectors-title" className="fr-h4">
        {t('logbook.inspectors.title')}
      </h2>
      <p>{t('logbook.inspectors.intro')}</p>
      <ErrorAlert error={list.error ?? remove.error} />
      {list.data && list.data.items.length === 0 ? <EmptyState>{t('logbook.inspectors.none')}</EmptyState> : null}
      <ul>
        {list.data?.items.map((i) => (
          <li key={i.id}>
            {t('logbook.inspectors.line', {
              name: i.inspector.displayName,
              teachers: i.teachers.map((x) => x.displayName).join(', '),
            })}{' '}
            <Button priority="tertiary no outline" size="small" onClick={() => remove.mutate(i.id)}>
              {t('logbook.inspectors.remove')}
            </Button>
          </li>
        ))}
      </ul>
      <form
        className="preau-card fr-p-3w"
        onSubmit={(e) => {
          e.preventDefault();
          name.mutate();
        }}
      >
        <Input
          label={t('logbook.inspectors.login')}
          nativeInputProps={{
            value: login,
            onChange: (e) => setLogin(e.target.value),
            required: true,
            autoComplete: 'off',
          }}
        />
        <Select
          label={t('logbook.inspectors.teacher')}
          nativeSelectProps={{ value: teacher, onChange: (e) => setTeacher(e.target.value), required: true }}
        >
          <option value="">{t('timetable.admin.choose')}</option>
          {options.data?.teachers.map((x) => (
            <option key={x.id} value={x.id}>
              {x.displayName}
            </option>
          ))}
        </Select>
        <ErrorAlert error={name.error} />
        <Button type="submit" disabled={name.isPending}>
          {t('logbook.inspectors.name')}
        </Button>
      </form>
    </section>
  );
}
