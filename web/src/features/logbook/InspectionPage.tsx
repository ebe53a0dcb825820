import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../app/api.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { todayInParis } from '../timetable/WeekView.tsx';
import { EntryCard } from './LogbookPage.tsx';

const shift = (date: string, days: number) => {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** An inspector's page: the teachers the direction named them for, their logbook, and the visa. */
export function InspectionPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const grants = useQuery({
    queryKey: ['logbook', 'inspections'],
    queryFn: () => call('GET /api/logbook/inspections'),
  });
  const choices = (grants.data?.items ?? []).flatMap((g) =>
    g.teachers.map((x) => ({ grant: g.id, teacher: x, establishment: g.establishment })),
  );
  const [chosen, setChosen] = useState('');
  const current = choices.find((c) => `${c.grant}:${c.teacher.id}` === chosen) ?? choices[0];
  const today = todayInParis();
  const from = shift(today, -84);
  const entries = useQuery({
    queryKey: ['logbook', 'inspection', current?.grant, current?.teacher.id],
    queryFn: () =>
      call('GET /api/logbook/inspections/:id/entries', {
        params: { id: current!.grant },
        query: { teacher: current!.teacher.id, from, to: today },
      }),
    enabled: !!current,
  });
  const [through, setThrough] = useState(today);
  const [comment, setComment] = useState('');
  const sign = useMutation({
    mutationFn: () =>
      call('POST /api/logbook/inspections/:id/visas', {
        params: { id: current!.grant },
        body: { teacherId: current!.teacher.id, through, ...(comment ? { comment } : {}) },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['logbook', 'inspection'] }),
  });
  const title = t('logbook.inspection.title');
  const written = (entries.data?.items ?? []).filter((e) => e.lesson);
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {grants.isPending ? <Loading /> : null}
      <ErrorAlert error={grants.error ?? entries.error} />
      {grants.data && choices.length === 0 ? <EmptyState>{t('logbook.inspection.none')}</EmptyState> : null}
      {choices.length > 0 ? (
        <div className="preau-week-picker">
          <Select
            label={t('logbook.inspection.teacher')}
            nativeSelectProps={{
              value: current ? `${current.grant}:${current.teacher.id}` : '',
              onChange: (e) => setChosen(e.target.value),
            }}
          >
            {choices.map((c) => (
              <option key={`${c.grant}:${c.teacher.id}`} value={`${c.grant}:${c.teacher.id}`}>
                {c.teacher.displayName} — {c.establishment.name}
              </option>
            ))}
          </Select>
        </div>
      ) : null}
      {entries.data ? (
        <>
          <p>{t('logbook.inspection.period', { count: written.length })}</p>
          <ol className="preau-entries">
            {written.map((e) => (
              <li key={`${e.courseId}-${e.date}-${e.lesson?.id}`}>
                <EntryCard entry={e} />
              </li>
            ))}
          </ol>
          <form
            className="preau-card fr-p-3w"
            onSubmit={(e) => {
              e.preventDefault();
              sign.mutate();
            }}
          >
            <h2 className="fr-h6">{t('logbook.signTitle')}</h2>
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
              nativeTextAreaProps={{ value: comment, onChange: (e) => setComment(e.target.value) }}
            />
            <ErrorAlert error={sign.error} />
            {sign.data ? <p role="status">{t('logbook.signedCount', { count: sign.data.lessons })}</p> : null}
            <Button type="submit" disabled={sign.isPending}>
              {t('logbook.sign')}
            </Button>
          </form>
        </>
      ) : null}
    </>
  );
}
