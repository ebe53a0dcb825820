import { Button } from '@codegouvfr/react-dsfr/Button';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { call } from '../../app/api.ts';
import { formatDate, formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { contentUrl, formatBytes, spacePath, useEstablishment, useRefresh } from './documents.api.ts';
import { LEVELS } from './FilePage.tsx';

/** "Partagés avec moi": what people shared with me, my classes, groups or profile. */
export function SharedPage() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishment();
  const shared = useQuery({
    queryKey: ['documents', 'shared', establishment],
    queryFn: () => call('GET /api/documents/shared', { query: { establishment } }),
    enabled: !!establishment,
  });
  const title = t('documents.menu.shared');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {shared.isPending ? <Loading /> : null}
      <ErrorAlert error={shared.error} />
      {shared.data && shared.data.items.length === 0 ? <EmptyState>{t('documents.shared.empty')}</EmptyState> : null}
      {shared.data && shared.data.items.length > 0 ? (
        <Table caption={title}>
          <thead>
            <tr>
              <th scope="col">{t('documents.browse.name')}</th>
              <th scope="col">{t('documents.shared.by')}</th>
              <th scope="col">{t('documents.shared.at')}</th>
              <th scope="col">{t('documents.share.right')}</th>
            </tr>
          </thead>
          <tbody data-testid="shared-list">
            {shared.data.items.map((i) => (
              <tr key={i.id}>
                <td>
                  <span
                    className={`fr-mr-1w ${i.type === 'folder' ? 'fr-icon-folder-2-fill' : 'fr-icon-file-line'}`}
                    aria-hidden="true"
                  />
                  <Link
                    to={
                      i.type === 'folder'
                        ? `/documents/spaces/${i.spaceId}/folders/${i.id}`
                        : `/documents/files/${i.id}`
                    }
                  >
                    {i.name}
                  </Link>
                  {i.size !== null ? (
                    <span className="preau-muted"> ({formatBytes(i.size, i18n.language)})</span>
                  ) : null}
                </td>
                <td>{i.sharedBy?.displayName ?? '—'}</td>
                <td>{formatDateTime(i.sharedAt, i18n.language)}</td>
                <td>{t(`documents.rights.${i.right}`)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </>
  );
}

/** The trash: restore, or delete for good (automatic after 30 days). */
export function TrashPage() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishment();
  const refresh = useRefresh();
  const [error, setError] = useState<unknown>(null);
  const trash = useQuery({
    queryKey: ['documents', 'trash', establishment],
    queryFn: () => call('GET /api/documents/trash', { query: { establishment } }),
    enabled: !!establishment,
  });
  const act = useMutation({
    mutationFn: async ({
      type,
      id,
      how,
    }: {
      type: 'file' | 'folder';
      id: string;
      how: 'restore' | 'delete';
    }): Promise<unknown> =>
      type === 'file'
        ? how === 'restore'
          ? call('PATCH /api/documents/files/:id', { params: { id }, body: { trashed: false } })
          : call('DELETE /api/documents/files/:id', { params: { id } })
        : how === 'restore'
          ? call('PATCH /api/documents/folders/:id', { params: { id }, body: { trashed: false } })
          : call('DELETE /api/documents/folders/:id', { params: { id } }),
    onSuccess: () => {
      setError(null);
      return refresh();
    },
    onError: setError,
  });
  const title = t('documents.menu.trash');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <p>{t('documents.trash.hint')}</p>
      {trash.isPending ? <Loading /> : null}
      <ErrorAlert error={trash.error ?? error} />
      {trash.data && trash.data.items.length === 0 ? <EmptyState>{t('documents.trash.empty')}</EmptyState> : null}
      {trash.data && trash.data.items.length > 0 ? (
        <Table caption={title}>
          <thead>
            <tr>
              <th scope="col">{t('documents.browse.name')}</th>
              <th scope="col">{t('documents.trash.space')}</th>
              <th scope="col">{t('documents.trash.purgeOn')}</th>
              <th scope="col">{t('documents.browse.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {trash.data.items.map((i) => (
              <tr key={i.id}>
                <td>
                  <span
                    className={`fr-mr-1w ${i.type === 'folder' ? 'fr-icon-folder-2-fill' : 'fr-icon-file-line'}`}
                    aria-hidden="true"
                  />
                  {i.name}
                </td>
                <td>{i.space.name}</td>
                <td>{formatDate(i.purgeOn, i18n.language)}</td>
                <td className="preau-actions">
                  <Button
                    size="small"
                    priority="secondary"
                    onClick={() => act.mutate({ type: i.type, id: i.id, how: 'restore' })}
                    title={t('documents.trash.restoreOf', { name: i.name })}
                  >
                    {t('documents.trash.restore')}
                  </Button>
                  <Button
                    size="small"
                    priority="tertiary"
                    onClick={() => act.mutate({ type: i.type, id: i.id, how: 'delete' })}
                    title={t('documents.trash.deleteOf', { name: i.name })}
                  >
                    {t('documents.trash.delete')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </>
  );
}

export function SearchPage() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishment();
  const [params] = useSearchParams();
  const q = params.get('q') ?? '';
  const found = useQuery({
    queryKey: ['documents', 'search', establishment, q],
    queryFn: () => call('GET /api/documents/search', { query: { establishment, q } }),
    enabled: !!establishment && q.trim().length >= 2,
  });
  const title = t('documents.search.title', { q });
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      {found.isPending && q.length >= 2 ? <Loading /> : null}
      <ErrorAlert error={found.error} />
      {found.data && found.data.items.length === 0 ? <EmptyState>{t('documents.search.none')}</EmptyState> : null}
      {found.data && found.data.items.length > 0 ? (
        <Table caption={title}>
          <thead>
            <tr>
              <th scope="col">{t('documents.browse.name')}</th>
              <th scope="col">{t('documents.trash.space')}</th>
              <th scope="col">{t('documents.browse.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {found.data.items.map((f) => (
              <tr key={f.id}>
                <td>
                  <Link to={`/documents/files/${f.id}`}>{f.name}</Link>
                </td>
                <td>
                  <Link to={spacePath(f.space, f.folderId)}>{f.space.name}</Link>
                </td>
                <td>{formatDateTime(f.updatedAt, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </>
  );
}

/** The académie's shared library: search by words, discipline and level; copy into one's documents. */
export function LibraryPage() {
  const { t, i18n } = useTranslation();
  const establishment = useEstablishment();
  const refresh = useRefresh();
  const [filters, setFilters] = useState({ q: '', discipline: '', level: '' });
  const [copied, setCopied] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const lib = useQuery({
    queryKey: ['documents', 'library', establishment, filters],
    queryFn: () =>
      call('GET /api/documents/library', {
        query: {
          establishment,
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.discipline ? { discipline: filters.discipline } : {}),
          ...(filters.level ? { level: filters.level as 'all' } : {}),
        },
      }),
    enabled: !!establishment,
  });
  const copy = useMutation({
    mutationFn: (id: string) =>
      call('POST /api/documents/library/:id/copies', { params: { id }, body: { establishment } }),
    onSuccess: (res) => {
      setCopied(res.name);
      setError(null);
      return refresh();
    },
    onError: setError,
  });
  const title = t('documents.library.title');
  return (
    <>
      <PageTitle title={title}>{title}</PageTitle>
      <p>{t('documents.library.intro')}</p>
      <div className="fr-grid-row fr-grid-row--gutters fr-mb-2w">
        <div className="fr-col-12 fr-col-md-5">
          <label className="fr-label" htmlFor="lib-q">
            {t('documents.library.words')}
          </label>
          <input
            id="lib-q"
            className="fr-input"
            type="search"
            value={filters.q}
            onChange={(e) => setFilters({ ...filters, q: e.target.value })}
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <label className="fr-label" htmlFor="lib-discipline">
            {t('documents.library.discipline')}
          </label>
          <select
            id="lib-discipline"
            className="fr-select"
            value={filters.discipline}
            onChange={(e) => setFilters({ ...filters, discipline: e.target.value })}
          >
            <option value="">{t('common.all')}</option>
            {(lib.data?.disciplines ?? []).map((d) => (
              <option key={d.code} value={d.code}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <label className="fr-label" htmlFor="lib-level">
            {t('documents.library.level')}
          </label>
          <select
            id="lib-level"
            className="fr-select"
            value={filters.level}
            onChange={(e) => setFilters({ ...filters, level: e.target.value })}
          >
            <option value="">{t('common.all')}</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`documents.levels.${l}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorAlert error={lib.error ?? error} />
      {copied ? (
        <p className="fr-badge fr-badge--success" role="status">
          {t('documents.library.copied', { name: copied })}
        </p>
      ) : null}
      {lib.isPending ? <Loading /> : null}
      {lib.data && lib.data.items.length === 0 ? <EmptyState>{t('documents.library.empty')}</EmptyState> : null}
      <ul className="preau-library" data-testid="library">
        {(lib.data?.items ?? []).map((r) => (
          <li key={r.id} className="preau-library__item fr-p-2w fr-mb-2w">
            <h2 className="fr-h6 fr-mb-1w">{r.name}</h2>
            <p className="fr-text--sm fr-mb-1w">
              {[r.meta.discipline?.label, t(`documents.levels.${r.meta.level}`)].filter(Boolean).join(' — ')}
            </p>
            <p className="fr-text--sm fr-mb-1w">
              {t('documents.library.credit', {
                author: r.meta.author,
                licence: t(`documents.licences.${r.meta.licence}`),
              })}
              {r.meta.attribution ? ` — ${r.meta.attribution}` : ''}
            </p>
            <p className="fr-text--xs preau-muted fr-mb-1w">
              {t('documents.library.publishedBy', {
                name: r.publishedBy?.displayName ?? '—',
                establishment: r.establishmentName ?? '—',
                date: formatDate(r.publishedAt, i18n.language),
                size: formatBytes(r.size, i18n.language),
              })}
            </p>
            <div className="preau-actions">
              <a className="fr-link fr-link--sm" href={`${contentUrl(r.id)}?establishment=${establishment}`} download>
                {t('documents.actions.download')}
              </a>
              <Button
                size="small"
                priority="secondary"
                onClick={() => copy.mutate(r.id)}
                title={t('documents.library.copyOf', { name: r.name })}
              >
                {t('documents.library.copy')}
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
