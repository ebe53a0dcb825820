import { Button } from '@codegouvfr/react-dsfr/Button';

const ESTABLISHMENT_PROFILES = ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'] as const;

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';

const MB = 1024 * 1024;

/** Administration: quotas per profile, the staff who contribute to the administrative space, resource persons. */
export function SettingsAdmin() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const settings = useQuery({
    queryKey: ['documents', 'settings', id],
    queryFn: () => call('GET /api/documents/settings', { query: { establishment: id } }),
  });
  const [quotas, setQuotas] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (settings.data)
      setQuotas(
        Object.fromEntries(Object.entries(settings.data.quotas).map(([p, b]) => [p, String(Math.round(b / MB))])),
      );
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (body: { quotas?: Record<string, number>; adminContributors?: string[]; resourcePersons?: string[] }) =>
      call('PUT /api/documents/settings', { body: { establishment: id, ...body } }),
    onSuccess: (data) => {
      qc.setQueryData(['documents', 'settings', id], data);
      setSaved(true);
    },
  });
  if (settings.isPending) return <Loading />;
  if (settings.error) return <ErrorAlert error={settings.error} />;
  const s = settings.data;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      quotas: Object.fromEntries(Object.entries(quotas).map(([p, v]) => [p, Math.round(Number(v) * MB)])),
    });
  };
  const title = t('documents.admin.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <ErrorAlert error={save.error} />
      {saved ? (
        <p className="fr-badge fr-badge--success" role="status">
          {t('documents.admin.saved')}
        </p>
      ) : null}
      <form onSubmit={submit} className="fr-mb-5w">
        <fieldset className="fr-fieldset">
          <legend className="fr-fieldset__legend">{t('documents.admin.quotas')}</legend>
          {ESTABLISHMENT_PROFILES.map((p) => (
            <div key={p} className="fr-fieldset__element fr-input-group">
              <label className="fr-label" htmlFor={`quota-${p}`}>
                {t(`profiles.${p}`)} <span className="fr-hint-text">{t('documents.admin.inMb')}</span>
              </label>
              <input
                id={`quota-${p}`}
                className="fr-input"
                type="number"
                min={0}
                value={quotas[p] ?? ''}
                onChange={(e) => setQuotas({ ...quotas, [p]: e.target.value })}
              />
            </div>
          ))}
        </fieldset>
        <p className="fr-text--sm">{t('documents.admin.maxFile', { mb: Math.round(s.maxFileBytes / MB) })}</p>
        <Button type="submit" disabled={save.isPending}>
          {t('common.save')}
        </Button>
      </form>
      <People
        title={t('documents.admin.contributors')}
        hint={t('documents.admin.contributorsHint')}
        people={s.adminContributors}
        establishment={id}
        onChange={(ids) => save.mutate({ adminContributors: ids })}
      />
      <People
        title={t('documents.admin.resourcePersons')}
        hint={t('documents.admin.resourcePersonsHint')}
        people={s.resourcePersons}
        establishment={id}
        onChange={(ids) => save.mutate({ resourcePersons: ids })}
      />
    </>
  );
}

function People({
  title,
  hint,
  people,
  establishment,
  onChange,
}: {
  title: string;
  hint: string;
  people: { id: string; displayName: string }[];
  establishment: string;
  onChange: (ids: string[]) => void;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['documents', 'targets', establishment, q],
    queryFn: () => call('GET /api/documents/share-targets', { query: { establishment, q } }),
    enabled: q.trim().length >= 2,
  });
  const ids = people.map((p) => p.id);
  const fieldId = `people-${title.length}`;
  return (
    <section className="fr-mb-5w" aria-label={title}>
      <h2 className="fr-h5">{title}</h2>
      <p className="fr-text--sm">{hint}</p>
      <ul>
        {people.length === 0 ? <li>{t('documents.admin.nobody')}</li> : null}
        {people.map((p) => (
          <li key={p.id}>
            {p.displayName}{' '}
            <Button
              size="small"
              priority="tertiary"
              onClick={() => onChange(ids.filter((x) => x !== p.id))}
              title={t('documents.admin.removeOf', { name: p.displayName })}
            >
              {t('documents.admin.remove')}
            </Button>
          </li>
        ))}
      </ul>
      <label className="fr-label" htmlFor={fieldId}>
        {t('documents.admin.add')}
      </label>
      <input id={fieldId} className="fr-input" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
      <ul>
        {(found.data?.items ?? [])
          .filter((x) => x.grantee.kind === 'user')
          .map((x) => (
            <li key={x.label}>
              <Button
                size="small"
                priority="secondary"
                onClick={() => {
                  if (x.grantee.kind === 'user') onChange([...ids, x.grantee.userId]);
                  setQ('');
                }}
              >
                {t('documents.admin.addName', { name: x.label })}
              </Button>
            </li>
          ))}
      </ul>
    </section>
  );
}
