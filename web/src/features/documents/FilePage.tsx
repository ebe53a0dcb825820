import { Button } from '@codegouvfr/react-dsfr/Button';
import type { DocumentRight, FileDetail, Grantee } from '@preau/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, call, callUpload } from '../../app/api.ts';
import { formatDateTime } from '../../components/format.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { contentUrl, formatBytes, spacePath, useEstablishment, useRefresh } from './documents.api.ts';

/** One file: preview (images, PDF), download, replace (a new version), versions with restore, shares. */
export function FilePage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const refresh = useRefresh();
  const file = useQuery({
    queryKey: ['documents', 'file', id],
    queryFn: () => call('GET /api/documents/files/:id', { params: { id } }),
  });
  const [error, setError] = useState<unknown>(null);
  const restore = useMutation({
    mutationFn: (from: number) => call('POST /api/documents/files/:id/versions', { params: { id }, body: { from } }),
    onSuccess: () => {
      setError(null);
      return refresh();
    },
    onError: setError,
  });
  if (file.isPending) return <Loading />;
  if (file.error) return <ErrorAlert error={file.error} />;
  const f = file.data;
  const isImage = f.previewable && f.mime.startsWith('image/');
  const where = spacePath({ id: f.space.id, kind: f.space.kind }, f.folderId);
  return (
    <>
      <p className="fr-mb-1w">
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to={where}>
          {[f.space.name, ...f.breadcrumb.map((c) => c.name)].join(' › ')}
        </Link>
      </p>
      <PageTitle title={f.name}>{f.name}</PageTitle>
      <p className="preau-muted">
        {t('documents.file.summary', {
          size: formatBytes(f.size, i18n.language),
          version: f.version,
          date: formatDateTime(f.updatedAt, i18n.language),
        })}
        {f.author ? ` — ${t('documents.file.by', { name: f.author.displayName })}` : ''}
      </p>
      {f.trashedAt ? <p className="fr-badge fr-badge--warning">{t('documents.file.inTrash')}</p> : null}
      <ErrorAlert error={error} />
      <div className="preau-actions fr-mb-3w">
        <a className="fr-btn fr-icon-download-line fr-btn--icon-left" href={contentUrl(f.id)} download>
          {t('documents.actions.download')}
        </a>
        {f.previewable && !isImage ? (
          <a
            className="fr-btn fr-btn--secondary"
            href={contentUrl(f.id, { inline: true })}
            target="_blank"
            rel="noopener"
          >
            {t('documents.file.openPdf')}
          </a>
        ) : null}
      </div>
      {f.previewable ? (
        <section className="fr-mb-4w" aria-labelledby="preview-title">
          <h2 id="preview-title" className="fr-h5">
            {t('documents.file.preview')}
          </h2>
          {isImage ? (
            <img
              className="preau-preview"
              src={contentUrl(f.id, { inline: true })}
              alt={t('documents.file.previewAlt', { name: f.name })}
            />
          ) : (
            <iframe
              className="preau-preview preau-preview--pdf"
              src={contentUrl(f.id, { inline: true })}
              title={t('documents.file.previewAlt', { name: f.name })}
            />
          )}
        </section>
      ) : (
        <p className="preau-muted">{t('documents.file.noPreview')}</p>
      )}
      {f.library ? <LibraryInfo f={f} /> : null}
      {f.can.write && !f.trashedAt ? <Replace id={f.id} onDone={() => void refresh()} /> : null}
      <section className="fr-mb-4w" aria-labelledby="versions-title">
        <h2 id="versions-title" className="fr-h5">
          {t('documents.versions.title')}
        </h2>
        <Table caption={t('documents.versions.caption', { name: f.name })}>
          <thead>
            <tr>
              <th scope="col">{t('documents.versions.no')}</th>
              <th scope="col">{t('documents.versions.date')}</th>
              <th scope="col">{t('documents.versions.author')}</th>
              <th scope="col">{t('documents.browse.size')}</th>
              <th scope="col">{t('documents.browse.actions')}</th>
            </tr>
          </thead>
          <tbody data-testid="versions">
            {f.versions.map((v) => (
              <tr key={v.no}>
                <td>
                  {v.no}
                  {v.current ? (
                    <span className="fr-badge fr-badge--sm fr-badge--success fr-ml-1w">
                      {t('documents.versions.current')}
                    </span>
                  ) : null}
                </td>
                <td>{formatDateTime(v.createdAt, i18n.language)}</td>
                <td>{v.author?.displayName ?? '—'}</td>
                <td>{formatBytes(v.size, i18n.language)}</td>
                <td className="preau-actions">
                  <a className="fr-link fr-link--sm" href={contentUrl(f.id, { version: v.no })} download>
                    {t('documents.actions.download')}
                  </a>
                  {!v.current && f.can.write && !f.trashedAt ? (
                    <Button
                      size="small"
                      priority="tertiary"
                      onClick={() => restore.mutate(v.no)}
                      disabled={restore.isPending}
                    >
                      {t('documents.versions.restore', { no: v.no })}
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
      {f.can.share && !f.trashedAt ? <Shares documentId={f.id} /> : null}
      {f.can.manage && f.space.kind === 'personal' && !f.library ? <Publish documentId={f.id} /> : null}
    </>
  );
}

function LibraryInfo({ f }: { f: FileDetail }) {
  const { t } = useTranslation();
  const l = f.library!;
  return (
    <section className="fr-mb-4w" aria-labelledby="library-title">
      <h2 id="library-title" className="fr-h5">
        {f.copiedFrom ? t('documents.library.copiedFrom') : t('documents.library.resource')}
      </h2>
      <dl className="preau-facts">
        <dt>{t('documents.library.discipline')}</dt>
        <dd>{l.discipline?.label ?? t('documents.library.anyDiscipline')}</dd>
        <dt>{t('documents.library.level')}</dt>
        <dd>{t(`documents.levels.${l.level}`)}</dd>
        <dt>{t('documents.library.author')}</dt>
        <dd>{l.author}</dd>
        <dt>{t('documents.library.licence')}</dt>
        <dd>{t(`documents.licences.${l.licence}`)}</dd>
        {l.attribution ? (
          <>
            <dt>{t('documents.library.attribution')}</dt>
            <dd>{l.attribution}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function Replace({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const send = async (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    setError(null);
    setProgress(0);
    try {
      await callUpload('PUT /api/documents/files/:id/content', { id }, form, (loaded, total) =>
        setProgress(total ? loaded / total : 0),
      ).done;
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
    } finally {
      setProgress(null);
    }
  };
  return (
    <section className="fr-mb-4w" aria-labelledby="replace-title">
      <h2 id="replace-title" className="fr-h5">
        {t('documents.replace.title')}
      </h2>
      <p className="fr-text--sm">{t('documents.replace.hint')}</p>
      <Button
        priority="secondary"
        iconId="fr-icon-refresh-line"
        onClick={() => input.current?.click()}
        disabled={progress !== null}
      >
        {t('documents.replace.choose')}
      </Button>
      <input
        ref={input}
        type="file"
        className="fr-sr-only"
        tabIndex={-1}
        aria-label={t('documents.replace.choose')}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void send(file);
        }}
      />
      {progress !== null ? (
        <div
          className="preau-progress__track fr-mt-2w"
          role="progressbar"
          aria-label={t('documents.replace.title')}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(progress * 100)}
        >
          <div className="preau-progress__bar" style={{ width: `${Math.round(progress * 100)}%` }} />
        </div>
      ) : null}
      <ErrorAlert error={error} />
    </section>
  );
}

const RIGHTS: DocumentRight[] = ['read', 'contribute', 'manage'];

function Shares({ documentId }: { documentId: string }) {
  const { t } = useTranslation();
  const establishment = useEstablishment();
  const refresh = useRefresh();
  const [q, setQ] = useState('');
  const [right, setRight] = useState<DocumentRight>('read');
  const [error, setError] = useState<unknown>(null);
  const shares = useQuery({
    queryKey: ['documents', 'shares', documentId],
    queryFn: () => call('GET /api/documents/shares', { query: { document: documentId } }),
  });
  const targets = useQuery({
    queryKey: ['documents', 'targets', establishment, q],
    queryFn: () => call('GET /api/documents/share-targets', { query: { establishment, q } }),
    enabled: q.trim().length >= 1,
  });
  const done = () => {
    setError(null);
    setQ('');
    return refresh();
  };
  const add = useMutation({
    mutationFn: (grantee: Grantee) => call('POST /api/documents/shares', { body: { documentId, grantee, right } }),
    onSuccess: done,
    onError: setError,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call('DELETE /api/documents/shares/:id', { params: { id } }),
    onSuccess: done,
    onError: setError,
  });
  return (
    <section className="fr-mb-4w" aria-labelledby="shares-title">
      <h2 id="shares-title" className="fr-h5">
        {t('documents.share.title')}
      </h2>
      <ErrorAlert error={error} />
      {shares.data && shares.data.items.length > 0 ? (
        <ul className="preau-share-list" data-testid="shares">
          {shares.data.items.map((s) => (
            <li key={s.id}>
              {s.label} — {t(`documents.rights.${s.right}`)}{' '}
              <Button
                size="small"
                priority="tertiary"
                onClick={() => revoke.mutate(s.id)}
                title={t('documents.share.revokeOf', { name: s.label })}
              >
                {t('documents.share.revoke')}
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="preau-muted">{t('documents.share.none')}</p>
      )}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-8">
          <label className="fr-label" htmlFor="share-q">
            {t('documents.share.with')}
            <span className="fr-hint-text">{t('documents.share.withHint')}</span>
          </label>
          <input
            id="share-q"
            className="fr-input"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            autoComplete="off"
          />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <label className="fr-label" htmlFor="share-right">
            {t('documents.share.right')}
          </label>
          <select
            id="share-right"
            className="fr-select"
            value={right}
            onChange={(e) => setRight(e.target.value as DocumentRight)}
          >
            {RIGHTS.map((r) => (
              <option key={r} value={r}>
                {t(`documents.rights.${r}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {targets.data && q.trim() ? (
        <ul className="preau-share-targets" aria-label={t('documents.share.results')}>
          {targets.data.items.length === 0 ? <li>{t('documents.share.noTarget')}</li> : null}
          {targets.data.items.slice(0, 12).map((x) => (
            <li key={JSON.stringify(x.grantee)}>
              <Button size="small" priority="secondary" onClick={() => add.mutate(x.grantee)} disabled={add.isPending}>
                {t('documents.share.add', { name: x.label })}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Publish({ documentId }: { documentId: string }) {
  const { t } = useTranslation();
  const establishment = useEstablishment();
  const library = useQuery({
    queryKey: ['documents', 'library', establishment, 'can'],
    queryFn: () => call('GET /api/documents/library', { query: { establishment } }),
    retry: false,
  });
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ author: '', licence: 'CC-BY-SA', level: 'all', discipline: '', attribution: '' });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const publish = useMutation({
    mutationFn: () =>
      call('POST /api/documents/library', {
        body: {
          establishment,
          documentId,
          author: form.author,
          licence: form.licence as 'CC-BY-SA',
          level: form.level as 'all',
          discipline: form.discipline || null,
          attribution: form.attribution,
        },
      }),
    onSuccess: () => {
      setDone(true);
      setOpen(false);
    },
    onError: setError,
  });
  if (!library.data?.canPublish) return null;
  return (
    <section className="fr-mb-4w" aria-labelledby="publish-title">
      <h2 id="publish-title" className="fr-h5">
        {t('documents.library.publish')}
      </h2>
      {done ? <p className="fr-badge fr-badge--success">{t('documents.library.published')}</p> : null}
      {!open ? (
        <Button priority="secondary" onClick={() => setOpen(true)}>
          {t('documents.library.publishOpen')}
        </Button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            publish.mutate();
          }}
        >
          <ErrorAlert error={error} />
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="pub-author">
              {t('documents.library.author')}
            </label>
            <input
              id="pub-author"
              className="fr-input"
              required
              value={form.author}
              onChange={(e) => setForm({ ...form, author: e.target.value })}
            />
          </div>
          <div className="fr-select-group">
            <label className="fr-label" htmlFor="pub-licence">
              {t('documents.library.licence')}
            </label>
            <select
              id="pub-licence"
              className="fr-select"
              value={form.licence}
              onChange={(e) => setForm({ ...form, licence: e.target.value })}
            >
              {[
                'CC-BY',
                'CC-BY-SA',
                'CC-BY-NC',
                'CC-BY-NC-SA',
                'CC-BY-ND',
                'CC-BY-NC-ND',
                'CC0',
                'LO-2.0',
                'all-rights-reserved',
              ].map((l) => (
                <option key={l} value={l}>
                  {t(`documents.licences.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="fr-select-group">
            <label className="fr-label" htmlFor="pub-level">
              {t('documents.library.level')}
            </label>
            <select
              id="pub-level"
              className="fr-select"
              value={form.level}
              onChange={(e) => setForm({ ...form, level: e.target.value })}
            >
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`documents.levels.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="pub-discipline">
              {t('documents.library.disciplineCode')}
              <span className="fr-hint-text">{t('documents.library.disciplineHint')}</span>
            </label>
            <input
              id="pub-discipline"
              className="fr-input"
              value={form.discipline}
              maxLength={6}
              onChange={(e) => setForm({ ...form, discipline: e.target.value })}
            />
          </div>
          <div className="fr-input-group">
            <label className="fr-label" htmlFor="pub-attribution">
              {t('documents.library.attribution')}
            </label>
            <input
              id="pub-attribution"
              className="fr-input"
              value={form.attribution}
              onChange={(e) => setForm({ ...form, attribution: e.target.value })}
            />
          </div>
          <Button type="submit" disabled={publish.isPending}>
            {t('documents.library.publishSubmit')}
          </Button>
        </form>
      )}
    </section>
  );
}

export const LEVELS = ['all', 'cycle3', 'cycle4', '6e', '5e', '4e', '3e', '2nde', '1re', 'terminale', 'lycee'] as const;
