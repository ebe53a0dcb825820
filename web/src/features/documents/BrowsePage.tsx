import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import type { FileEntry, FolderEntry } from '@preau/contracts';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { call } from '../../app/api.ts';
import { formatDateTime } from '../../components/format.ts';
import { EmptyState, ErrorAlert, Loading, PageTitle } from '../../components/states.tsx';
import { Table } from '../../components/Table.tsx';
import { contentUrl, formatBytes, spacePath, useBrowse, useRefresh, useSpaces } from './documents.api.ts';
import { Uploader } from './Uploader.tsx';

/** A space's top or one of its folders: sub-folders, files, upload (drag and drop), new folder, row actions. */
export function BrowsePage() {
  const { t } = useTranslation();
  const { spaceId: param, folderId } = useParams();
  const spaces = useSpaces();
  const spaceId = param ?? spaces.data?.items.find((s) => s.kind === 'personal')?.id;
  const browse = useBrowse(spaceId, folderId);
  const refresh = useRefresh();
  const [error, setError] = useState<unknown>(null);
  const run = useMutation({
    mutationFn: (work: () => Promise<unknown>) => work(),
    onSuccess: () => {
      setError(null);
      return refresh();
    },
    onError: (e) => setError(e),
  });

  if (browse.isPending || (!param && spaces.isPending)) return <Loading />;
  if (browse.error) return <ErrorAlert error={browse.error} />;
  const data = browse.data!;
  const space = data.space;
  const title = data.folder?.name ?? space.name;
  const parent = data.breadcrumb.length > 1 ? data.breadcrumb[data.breadcrumb.length - 2] : null;
  // The space's top is a link only for who sees it (not for someone a folder was shared with).
  const listed = spaces.data?.items.some((s) => s.id === space.id) ?? false;
  const segments = [
    ...(listed ? [{ label: space.name, linkProps: { to: spacePath(space) } }] : []),
    ...data.breadcrumb.slice(0, -1).map((c) => ({ label: c.name, linkProps: { to: spacePath(space, c.id) } })),
  ];

  return (
    <>
      {data.folder ? <Breadcrumb currentPageLabel={title} segments={segments} className="fr-mb-2w fr-mt-0" /> : null}
      <PageTitle title={title}>{title}</PageTitle>
      <ErrorAlert error={error} />
      {data.canWrite && spaceId ? (
        <>
          <Uploader spaceId={spaceId} folderId={data.folder?.id ?? null} onUploaded={() => void refresh()} />
          <NewFolder
            onCreate={(name) =>
              run.mutate(() =>
                call('POST /api/documents/spaces/:spaceId/folders', {
                  params: { spaceId },
                  body: { name, parentId: data.folder?.id ?? null },
                }),
              )
            }
          />
        </>
      ) : (
        <p className="preau-muted">{t('documents.browse.readOnly')}</p>
      )}
      {data.folders.length === 0 && data.files.length === 0 ? (
        <EmptyState>{t(data.canWrite ? 'documents.browse.emptyWrite' : 'documents.browse.empty')}</EmptyState>
      ) : (
        <Table caption={t('documents.browse.caption', { name: title })}>
          <thead>
            <tr>
              <th scope="col">{t('documents.browse.name')}</th>
              <th scope="col">{t('documents.browse.size')}</th>
              <th scope="col">{t('documents.browse.updated')}</th>
              <th scope="col">{t('documents.browse.actions')}</th>
            </tr>
          </thead>
          <tbody data-testid="documents-list">
            {data.folders.map((f) => (
              <FolderRow
                key={f.id}
                folder={f}
                href={spacePath(space, f.id)}
                kind={space.kind}
                run={(w) => run.mutate(w)}
              />
            ))}
            {data.files.map((f) => (
              <FileRow
                key={f.id}
                file={f}
                targets={[
                  ...(data.folder ? [{ id: parent?.id ?? null, name: parent?.name ?? t('documents.browse.top') }] : []),
                  ...data.folders.map((x) => ({ id: x.id, name: x.name })),
                ]}
                run={(w) => run.mutate(w)}
              />
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

function NewFolder({ onCreate }: { onCreate: (name: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  if (!open)
    return (
      <p>
        <Button priority="tertiary" iconId="fr-icon-folder-2-line" onClick={() => setOpen(true)}>
          {t('documents.folder.new')}
        </Button>
      </p>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) onCreate(name.trim());
    setName('');
    setOpen(false);
  };
  return (
    <form className="preau-docs-inline-form fr-mb-2w" onSubmit={submit}>
      <label className="fr-label" htmlFor="new-folder">
        {t('documents.folder.name')}
      </label>
      <input id="new-folder" className="fr-input" value={name} onChange={(e) => setName(e.target.value)} required />
      <Button type="submit">{t('documents.folder.create')}</Button>
      <Button priority="secondary" type="button" onClick={() => setOpen(false)}>
        {t('common.cancel')}
      </Button>
    </form>
  );
}

function Rename({ current, onRename, label }: { current: string; onRename: (name: string) => void; label: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(current);
  if (!open)
    return (
      <Button size="small" priority="tertiary" onClick={() => setOpen(true)} title={label}>
        {t('documents.actions.rename')}
      </Button>
    );
  return (
    <form
      className="preau-docs-inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onRename(name.trim());
        setOpen(false);
      }}
    >
      <label className="fr-sr-only" htmlFor={`rename-${current}`}>
        {label}
      </label>
      <input
        id={`rename-${current}`}
        className="fr-input"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
      />
      <Button size="small" type="submit">
        {t('common.save')}
      </Button>
    </form>
  );
}

function FolderRow({
  folder,
  href,
  kind,
  run,
}: {
  folder: FolderEntry;
  href: string;
  kind: string;
  run: (work: () => Promise<unknown>) => void;
}) {
  const { t, i18n } = useTranslation();
  const patch = (body: Parameters<typeof call<'PATCH /api/documents/folders/:id'>>[1]['body']) =>
    run(() => call('PATCH /api/documents/folders/:id', { params: { id: folder.id }, body }));
  return (
    <tr>
      <td>
        <span className="fr-icon-folder-2-fill fr-mr-1w" aria-hidden="true" />
        <Link to={href}>{folder.name}</Link>
        {folder.guardiansCanRead ? (
          <span className="fr-badge fr-badge--sm fr-badge--info fr-ml-1w">{t('documents.folder.families')}</span>
        ) : null}
        {folder.shared ? <span className="fr-badge fr-badge--sm fr-ml-1w">{t('documents.shared.badge')}</span> : null}
      </td>
      <td>—</td>
      <td>{formatDateTime(folder.updatedAt, i18n.language)}</td>
      <td className="preau-actions">
        {folder.can.manage ? (
          <>
            <Rename
              current={folder.name}
              label={t('documents.actions.renameOf', { name: folder.name })}
              onRename={(name) => patch({ name })}
            />
            {kind === 'class' || kind === 'group' ? (
              <Checkbox
                small
                options={[
                  {
                    label: t('documents.folder.openToFamilies'),
                    nativeInputProps: {
                      checked: folder.guardiansCanRead,
                      onChange: (e) => patch({ guardiansCanRead: e.target.checked }),
                    },
                  },
                ]}
              />
            ) : null}
            {kind === 'admin' ? (
              <select
                className="fr-select fr-select--sm"
                aria-label={t('documents.folder.audienceOf', { name: folder.name })}
                value={folder.audience?.join(',') ?? ''}
                onChange={(e) =>
                  patch({ audience: e.target.value ? (e.target.value.split(',') as ('teacher' | 'staff')[]) : null })
                }
              >
                <option value="">{t('documents.folder.audience.all')}</option>
                <option value="teacher">{t('documents.folder.audience.teacher')}</option>
                <option value="staff">{t('documents.folder.audience.staff')}</option>
              </select>
            ) : null}
            <Button
              size="small"
              priority="tertiary"
              iconId="fr-icon-delete-line"
              onClick={() => patch({ trashed: true })}
              title={t('documents.actions.trashOf', { name: folder.name })}
            >
              {t('documents.actions.trash')}
            </Button>
          </>
        ) : null}
      </td>
    </tr>
  );
}

function FileRow({
  file,
  targets,
  run,
}: {
  file: FileEntry;
  targets: { id: string | null; name: string }[];
  run: (work: () => Promise<unknown>) => void;
}) {
  const { t, i18n } = useTranslation();
  const patch = (body: Parameters<typeof call<'PATCH /api/documents/files/:id'>>[1]['body']) =>
    run(() => call('PATCH /api/documents/files/:id', { params: { id: file.id }, body }));
  return (
    <tr data-testid="file-row">
      <td>
        <span className="fr-icon-file-line fr-mr-1w" aria-hidden="true" />
        <Link to={`/documents/files/${file.id}`}>{file.name}</Link>
        {file.version > 1 ? <span className="fr-badge fr-badge--sm fr-ml-1w">v{file.version}</span> : null}
        {file.shared ? <span className="fr-badge fr-badge--sm fr-ml-1w">{t('documents.shared.badge')}</span> : null}
        {file.author ? <p className="fr-text--xs fr-mb-0 preau-muted">{file.author.displayName}</p> : null}
      </td>
      <td>{formatBytes(file.size, i18n.language)}</td>
      <td>{formatDateTime(file.updatedAt, i18n.language)}</td>
      <td className="preau-actions">
        <a
          className="fr-link fr-link--sm"
          href={contentUrl(file.id)}
          download
          title={t('documents.actions.downloadOf', { name: file.name })}
        >
          {t('documents.actions.download')}
        </a>
        {file.can.manage ? (
          <>
            <Rename
              current={file.name}
              label={t('documents.actions.renameOf', { name: file.name })}
              onRename={(name) => patch({ name })}
            />
            {targets.length > 0 ? (
              <select
                className="fr-select fr-select--sm"
                aria-label={t('documents.actions.moveOf', { name: file.name })}
                value=""
                onChange={(e) => patch({ folderId: e.target.value === 'top' ? null : e.target.value })}
              >
                <option value="" disabled>
                  {t('documents.actions.move')}
                </option>
                {targets.map((x) => (
                  <option key={x.id ?? 'top'} value={x.id ?? 'top'}>
                    {x.name}
                  </option>
                ))}
              </select>
            ) : null}
            <Button
              size="small"
              priority="tertiary"
              iconId="fr-icon-delete-line"
              onClick={() => patch({ trashed: true })}
              title={t('documents.actions.trashOf', { name: file.name })}
            >
              {t('documents.actions.trash')}
            </Button>
          </>
        ) : null}
      </td>
    </tr>
  );
}
