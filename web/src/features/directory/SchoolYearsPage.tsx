import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { RolloverItem } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, get, post } from '../../app/api.ts';
import { formatDate, formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { keys, type RolloverPreview, type SchoolYearList } from './directory.api.ts';

export function SchoolYearsPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const years = useQuery({
    queryKey: keys.schoolYears(id),
    queryFn: () => get<SchoolYearList>(`/api/establishments/${id}/school-years`),
  });
  const [showPreview, setShowPreview] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [missing, setMissing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const preview = useQuery({
    queryKey: keys.rollover(id),
    queryFn: () => get<RolloverPreview>(`/api/establishments/${id}/school-years/rollover`),
    enabled: showPreview,
  });
  const rollovers = useQuery({
    queryKey: keys.rollovers(id),
    queryFn: () => get<{ items: RolloverItem[] }>(`/api/establishments/${id}/school-years/rollovers`),
  });
  const run = useMutation({
    mutationFn: (from: string) =>
      post(`/api/establishments/${id}/school-years/rollover`, {
        from,
        // Before the year's end the server refuses unless the year's label was typed (it checks it).
        ...(typed.trim() ? { earlyConfirmation: typed.trim() } : {}),
      }),
    onSuccess: async () => {
      setDone(preview.data?.to.label ?? '');
      setUndone(null);
      setShowPreview(false);
      setConfirmed(false);
      setTyped('');
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.code === 'SCHOOL_YEAR_CHANGED') void preview.refetch();
    },
  });
  const [undone, setUndone] = useState<string | null>(null);
  const undo = useMutation({
    mutationFn: (r: RolloverItem) => post(`/api/establishments/${id}/school-years/rollovers/${r.id}/undo`),
    onSuccess: async (_d, r) => {
      setUndone(r.from);
      setDone(null);
      await qc.invalidateQueries({ queryKey: ['admin', id] });
    },
  });
  const p = preview.data;
  const typedError = run.error instanceof ApiError ? run.error.fieldError('earlyConfirmation') : undefined;
  return (
    <>
      <PageTitle title={t('directory.years.title')}>{t('directory.years.title')}</PageTitle>
      <p>{t('directory.years.intro')}</p>
      {done !== null ? (
        <Alert
          role="status"
          className="fr-mb-3w"
          severity="success"
          small
          description={`${t('directory.years.done', { label: done })} ${t('directory.years.undoHint')}`}
        />
      ) : null}
      {undone !== null ? (
        <Alert
          role="status"
          className="fr-mb-3w"
          severity="success"
          small
          description={t('directory.years.undone', { label: undone })}
        />
      ) : null}
      <ErrorAlert error={undo.error} />
      {years.isPending ? <Loading /> : null}
      <ErrorAlert error={years.error} />
      {years.data && years.data.items.length === 0 ? <EmptyState>{t('directory.years.none')}</EmptyState> : null}
      {years.data && years.data.items.length > 0 ? (
        <Table caption={t('directory.years.title')}>
          <thead>
            <tr>
              <th scope="col">{t('directory.years.label')}</th>
              <th scope="col">{t('directory.years.dates')}</th>
              <th scope="col">{t('directory.years.status')}</th>
              <th scope="col">{t('directory.years.retained')}</th>
            </tr>
          </thead>
          <tbody>
            {years.data.items.map((y) => (
              <tr key={y.id} data-year={y.label}>
                <th scope="row">{y.label}</th>
                <td>
                  {t('directory.years.range', {
                    from: formatDate(y.startsOn, i18n.language),
                    to: formatDate(y.endsOn, i18n.language),
                  })}
                </td>
                <td>
                  <Badge
                    as="span"
                    small
                    noIcon
                    severity={y.status === 'current' ? 'success' : y.status === 'next' ? 'info' : undefined}
                  >
                    {t(`directory.years.statuses.${y.status}`)}
                  </Badge>
                </td>
                <td>{y.retainedUntil ? formatDate(y.retainedUntil, i18n.language) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      <section aria-labelledby="rollover-title" className="fr-mt-5w">
        <h2 id="rollover-title" className="fr-h4">
          {t('directory.years.rollover')}
        </h2>
        <p>{t('directory.years.rolloverIntro')}</p>
        {!showPreview ? (
          <Button priority="secondary" iconId="fr-icon-calendar-line" onClick={() => setShowPreview(true)}>
            {t('directory.years.previewButton')}
          </Button>
        ) : (
          <>
            {preview.isPending ? <Loading /> : null}
            <ErrorAlert error={preview.error} />
            {p ? (
              <div className="preau-card fr-p-3w fr-mb-3w" data-testid="rollover-preview">
                <h3 className="fr-h5">{t('directory.years.previewTitle', { from: p.from.label, to: p.to.label })}</h3>
                <p>
                  {t('directory.years.opens', {
                    label: p.to.label,
                    from: formatDate(p.to.startsOn, i18n.language),
                    to: formatDate(p.to.endsOn, i18n.language),
                  })}
                </p>
                <h4 className="fr-h6">{t('directory.years.archived', { label: p.from.label })}</h4>
                <ul>
                  {(['classes', 'groups', 'enrolments', 'teachingAssignments', 'headTeachers'] as const).map((k) => (
                    <li key={k}>{t(`directory.years.counts.${k}`, { count: p.archived[k] })}</li>
                  ))}
                </ul>
                <h4 className="fr-h6">{t('directory.years.kept', { count: p.accountsKept })}</h4>
                <ul>
                  {p.byProfile.map((b) => (
                    <li key={b.profile}>
                      {t(`profiles.${b.profile}`)} : {b.count}
                    </li>
                  ))}
                </ul>
                <Alert severity="warning" small className="fr-mb-3w" description={t('directory.years.warning')} />
                {p.window.open ? (
                  <p className="fr-text--sm">
                    {t('directory.years.window', { date: formatDate(p.window.opensOn, i18n.language) })}
                  </p>
                ) : (
                  <>
                    <Alert
                      severity="info"
                      small
                      className="fr-mb-3w"
                      description={t('directory.years.tooEarly', {
                        label: p.from.label,
                        date: formatDate(p.window.opensOn, i18n.language),
                      })}
                    />
                    <Input
                      label={t('directory.years.earlyLabel', { label: p.from.label })}
                      hintText={t('directory.years.earlyHint')}
                      state={typedError ? 'error' : 'default'}
                      stateRelatedMessage={typedError}
                      nativeInputProps={{
                        name: 'earlyConfirmation',
                        autoComplete: 'off',
                        value: typed,
                        onChange: (e) => setTyped(e.target.value),
                      }}
                    />
                  </>
                )}
                {run.error && !typedError ? <ErrorAlert error={run.error} /> : null}
                <Checkbox
                  state={missing && !confirmed ? 'error' : 'default'}
                  stateRelatedMessage={missing && !confirmed ? t('directory.years.mustConfirm') : undefined}
                  options={[
                    {
                      label: t('directory.years.confirm', { from: p.from.label, to: p.to.label }),
                      nativeInputProps: {
                        name: 'confirm',
                        checked: confirmed,
                        onChange: (e) => setConfirmed(e.target.checked),
                      },
                    },
                  ]}
                />
                <div className="preau-actions fr-mt-2w">
                  <Button
                    disabled={run.isPending}
                    onClick={() => {
                      if (!confirmed) setMissing(true);
                      else run.mutate(p.from.label);
                    }}
                  >
                    {t('directory.years.run', { from: p.from.label })}
                  </Button>
                  <Button priority="tertiary" onClick={() => setShowPreview(false)}>
                    {t('common.cancel')}
                  </Button>
                </div>
              </div>
            ) : null}
          </>
        )}
      </section>
      <section aria-labelledby="rollovers-title" className="fr-mt-5w">
        <h2 id="rollovers-title" className="fr-h4">
          {t('directory.years.history')}
        </h2>
        {rollovers.isPending ? <Loading /> : null}
        <ErrorAlert error={rollovers.error} />
        {rollovers.data && rollovers.data.items.length === 0 ? (
          <EmptyState>{t('directory.years.noHistory')}</EmptyState>
        ) : null}
        {rollovers.data && rollovers.data.items.length > 0 ? (
          <Table caption={t('directory.years.history')}>
            <thead>
              <tr>
                <th scope="col">{t('directory.years.date')}</th>
                <th scope="col">{t('directory.years.passage')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rollovers.data.items.map((r) => (
                <tr key={r.id} data-rollover={r.from}>
                  <td className="preau-nowrap">{formatDateTime(r.rolledAt, i18n.language)}</td>
                  <td>
                    {t('directory.years.fromTo', { from: r.from, to: r.to })}
                    {r.early ? (
                      <Badge as="span" small noIcon severity="warning" className="fr-ml-1w">
                        {t('directory.years.early')}
                      </Badge>
                    ) : null}
                  </td>
                  <td>
                    {r.undoneAt ? (
                      t('directory.years.undoneAt', { date: formatDateTime(r.undoneAt, i18n.language) })
                    ) : r.can.undo ? (
                      <Button
                        size="small"
                        priority="secondary"
                        iconId="fr-icon-arrow-go-back-line"
                        disabled={undo.isPending}
                        onClick={() => undo.mutate(r)}
                        nativeButtonProps={{
                          'aria-label': t('directory.years.undoFor', { from: r.from, to: r.to }),
                        }}
                      >
                        {t('directory.years.undo')}
                      </Button>
                    ) : (
                      t('directory.years.undoExpired', { date: formatDate(r.undoUntil, i18n.language) })
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </section>
    </>
  );
}
