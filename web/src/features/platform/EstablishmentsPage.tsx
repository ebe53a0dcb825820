import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Pagination } from '@codegouvfr/react-dsfr/Pagination';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { type Establishment, EstablishmentType } from '@preau/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError, call } from '../../app/api.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { uaiProblem } from './uai.ts';

const PAGE_SIZE = 50;

export function EstablishmentsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const [search, setSearch] = useState(q);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Establishment | null>(null);
  const query = useQuery({
    queryKey: ['establishments', q, page],
    queryFn: () => call('GET /api/establishments', { query: { q: q || undefined, page } }),
    placeholderData: keepPreviousData,
  });
  const pageCount = query.data ? Math.max(1, Math.ceil(query.data.total / PAGE_SIZE)) : 1;

  function submit(e: FormEvent) {
    e.preventDefault();
    setParams(search ? { q: search } : {});
  }

  return (
    <>
      <PageTitle title={t('platform.title')}>{t('platform.title')}</PageTitle>
      {created ? (
        <Alert
          role="status"
          className="fr-mb-3w"
          severity="success"
          small
          description={t('platform.created', { name: created.name, uai: created.uai })}
        />
      ) : null}
      {creating ? (
        <CreateEstablishment
          onDone={(e) => {
            setCreating(false);
            if (e) setCreated(e);
          }}
        />
      ) : (
        <Button
          iconId="fr-icon-add-line"
          className="fr-mb-3w"
          onClick={() => {
            setCreated(null);
            setCreating(true);
          }}
        >
          {t('platform.create')}
        </Button>
      )}
      <search aria-label={t('platform.searchLabel')}>
        <form onSubmit={submit} className="fr-mb-3w preau-narrow">
          <Input
            label={t('platform.search')}
            hintText={t('platform.searchHint')}
            nativeInputProps={{ name: 'q', type: 'search', value: search, onChange: (e) => setSearch(e.target.value) }}
            addon={<Button type="submit" iconId="fr-icon-search-line" title={t('common.search')} />}
          />
        </form>
      </search>
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />
      {query.data ? (
        query.data.items.length === 0 ? (
          <EmptyState>{t('platform.empty')}</EmptyState>
        ) : (
          <>
            <p role="status">{t('platform.count', { count: query.data.total })}</p>
            <Table caption={t('platform.title')}>
              <thead>
                <tr>
                  <th scope="col">{t('platform.name')}</th>
                  <th scope="col">{t('platform.uai')}</th>
                  <th scope="col">{t('platform.type')}</th>
                  <th scope="col">{t('platform.city')}</th>
                  <th scope="col">{t('platform.academy')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {query.data.items.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">{e.name}</th>
                    <td>{e.uai}</td>
                    <td>{t(`platform.types.${e.type}`, { defaultValue: e.type })}</td>
                    <td>{e.city ?? '—'}</td>
                    <td>{e.academy.name}</td>
                    <td>
                      <Link
                        className="fr-link"
                        to={`/admin/${e.id}/services`}
                        title={t('platform.administerLabel', { name: e.name })}
                      >
                        {t('platform.administer')}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            {pageCount > 1 ? (
              <Pagination
                count={pageCount}
                defaultPage={page}
                getPageLinkProps={(n) => ({ to: `?${new URLSearchParams({ ...(q ? { q } : {}), page: String(n) })}` })}
              />
            ) : null}
          </>
        )
      ) : null}
    </>
  );
}

function CreateEstablishment({ onDone }: { onDone: (e: Establishment | null) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const academies = useQuery({
    queryKey: ['academies'],
    queryFn: async () => {
      const data = await call('GET /api/academies');
      return data.items;
    },
  });
  const [form, setForm] = useState<{
    uai: string;
    name: string;
    type: EstablishmentType;
    city: string;
    academyId: string;
  }>({ uai: '', name: '', type: 'COLLEGE', city: '', academyId: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn: () =>
      call('POST /api/establishments', {
        body: {
          uai: form.uai.trim().toUpperCase(),
          name: form.name.trim(),
          type: form.type,
          city: form.city.trim() || undefined,
          academyId: form.academyId || academies.data?.[0]?.id || '',
        },
      }),
    onSuccess: async (e) => {
      await qc.invalidateQueries({ queryKey: ['establishments'] });
      onDone(e);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.problem.errors) setErrors(err.fieldErrors());
      else if (err instanceof ApiError && err.code === 'UAI_TAKEN') setErrors({ uai: err.problem.detail });
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const uai = uaiProblem(form.uai);
    if (uai === 'format') errs.uai = t('platform.uaiInvalid');
    if (uai === 'checkLetter') errs.uai = t('platform.uaiCheckLetter');
    if (form.name.trim().length < 2) errs.name = t('platform.nameRequired');
    if (!form.academyId && !academies.data?.[0]) errs.academyId = t('platform.academyRequired');
    setErrors(errs);
    if (Object.keys(errs).length === 0) mutation.mutate();
  }

  const state = (k: string) => (errors[k] ? { state: 'error' as const, stateRelatedMessage: errors[k] } : {});
  const err =
    mutation.error instanceof ApiError && !mutation.error.problem.errors && mutation.error.code !== 'UAI_TAKEN'
      ? mutation.error
      : null;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="create-title" className="preau-editor fr-p-3w fr-mb-4w">
      <h2 id="create-title" className="fr-h4">
        {t('platform.create')}
      </h2>
      <ErrorAlert error={err} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label={t('platform.uai')}
            hintText={t('platform.uaiHint')}
            {...state('uai')}
            nativeInputProps={{
              name: 'uai',
              value: form.uai,
              maxLength: 8,
              onChange: (e) => setForm({ ...form, uai: e.target.value }),
            }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-8">
          <Input
            label={t('platform.name')}
            {...state('name')}
            nativeInputProps={{
              name: 'name',
              value: form.name,
              onChange: (e) => setForm({ ...form, name: e.target.value }),
            }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label={t('platform.type')}
            {...state('type')}
            nativeSelectProps={{
              name: 'type',
              value: form.type,
              onChange: (e) => setForm({ ...form, type: e.target.value as EstablishmentType }),
            }}
          >
            {EstablishmentType.options.map((ty) => (
              <option key={ty} value={ty}>
                {t(`platform.types.${ty}`)}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input
            label={t('platform.city')}
            {...state('city')}
            nativeInputProps={{
              name: 'city',
              value: form.city,
              onChange: (e) => setForm({ ...form, city: e.target.value }),
            }}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select
            label={t('platform.academy')}
            {...state('academyId')}
            nativeSelectProps={{
              name: 'academyId',
              value: form.academyId || academies.data?.[0]?.id || '',
              onChange: (e) => setForm({ ...form, academyId: e.target.value }),
            }}
          >
            {(academies.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
        </div>
      </div>
      <div className="preau-actions">
        <Button type="submit" disabled={mutation.isPending}>
          {t('platform.createSubmit')}
        </Button>
        <Button type="button" priority="secondary" onClick={() => onDone(null)}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
