import './rollout.css';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { AcademyView } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { useAuth } from '../../app/auth.tsx';
import { formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { useFormat } from './rollout.ui.tsx';

type Academy = AcademyView['academies'][number];

/** For platform administrators: every establishment of each académie, ranked, with its plan's progress. */
export function AcademyPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const view = useQuery({
    queryKey: ['rollout', 'academy'],
    queryFn: () => call('GET /api/rollout/academy'),
    enabled: !!me?.user.platformAdmin,
  });
  if (!me?.user.platformAdmin) {
    return (
      <>
        <PageTitle title={t('rollout.academy.title')}>{t('rollout.academy.title')}</PageTitle>
        <EmptyState>{t('rollout.academy.only')}</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageTitle title={t('rollout.academy.title')}>{t('rollout.academy.title')}</PageTitle>
      <p>{t('rollout.academy.intro')}</p>
      {view.isPending ? <Loading /> : null}
      <ErrorAlert error={view.error} />
      {view.data ? (
        <p className="fr-text--sm preau-muted">
          {t('rollout.indicators.asOf', { date: formatDateTime(view.data.asOf, i18n.language) })}
        </p>
      ) : null}
      {view.data?.academies.map((a) => (
        <AcademySection key={a.id} academy={a} />
      ))}
    </>
  );
}

function AcademySection({ academy }: { academy: Academy }) {
  const { t } = useTranslation();
  const f = useFormat();
  const headingId = `academy-${academy.id}`;
  return (
    <section aria-labelledby={headingId} className="fr-mb-6w" data-academy={academy.name}>
      <h2 id={headingId} className="fr-h3">
        {academy.name}
      </h2>
      <Table
        caption={t('rollout.academy.ranking', { name: academy.name })}
        showCaption
        className="fr-table--sm preau-table-wrap"
      >
        <thead>
          <tr>
            <th scope="col">{t('rollout.academy.rank')}</th>
            <th scope="col">{t('rollout.academy.establishment')}</th>
            <th scope="col">{t('rollout.academy.active')}</th>
            <th scope="col">{t('rollout.academy.activation')}</th>
            <th scope="col">{t('rollout.academy.guardians')}</th>
            <th scope="col">{t('rollout.academy.teachers')}</th>
            <th scope="col">{t('rollout.academy.charter')}</th>
            <th scope="col">{t('rollout.academy.plan')}</th>
          </tr>
        </thead>
        <tbody>
          {academy.establishments.map((e) => (
            <tr key={e.id} data-establishment={e.name}>
              <td>{e.rank}</td>
              <th scope="row">
                {e.name}
                <span className="preau-block fr-text--xs preau-muted">{e.uai}</span>
              </th>
              <td>{f.share(e.active)}</td>
              <td>{f.share(e.activation)}</td>
              <td>{f.share(e.guardians)}</td>
              <td>{f.share(e.teachers)}</td>
              <td>{f.share(e.charter)}</td>
              <td className="fr-text--sm">
                {t('rollout.academy.steps', { done: e.plan.done, count: e.plan.steps })}
                {e.plan.late > 0 ? (
                  <span className="preau-block preau-late">{t('rollout.academy.late', { count: e.plan.late })}</span>
                ) : null}
                <span className="preau-block">
                  {t('rollout.academy.objectives', { reached: e.plan.reached, count: e.plan.objectives })}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-lg-6">
          <Contact academy={academy} />
        </div>
        <div className="fr-col-12 fr-col-lg-6">
          <Axes academy={academy} />
        </div>
      </div>
    </section>
  );
}

function Contact({ academy }: { academy: Academy }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const c = academy.contact;
  const [form, setForm] = useState({
    name: c?.name ?? '',
    email: c?.email ?? '',
    phone: c?.phone ?? '',
    url: c?.url ?? '',
    hours: c?.hours ?? '',
  });
  const save = useMutation({
    mutationFn: () =>
      call('PUT /api/rollout/academies/:id/contact', {
        params: { id: academy.id },
        body: {
          name: form.name,
          email: form.email || null,
          phone: form.phone || null,
          url: form.url || null,
          hours: form.hours || null,
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['rollout', 'academy'] }),
  });
  const err = save.error instanceof ApiError ? save.error : null;
  const field = (k: keyof typeof form) => ({
    nativeInputProps: {
      value: form[k],
      onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }),
    },
    ...(err?.fieldError(k) ? { state: 'error' as const, stateRelatedMessage: err.fieldError(k) } : {}),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="preau-card fr-p-3w" aria-labelledby={`contact-${academy.id}`}>
      <h3 id={`contact-${academy.id}`} className="fr-h5">
        {t('rollout.academy.contact')}
      </h3>
      <p className="fr-text--sm">{t('rollout.academy.contactIntro')}</p>
      {err && !err.problem.errors ? <ErrorAlert error={err} /> : null}
      {save.isSuccess ? (
        <p role="status" className="fr-text--sm">
          {t('rollout.academy.saved')}
        </p>
      ) : null}
      <Input label={t('rollout.academy.contactName')} {...field('name')} />
      <Input label={t('rollout.academy.email')} {...field('email')} />
      <Input label={t('rollout.academy.phone')} {...field('phone')} />
      <Input label={t('rollout.academy.url')} {...field('url')} />
      <Input label={t('rollout.academy.hours')} {...field('hours')} />
      <Button type="submit" size="small" disabled={save.isPending}>
        {t('common.save')}
      </Button>
    </form>
  );
}

function Axes({ academy }: { academy: Academy }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [label, setLabel] = useState('');
  const add = useMutation({
    mutationFn: () => call('POST /api/rollout/academies/:id/axes', { params: { id: academy.id }, body: { label } }),
    onSuccess: async () => {
      setLabel('');
      await qc.invalidateQueries({ queryKey: ['rollout', 'academy'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <section className="preau-card fr-p-3w" aria-labelledby={`axes-${academy.id}`}>
      <h3 id={`axes-${academy.id}`} className="fr-h5">
        {t('rollout.academy.axes')}
      </h3>
      {academy.axes.length === 0 ? <p className="fr-text--sm">{t('rollout.academy.noAxis')}</p> : null}
      <ul>
        {academy.axes.map((a) => (
          <li key={a.id}>{a.label}</li>
        ))}
      </ul>
      <form onSubmit={submit} noValidate aria-label={t('rollout.academy.addAxis')}>
        <ErrorAlert error={add.error} />
        <Input
          label={t('rollout.stock.axisLabel')}
          nativeInputProps={{ value: label, onChange: (e) => setLabel(e.target.value) }}
        />
        <Button type="submit" size="small" priority="secondary" disabled={add.isPending}>
          {t('rollout.academy.addAxis')}
        </Button>
      </form>
    </section>
  );
}
