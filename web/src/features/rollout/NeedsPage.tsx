import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { NEED_STATUSES, type Need, SERVICE_KEYS, type ServiceKey } from '@preau/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, call } from '../../app/api.ts';
import { formatDate } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { rolloutKey, useEstablishmentId } from './rollout.api.ts';

const SEVERITY = { open: 'new', in_progress: 'info', done: 'success', declined: undefined } as const;

/** The needs backlog: anyone posts a need for a discipline and a service; the steering group answers. */
export function NeedsPage() {
  const { t } = useTranslation();
  const establishment = useEstablishmentId();
  const needs = useQuery({
    queryKey: rolloutKey(establishment, 'needs'),
    queryFn: () => call('GET /api/rollout/needs', { query: { establishment } }),
  });
  const n = needs.data;
  return (
    <>
      <PageTitle title={t('rollout.needs.title')}>{t('rollout.needs.title')}</PageTitle>
      <p>{t('rollout.needs.intro')}</p>
      {needs.isPending ? <Loading /> : null}
      <ErrorAlert error={needs.error} />
      {n ? (
        <>
          <NewNeed establishment={establishment} subjects={n.subjects} />
          {n.bySubject.length > 0 ? (
            <Table caption={t('rollout.needs.counts')} showCaption className="fr-table--sm preau-table-wrap">
              <thead>
                <tr>
                  <th scope="col">{t('rollout.needs.subject')}</th>
                  <th scope="col">{t('rollout.needs.total')}</th>
                  <th scope="col">{t('rollout.needs.open')}</th>
                </tr>
              </thead>
              <tbody>
                {n.bySubject.map((c) => (
                  <tr key={c.subjectCode ?? 'none'}>
                    <th scope="row">{c.subject ?? t('rollout.needs.noSubject')}</th>
                    <td>{c.total}</td>
                    <td>{c.open}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
          <h2 className="fr-h4">{t('rollout.needs.list')}</h2>
          {n.items.length === 0 ? <p>{t('rollout.needs.empty')}</p> : null}
          <ul className="preau-needs">
            {n.items.map((need) => (
              <NeedItem key={need.id} establishment={establishment} need={need} canAnswer={n.can.answer} />
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

function NeedItem({ establishment, need, canAnswer }: { establishment: string; need: Need; canAnswer: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState(need.status);
  const [answer, setAnswer] = useState(need.answer ?? '');
  const save = useMutation({
    mutationFn: () =>
      call('PATCH /api/rollout/needs/:id', {
        params: { id: need.id },
        body: { status, answer: answer.trim() || null },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'needs') }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const headingId = `need-${need.id}`;
  return (
    <li className="preau-card fr-p-3w fr-mb-2w" data-need={need.title}>
      <h3 id={headingId} className="fr-h6 fr-mb-1w">
        {need.title}{' '}
        <Badge as="span" small severity={SEVERITY[need.status]}>
          {t(`rollout.needs.status.${need.status}`)}
        </Badge>
      </h3>
      <p className="fr-text--sm preau-muted fr-mb-1w">
        {[
          need.subject,
          need.service ? t(`rollout.services.${need.service}`) : null,
          formatDate(need.createdAt, i18n.language),
          need.author?.displayName,
        ]
          .filter(Boolean)
          .join(' — ')}
        {need.mine ? ` — ${t('rollout.needs.mine')}` : ''}
      </p>
      {need.body ? <p className="preau-prewrap">{need.body}</p> : null}
      {need.answer && !canAnswer ? (
        <div className="preau-answer">
          <p className="fr-text--bold fr-mb-0">{t('rollout.needs.answer')}</p>
          <p className="preau-prewrap fr-mb-0">{need.answer}</p>
        </div>
      ) : null}
      {canAnswer ? (
        <form onSubmit={submit} noValidate aria-labelledby={headingId} className="fr-mt-2w">
          <ErrorAlert error={save.error} />
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-4">
              <Select
                label={t('rollout.needs.statusLabel')}
                nativeSelectProps={{
                  name: 'status',
                  value: status,
                  onChange: (e) => setStatus(e.target.value as Need['status']),
                }}
              >
                {NEED_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`rollout.needs.status.${s}`)}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-8">
              <Input
                label={t('rollout.needs.answer')}
                textArea
                nativeTextAreaProps={{
                  name: 'answer',
                  value: answer,
                  onChange: (e) => setAnswer(e.target.value),
                  rows: 2,
                }}
              />
            </div>
          </div>
          <Button type="submit" size="small" disabled={save.isPending}>
            {t('rollout.needs.saveAnswer')}
          </Button>
        </form>
      ) : null}
    </li>
  );
}

function NewNeed({ establishment, subjects }: { establishment: string; subjects: { code: string; label: string }[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({ title: '', body: '', subjectCode: '', service: '' as ServiceKey | '' });
  const create = useMutation({
    mutationFn: () =>
      call('POST /api/rollout/needs', {
        body: {
          establishmentId: establishment,
          title: form.title,
          body: form.body,
          subjectCode: form.subjectCode || null,
          service: form.service || null,
        },
      }),
    onSuccess: async () => {
      setForm({ title: '', body: '', subjectCode: '', service: '' });
      await qc.invalidateQueries({ queryKey: rolloutKey(establishment, 'needs') });
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="preau-card fr-p-3w fr-mb-4w" aria-labelledby="new-need-title">
      <h2 id="new-need-title" className="fr-h5">
        {t('rollout.needs.new')}
      </h2>
      <Input
        label={t('rollout.needs.titleLabel')}
        nativeInputProps={{ name: 'title', value: form.title, onChange: set('title') }}
        {...(err?.fieldError('title') ? { state: 'error' as const, stateRelatedMessage: err.fieldError('title') } : {})}
      />
      <Input
        label={t('rollout.needs.body')}
        textArea
        nativeTextAreaProps={{ name: 'body', value: form.body, onChange: set('body'), rows: 3 }}
      />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Select
            label={t('rollout.needs.subject')}
            nativeSelectProps={{ name: 'subjectCode', value: form.subjectCode, onChange: set('subjectCode') }}
          >
            <option value="">{t('rollout.needs.noSubject')}</option>
            {subjects.map((s) => (
              <option key={s.code} value={s.code}>
                {s.label}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Select
            label={t('rollout.needs.service')}
            nativeSelectProps={{ name: 'service', value: form.service, onChange: set('service') }}
          >
            <option value="">{t('rollout.common.none')}</option>
            {SERVICE_KEYS.map((k) => (
              <option key={k} value={k}>
                {t(`rollout.services.${k}`)}
              </option>
            ))}
          </Select>
        </div>
      </div>
      {create.isSuccess ? (
        <p role="status" className="fr-text--sm">
          {t('rollout.needs.sent')}
        </p>
      ) : null}
      <Button type="submit" disabled={create.isPending}>
        {t('rollout.needs.post')}
      </Button>
    </form>
  );
}
