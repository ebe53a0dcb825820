import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, call } from '../../app/api.ts';
import { formatDate } from '../../components/format.ts';
import { PlainMarkdown } from '../../components/PlainMarkdown.tsx';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';

export function CharterAdmin() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: ['admin', id, 'charter'],
    queryFn: () => call('GET /api/establishments/:id/charter', { params: { id } }),
  });
  const [mode, setMode] = useState<'view' | 'edit' | 'preview'>('view');
  const [draft, setDraft] = useState({ title: '', body: '' });
  const [published, setPublished] = useState<number | null>(null);
  const publish = useMutation({
    mutationFn: () => call('POST /api/establishments/:id/charter', { params: { id }, body: draft }),
    onSuccess: (data) => {
      qc.setQueryData(['admin', id, 'charter'], data);
      // The publisher, too, must accept the new version: the charter gate shows at the next page load.
      setPublished(data.current?.version ?? null);
      setMode('view');
    },
  });
  const err = publish.error instanceof ApiError ? publish.error : null;

  function startEdit() {
    const c = query.data?.current;
    setDraft({ title: c?.title ?? '', body: c?.body ?? '' });
    setPublished(null);
    publish.reset();
    setMode('edit');
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    publish.mutate();
  }

  const c = query.data?.current;
  return (
    <>
      <PageTitle title={t('admin.charter.title')}>{t('admin.charter.title')}</PageTitle>
      <p>{t('admin.charter.intro')}</p>
      {published !== null ? (
        <Alert
          role="status"
          className="fr-mb-3w"
          severity="success"
          small
          description={t('admin.charter.published', { version: published })}
        />
      ) : null}
      {query.isPending ? <Loading /> : null}
      <ErrorAlert error={query.error} />

      {query.data ? (
        <section aria-labelledby="acceptance-title" className="fr-mb-4w">
          <h2 id="acceptance-title" className="fr-h4">
            {t('admin.charter.acceptance')}
          </h2>
          {query.data.acceptance.length === 0 ? (
            <EmptyState>{t('admin.charter.noMembers')}</EmptyState>
          ) : (
            <Table caption={t('admin.charter.acceptance')}>
              <thead>
                <tr>
                  <th scope="col">{t('admin.charter.profile')}</th>
                  <th scope="col">{t('admin.charter.accepted')}</th>
                  <th scope="col">{t('admin.charter.rate')}</th>
                </tr>
              </thead>
              <tbody>
                {query.data.acceptance.map((a) => (
                  <tr key={a.profile} data-profile={a.profile}>
                    <th scope="row">{t(`profiles.${a.profile}`)}</th>
                    <td>{t('admin.charter.acceptedOf', { accepted: a.accepted, total: a.total })}</td>
                    <td>{a.total ? `${Math.round((100 * a.accepted) / a.total)} %` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </section>
      ) : null}

      {query.data && mode === 'view' ? (
        <section aria-labelledby="current-title">
          <h2 id="current-title" className="fr-h4">
            {t('admin.charter.current')}
          </h2>
          {c ? (
            <article className="preau-charter fr-p-3w fr-mb-3w">
              <h3 className="fr-h5">{c.title}</h3>
              <p className="fr-text--sm preau-muted">
                {t('charter.versionOf', { version: c.version, date: formatDate(c.publishedAt, i18n.language) })}
                {c.inherited ? ` — ${t('admin.charter.inherited')}` : ''}
              </p>
              <PlainMarkdown text={c.body} topLevel={4} />
            </article>
          ) : (
            <EmptyState>{t('admin.charter.none')}</EmptyState>
          )}
          <Button iconId="fr-icon-edit-line" onClick={startEdit}>
            {t('admin.charter.newVersion')}
          </Button>
        </section>
      ) : null}

      {mode !== 'view' ? (
        <form onSubmit={submit} noValidate aria-labelledby="edit-title">
          <h2 id="edit-title" className="fr-h4">
            {t('admin.charter.editTitle', { version: (c?.version ?? 0) + 1 })}
          </h2>
          {err ? <ErrorAlert error={err} /> : null}
          {mode === 'edit' ? (
            <>
              <Input
                label={t('admin.charter.fieldTitle')}
                state={err?.fieldError('title') ? 'error' : 'default'}
                stateRelatedMessage={err?.fieldError('title')}
                nativeInputProps={{
                  name: 'title',
                  value: draft.title,
                  onChange: (e) => setDraft({ ...draft, title: e.target.value }),
                }}
              />
              <Input
                textArea
                label={t('admin.charter.fieldBody')}
                hintText={t('admin.charter.fieldBodyHint')}
                state={err?.fieldError('body') ? 'error' : 'default'}
                stateRelatedMessage={err?.fieldError('body')}
                nativeTextAreaProps={{
                  name: 'body',
                  rows: 14,
                  value: draft.body,
                  onChange: (e) => setDraft({ ...draft, body: e.target.value }),
                }}
              />
            </>
          ) : (
            <article className="preau-charter fr-p-3w fr-mb-3w" aria-label={t('admin.charter.preview')}>
              <p className="fr-badge fr-badge--info fr-mb-2w">{t('admin.charter.preview')}</p>
              <h3 className="fr-h5">{draft.title}</h3>
              <PlainMarkdown text={draft.body} topLevel={4} />
            </article>
          )}
          <Alert severity="warning" small className="fr-mb-3w" description={t('admin.charter.warning')} />
          <div className="preau-actions">
            {mode === 'edit' ? (
              <Button type="button" priority="secondary" onClick={() => setMode('preview')}>
                {t('admin.charter.previewButton')}
              </Button>
            ) : (
              <Button type="button" priority="secondary" onClick={() => setMode('edit')}>
                {t('admin.charter.backToEdit')}
              </Button>
            )}
            <Button type="submit" disabled={publish.isPending}>
              {t('admin.charter.publish')}
            </Button>
            <Button type="button" priority="tertiary" onClick={() => setMode('view')}>
              {t('common.cancel')}
            </Button>
          </div>
        </form>
      ) : null}
    </>
  );
}
