import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { todayInParis } from '../timetable/WeekView.tsx';

const shift = (date: string, days: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** The teacher's progressions: keep a course's lessons as a sequence, apply it to another of their courses. */
export function ProgressionsPage() {
  const { t } = useTranslation();
  const { membership } = useAuth();
  const establishment = membership?.establishment.id ?? '';
  const qc = useQueryClient();
  const today = todayInParis();
  const list = useQuery({
    queryKey: ['logbook', 'progressions', establishment],
    queryFn: () => call('GET /api/logbook/progressions', { query: { establishment } }),
  });
  // The teacher's courses: those of their last four weeks and next four.
  const courses = useQuery({
    queryKey: ['logbook', 'my-courses', establishment],
    queryFn: () =>
      call('GET /api/logbook/entries', { query: { establishment, from: shift(today, -28), to: shift(today, 28) } }),
    select: (r) => [
      ...new Map(
        r.items
          .filter((e) => e.can.write && e.courseId)
          .map((e) => [e.courseId!, `${e.subject.name} — ${e.class?.name ?? e.group?.name ?? ''}`]),
      ).entries(),
    ],
  });
  const [title, setTitle] = useState('');
  const [source, setSource] = useState('');
  const [target, setTarget] = useState<Record<string, string>>({});
  const [applied, setApplied] = useState<Record<string, number>>({});
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/logbook/progressions', {
        body: { establishment, title, fromCourse: { courseId: source, from: shift(today, -56), to: today } },
      }),
    onSuccess: async () => {
      setTitle('');
      await qc.invalidateQueries({ queryKey: ['logbook', 'progressions'] });
    },
  });
  const apply = useMutation({
    mutationFn: ({ id, courseId }: { id: string; courseId: string }) =>
      call('POST /api/logbook/progressions/:id/apply', { params: { id }, body: { courseId, from: today } }),
    onSuccess: (r, v) => setApplied({ ...applied, [v.id]: r.lessons.length }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => call('DELETE /api/logbook/progressions/:id', { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['logbook', 'progressions'] }),
  });
  const heading = t('logbook.progressions.title');
  return (
    <>
      <PageTitle title={heading}>{heading}</PageTitle>
      <p>{t('logbook.progressions.intro')}</p>
      {list.isPending ? <Loading /> : null}
      <ErrorAlert error={list.error ?? apply.error ?? remove.error} />
      {list.data && list.data.items.length === 0 ? <EmptyState>{t('logbook.progressions.none')}</EmptyState> : null}
      <ul className="preau-homework">
        {list.data?.items.map((p) => (
          <li key={p.id}>
            <p className="fr-mb-1v">
              <strong>{p.title}</strong> — {t('logbook.progressions.steps', { count: p.steps })}
              {p.subject ? ` · ${p.subject.name}` : ''}
            </p>
            <Select
              label={t('logbook.progressions.applyTo')}
              nativeSelectProps={{
                value: target[p.id] ?? '',
                onChange: (e) => setTarget({ ...target, [p.id]: e.target.value }),
              }}
            >
              <option value="">{t('timetable.admin.choose')}</option>
              {courses.data?.map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </Select>
            <div className="preau-actions">
              <Button
                size="small"
                disabled={!target[p.id] || apply.isPending}
                onClick={() => apply.mutate({ id: p.id, courseId: target[p.id]! })}
              >
                {t('logbook.progressions.apply')}
              </Button>
              <Button size="small" priority="tertiary" onClick={() => remove.mutate(p.id)}>
                {t('logbook.progressions.remove')}
              </Button>
            </div>
            {applied[p.id] !== undefined ? (
              <p role="status">{t('logbook.progressions.applied', { count: applied[p.id] })}</p>
            ) : null}
          </li>
        ))}
      </ul>
      <form
        className="preau-card fr-p-3w"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h2 className="fr-h6">{t('logbook.progressions.new')}</h2>
        <Input
          label={t('logbook.progressions.name')}
          nativeInputProps={{ value: title, onChange: (e) => setTitle(e.target.value), required: true, maxLength: 200 }}
        />
        <Select
          label={t('logbook.progressions.from')}
          hint={t('logbook.progressions.fromHint')}
          nativeSelectProps={{ value: source, onChange: (e) => setSource(e.target.value), required: true }}
        >
          <option value="">{t('timetable.admin.choose')}</option>
          {courses.data?.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </Select>
        <ErrorAlert error={create.error} />
        <Button type="submit" disabled={create.isPending}>
          {t('logbook.progressions.create')}
        </Button>
      </form>
    </>
  );
}
