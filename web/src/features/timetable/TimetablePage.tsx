import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import type { WeekItem } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { FeedPanel } from './FeedPanel.tsx';
import { clock, todayInParis, useDayLabel, WeekView } from './WeekView.tsx';

const TARGETS = ['student', 'class', 'group', 'teacher', 'room'] as const;
type TargetKind = (typeof TARGETS)[number];

const shift = (date: string, days: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** The week of the caller, of a child, a class, a group, a teacher or a room (`?class=…&date=…`). */
export function TimetablePage() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? todayInParis();
  const target = TARGETS.map((k) => [k, params.get(k)] as const).find(([, v]) => v) ?? null;
  const dayLabel = useDayLabel(false);

  const options = useQuery({
    queryKey: ['timetable', 'options', establishment],
    queryFn: () => call('GET /api/timetable/options', { query: { establishment } }),
    enabled: !!establishment,
  });
  // A guardian without a week of their own sees their first child's until they choose.
  const o = options.data;
  const implicit = !target && o && !o.ownWeek && o.children[0] ? (['student', o.children[0].id] as const) : null;
  const effective = target ?? implicit;
  const query = { establishment, date, ...(effective ? { [effective[0]]: effective[1]! } : {}) };
  const week = useQuery({
    queryKey: ['timetable', 'week', query],
    queryFn: () => call('GET /api/timetable/week', { query }),
    enabled: !!establishment && !!options.data,
  });

  const go = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next))
      if (v === null) p.delete(k);
      else p.set(k, v);
    setParams(p);
  };
  const choose = (value: string) => {
    const [kind, id] = value.split(':') as [TargetKind | 'me', string | undefined];
    const next: Record<string, string | null> = Object.fromEntries(TARGETS.map((k) => [k, null]));
    if (kind !== 'me' && id) next[kind] = id;
    go(next);
  };

  const choices = o
    ? [
        ...(o.ownWeek ? [{ value: 'me:', label: t('timetable.mine') }] : []),
        ...o.children.map((c) => ({
          value: `student:${c.id}`,
          label: t('timetable.childWeek', { name: c.displayName }),
        })),
        ...o.classes.map((c) => ({ value: `class:${c.id}`, label: t('timetable.classWeek', { name: c.name }) })),
        ...o.groups.map((g) => ({ value: `group:${g.id}`, label: t('timetable.groupWeek', { name: g.name }) })),
        ...o.teachers.map((x) => ({
          value: `teacher:${x.id}`,
          label: t('timetable.teacherWeek', { name: x.displayName }),
        })),
        ...o.rooms.map((r) => ({ value: `room:${r}`, label: t('timetable.roomWeek', { name: r }) })),
      ]
    : [];
  const current = effective ? `${effective[0]}:${effective[1]}` : (choices[0]?.value ?? 'me:');

  const w = week.data;
  const patterns = w?.weekPatterns.length
    ? ` — ${w.weekPatterns.map((p) => t('timetable.weekPattern', { code: p })).join(', ')}`
    : '';
  const title = t('timetable.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {choices.length > 1 ? (
        <div className="preau-week-picker">
          <Select
            label={t('timetable.whose')}
            nativeSelectProps={{ value: current, onChange: (e) => choose(e.target.value) }}
          >
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </Select>
        </div>
      ) : null}
      <nav className="preau-week-nav" aria-label={t('timetable.weekNav')}>
        <p className="preau-week-nav__label" aria-live="polite" data-testid="week-label">
          {w ? `${t('timetable.weekOf', { from: dayLabel(w.from), to: dayLabel(shift(w.from, 4)) })}${patterns}` : ' '}
        </p>
        <Button
          priority="secondary"
          size="small"
          iconId="fr-icon-arrow-left-s-line"
          onClick={() => go({ date: shift(w?.from ?? date, -7) })}
        >
          {t('timetable.previous')}
        </Button>
        <Button priority="tertiary" size="small" onClick={() => go({ date: null })}>
          {t('timetable.thisWeek')}
        </Button>
        <Button
          priority="secondary"
          size="small"
          iconId="fr-icon-arrow-right-s-line"
          iconPosition="right"
          onClick={() => go({ date: shift(w?.from ?? date, 7) })}
        >
          {t('timetable.next')}
        </Button>
      </nav>
      {options.isPending || week.isPending ? <Loading /> : null}
      <ErrorAlert error={options.error ?? week.error} />
      {w && w.of.kind !== 'me' ? (
        <p className="fr-text--lead">{t(`timetable.of.${w.of.kind}`, { name: w.of.name })}</p>
      ) : null}
      {w?.holidays.map((h) => (
        <Alert
          key={h.from}
          className="fr-mb-2w"
          severity="info"
          small
          description={t('timetable.holiday', { name: h.name, from: dayLabel(h.from), to: dayLabel(h.to) })}
        />
      ))}
      {w ? (
        <WeekView
          from={w.from}
          items={w.items}
          holidays={w.holidays}
          showTeachers={w.of.kind !== 'teacher'}
          renderActions={o?.can.manage ? (item) => <OccurrenceActions item={item} /> : undefined}
        />
      ) : null}
      {establishment && (o?.ownWeek || (o?.children.length ?? 0) > 0) ? (
        <FeedPanel establishment={establishment} />
      ) : null}
    </>
  );
}

/** The direction's change of one occurrence: cancel it (with a reason), move it, or restore it. */
function OccurrenceActions({ item }: { item: WeekItem }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<'cancel' | 'move'>('cancel');
  const [reason, setReason] = useState('');
  const [moveDate, setMoveDate] = useState(item.date);
  const [start, setStart] = useState(clock(item.start));
  const [end, setEnd] = useState(clock(item.end));
  const [room, setRoom] = useState(item.room ?? '');
  const onDate = item.moved?.date ?? item.date;
  const done = async () => {
    setOpen(false);
    await qc.invalidateQueries({ queryKey: ['timetable', 'week'] });
  };
  const change = useMutation({
    mutationFn: () =>
      call('PUT /api/timetable/courses/:id/occurrences/:date', {
        params: { id: item.courseId, date: onDate },
        body:
          mode === 'cancel'
            ? { cancelled: true, ...(reason ? { reason } : {}) }
            : { moveTo: { date: moveDate, start, end, room: room || null }, ...(reason ? { reason } : {}) },
      }),
    onSuccess: done,
  });
  const restore = useMutation({
    mutationFn: () =>
      call('DELETE /api/timetable/courses/:id/occurrences/:date', { params: { id: item.courseId, date: onDate } }),
    onSuccess: done,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate();
  };
  const id = `${item.courseId}-${item.date}`;
  if (!open)
    return (
      <div className="preau-course__actions">
        <Button priority="tertiary no outline" size="small" onClick={() => setOpen(true)}>
          {t('timetable.manage.open')}
        </Button>
        {item.cancelled || item.moved ? (
          <Button
            priority="tertiary no outline"
            size="small"
            onClick={() => restore.mutate()}
            disabled={restore.isPending}
          >
            {t('timetable.manage.restore')}
          </Button>
        ) : null}
        <ErrorAlert error={restore.error} />
      </div>
    );
  return (
    <form className="preau-occurrence-form" onSubmit={submit}>
      <RadioButtons
        legend={t('timetable.manage.legend')}
        small
        name={`mode-${id}`}
        options={[
          {
            label: t('timetable.manage.cancel'),
            nativeInputProps: { checked: mode === 'cancel', onChange: () => setMode('cancel') },
          },
          {
            label: t('timetable.manage.move'),
            nativeInputProps: { checked: mode === 'move', onChange: () => setMode('move') },
          },
        ]}
      />
      {mode === 'move' ? (
        <>
          <Input
            label={t('timetable.manage.date')}
            nativeInputProps={{
              type: 'date',
              value: moveDate,
              onChange: (e) => setMoveDate(e.target.value),
              required: true,
            }}
          />
          <Input
            label={t('timetable.manage.start')}
            nativeInputProps={{ type: 'time', value: start, onChange: (e) => setStart(e.target.value), required: true }}
          />
          <Input
            label={t('timetable.manage.end')}
            nativeInputProps={{ type: 'time', value: end, onChange: (e) => setEnd(e.target.value), required: true }}
          />
          <Input
            label={t('timetable.manage.room')}
            nativeInputProps={{ value: room, onChange: (e) => setRoom(e.target.value) }}
          />
        </>
      ) : null}
      <Input
        label={t('timetable.manage.reason')}
        hintText={t('timetable.manage.reasonHint')}
        nativeInputProps={{ value: reason, maxLength: 200, onChange: (e) => setReason(e.target.value) }}
      />
      <ErrorAlert error={change.error} />
      <div className="preau-actions">
        <Button type="submit" size="small" disabled={change.isPending}>
          {mode === 'cancel' ? t('timetable.manage.confirmCancel') : t('timetable.manage.confirmMove')}
        </Button>
        <Button type="button" priority="secondary" size="small" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
